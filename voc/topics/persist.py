"""Folder artefacts for theme models: config.json, arrays as .npy, JSON state and manifest.json. No pickle."""

from __future__ import annotations

import hashlib
import inspect
import json
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from voc import __version__
from voc.errors import ConfigError

LIBRARIES = ("numpy", "scipy", "scikit-learn", "gensim", "jieba")


def init_params(obj: object) -> dict[str, Any]:
    """The constructor's keyword arguments as stored on the object (what config.json holds)."""
    names = [p for p in inspect.signature(type(obj).__init__).parameters if p != "self"]
    return {name: getattr(obj, name) for name in names}


def fingerprint(*arrays: np.ndarray, tokens: list[list[str]] | None = None) -> str:
    """Short SHA-256 of the fitted data, so a saved model says which corpus it describes."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str((a.dtype.str, a.shape)).encode())
        h.update(a.tobytes())
    for doc in tokens or []:
        h.update(" ".join(doc).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()[:16]


def _versions() -> dict[str, str]:
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write_artifact(
    directory: str | Path, kind: str, config: dict[str, Any], fprint: str, files: dict[str, Any]
) -> Path:
    """Write config.json, manifest.json and each named file (.npy arrays, .json anything JSON-able)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "config.json", config)
    for name, value in files.items():
        if name.endswith(".npy"):
            np.save(out / name, np.asarray(value), allow_pickle=False)
        else:
            write_json(out / name, value)
    write_json(
        out / "manifest.json",
        {
            "kind": kind,
            "voc_version": __version__,
            "created_at": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds"),
            "fingerprint": fprint,
            "libraries": _versions(),
        },
    )
    return out


def read_artifact(directory: str | Path, kind: str) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """Folder, config and manifest of a saved artefact, after checking it is the expected kind."""
    path = Path(directory)
    manifest_path = path / "manifest.json"
    if not manifest_path.exists():
        raise ConfigError(f"{path} is not a saved voc model (no manifest.json); save one with .save(dir)")
    manifest = read_json(manifest_path)
    if manifest.get("kind") != kind:
        raise ConfigError(f"{path} holds a {manifest.get('kind')!r} model, not {kind!r}")
    return path, read_json(path / "config.json"), manifest


def load_array(path: Path) -> np.ndarray:
    """A saved array, memory-mapped so large centroid or label files are not read twice."""
    return np.load(path, mmap_mode="r", allow_pickle=False)
