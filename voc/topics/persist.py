"""Folder artefacts for theme models: config.json, arrays as .npy, JSON state and manifest.json. No pickle."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from voc import artifacts
from voc.artifacts import write_config, write_json, write_manifest

LIBRARIES = ("numpy", "scipy", "scikit-learn", "gensim", "jieba")


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


def write_artifact(
    directory: str | Path, kind: str, config: dict[str, Any], fprint: str, files: dict[str, Any]
) -> Path:
    """Write config.json, each named file (.npy arrays, .json anything JSON-able), then manifest.json, into a
    temporary folder swapped in at the end: a killed save never leaves a half-written snapshot."""

    def write(out: Path) -> None:
        write_config(out, config)
        for name, value in files.items():
            if name.endswith(".npy"):
                np.save(out / name, np.asarray(value), allow_pickle=False)
            else:
                write_json(out / name, value)
        write_manifest(out, kind, fprint, LIBRARIES)

    return artifacts.save_folder(directory, write)


def read_artifact(directory: str | Path, kind: str) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """Folder, config and manifest of a saved artefact, after checking it is the expected kind."""
    config, manifest = artifacts.read_artifact(directory, kind, "theme model")
    return Path(directory), config, manifest


def load_array(path: Path) -> np.ndarray:
    """A saved array, memory-mapped so large centroid or label files are not read twice."""
    return np.load(path, mmap_mode="r", allow_pickle=False)
