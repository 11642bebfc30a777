"""Monthly KPIs, theme statistics and flags on a small workspace whose counts are known by construction."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from builders import MONTHS, THEMES, build_workspace

from voc.monthly import month_overview, theme_series
from voc.store import Store


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    return build_workspace(Path(tmp_path_factory.mktemp("monthly")) / "ws")


def test_overview_counts_match_the_input(built) -> None:
    with Store.open(built.ws.db_path, readonly=True) as store:
        ov = month_overview(store, "2026-06")
    june = [r for r in built.records if r.month == "2026-06"]
    assert ov["total"]["volume"] == len(june)
    by_channel = Counter(r.channel for r in june)
    assert {c: v["volume"] for c, v in ov["channels"].items()} == dict(by_channel)
    stars = [r.rating for r in june if r.rating is not None]
    assert ov["total"]["mean_star"] == pytest.approx(sum(stars) / len(stars))
    may = [r for r in built.records if r.month == "2026-05"]
    assert ov["delta"]["volume"] == len(june) - len(may)
    assert [s["month"] for s in ov["series"]] == list(MONTHS)


def test_theme_series_follow_the_injected_courses(built) -> None:
    with Store.open(built.ws.db_path, readonly=True) as store:
        series = {s.theme_id: s for s in theme_series(store)}
    expected_recurring = list(THEMES[0][3])
    expected_recurring[-1] += 1  # the record carrying PII
    assert list(series[0].counts) == expected_recurring
    assert list(series[1].counts) == list(THEMES[1][3])
    assert series[2].first_month == "2026-05"


def test_theme_series_carry_complaints_per_channel(built) -> None:
    with Store.open(built.ws.db_path, readonly=True) as store:
        series = {s.theme_id: s for s in theme_series(store)}
        totals = store.themes.month_totals()
    pension = series[2]
    assert pension.channels == ("call", "rating", "social") and pension.kind == "complaint"
    june = {c: row[-1] for c, row in zip(pension.channels, pension.channel_counts, strict=True)}
    assert june == {"call": 20, "rating": 20, "social": 20}
    for s in series.values():
        assert [sum(col) for col in zip(*s.channel_counts, strict=True)] == list(s.counts)
        assert [sum(col) for col in zip(*s.channel_complaints, strict=True)] == [t["complaints"] for t in totals]
        assert all(t <= n for tc, nc in zip(s.channel_counts, s.channel_complaints, strict=True)
                   for t, n in zip(tc, nc, strict=True))


def test_flags_of_the_last_month(built) -> None:
    with Store.open(built.ws.db_path, readonly=True) as store:
        flags = {f["theme_id"]: f for f in store.themes.get_flags("2026-06")}
    assert flags[0]["status"] == "recurring"
    assert flags[1]["status"] == "resolved"
    assert flags[2]["status"] == "emerging"
    assert flags[2]["volume_by_channel"] == {"call": 20, "rating": 20, "social": 20}
    assert flags[0]["rating_impact"]["diff"] < -50  # 1 star inside the theme vs mostly 5 outside
    assert len(flags[0]["example_ids"]) == 5


def test_month_without_data_is_a_clear_error(built) -> None:
    from voc.errors import VocError

    with Store.open(built.ws.db_path, readonly=True) as store, pytest.raises(VocError, match="no data for 2025-01"):
        month_overview(store, "2025-01")
