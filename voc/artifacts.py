"""Fitted artefacts are folders: config.json (constructor arguments) and manifest.json (what and from what).

Every saveable model writes and checks its manifest through here, so they all record the same fields: kind,
voc version, creation time, the fingerprint of the data it was fitted on, and library versions.

Folders are written atomically: :func:`save_folder` (or :func:`atomic_folder`) lets the model write into a
temporary sibling ``.NAME.partial-PID-XXXX``, checks that a manifest was written, and only then swaps it in
by rename, so a reader sees the old complete folder or the new complete one, never a half-written one. A
kill between the two renames of a swap leaves ``.NAME.old-PID-XXXX``; :func:`recover` (run whenever a
workspace is opened) puts such a folder back and deletes the partial folders of processes that are gone.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from voc import __version__
from voc.errors import ConfigError

log = logging.getLogger(__name__)

CONFIG = "config.json"
MANIFEST = "manifest.json"
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<what>partial|old)-(?P<pid>\d+)-[^.]+$")
_TEMP_FILE = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[^.]+\.tmp$")


def library_versions(*names: str) -> dict[str, str]:
    """Installed versions of the named distributions (missing ones left out)."""
    out = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def constructor_params(obj: object) -> dict[str, Any]:
    """The constructor's arguments as stored on the object: every fitted class's get_params (scikit-learn's
    contract), and what config.json holds."""
    names = [p for p in inspect.signature(type(obj).__init__).parameters if p != "self"]
    return {name: getattr(obj, name) for name in names}


def write_json(path: Path, data: Any) -> None:
    atomic_write(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write_config(folder: Path | str, config: dict[str, Any]) -> Path:
    """Create the folder and write the constructor arguments.

    A manifest left from an earlier save is removed first: a folder rewritten in place by a writer that is
    killed half-way must not pass for complete (writers that can, save through :func:`save_folder`).
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST).unlink(missing_ok=True)
    write_json(out / CONFIG, config)
    return out


def config_hash(config: Any) -> str:
    """16 hex chars of sha256 over a JSON value with sorted keys: the same config, the same hash."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()[:16]


def fingerprint_text(fingerprint: Any) -> str:
    """Every manifest's fingerprint is a string; a structured one (an embedder's identity) becomes its hash,
    so folders written when manifests held the dict compare equal to today's."""
    if fingerprint is None:
        return ""
    return fingerprint if isinstance(fingerprint, str) else config_hash(fingerprint)


def manifest_identity(manifest: dict[str, Any]) -> dict[str, Any]:
    """The identity fields behind a structured fingerprint (older manifests kept them as the fingerprint)."""
    found = manifest.get("identity", manifest.get("fingerprint"))
    return found if isinstance(found, dict) else {}


def write_manifest(
    folder: Path | str, kind: str, fingerprint: Any, libraries: tuple[str, ...] = (), **extra: Any
) -> dict[str, Any]:
    """Write manifest.json last, so a folder with a manifest is a complete artefact.

    ``fingerprint`` is stored as a string; when it is a dict of identity fields they are kept as ``identity``.
    """
    manifest = {
        "kind": kind,
        "voc_version": __version__,
        "created_at": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds"),
        "fingerprint": fingerprint_text(fingerprint),
        **({"identity": fingerprint} if isinstance(fingerprint, dict) else {}),
        "libraries": library_versions(*libraries),
        **extra,
    }
    write_json(Path(folder) / MANIFEST, manifest)
    return manifest


