"""The only module with SQL. Callers use `Store` methods, so another backend can replace SQLite later."""

from __future__ import annotations

from voc.store.access import AccessMixin
from voc.store.base import StoreBase
from voc.store.curation import CurationMixin
from voc.store.dashboard_queries import DashboardQueriesMixin
from voc.store.enrich import Enrichment, EnrichMixin
from voc.store.erase import EraseMixin
from voc.store.filters import Filters, SearchFilters
from voc.store.fixes import FixesMixin
from voc.store.records import EXPORT_COLUMNS, ON_CHANGED, RecordsMixin, WriteResult
from voc.store.report_queries import ReportQueriesMixin
from voc.store.runs import QuarantineItem, RunsMixin
from voc.store.search import SearchMixin
from voc.store.stats import StatsMixin
from voc.store.themes import ThemesMixin


class Store(
    RunsMixin, RecordsMixin, EnrichMixin, CurationMixin, ThemesMixin, StatsMixin, SearchMixin, ReportQueriesMixin,
    DashboardQueriesMixin, EraseMixin, FixesMixin, AccessMixin, StoreBase,
):
    """voc's record store (SQLite, WAL, versioned migrations).

    Each mixin is one kind of data (records, runs, enrichment, themes, curations, statistics, search, erasure,
    fixes, users) and inherits StoreBase, so it is typed against the connection, queries and transactions it
    uses; a mixin that builds on another's data inherits it (runs write records, curations touch themes).
    """


__all__ = [
    "EXPORT_COLUMNS", "ON_CHANGED", "Enrichment", "Filters", "QuarantineItem", "SearchFilters", "Store",
    "WriteResult",
]
