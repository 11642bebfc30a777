"""Connection, transactions and migrations; the mixins in this package add the queries."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from voc.errors import StoreError
from voc.store.migrations import LATEST, MIGRATIONS

log = logging.getLogger(__name__)


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class StoreBase:
    """SQLite in WAL mode; one writer transaction at a time, readers never block."""

    def __init__(self, conn: sqlite3.Connection, path: Path, readonly: bool) -> None:
        self.conn = conn
        self.path = path
        self.readonly = readonly
        self._lock = threading.RLock()

    @classmethod
    def open(cls, path: Path | str, readonly: bool = False) -> Any:
        """Open (and migrate) the database; read-only connections never migrate or write."""
        path = Path(path)
        try:
            if readonly:
                if not path.exists():
                    raise StoreError(f"no database at {path}: run `voc init` first")
                conn = sqlite3.connect(
                    f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
                )
            else:
                conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA cache_size=-65536")  # 64 MB: index inserts stay in memory on big tables
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.row_factory = sqlite3.Row
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from exc
        store = cls(conn, path, readonly)
        store._migrate()
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        try:
            current = self.schema_version
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a voc database: {exc}") from exc
        if current > LATEST:
            raise StoreError(
                f"{self.path} has schema version {current}, newer than this voc ({LATEST}): upgrade voc"
            )
        if current == LATEST:
            return
        if self.readonly:
            raise StoreError(f"{self.path} needs migrating to version {LATEST}: open it once with a write command")
        for version, sql in MIGRATIONS:
            if version <= current:
                continue
            log.info("migrating %s to schema version %d", self.path, version)
            with self.transaction() as cur:
                for statement in _split_sql(sql):
                    cur.execute(statement)
                cur.execute(f"PRAGMA user_version={int(version)}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        """BEGIN IMMEDIATE ... COMMIT; any exception rolls back so no batch is ever half-written."""
        if self.readonly:
            raise StoreError("this connection is read-only")
        with self._lock:
            cur = self.conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
                cur.execute(
                    "INSERT INTO meta (key, value) VALUES ('last_change', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (datetime.now(UTC).isoformat(timespec="microseconds"),),
                )
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            finally:
                cur.close()

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def last_change(self) -> str:
        """A stamp that changes with every committed write (dashboard caches key on it)."""
        row = self.query("SELECT value FROM meta WHERE key = 'last_change'")
        return row[0]["value"] if row else ""

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def get_meta(self, key: str) -> str | None:
        row = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0]["value"] if row else None

    def integrity_ok(self) -> bool:
        return self.query("PRAGMA integrity_check")[0][0] == "ok"


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (which contain ';') whole."""
    out: list[str] = []
    buf: list[str] = []
    for line in sql.strip().splitlines():
        buf.append(line)
        candidate = "\n".join(buf).strip()
        if candidate.endswith(";") and sqlite3.complete_statement(candidate):
            out.append(candidate)
            buf = []
    if "\n".join(buf).strip():
        out.append("\n".join(buf).strip())
    return out
