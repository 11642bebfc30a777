"""Encoded vectors keyed by a hash of their text, in a SQLite file of their own.

A pretrained encoder costs milliseconds a text: duplicates (垃圾, 很好), re-runs after a kill and the several
steps that encode the same complaint (process-step fallback, themes, the index) must pay for a text once.
One file per encoder fingerprint, so a new model never reads another model's vectors; erasure deletes by key.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from voc.errors import StoreError
from voc.store.repository import chunks, marks

_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL) WITHOUT ROWID"


def text_key(text: str) -> bytes:
    """The cache key of a text: its sha1 (the text itself is never stored here)."""
    return hashlib.sha1((text or "").encode("utf-8")).digest()


class VectorCache:
    """float32 vectors of one dimension, committed batch by batch so a killed run keeps what it encoded."""

    def __init__(self, path: Path | str, dim: int) -> None:
        self.path = Path(path)
        self.dim = dim
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA secure_delete=ON")
            self.conn.execute(_SCHEMA)
        except (sqlite3.DatabaseError, OSError) as exc:
            raise StoreError(f"cannot open the vector cache {self.path}: {exc}") from exc

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        out: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for chunk in chunks(unique):
            for key, blob in self.conn.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks(chunk)})", chunk):
                vec = np.frombuffer(blob, dtype=np.float32)
                if len(vec) == self.dim:
                    out[bytes(key)] = vec
        return out

    def put_many(self, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        rows = [(key, np.ascontiguousarray(vec, dtype=np.float32).tobytes()) for key, vec in items]
        if not rows:
            return
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.executemany("INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)", rows)

    def delete(self, keys: Sequence[bytes]) -> int:
        """Remove vectors (erasure); returns how many were there."""
        n = 0
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            for chunk in chunks(keys):
                n += self.conn.execute(f"DELETE FROM vectors WHERE key IN ({marks(chunk)})", chunk).rowcount
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return n

    def __len__(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM vectors").fetchone()[0])

    def close(self) -> None:
        self.conn.close()
