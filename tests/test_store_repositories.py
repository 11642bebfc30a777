"""The store's shape: typed repositories by kind of data, each needing only the Database protocol.

A second backend implements :class:`voc.store.repository.Database`; these tests hold the repositories to it by
running them over a wrapper that offers nothing else.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from voc.schema import Record
from voc.store import Filters, Repository, Store
from voc.store.base import StoreBase
from voc.store.repository import Database

REPOSITORIES = ("records", "runs", "enrichment", "themes", "curations", "stats", "browse", "search", "erasure",
                "fixes", "access")
PROTOCOL = {"query", "stream", "transaction", "maintain", "get_meta", "set_meta"}


class OnlyTheProtocol:
    """A Database with exactly the protocol's members, delegating to a real store and counting calls."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.path: Path = store.path
        self.readonly = store.readonly
        self.calls: dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def query(self, sql: str, params: Any = ()) -> list[Any]:
        self._count("query")
        return self._store.query(sql, params)

    def stream(self, sql: str, params: Any = (), batch: int = 1000) -> Iterator[Any]:
        self._count("stream")
        return self._store.stream(sql, params, batch)

    def transaction(self, touch: bool = True) -> AbstractContextManager[Any]:
        self._count("transaction")
        return self._store.transaction(touch)

    def maintain(self, sql: str) -> list[Any]:
        self._count("maintain")
        return self._store.maintain(sql)

    def get_meta(self, key: str) -> str | None:
        return self._store.get_meta(key)

    def set_meta(self, key: str, value: str) -> None:
        self._store.set_meta(key, value)


def _record(n: int, text: str) -> Record:
    return Record(source="app", source_id=str(n), channel="rating", text=text, tokens=" ".join(text),
                  created_at=f"2026-03-{n + 1:02d}T09:00:00+08:00", rating=1.0 + n % 5, rating_scale="star5",
                  customer_key=f"c{n % 3}")


def test_store_is_repositories_over_one_database(tmp_path: Path) -> None:
    with Store.open(tmp_path / "voc.db") as store:
        for name in REPOSITORIES:
            assert isinstance(getattr(store, name), Repository), name
        own = {n for n, v in vars(Store).items() if not n.startswith("_") and callable(v)}
        assert own <= {"open", "after_open"}  # no queries on the store itself: they live in repositories
        missing = PROTOCOL - {n for n, _ in inspect.getmembers(StoreBase)}
        assert not missing


def test_no_repository_touches_a_driver_connection() -> None:
    import voc.store as package

    for module_path in Path(package.__file__).parent.glob("*.py"):
        if module_path.name in {"base.py", "vector_cache.py"}:
            continue
        text = module_path.read_text("utf-8")
        assert ".conn" not in text, module_path.name


@pytest.mark.parametrize("name", ["records", "enrichment", "search", "erasure", "browse", "stats"])
def test_repositories_work_over_only_the_protocol(tmp_path: Path, name: str) -> None:
    with Store.open(tmp_path / "voc.db") as store:
        db: Database = OnlyTheProtocol(store)
        repo = type(getattr(store, name))(db)
        records = type(store.records)(db)
        records.upsert_records([_record(i, t) for i, t in enumerate(["转账失败", "排队太久", "服务很好"])])
        if name == "records":
            assert records.count_records() == 3
            assert [r["text"] for r in records.iter_records(Filters(), batch=1)] == ["转账失败", "排队太久", "服务很好"]
            assert db.calls.get("stream") == 1
        elif name == "enrichment":
            batches = list(repo.iter_for_enrichment(batch=2))
            assert [len(b) for b in batches] == [2, 1]
        elif name == "search":
            hits = repo.keyword_search(["转", "账"])
            assert len(hits) == 1
            assert repo.records_by_rid([hits[0][0]])[hits[0][0]]["text"] == "转账失败"
        elif name == "erasure":
            assert set(repo.checkpoint()) == {"busy", "wal_frames", "checkpointed"}
            assert db.calls.get("maintain") == 1
        elif name == "browse":
            assert repo.count_filtered(Filters()) == 3
        else:
            assert repo.source_counts()
        assert db.calls.get("transaction", 0) >= 1  # the upsert wrote through the protocol's transaction
