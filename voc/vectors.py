"""A workspace's embedder and vector index: fit or load, keep the index in step with the store, erase.

The index is keyed by the store's integer row ids and remembers the fingerprint of the embedder that filled
it; a different embedder means a full re-embed, never a mixed index.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voc import embed
from voc.artifacts import config_hash, fingerprint_text, save_folder, set_aside
from voc.embed.cache import CachedEncoder
from voc.engine import Engine, LocalEngine
from voc.errors import VocError
from voc.index import VectorIndex
from voc.store import Store
from voc.store.vector_cache import VectorCache
from voc.workspace import Workspace

log = logging.getLogger(__name__)

EMBEDDER_DIR = "embedder"
CACHE_DIR = "embed-cache"
ENCODE_BATCH = 2048
CORPUS_NAMES = frozenset({"", "corpus"})


def embedder_dir(ws: Workspace) -> Path:
    return ws.models_dir / EMBEDDER_DIR


def configured_embedder(ws: Workspace) -> Any | None:
    """The pretrained embedder voc.toml's ``[embedding] model`` names, or None when voc fits its own."""
    name, batch = ws.settings.embedding.model.strip(), ws.settings.embedding.batch_size
    if name in CORPUS_NAMES:
        return None
    if name in embed.E5_NAMES:
        return embed.E5Embedder(batch_size=batch).fit([])
    return embed.SentenceTransformerEmbedder(str(embed.resolve_model(name)), batch_size=batch)


def load_embedder(ws: Workspace) -> Any | None:
    """The embedder for queries (read paths): the configured pretrained one, else the fitted one, else None."""
    model = configured_embedder(ws)
    if model is not None:
        return model
    folder = embedder_dir(ws)
    if (folder / "manifest.json").exists():
        try:
            model = embed.load_embedder(folder)
        except (VocError, OSError, ValueError, KeyError) as exc:  # a damaged folder is refitted, never fatal
            log.warning("embedder in %s cannot be loaded (%s): it will be fitted again", folder, exc)
            set_aside(folder)
            return load_embedder(ws)
        if model.kind in embed.FITTED_KINDS:
            return model
    return None


def _saved_fingerprint(folder: Path) -> Any:
    try:
        return embed.load_embedder(folder).fingerprint
    except (VocError, OSError, ValueError, KeyError):
        return None


def cache_path(ws: Workspace, model: Any) -> Path:
    """One cache file per encoder identity, so switching models never mixes their vectors."""
    return ws.models_dir / CACHE_DIR / f"{config_hash(model.fingerprint)}.sqlite"


def workspace_embedder(ws: Workspace, store: Store, refit: bool = False) -> Any:
    """The configured pretrained model behind the text cache, or voc's own embedder fitted on this workspace."""
    pretrained = configured_embedder(ws)
    if pretrained is not None:
        folder = embedder_dir(ws)
        manifest = folder / "manifest.json"
        if not manifest.exists() or _saved_fingerprint(folder) != pretrained.fingerprint:
            save_folder(folder, pretrained.save)
        return CachedEncoder(pretrained, VectorCache(cache_path(ws, pretrained), pretrained.dim))
    model = None if refit else load_embedder(ws)
    if model is not None:
        return model
    texts = [r["text"] for batch in store.enrichment.iter_texts() for r in batch]
    if not texts:
        raise VocError("the workspace has no records to fit an embedder on: ingest some first")
    log.info("fitting voc's corpus embedder on %d texts", len(texts))
    model = embed.CorpusEmbedder(dim=ws.settings.embedding.dim).fit(texts)
    save_folder(embedder_dir(ws), model.save)
    return model


def load_index(ws: Workspace) -> VectorIndex | None:
    """The saved index, or None when the workspace has none yet."""
    if not (ws.index_dir / "manifest.json").exists():
        return None
    return VectorIndex.load(ws.index_dir)


@dataclass
class EncodeRows:
    """Vectors of one (row ids, texts) work item: what an engine's workers run to fill the index."""

    embedder: Any

    def __call__(self, item: tuple[list[int], list[str]]) -> tuple[list[int], list[str], np.ndarray]:
        rids, texts = item
        return rids, texts, self.embedder.encode(texts)


def portable(embedder: Any) -> Any:
    """The embedder as another process gets it: without the driver's text cache (a local SQLite file)."""
    return embedder.embedder if isinstance(embedder, CachedEncoder) else embedder


def update_index(ws: Workspace, store: Store, embedder: Any, progress: Callable[[int], None] | None = None,
                 engine: Engine | None = None) -> int:
    """Embed and add every stored record the index lacks; rebuild from scratch if the embedder changed.

    The ``engine`` encodes (this process by default); vectors it brings back also fill the text cache.
    """
    fp = fingerprint_text(embedder.fingerprint)
    index = load_index(ws)
    if index is not None and index.fingerprint_ != fp:
        log.warning("embedder changed (%s -> %s): re-embedding every record", index.fingerprint_, fp)
        index = None
    if index is None:
        index = VectorIndex(embedder.dim, exact_threshold=ws.settings.index.exact_threshold)
    todo, gone = index.missing(store.enrichment.all_rids())
    if len(gone):  # rows replaced by a new version (new row id) or deleted: their old vectors go
        index.remove(gone)
    todo = todo.tolist()
    engine = engine or LocalEngine()
    fill_cache = engine.remote and isinstance(embedder, CachedEncoder)

    def items() -> Iterator[tuple[list[int], list[str]]]:
        for i in range(0, len(todo), ENCODE_BATCH):
            rows = store.enrichment.texts_for_rids(todo[i : i + ENCODE_BATCH])
            yield [r["rid"] for r in rows], [r["text"] for r in rows]

    for rids, texts, vecs in engine.map(EncodeRows(portable(embedder) if engine.remote else embedder), items()):
        index.add(np.array(rids, dtype=np.int64), vecs)
        if fill_cache:
            embedder.remember(texts, vecs)
        if progress:
            progress(len(rids))
    if todo or len(gone) or not (ws.index_dir / "manifest.json").exists():
        index.save(ws.index_dir, fingerprint=fp)
    return len(todo)


def verify_index(ws: Workspace, store: Store, repair: bool = False) -> dict[str, Any]:
    """Do store and index hold the same records, embedded by the configured embedder? With repair, re-embed
    what is missing (everything, when the embedder changed) and drop the extra."""
    index = load_index(ws)
    rids = store.enrichment.all_rids()
    embedder = workspace_embedder(ws, store) if rids else None
    stale = bool(index is not None and embedder is not None
                 and index.fingerprint_ != fingerprint_text(embedder.fingerprint))
    if index is None:
        result = {"records": len(rids), "vectors": 0, "missing": len(rids), "extra": 0}
    else:
        missing, extra = index.missing(rids)
        result = {"records": len(rids), "vectors": len(index), "missing": len(rids) if stale else len(missing),
                  "extra": len(extra)}
        if repair and len(extra) and not stale:
            index.remove(np.asarray(extra, dtype=np.int64))
            index.save(ws.index_dir)
    result["stale"] = stale
    if repair and embedder is not None and result["missing"]:
        update_index(ws, store, embedder)
    result["repaired"] = bool(repair and (result["missing"] or result["extra"]))
    result["ok"] = result["missing"] == 0 and result["extra"] == 0
    return result


def forget(ws: Workspace, store: Store, customer: str | None = None, record_id: str | None = None) -> dict[str, Any]:
    """Erase a customer's or a record's data everywhere: done by voc.erasure, kept here for its callers."""
    from voc.erasure import forget as erase

    return erase(ws, store, customer=customer, record_id=record_id).to_dict()
