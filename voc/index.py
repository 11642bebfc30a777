"""The vector index: the only module that calls faiss.

Vectors are keyed by int64 record ids so the index and the store agree on identity. The index is exact
(``IndexFlatIP``) while small and switches to IVF-Flat, with ``nprobe`` picked by measured recall, once the
collection passes ``exact_threshold``. Saving is crash-safe: the index file is written under a new name
and only then does an atomic ``manifest.json`` replacement make it current, so an interrupted save always
leaves the previous index loadable.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from voc import artifacts
from voc.artifacts import fingerprint_text, folder_lock, recover_files, write_manifest
from voc.errors import VocError

log = logging.getLogger(__name__)
REBUILD = "delete {folder} and run `voc index verify --repair` to embed every record again"

MANIFEST = "manifest.json"
KIND = "voc.index.VectorIndex"
CONFIG = "config.json"
FLAT, IVF = "flat", "ivf"
_NPROBE_STEPS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096)
_RECALL_TARGET = 0.95
_EXACT_FILTER_LIMIT = 20_000  # allowed sets up to this size are searched exactly from reconstructed vectors


class VectorIndexError(VocError):
    """The index folder is missing, corrupt, or was built for a different dimension."""


def _write_bytes(fh: Any, data: bytes) -> None:
    """Write and flush one temp file; a seam so tests can simulate a crash mid-write."""
    fh.write(data)
    fh.flush()
    os.fsync(fh.fileno())


def atomic_write(path: Path, data: bytes) -> None:
    """artifacts.atomic_write through the ``_write_bytes`` seam."""
    artifacts.atomic_write(path, data, lambda fh, d: _write_bytes(fh, d))


def cleanup(folder: str | Path) -> list[str]:
    """Remove temp files and unreferenced index files that a killed save left (done when a workspace opens)."""
    return recover_files(folder, "index-*.faiss", "index_file")


def _as_ids(ids: Iterable[int] | np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids, np.int64))


class VectorIndex:
    """Record-id keyed vectors with exact search while small and IVF-Flat beyond ``exact_threshold``."""

    def __init__(
        self,
        dim: int,
        metric: str = "ip",
        exact_threshold: int = 50_000,
        nlist: int | None = None,
        nprobe: int | None = None,
        threads: int = 1,
        random_state: int = 0,
    ) -> None:
        self.dim = dim
        self.metric = metric
        self.exact_threshold = exact_threshold
        self.nlist = nlist
        self.nprobe = nprobe
        self.threads = threads
        self.random_state = random_state
        self.fingerprint_ = ""  # the embedder's, as a string: a different one makes the index stale
        self.nprobe_: int | None = None
        self._ids_cache: np.ndarray | None = None
        self._index = self._new_flat()

    # -- construction -------------------------------------------------------------------------------

    @property
    def _faiss_metric(self) -> int:
        if self.metric == "ip":
            return faiss.METRIC_INNER_PRODUCT
        if self.metric == "l2":
            return faiss.METRIC_L2
        raise VectorIndexError(f"unknown metric {self.metric!r}: use 'ip' (cosine on normalised vectors) or 'l2'")

    def _new_flat(self) -> faiss.Index:
        inner = faiss.IndexFlat(self.dim, self._faiss_metric)
        return faiss.IndexIDMap2(inner)

    @property
    def kind(self) -> str:
        """``flat`` (exact) or ``ivf`` (approximate)."""
        return IVF if isinstance(self._index, faiss.IndexIVF) else FLAT

    def _threads(self) -> None:
        faiss.omp_set_num_threads(max(1, int(self.threads)))

    def _check(self, vectors: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise VectorIndexError(f"vectors have shape {x.shape}, the index holds dimension {self.dim}")
        return x

    # -- mutation -----------------------------------------------------------------------------------

    def add(self, ids: Iterable[int] | np.ndarray, vectors: np.ndarray) -> None:
        """Add or replace vectors; switches to IVF automatically when the exact index grows too big."""
        ids_a = _as_ids(ids)
        x = self._check(vectors)
        if len(ids_a) != len(x):
            raise VectorIndexError(f"{len(ids_a)} ids for {len(x)} vectors")
        if len(np.unique(ids_a)) != len(ids_a):
            raise VectorIndexError("duplicate ids in one add() call")
        if len(ids_a) == 0:
            return
        self._threads()
        self.remove(ids_a)
        known = self.ids()
        self._index.add_with_ids(x, ids_a)
        self._ids_cache = np.union1d(known, ids_a)
        if self.kind == FLAT and len(self) > self.exact_threshold:
            log.info("index passed %d vectors: rebuilding as IVF", self.exact_threshold)
            self.rebuild()

    def remove(self, ids: Iterable[int] | np.ndarray) -> int:
        """Remove ids (unknown ids are ignored); returns how many were removed."""
        if len(self) == 0:
            return 0
        ids_a = np.intersect1d(_as_ids(ids), self.ids())
        if len(ids_a) == 0:
            return 0
        known = self.ids()
        removed = int(self._index.remove_ids(faiss.IDSelectorArray(len(ids_a), faiss.swig_ptr(ids_a))))
        self._ids_cache = np.setdiff1d(known, ids_a, assume_unique=True)
        return removed

    def rebuild(self) -> None:
        """Rebuild as exact or IVF according to the current size; IVF is trained and nprobe measured."""
        self._threads()
        ids, vectors = self._storage()
        if len(ids) <= self.exact_threshold:
            index = self._new_flat()
            if len(ids):
                index.add_with_ids(vectors, ids)
            self._index, self.nprobe_ = index, None
        else:
            self._index = self._build_ivf(ids, vectors)
        self._ids_cache = None

    def _build_ivf(self, ids: np.ndarray, vectors: np.ndarray) -> faiss.Index:
        n = len(ids)
        nlist = self.nlist or round(4 * math.sqrt(n))
        nlist = max(1, min(nlist, n // 39 or 1))
        rng = np.random.default_rng(self.random_state)
        n_train = min(n, max(nlist * 40, 10_000))
        train = vectors[np.sort(rng.choice(n, n_train, replace=False))]
        quantizer = faiss.IndexFlat(self.dim, self._faiss_metric)
        index = faiss.IndexIVFFlat(quantizer, self.dim, nlist, self._faiss_metric)
        index.cp.seed = int(self.random_state)
        index.train(train)
        index.set_direct_map_type(faiss.DirectMap.Hashtable)
        index.add_with_ids(vectors, ids)
        self.nprobe_ = self.nprobe or self._measure_nprobe(index, ids, vectors, rng)
        index.nprobe = self.nprobe_
        log.info("IVF index: %d vectors, nlist=%d, nprobe=%d", n, nlist, self.nprobe_)
        return index

    def _measure_nprobe(
        self, index: faiss.IndexIVF, ids: np.ndarray, vectors: np.ndarray, rng: np.random.Generator
    ) -> int:
        """Smallest nprobe whose recall@10 against exact search reaches 0.95.

        Queries are sampled stored vectors with themselves left out of both result lists, so the trivial
        self-match does not inflate the measured recall.
        """
        rows = rng.choice(len(vectors), min(200, len(vectors)), replace=False)
        q = vectors[rows]
        exact = faiss.IndexFlat(self.dim, self._faiss_metric)
        exact.add(vectors)
        _, truth = exact.search(q, 11)
        truth_sets = [set(ids[t[t >= 0]]) - {ids[r]} for t, r in zip(truth, rows, strict=True)]
        for nprobe in _NPROBE_STEPS:
            if nprobe > index.nlist:
                break
            index.nprobe = nprobe
            _, got = index.search(q, 11)
            recall = np.mean(
                [len(t & (set(g) - {ids[r]})) / max(1, len(t)) for t, g, r in zip(truth_sets, got, rows, strict=True)]
            )
            if recall >= _RECALL_TARGET:
                return nprobe
        return index.nlist

    # -- inspection ---------------------------------------------------------------------------------

    def _ivf_ids(self) -> np.ndarray:
        invlists, parts = self._index.invlists, []
        for lst in range(self._index.nlist):
            size = invlists.list_size(lst)
            if size:
                parts.append(faiss.rev_swig_ptr(invlists.get_ids(lst), size).copy())
        return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, np.int64)

    def _storage(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) in storage order, read straight from faiss memory (fast even at 1M)."""
        if self.kind == FLAT:
            inner = faiss.downcast_index(self._index.index)
            n = self._index.ntotal
            xb = faiss.rev_swig_ptr(inner.get_xb(), n * self.dim).reshape(n, self.dim).copy()
            return faiss.vector_to_array(self._index.id_map).astype(np.int64), xb
        invlists, ids, vecs = self._index.invlists, [], []
        for lst in range(self._index.nlist):
            size = invlists.list_size(lst)
            if size:
                ids.append(faiss.rev_swig_ptr(invlists.get_ids(lst), size).copy())
                codes = faiss.rev_swig_ptr(invlists.get_codes(lst), size * invlists.code_size)
                vecs.append(codes.view(np.float32).reshape(size, self.dim).copy())
        if not ids:
            return np.empty(0, np.int64), np.empty((0, self.dim), np.float32)
        return np.concatenate(ids).astype(np.int64), np.vstack(vecs)

    def ids(self) -> np.ndarray:
        """All stored ids, sorted."""
        if self._ids_cache is None:
            flat = self.kind == FLAT
            raw = faiss.vector_to_array(self._index.id_map).astype(np.int64) if flat else self._ivf_ids()
            self._ids_cache = np.sort(raw)
        return self._ids_cache

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def contains(self, record_id: int) -> bool:
        ids = self.ids()
        pos = np.searchsorted(ids, record_id)
        return bool(pos < len(ids) and ids[pos] == record_id)

    def __contains__(self, record_id: int) -> bool:
        return self.contains(record_id)

    def reconstruct(self, record_id: int) -> np.ndarray:
        """The stored vector of one record ("more like this")."""
        if not self.contains(record_id):
            raise KeyError(record_id)
        return self._index.reconstruct(int(record_id))

    def similarities(self, query: np.ndarray, ids: Iterable[int] | np.ndarray) -> dict[int, float]:
        """Score of each stored id against one query vector (ids the index lacks are left out).

        Hybrid search needs the cosine of keyword-only candidates too, so both sides score every candidate.
        """
        q = self._check(query)[0]
        known = [int(i) for i in _as_ids(ids) if self.contains(int(i))]
        if not known:
            return {}
        vectors = np.vstack([self._index.reconstruct(i) for i in known])
        scores = vectors @ q if self.metric == "ip" else -np.linalg.norm(vectors - q, axis=1)
        return dict(zip(known, scores.astype(float).tolist(), strict=True))

    def missing(self, store_ids: Iterable[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(ids in the store but not the index, ids in the index but not the store) for ``voc index verify``."""
        store = np.unique(_as_ids(store_ids))
        mine = self.ids()
        return np.setdiff1d(store, mine, assume_unique=True), np.setdiff1d(mine, store, assume_unique=True)

    # -- search -------------------------------------------------------------------------------------

    def search(
        self, queries: np.ndarray, k: int = 10, allowed_ids: Iterable[int] | np.ndarray | None = None
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Top-k (scores, ids) per query, best first; ``allowed_ids`` restricts results to those records.

        Rows are lists of arrays because a row can hold fewer than k hits (small or filtered index);
        faiss's -1 padding is stripped.
        """
        q = self._check(queries)
        self._threads()
        if len(self) == 0 or k <= 0:
            return [np.empty(0, np.float32)] * len(q), [np.empty(0, np.int64)] * len(q)
        if allowed_ids is None:
            scores, ids = self._index.search(q, min(k, len(self)))
            return self._strip(scores, ids)
        allowed = np.intersect1d(np.unique(_as_ids(allowed_ids)), self.ids(), assume_unique=True)
        if len(allowed) == 0:
            return [np.empty(0, np.float32)] * len(q), [np.empty(0, np.int64)] * len(q)
        if self.kind == IVF and len(allowed) <= _EXACT_FILTER_LIMIT:
            return self._search_subset(q, k, allowed)
        want = min(k, len(allowed))
        scores, ids = self._index.search(q, want, params=self._params(allowed, None))
        if self.kind == IVF and (ids == -1).any():
            scores, ids = self._index.search(q, want, params=self._params(allowed, self._index.nlist))
        return self._strip(scores, ids)

    def _params(self, allowed: np.ndarray, nprobe: int | None) -> faiss.SearchParameters:
        sel = faiss.IDSelectorBatch(len(allowed), faiss.swig_ptr(allowed))
        if self.kind == FLAT:
            params = faiss.SearchParameters(sel=sel)
        else:
            params = faiss.SearchParametersIVF(sel=sel, nprobe=nprobe or self._index.nprobe)
        params._keep = (sel, allowed)  # the C++ side holds raw pointers: keep their owners alive
        return params

    def _search_subset(self, q: np.ndarray, k: int, allowed: np.ndarray) -> tuple[list, list]:
        """Exact search over a small allowed set, so IVF filtering never misses a hit outside nprobe."""
        vectors = np.vstack([self._index.reconstruct(int(i)) for i in allowed])
        sub = faiss.IndexFlat(self.dim, self._faiss_metric)
        sub.add(vectors)
        scores, pos = sub.search(q, min(k, len(allowed)))
        return self._strip(scores, np.where(pos >= 0, allowed[np.maximum(pos, 0)], -1))

    @staticmethod
    def _strip(scores: np.ndarray, ids: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        keep = ids >= 0
        return (
            [s[m].astype(np.float32) for s, m in zip(scores, keep, strict=True)],
            [i[m].astype(np.int64) for i, m in zip(ids, keep, strict=True)],
        )

    # -- persistence --------------------------------------------------------------------------------

    def _config(self) -> dict[str, Any]:
        return {
            "dim": self.dim,
            "metric": self.metric,
            "exact_threshold": self.exact_threshold,
            "nlist": self.nlist,
            "nprobe": self.nprobe,
            "threads": self.threads,
            "random_state": self.random_state,
        }

    def save(self, path: str | Path, fingerprint: Any = None) -> Path:
        """Save crash-safely; ``fingerprint`` is the embedder's, so a stale index can be detected.

        The folder lock keeps :func:`cleanup` from taking this save's new file for a leftover.
        """
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        with folder_lock(folder):
            return self._save(folder, fingerprint)

    def _save(self, folder: Path, fingerprint: Any) -> Path:
        if fingerprint is not None:
            self.fingerprint_ = fingerprint_text(fingerprint)
        data = faiss.serialize_index(self._index).tobytes()
        digest = hashlib.sha256(data).hexdigest()
        name = f"index-{digest[:16]}.faiss"
        atomic_write(folder / name, data)
        atomic_write(folder / CONFIG, json.dumps(self._config(), indent=2).encode())
        # manifest last, through the one artefact layer: the index file it names is already on disk
        write_manifest(folder, KIND, self.fingerprint_, ("faiss-cpu", "numpy"), index_file=name, sha256=digest,
                       count=len(self), index_type=self.kind, nprobe=self.nprobe_)
        for old in folder.glob("index-*.faiss"):
            if old.name != name:
                old.unlink(missing_ok=True)
        log.info("saved %s index with %d vectors to %s", self.kind, len(self), folder)
        return folder

    @classmethod
    def load(cls, path: str | Path, mmap: bool = False) -> VectorIndex:
        """Load and verify the checksum; ``mmap`` maps a flat index from disk instead of reading it."""
        folder = Path(path)
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise VectorIndexError(f"no vector index in {folder}: run `voc enrich` (it builds the index)") from exc
        except json.JSONDecodeError as exc:
            raise VectorIndexError(f"{folder} has an unreadable manifest: {REBUILD.format(folder=folder)}") from exc
        file = folder / manifest["index_file"]
        if not file.exists():
            raise VectorIndexError(f"{file} is missing: {REBUILD.format(folder=folder)}")
        h = hashlib.sha256()
        with open(file, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        if h.hexdigest() != manifest["sha256"]:
            raise VectorIndexError(f"{file} is corrupt (checksum mismatch): {REBUILD.format(folder=folder)}")
        self = cls(**config)
        if mmap and manifest["index_type"] == FLAT:
            index = faiss.read_index(str(file), faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY)
        else:
            index = faiss.read_index(str(file))
        self._index = index
        if self._index.d != self.dim:
            raise VectorIndexError(f"{file} holds dimension {self._index.d}, config says {self.dim}")
        if manifest["index_type"] == IVF:
            self._index.set_direct_map_type(faiss.DirectMap.Hashtable)
            self._index.nprobe = manifest["nprobe"]
        self.nprobe_ = manifest["nprobe"]
        self.fingerprint_ = fingerprint_text(manifest.get("fingerprint"))
        return self
