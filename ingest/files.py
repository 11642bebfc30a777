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

from ingest.base import BadItem, Ingestor, Mark, Position, ScanItem
from ingest.readers import FileProblem
from voc.errors import IngestError


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


def list_files(root: Path, suffixes: Iterable[str]) -> list[tuple[Path, str]]:
    """Files under root (recursive, sorted, hidden ones skipped) with their display names."""
    if not root.exists():
        raise IngestError(f"{root} does not exist")
    wanted = tuple(s.lower() for s in suffixes)
    if root.is_file():
        return [(root, root.name)]
    out = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not p.is_file():
            continue
        if p.name.lower().endswith(wanted):
            out.append((p, rel.as_posix()))
    return out


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
    root: Path, suffixes: Iterable[str], cursors: Mapping[str, Any], line_based: Mapping[str, bool]
) -> Iterator[FilePlan]:
    """Plans for the files under root that need reading (new, changed or unfinished ones)."""
    for path, name in list_files(root, suffixes):
        suffix = next((s for s in line_based if name.lower().endswith(s)), "")
        plan = plan_file(path, name, cursors.get(f"file:{name}"), line_based.get(suffix, False))
        if plan is not None:
            yield plan


class FileIngestor(Ingestor):
    """An ingestor over a file or a folder: unchanged files are skipped, an unreadable file is quarantined whole.

    Subclasses set ``suffixes`` and ``line_based`` (which suffixes resume by line) and read one file in
    ``_scan_file``.
    """

    suffixes: tuple[str, ...] = ()
    line_based: Mapping[str, bool] = {}

    def __init__(self, path: Path | str, source: str | None = None, salt: str = "", max_text_chars: int = 5000) -> None:
        path = Path(path)
        super().__init__(source or path.stem, salt, max_text_chars)
        self.path = path

    @property
    def location(self) -> str:
        return str(self.path)

    def scan(self, cursors: Mapping[str, Any]) -> Iterator[ScanItem]:
        for plan in plan_files(self.path, self.suffixes, cursors, self.line_based):
            if plan.unchanged:
                yield Mark(Position(plan.key, plan.cursor(plan.offset, plan.line, True)))
                continue
            try:
                yield from self._scan_file(plan)
            except FileProblem as exc:
                yield BadItem(plan.name, "file", str(exc), "", Position(plan.key, plan.cursor(0, 1, True)))

    def _scan_file(self, plan: FilePlan) -> Iterator[ScanItem]:
        raise NotImplementedError
