"""The only package with SQL: a database and one typed repository per kind of data.

Callers reach data through the repositories (``store.records``, ``store.runs``, ``store.themes``, ...); each
talks to the database only through the :class:`~voc.store.repository.Database` protocol, so a second backend
implements that protocol (and its own SQL where the dialect differs) instead of a class of a hundred methods.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from voc.store.access import AccessRepository
from voc.store.base import DEFAULT_LOCK_TIMEOUT, StoreBase
from voc.store.browse import BrowseRepository
from voc.store.curation import CurationsRepository
from voc.store.enrich import Enrichment, EnrichmentRepository
from voc.store.erase import ErasureRepository
from voc.store.filters import Filters
from voc.store.fixes import FixesRepository
from voc.store.records import EXPORT_COLUMNS, ON_CHANGED, RecordsRepository, WriteResult
from voc.store.repository import Database, Repository
from voc.store.runs import QuarantineItem, RunsRepository
from voc.store.search import SearchRepository
from voc.store.stats import StatsRepository
from voc.store.themes import ThemesRepository


class Store(StoreBase):
    """voc's record store (SQLite, WAL, versioned migrations) and its repositories.

    - ``records``: stored feedback and call turns; ``runs``: ingest runs, quarantine, cursors;
    - ``enrichment``: what enrichment reads and writes (sentiment, steps, texts for the index);
    - ``themes``: theme tables, monthly statistics, flags; ``curations``: analysts' corrections;
    - ``stats``: KPIs and breakdowns; ``browse``: filtered lists, counts and cross-tabs for people;
    - ``search``: keyword search; ``erasure``: erasure and its residue checks; ``fixes``: fixes and alerts sent;
    - ``access``: users, API tokens, the audit log.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, readonly: bool, lock_timeout: float) -> None:
        super().__init__(conn, path, readonly, lock_timeout)
        self.records = RecordsRepository(self)
        self.runs = RunsRepository(self, self.records)
        self.enrichment = EnrichmentRepository(self)
        self.themes = ThemesRepository(self)
        self.curations = CurationsRepository(self, self.themes)
        self.stats = StatsRepository(self)
        self.browse = BrowseRepository(self)
        self.search = SearchRepository(self)
        self.erasure = ErasureRepository(self)
        self.fixes = FixesRepository(self)
        self.access = AccessRepository(self)

    def after_open(self) -> None:
        self.runs.mark_aborted_runs()

    @classmethod
    def open(cls, path: Path | str, readonly: bool = False, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> Store:
        store: Store = super().open(path, readonly=readonly, lock_timeout=lock_timeout)
        return store


__all__ = [
    "EXPORT_COLUMNS", "ON_CHANGED", "Database", "Enrichment", "Filters", "QuarantineItem", "Repository",
    "Store", "WriteResult",
]
