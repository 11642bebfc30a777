"""Which files of a path to read, and from where: the per-file cursor logic shared by file ingestors.

A file's cursor is ``{"mtime", "size", "sha1", "offset", "line", "done"}`` where ``sha1`` and ``size`` describe
the bytes as they were when read. On the next pull a file is

* skipped without being opened when it is done and its mtime and size are unchanged;
* skipped after hashing when only its mtime changed (same bytes);
* resumed at ``offset`` when its first ``size`` bytes still hash to ``sha1`` (an interrupted pull, or a
  log-style file that only grew) and the format is line based;
* otherwise read from the start; rows already stored come back as duplicates, never twice.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.base import BadItem, Ingestor, Mark, Position, ScanItem, Skipped
from ingest.readers import FileProblem
from voc.errors import IngestError
from voc.text import redact


@dataclass(frozen=True)
class FilePlan:
    """One file to read: where it is, how it is named in quarantine and cursors, and where to start."""

    path: Path
    name: str
    key: str
    stat: os.stat_result
    sha1: str
    offset: int = 0
    line: int = 1
    unchanged: bool = False

    def cursor(self, offset: int, line: int, done: bool) -> dict[str, Any]:
        """Cursor value after reading up to (offset, line) of this file."""
        return {
            "mtime": self.stat.st_mtime_ns, "size": self.stat.st_size, "sha1": self.sha1,
            "offset": offset, "line": line, "done": done,
        }


def skip_reason(path: Path, suffixes: tuple[str, ...]) -> str | None:
    """Why a file of an ingest folder is not read, or None when it is read."""
    name = path.name.lower()
    if name.startswith("~$"):
        return "Excel lock file (the workbook is open in Excel); close it and ingest again"
    if name.endswith(suffixes):
        return None
    if name.endswith(".xls"):
        return "old Excel format (.xls) is not read: save it as .xlsx"
    kind = path.suffix.lower() or "files without an extension"
    return f"{kind} is not read here (this ingest reads {', '.join(suffixes)})"


def list_files(
    root: Path, suffixes: Iterable[str], follow_symlinks: bool = False
) -> tuple[list[tuple[Path, str]], list[tuple[str, str]]]:
    """Files under root (recursive, sorted) with their relative names, and the ones skipped with the reason.

    Hidden files and folders, symbolic links (unless ``follow_symlinks``), files of other types and files that
    cannot be read are skipped, and every skip is reported: nothing in a folder is ignored without a word.
    """
    if not root.exists() and not root.is_symlink():
        raise IngestError(f"{root} does not exist")
    wanted = tuple(s.lower() for s in suffixes)
    if root.is_symlink() and not follow_symlinks:
        return [], [(root.name, _LINK)]
    if root.is_file():
        reason = _unreadable(root)
        return ([], [(root.name, reason)]) if reason else ([(root, root.name)], [])
    files: list[tuple[Path, str]] = []
    skipped: list[tuple[str, str]] = []
    seen = {root.resolve()}
    for folder, dirs, names in os.walk(root, followlinks=follow_symlinks):
        here = Path(folder)
        for d in sorted(dirs):
            rel = (here / d).relative_to(root).as_posix()
            if d.startswith("."):
                skipped.append((rel + "/", "hidden folder, not read"))
            elif (here / d).is_symlink() and (not follow_symlinks or (here / d).resolve() in seen):
                skipped.append((rel + "/", _LINK if not follow_symlinks else "symbolic link loop, not read again"))
            else:
                seen.add((here / d).resolve())
                continue
            dirs.remove(d)
        dirs.sort()
        for n in sorted(names):
            p = here / n
            rel = p.relative_to(root).as_posix()
            if n.startswith("."):
                reason: str | None = "hidden file, not read"
            elif p.is_symlink() and not follow_symlinks:
                reason = _LINK
            else:
                reason = skip_reason(p, wanted) or _unreadable(p)
            if reason:
                skipped.append((rel, reason))
            else:
                files.append((p, rel))
    return sorted(files, key=lambda f: f[1]), skipped


_LINK = "symbolic link, not followed (pass --follow-symlinks to read what it points to)"


def _unreadable(path: Path) -> str | None:
    if not path.is_file():
        return "not a regular file"
    if not os.access(path, os.R_OK):
        return "cannot be read (permission denied)"
    return None


def file_sha1(path: Path, limit: int | None = None) -> str:
    """Hash of the file's bytes (or of its first ``limit`` bytes)."""
    h = hashlib.sha1()
    left = limit
    with path.open("rb") as f:
        while True:
            n = 1 << 20 if left is None else min(1 << 20, left)
            if n == 0:
                break
            chunk = f.read(n)
            if not chunk:
                break
            h.update(chunk)
            if left is not None:
                left -= len(chunk)
    return h.hexdigest()


