"""What a repository needs from a database, as a protocol a second backend (e.g. PostgreSQL) implements.

Repositories hold one kind of data each (records, runs, themes, ...) and all of its SQL; they reach the
database only through :class:`Database`, never through a driver's connection object.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
IN_CHUNK = 500  # values per IN (...) list: far below SQLite's and PostgreSQL's parameter limits


class Database(Protocol):
    path: Path
    readonly: bool

    def query(self, sql: str, params: Any = ()) -> list[Any]:
        """All rows of one statement; rows read by column name or position."""
        ...

    def stream(self, sql: str, params: Any = (), batch: int = 1000) -> Iterator[Any]:
        """Rows of one statement, fetched ``batch`` at a time (bounded memory over big tables)."""
        ...

    def transaction(self, touch: bool = True) -> AbstractContextManager[Any]:
        """A cursor inside one write transaction: all of it commits, or none of it."""
        ...

    def maintain(self, sql: str) -> list[Any]:
        """A maintenance statement that must run outside any transaction (VACUUM, checkpoints)."""
        ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...


class Repository:
    """One kind of data over a :class:`Database`: its queries and writes, nothing else."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def query(self, sql: str, params: Any = ()) -> list[Any]:
        return self.db.query(sql, params)

    def transaction(self, touch: bool = True) -> AbstractContextManager[Any]:
        return self.db.transaction(touch)


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """``items`` in lists of ``size``: one IN (...) query each."""
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


def marks(values: Sequence[Any]) -> str:
    """The ``?`` placeholders of an IN (...) list for ``values``."""
    return ",".join("?" * len(values))
