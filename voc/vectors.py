"""A workspace's embedder and vector index: fit or load, keep the index in step with the store, erase.

The index is keyed by the store's integer row ids and remembers the fingerprint of the embedder that filled
it; a different embedder means a full re-embed, never a mixed index.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from voc import embed
from voc.artifacts import save_folder, set_aside
from voc.errors import VocError
from voc.index import VectorIndex
from voc.store import Store
from voc.workspace import Workspace

log = logging.getLogger(__name__)

EMBEDDER_DIR = "embedder"
ENCODE_BATCH = 2048


def embedder_dir(ws: Workspace) -> Path:
    return ws.models_dir / EMBEDDER_DIR


def load_embedder(ws: Workspace) -> Any | None:
    """The workspace's embedder if one was fitted or configured, else None (nothing is fitted here)."""
    folder = embedder_dir(ws)
    if (folder / "manifest.json").exists():
        try:
            model = embed.load_embedder(folder)
        except (VocError, OSError, ValueError, KeyError) as exc:  # a damaged folder is refitted, never fatal
            log.warning("embedder in %s cannot be loaded (%s): it will be fitted again", folder, exc)
            set_aside(folder)
            return load_embedder(ws)
        configured = ws.settings.embedding.model
        if not configured or str(getattr(model, "model", "")) == str(embed.resolve_model(configured)):
            return model
    if ws.settings.embedding.model:
        return embed.SentenceTransformerEmbedder(str(embed.resolve_model(ws.settings.embedding.model)),
                                                 batch_size=ws.settings.embedding.batch_size)
    return None


def workspace_embedder(ws: Workspace, store: Store, refit: bool = False) -> Any:
    """The configured sentence-transformers model, or voc's own embedder fitted on this workspace's texts."""
    model = None if refit else load_embedder(ws)
    if model is not None:
        if not (embedder_dir(ws) / "manifest.json").exists():
            save_folder(embedder_dir(ws), model.save)
        return model
    texts = [r["text"] for batch in store.iter_texts() for r in batch]
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


def update_index(ws: Workspace, store: Store, embedder: Any, progress: Callable[[int], None] | None = None) -> int:
    """Embed and add every stored record the index lacks; rebuild from scratch if the embedder changed."""
    fp = embedder.fingerprint
    index = load_index(ws)
    if index is not None and index.fingerprint_ != fp:
        log.warning("embedder changed (%s -> %s): re-embedding every record", index.fingerprint_, fp)
        index = None
    if index is None:
        index = VectorIndex(embedder.dim, exact_threshold=ws.settings.index.exact_threshold)
    todo, gone = index.missing(store.all_rids())
    if len(gone):  # rows replaced by a new version (new row id) or deleted: their old vectors go
        index.remove(gone)
    todo = todo.tolist()
    for i in range(0, len(todo), ENCODE_BATCH):
        rows = store.texts_for_rids(todo[i : i + ENCODE_BATCH])
        vecs = embedder.encode([r["text"] for r in rows])
        index.add(np.array([r["rid"] for r in rows], dtype=np.int64), vecs)
        if progress:
            progress(len(rows))
    if todo or len(gone) or not (ws.index_dir / "manifest.json").exists():
        index.save(ws.index_dir, fingerprint=fp)
    return len(todo)


def verify_index(ws: Workspace, store: Store, repair: bool = False) -> dict[str, Any]:
    """Do store and index hold the same records? With repair, re-embed the missing and drop the extra."""
    index = load_index(ws)
    rids = store.all_rids()
    if index is None:
        result = {"records": len(rids), "vectors": 0, "missing": len(rids), "extra": 0, "repaired": False}
    else:
        missing, extra = index.missing(rids)
        result = {"records": len(rids), "vectors": len(index), "missing": len(missing), "extra": len(extra),
                  "repaired": False}
        if repair and len(extra):
            index.remove(np.asarray(extra, dtype=np.int64))
            index.save(ws.index_dir)
    if repair and result["missing"]:
        update_index(ws, store, workspace_embedder(ws, store))
    result["repaired"] = bool(repair and (result["missing"] or result["extra"]))
    result["ok"] = result["missing"] == 0 and result["extra"] == 0
    return result


def forget(ws: Workspace, store: Store, customer: str | None = None, record_id: str | None = None) -> dict[str, Any]:
    """Erase a customer's or a record's data everywhere: done by voc.erasure, kept here for its callers."""
    from voc.erasure import forget as erase

    return erase(ws, store, customer=customer, record_id=record_id).to_dict()
