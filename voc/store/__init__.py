"""The only module with SQL. Callers use `Store` methods, so another backend can replace SQLite later."""

from __future__ import annotations

from voc.store.base import StoreBase
from voc.store.records import EXPORT_COLUMNS, RecordFilter, RecordsMixin
from voc.store.runs import QuarantineItem, RunsMixin


class Store(RecordsMixin, RunsMixin, StoreBase):
    """voc's record store (SQLite, WAL, versioned migrations)."""


__all__ = ["EXPORT_COLUMNS", "QuarantineItem", "RecordFilter", "Store"]
