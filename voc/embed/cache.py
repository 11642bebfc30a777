"""A pretrained encoder behind a text-hash cache: each distinct text is encoded once, ever.

The wrapper keeps the embedder contract (``dim``, ``fingerprint``, ``encode``, ``save``), so the index, the
theme tracker and the process-step fallback use it without knowing. Misses are encoded in batches and written
to the cache batch by batch: a run killed half-way resumes from what it already encoded.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from voc.embed.base import Embedder
from voc.store.vector_cache import VectorCache, text_key

WRITE_BATCH = 256


class CachedEncoder:
    """``encode`` looks every text up by hash first and encodes only the distinct misses."""

    def __init__(self, embedder: Embedder, cache: VectorCache) -> None:
        self.embedder = embedder
        self.cache = cache
        self.hits = 0
        self.misses = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.embedder, name)

    @property
    def dim(self) -> int:
        return self.embedder.dim

    @property
    def fingerprint(self) -> dict[str, Any]:
        return self.embedder.fingerprint

    def save(self, path: str | Path) -> Path:
        return self.embedder.save(path)

    def remember(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Keep vectors encoded elsewhere (an engine's workers encode without the cache file)."""
        self.cache.put_many([(text_key(t or ""), v) for t, v in zip(texts, vectors, strict=True) if (t or "").strip()])

    def encode(self, texts: Sequence[str], batch_size: int = WRITE_BATCH, show_progress: bool = False) -> np.ndarray:
        texts = [t or "" for t in texts]
        keys = [text_key(t) for t in texts]
        found = self.cache.get_many(keys)
        todo: dict[bytes, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found and key not in todo and text.strip():
                todo[key] = text
        self.hits += sum(1 for k in keys if k in found)
        self.misses += len(todo)
        pending = list(todo.items())
        with tqdm(total=len(pending), disable=not show_progress, desc="embed", unit="text") as bar:
            for start in range(0, len(pending), batch_size):
                part = pending[start : start + batch_size]
                vecs = self.embedder.encode([t for _, t in part])
                fresh = list(zip([k for k, _ in part], vecs, strict=True))
                self.cache.put_many(fresh)
                found.update(fresh)
                bar.update(len(part))
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, key in enumerate(keys):
            vec = found.get(key)
            if vec is not None:
                out[i] = vec
        return out
