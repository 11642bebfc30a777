"""Theme tracking over months: stable ids when a month is added, re-run or rebuilt; lineage recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import MONTHS, build_workspace

from voc import vectors
from voc.config import ThemeSettings
from voc.store import Store
from voc.taxonomy import Taxonomy
from voc.tracking import months_to_run, track_themes


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory):
    built = build_workspace(Path(tmp_path_factory.mktemp("tracking")) / "ws")
    store = Store.open(built.ws.db_path)
    store.themes.reset_themes()  # forget the hand-made themes of the builder; discover them for real
    embedder = vectors.workspace_embedder(built.ws, store)
    yield built, store, embedder
    store.close()


def _snapshot(store: Store, until: str = "9999") -> dict[str, int | None]:
    return {row["id"]: row["theme_id"] for row in store.records.iter_records() if row["month"] <= until}


def test_ids_stable_when_a_month_is_added_and_on_rerun(env) -> None:
    built, store, embedder = env
    settings = ThemeSettings(min_theme_size=5)
    tax = Taxonomy.load()
    runs = track_themes(store, embedder.encode, built.ws.models_dir, settings, tax, until=MONTHS[-2])
    assert [r.month for r in runs] == list(MONTHS[:-1])
    first = {t["theme_id"]: t["label"] for t in store.themes.list_themes()}
    before = _snapshot(store, MONTHS[-2])
    runs = track_themes(store, embedder.encode, built.ws.models_dir, settings, tax)
    assert [r.month for r in runs] == [MONTHS[-1]]
    after = {t["theme_id"]: t["label"] for t in store.themes.list_themes()}
    assert set(first) <= set(after) and all(after.values())
    snap = _snapshot(store)
    assert all(snap[i] == before[i] for i in before)
    assert any(v is not None for v in before.values())
    assert track_themes(store, embedder.encode, built.ws.models_dir, settings, tax) == []  # nothing to do
    rebuilt = track_themes(store, embedder.encode, built.ws.models_dir, settings, tax, rebuild=True)
    assert len(rebuilt) == len(MONTHS)
    assert _snapshot(store) == snap


def test_lineage_and_runs_recorded(env) -> None:
    _, store, _ = env
    runs = {r["month"]: r for r in store.themes.theme_runs()}
    assert set(runs) == set(MONTHS)
    first = store.themes.lineage(MONTHS[0])
    assert first and all(e["event"] == "new" for e in first)
    later = store.themes.lineage(MONTHS[2])
    assert any(e["event"] == "continued" for e in later)


def test_late_records_rerun_only_their_month(env) -> None:
    _, store, _ = env
    todo, previous = months_to_run(store)
    assert todo == [] and previous == MONTHS[-1]
    from voc.enrich import enrich
    from voc.schema import Record
    from voc.sentiment import LexiconScorer
    from voc.text import clean

    c = clean("转账限额太低了，又要去网点调额，太麻烦")
    store.records.upsert_records([Record(source="late", source_id="1", channel="rating", text=c.text, tokens=c.tokens,
                                 created_at=f"{MONTHS[-1]}-20T10:00:00+08:00", rating=1.0, rating_scale="star5")])
    enrich(store, LexiconScorer(), Taxonomy.load())
    todo, previous = months_to_run(store)
    assert todo == [MONTHS[-1]] and previous == MONTHS[-2]


def test_themes_born_later_know_what_the_months_before_held_of_them(env) -> None:
    """The replay behind `prior_volume`: a new problem (养老金账户, from May) had nothing before its birth."""
    _, store, _ = env
    themes = store.themes.list_themes()
    first = [t for t in themes if t["first_month"] == MONTHS[0]]
    later = [t for t in themes if t["first_month"] > MONTHS[0] and t["kind"] != "generic"]
    assert first and all(t["prior_volume"] is None for t in first)
    pension = [t for t in later if "养老金" in t["label"]]
    assert pension and all(t["prior_volume"] is not None and t["prior_volume"] < 5 for t in pension)
    assert all(t["prior_volume"] is not None for t in later)
