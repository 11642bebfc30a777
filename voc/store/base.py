"""Connection, transactions and migrations: the SQLite side of :class:`voc.store.repository.Database`."""

from __future__ import annotations

import contextlib
import logging
import os
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


DEFAULT_LOCK_TIMEOUT = 30.0
PRIVATE_MODE = 0o600  # the database holds customers' words: only its owner reads it


class StoreBase:
    """SQLite in WAL mode; one writer transaction at a time, readers never block.

    Writers open with ``secure_delete`` on, so deleted and overwritten rows are zeroed in the file instead of
    lingering in free pages; the database and its -wal/-shm files are created readable by the owner only.
    A writer waits up to ``lock_timeout`` seconds for another writer (SQLite retries meanwhile), then fails
    with a one-line :class:`StoreError`.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, readonly: bool, lock_timeout: float) -> None:
        self.conn = conn
        self.path = path
        self.readonly = readonly
        self.lock_timeout = lock_timeout
        self._lock = threading.RLock()

    @classmethod
    def open(cls, path: Path | str, readonly: bool = False, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> Any:
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
                fresh = _create_private(path)
                conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=lock_timeout)
                conn.execute("PRAGMA secure_delete=ON")
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA cache_size=-65536")  # 64 MB: index inserts stay in memory on big tables
                restrict_files(path)
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
            conn.row_factory = sqlite3.Row
        except sqlite3.OperationalError as exc:
            raise _store_error(exc, path, lock_timeout) from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from exc
        store = cls(conn, path, readonly, lock_timeout)
        store._migrate()
        if not readonly:
            if fresh:
                store.set_meta("secure_delete_since", "creation")
            store.after_open()
        return store

    def after_open(self) -> None:
        """What a writable store does once open (the store marks runs killed mid-way as aborted)."""

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
    def transaction(self, touch: bool = True) -> Iterator[sqlite3.Cursor]:
        """BEGIN IMMEDIATE ... COMMIT; any exception rolls back so no batch is ever half-written.

        `touch=False` leaves the change stamp alone: for writes no reader caches (audit events, logins).
        """
        if self.readonly:
            raise StoreError("this connection is read-only")
        with self._lock:
            cur = self.conn.cursor()
            try:
                cur.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                cur.close()
                raise _store_error(exc, self.path, self.lock_timeout) from None
            try:
                yield cur
                if touch:
                    cur.execute(
                        "INSERT INTO meta (key, value) VALUES ('last_change', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (datetime.now(UTC).isoformat(timespec="microseconds"),),
                    )
                cur.execute("COMMIT")
            except BaseException as exc:
                if self.conn.in_transaction:
                    cur.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    raise _store_error(exc, self.path, self.lock_timeout) from None
                raise
            finally:
                cur.close()

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                raise _store_error(exc, self.path, self.lock_timeout) from None

    def stream(self, sql: str, params: Any = (), batch: int = 1000) -> Iterator[sqlite3.Row]:
        """Rows fetched ``batch`` at a time from a cursor of their own (WAL readers never block writers)."""
        cur = self.conn.execute(sql, params)
        try:
            while rows := cur.fetchmany(batch):
                yield from rows
        finally:
            with contextlib.suppress(sqlite3.ProgrammingError):  # the store was closed before the stream ended
                cur.close()

    def maintain(self, sql: str) -> list[sqlite3.Row]:
        """A statement outside any transaction: VACUUM, WAL checkpoints, temp virtual tables."""
        with self._lock:
            return self.conn.execute(sql).fetchall()

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


def _create_private(path: Path) -> bool:
    """Create an empty database file readable by the owner only; True when it did not exist."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_MODE)
    except FileExistsError:
        return False
    except OSError as exc:
        raise StoreError(f"cannot create database {path}: {exc.strerror}") from None
    os.close(fd)
    return True


def restrict_files(path: Path) -> None:
    """Owner-only modes on the database and its -wal/-shm (SQLite copies the mode; older files are fixed)."""
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if p.exists() and p.stat().st_mode & 0o077:
                p.chmod(PRIVATE_MODE)
        except OSError:
            continue


def _store_error(exc: sqlite3.OperationalError, path: Path, timeout: float) -> StoreError:
    """One-line errors for what SQLite reports: a lock held too long, a full disk, a read-only file."""
    msg = str(exc)
    if "locked" in msg or "busy" in msg:
        return StoreError(
            f"{path} is locked by another voc command (waited {timeout:g} s): try again when it has finished, "
            "or raise [store] lock_timeout in voc.toml"
        )
    return StoreError(f"database {path}: {msg}")


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
