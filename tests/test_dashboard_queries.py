"""The store queries only the dashboard uses, checked against counts computed from the built records."""

from __future__ import annotations

from collections import Counter

import pytest
from builders import MONTHS, Built, build_workspace

from voc.store import Filters, Store

JUNE = MONTHS[-1]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_workspace(tmp_path_factory.mktemp("dq") / "ws")


@pytest.fixture
def store(built: Built):
    with Store.open(built.ws.db_path, readonly=True) as s:
        yield s


def test_distinct_values_most_frequent_first(store: Store, built: Built) -> None:
    counts = Counter(r.agent_id for r in built.records if r.agent_id)
    assert store.browse.distinct_values("agent_id") == sorted(counts, key=lambda a: (-counts[a], a))
    with pytest.raises(ValueError, match="unknown dimension"):
        store.browse.distinct_values("text; DROP TABLE feedback")


def test_browse_and_count_follow_the_filters(store: Store, built: Built) -> None:
    flt = Filters(theme_id=2, channel="call")
    expected = [r for r in built.records if built.theme_of.get(r.id) == 2 and r.channel == "call"]
    assert store.browse.count_filtered(flt) == len(expected)
    rows = store.browse.browse_records(flt, limit=5)
    assert len(rows) == 5 and all(r["channel"] == "call" and r["theme_id"] == 2 for r in rows)
    assert [r["created_at"] for r in rows] == sorted((r["created_at"] for r in rows), reverse=True)
    assert store.browse.count_filtered(flt, month=JUNE) == sum(r.month == JUNE for r in expected)


def test_calls_of_month_lists_only_that_months_calls(store: Store, built: Built) -> None:
    calls = store.browse.calls_of_month(JUNE)
    assert len(calls) == sum(r.month == JUNE and r.channel == "call" for r in built.records)
    sentiments = [c["sentiment"] for c in calls]
    assert sentiments == sorted(sentiments)  # no escalations here, so the most negative come first
    assert store.browse.calls_of_month(JUNE, escalated_only=True) == []


def test_crosstab_cells_add_up_to_the_scope(store: Store, built: Built) -> None:
    cells = store.browse.crosstab(JUNE, "channel", "branch", theme_ids=[0, 2])
    expected = Counter((r.channel, r.branch) for r in built.records
                       if r.month == JUNE and built.theme_of.get(r.id) in (0, 2))
    assert {(c["row_value"], c["col_value"]): c["n"] for c in cells} == dict(expected)
    everything = store.browse.crosstab(JUNE, "channel", "product", complaints_only=False)
    assert sum(c["n"] for c in everything) == sum(r.month == JUNE for r in built.records)
    only_calls = store.browse.crosstab(JUNE, "channel", "product", Filters(channel="call"), complaints_only=False)
    assert {c["row_value"] for c in only_calls} == {"call"}


def test_unknown_crosstab_dimension_is_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        store.browse.crosstab(JUNE, "channel", "customer_key")
