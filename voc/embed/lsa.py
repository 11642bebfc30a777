"""TF-IDF over jieba words reduced by truncated SVD (LSA): the classic baseline, kept for comparison.

Persisted without pickle: vocabulary as JSON, idf and SVD components as .npy; loading rebuilds the
transform exactly, so a round trip gives identical vectors.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from voc.artifacts import manifest_identity
from voc.embed.base import Embedder, corpus_hash, l2_normalise, load_array, read_folder
from voc.embed.corpus import tokenize


def _identity(tokens: list[str]) -> list[str]:
    return tokens


class TfidfSvdEmbedder(Embedder):
    """Sublinear TF-IDF over content words, then TruncatedSVD to ``dim`` dimensions."""

    kind: ClassVar[str] = "tfidf_svd"
    artifact_kind: ClassVar[str] = "voc.embed.TfidfSvdEmbedder"
    libraries: ClassVar[tuple[str, ...]] = ("numpy", "scikit-learn", "jieba")
    fusion_weight: ClassVar[float | None] = 0.3  # dev: the only weight above both halves on ATEC and shopping

    def __init__(self, dim: int = 256, min_df: int = 2, max_fit_texts: int = 100_000, random_state: int = 0) -> None:
        self.dim = dim
        self.min_df = min_df
        self.max_fit_texts = max_fit_texts
        self.random_state = random_state

    def fit(self, texts: Sequence[str]) -> TfidfSvdEmbedder:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [t or "" for t in texts]
        if len(texts) > self.max_fit_texts:
            rng = np.random.default_rng(self.random_state)
            texts = [texts[i] for i in np.sort(rng.choice(len(texts), self.max_fit_texts, replace=False))]
        vec = TfidfVectorizer(analyzer=_identity, min_df=self.min_df, sublinear_tf=True)
        x = vec.fit_transform(tokenize(texts))
        n_comp = max(1, min(self.dim, x.shape[1] - 1, x.shape[0] - 1))
        svd = TruncatedSVD(n_comp, random_state=self.random_state).fit(x)
        components = np.zeros((self.dim, x.shape[1]), np.float32)
        components[:n_comp] = svd.components_
        vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
        self._set_state(vocab, vec.idf_.astype(np.float32), components)
        self.corpus_hash_ = corpus_hash(texts)
        return self

    def _set_state(self, vocab: list[str], idf: np.ndarray, components: np.ndarray) -> None:
        self.vocabulary_ = {w: i for i, w in enumerate(vocab)}
        self.idf_ = idf
        self.components_ = components

    def _tfidf(self, texts: Sequence[str]) -> sp.csr_matrix:
        rows, cols, vals = [], [], []
        for i, toks in enumerate(tokenize(texts)):
            counts: dict[int, int] = {}
            for w in toks:
                j = self.vocabulary_.get(w)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            for j, c in counts.items():
                rows.append(i)
                cols.append(j)
                vals.append((1.0 + np.log(c)) * self.idf_[j])
        x = sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(self.vocabulary_)), dtype=np.float32)
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
        norms[norms == 0] = 1.0
        return sp.diags(1.0 / norms) @ x

    def encode(self, texts: Sequence[str], batch_size: int = 1024, show_progress: bool = False) -> np.ndarray:
        self._check_fitted()
        return l2_normalise(np.asarray(self._tfidf(texts) @ self.components_.T, dtype=np.float32))

    def save(self, path: str | Path) -> Path:
        self._check_fitted()
        folder = self._write_folder(path, {"idf": self.idf_, "components": self.components_}, {})
        vocab = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        (folder / "vocabulary.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
        return folder

    @classmethod
    def load(cls, path: str | Path) -> TfidfSvdEmbedder:
        config, manifest = read_folder(path, cls)
        self = cls(**config)
        vocab = json.loads((Path(path) / "vocabulary.json").read_text("utf-8"))
        self._set_state(vocab, load_array(path, "idf"), load_array(path, "components"))
        self.corpus_hash_ = manifest_identity(manifest)["corpus_hash"]
        return self