def read_artifact(folder: Path | str, kind: str, what: str = "model", legacy: tuple[str, ...] = ()
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(config, manifest) of a saved artefact, after checking it is complete and of the expected kind.

    ``legacy``: the short kinds earlier versions wrote for the same class (their folders still load).
    """
    path = Path(folder)
    try:
        manifest = read_json(path / MANIFEST)
        config = read_json(path / CONFIG)
    except FileNotFoundError as exc:
        missing = Path(exc.filename or "").name
        raise ConfigError(f"{path} is not a saved {what} (no {missing}): fit and save one first") from exc
    if manifest.get("kind") != kind and manifest.get("kind") not in legacy:
        raise ConfigError(f"{path} holds a {manifest.get('kind')!r} {what}, not {kind!r}")
    return config, manifest


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_tree(folder: Path) -> None:
    """Flush every file of a folder and the folder itself, so the rename publishes data that is on disk."""
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    fsync_dir(folder)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap_in(tmp: Path, target: Path) -> None:
    """Replace target by tmp: two renames; recover() repairs a kill between them."""
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent))
        old.rmdir()
        os.rename(target, old)
        os.rename(tmp, target)
        fsync_dir(target.parent)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(tmp, target)
        fsync_dir(target.parent)


@contextmanager
def atomic_folder(target: Path | str) -> Iterator[Path]:
    """A temporary folder to write an artefact into; swapped in as ``target`` when the block ends cleanly."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-{os.getpid()}-", dir=target.parent))
    try:
        yield tmp
        if not (tmp / MANIFEST).exists():
            raise ConfigError(f"{target}: the artefact wrote no {MANIFEST}; nothing was replaced")
        _fsync_tree(tmp)
        _swap_in(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def save_folder(target: Path | str, write: Callable[[Path], Any]) -> Path:
    """``write(folder)`` into a temporary folder, then swap it in as target (see the module docstring)."""
    with atomic_folder(target) as tmp:
        write(tmp)
    return Path(target)


def set_aside(folder: Path | str) -> None:
    """Remove a damaged artefact folder so it is fitted again (logged; nothing else depends on it)."""
    folder = Path(folder)
    log.warning("removing damaged artefact folder %s", folder)
    shutil.rmtree(folder, ignore_errors=True)


def recover(root: Path | str, depth: int = 3) -> list[str]:
    """Clean what killed writers left under root: restore a folder caught between the renames of a swap,
    delete the partial folders of processes that are gone. Returns what was done, for the log."""
    root = Path(root)
    if not root.is_dir():
        return []
    done = _recover_dir(root)
    if depth > 1:
        for sub in sorted(p for p in root.iterdir() if p.is_dir() and not _LEFTOVER.match(p.name)):
            done += recover(sub, depth - 1)
    return done


def _recover_dir(folder: Path) -> list[str]:
    done = []
    for entry in sorted(folder.iterdir()):
        t = _TEMP_FILE.match(entry.name)
        if t and entry.is_file() and not _alive(int(t["pid"])):
            entry.unlink(missing_ok=True)
            done.append(f"removed {entry.name} left by killed process {t['pid']}")
            continue
        m = _LEFTOVER.match(entry.name)
        if not m or not entry.is_dir() or _alive(int(m["pid"])):
            continue
        target = folder / m["name"]
        if m["what"] == "old" and not target.exists():
            os.rename(entry, target)
            done.append(f"restored {target} (a save was killed between its renames)")
        else:
            shutil.rmtree(entry, ignore_errors=True)
            done.append(f"removed {entry.name} left by killed process {m['pid']}")
    return done


@contextmanager
def folder_lock(folder: Path | str, wait: bool = True) -> Iterator[bool]:
    """An exclusive advisory lock on ``folder/.lock`` for writers of single files in it (the vector index).

    Yields False without waiting when ``wait`` is off and another process holds it. The kernel drops the lock
    when its holder dies, so a killed writer never blocks the next one.
    """
    import fcntl

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def recover_files(folder: Path | str, data_glob: str, manifest_key: str) -> list[str]:
    """Delete what a killed single-file writer left in folder: ``*.tmp`` files and data files (``data_glob``)
    that the manifest does not name. Skipped while a live writer holds the folder lock."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    done = []
    with folder_lock(folder, wait=False) as free:
        if not free:
            return []
        try:
            current = read_json(folder / MANIFEST).get(manifest_key)
        except (OSError, ValueError):
            current = None
        for path in sorted(set(folder.glob(".*.tmp")) | set(folder.glob(data_glob))):
            if path.name != current and path.is_file():
                path.unlink(missing_ok=True)
                done.append(f"removed {path.name} left by a killed save")
    return done


def _write_flushed(fh: Any, data: bytes) -> None:
    fh.write(data)
    fh.flush()
    os.fsync(fh.fileno())


def atomic_write(path: Path | str, data: bytes, write: Callable[[Any, bytes], None] = _write_flushed) -> None:
    """Replace ``path`` with ``data`` so readers see either the old or the new file, never a torn one."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh, data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