def _ends_line(path: Path, offset: int) -> bool:
    if offset == 0:
        return True
    with path.open("rb") as f:
        f.seek(offset - 1)
        return f.read(1) == b"\n"


def plan_file(path: Path, name: str, cursor: Mapping[str, Any] | None, line_based: bool) -> FilePlan | None:
    """Decide how to read one file given its stored cursor; None means unchanged, not even hashed."""
    st = path.stat()
    key = f"file:{name}"
    cur = dict(cursor or {})
    if cur.get("done") and cur.get("mtime") == st.st_mtime_ns and cur.get("size") == st.st_size:
        return None
    sha = file_sha1(path)
    if cur and cur.get("sha1") == sha and cur.get("size") == st.st_size:
        if cur.get("done"):
            return FilePlan(path, name, key, st, sha, int(cur["offset"]), int(cur["line"]), unchanged=True)
        if line_based or int(cur.get("offset", 0)) == 0:
            return FilePlan(path, name, key, st, sha, int(cur.get("offset", 0)), int(cur.get("line", 1)))
    if (
        line_based and cur.get("sha1") and 0 < int(cur.get("size", 0)) < st.st_size
        and file_sha1(path, int(cur["size"])) == cur["sha1"] and _ends_line(path, int(cur["offset"]))
    ):
        return FilePlan(path, name, key, st, sha, int(cur["offset"]), int(cur["line"]))
    return FilePlan(path, name, key, st, sha)


def plan_files(
    files: Iterable[tuple[Path, str]], cursors: Mapping[str, Any], line_based: Mapping[str, bool]
) -> Iterator[FilePlan]:
    """Plans for the files that need reading (new, changed or unfinished ones), given as (path, name)."""
    for path, name in files:
        suffix = next((s for s in line_based if path.name.lower().endswith(s)), "")
        plan = plan_file(path, name, cursors.get(f"file:{name}"), line_based.get(suffix, False))
        if plan is not None:
            yield plan


class FileIngestor(Ingestor):
    """An ingestor over a file or a folder: unchanged files are skipped, an unreadable file is quarantined whole.

    Subclasses set ``suffixes`` and ``line_based`` (which suffixes resume by line) and read one file in
    ``_scan_file``. File names appear in quarantine and cursors redacted (see ``Ingestor.safe_name``).
    """

    suffixes: tuple[str, ...] = ()
    line_based: Mapping[str, bool] = {}

    def __init__(
        self,
        path: Path | str,
        source: str | None = None,
        salt: str = "",
        max_text_chars: int = 5000,
        *,
        follow_symlinks: bool = False,
        **options: Any,
    ) -> None:
        path = Path(path)
        super().__init__(source or path.stem, salt, max_text_chars, **options)
        self.path = path
        self.follow_symlinks = follow_symlinks

    @property
    def location(self) -> str:
        return redact(str(self.path)).text

    def scan(self, cursors: Mapping[str, Any]) -> Iterator[ScanItem]:
        files, skipped = list_files(self.path, self.suffixes, self.follow_symlinks)
        for name, reason in skipped:
            yield Skipped(self.safe_name(name), reason)
        named = [(path, self.safe_name(name)) for path, name in files]
        for plan in plan_files(named, cursors, self.line_based):
            if plan.unchanged:
                yield Mark(Position(plan.key, plan.cursor(plan.offset, plan.line, True)))
                continue
            try:
                yield from self._scan_file(plan)
            except FileProblem as exc:
                yield BadItem(plan.name, "file", str(exc), "", Position(plan.key, plan.cursor(0, 1, True)))

    def _scan_file(self, plan: FilePlan) -> Iterator[ScanItem]:
        raise NotImplementedError
