"""The Embedder contract and the artefact folder format every embedder shares.

An embedder is a folder: ``config.json`` (constructor arguments), arrays as ``.npy`` and ``manifest.json``
whose ``kind`` names the class, so :func:`voc.embed.load_embedder` can dispatch without pickle.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

import voc
from voc.artifacts import config_hash, constructor_params, read_artifact, write_config, write_manifest
from voc.errors import NotFittedError


def corpus_hash(texts: Iterable[str]) -> str:
    """sha256 over the fitted texts, so a changed corpus gives a different fingerprint."""
    h = hashlib.sha256()
    for text in texts:
        data = text.encode("utf-8")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def l2_normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; all-zero rows (empty texts) stay zero instead of becoming NaN."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)




class Embedder(ABC):
    """Base for embedders: ``fit`` -> ``encode`` -> ``save``/``load``, scikit-learn style.

    Subclasses expose ``dim`` (vector dimension) and set ``corpus_hash_`` when fitted or loaded.
    """

    dim: int

    kind: ClassVar[str] = ""  # the model's short name: in the fingerprint, so an index knows what built it
    artifact_kind: ClassVar[str] = ""  # the dotted class name its manifest records (voc.artifacts schema)
    libraries: ClassVar[tuple[str, ...]] = ("numpy",)
    # Semantic share of hybrid search, measured for this embedder on the dev split of
    # bench/bench_search_quality.py; None: voc.search's default (an embedder nobody measured).
    fusion_weight: ClassVar[float | None] = None
    fusion_weight_long: ClassVar[float | None] = None  # for long queries (voc.search.fusion_weight)

    def get_params(self) -> dict[str, Any]:
        """Constructor arguments (what ``config.json`` holds), read off the constructor's signature."""
        return constructor_params(self)

    @abstractmethod
    def fit(self, texts: Sequence[str]) -> Embedder:
        """Learn from the corpus (a no-op for pretrained models); returns self."""

    @abstractmethod
    def encode(self, texts: Sequence[str], batch_size: int = 1024, show_progress: bool = False) -> np.ndarray:
        """float32 (n, dim), rows L2-normalised; an empty text gives a zero row."""

    def _check_fitted(self) -> None:
        if not hasattr(self, "corpus_hash_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(texts) or load(dir) first")

    @property
    def fingerprint(self) -> dict[str, Any]:
        """Identity of the model and its fit corpus; an index built with a different one is stale."""
        self._check_fitted()
        return {
            "name": self.kind,
            "version": voc.__version__,
            "config_hash": config_hash(self.get_params()),
            "corpus_hash": self.corpus_hash_,
            "dim": self.dim,
        }

    def _write_folder(self, path: str | Path, arrays: dict[str, np.ndarray], extra: dict[str, Any]) -> Path:
        folder = write_config(path, self.get_params())
        for name, arr in arrays.items():
            np.save(folder / f"{name}.npy", arr, allow_pickle=False)
        write_manifest(folder, self.artifact_kind, self.fingerprint, self.libraries, **extra)
        return folder


def read_folder(path: str | Path, cls: type[Embedder]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(config, manifest) of an embedder folder, checking it holds `cls` (or its short name, written before)."""
    return read_artifact(path, cls.artifact_kind, "embedder", legacy=(cls.kind,))


def load_array(folder: str | Path, name: str) -> np.ndarray:
    return np.load(Path(folder) / f"{name}.npy", allow_pickle=False)
