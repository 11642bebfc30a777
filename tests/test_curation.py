"""Analysts' renames, merges and pins hold on later months and on --rebuild; mistakes are one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import MONTHS, build_workspace

from voc import curation, vectors
from voc.config import ThemeSettings
from voc.errors import VocError
from voc.store import Store
from voc.taxonomy import Taxonomy
from voc.tracking import track_themes


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory):
    built = build_workspace(Path(tmp_path_factory.mktemp("curation")) / "ws")
    store = Store.open(built.ws.db_path)
    store.themes.reset_themes()
    embedder = vectors.workspace_embedder(built.ws, store)

    def track(**kw):
        return track_themes(store, embedder.encode, built.ws.models_dir, ThemeSettings(min_theme_size=5),
                            Taxonomy.load(), **kw)

    track(until=MONTHS[-2])
    yield store, track
    store.close()


def _live(store: Store) -> dict[int, dict]:
    return {t["theme_id"]: t for t in store.themes.list_themes() if t["status"] != "merged" and t["kind"] != "generic"}


def _assigned(store: Store) -> set[int]:
    return {r["theme_id"] for r in store.records.iter_records() if r["theme_id"] is not None}


def test_curations_hold_on_a_new_month_and_on_rebuild(env) -> None:
    store, track = env
    live = sorted(_live(store))
    assert len(live) >= 3
    renamed, gone, into = live[0], live[1], live[2]
    curation.curate(store, renamed, "rename", "转账限额与调额", "质检组")
    curation.curate(store, gone, "merge", str(into), "质检组")
    pinned_label = _live(store)[into]["label"]
    curation.curate(store, into, "pin", None, "质检组")
    assert _live(store)[renamed]["label"] == "转账限额与调额" and gone not in _assigned(store)

    assert [r.month for r in track()] == [MONTHS[-1]]  # a new month
    assert _live(store)[renamed]["label"] == "转账限额与调额" and _live(store)[into]["label"] == pinned_label
    assert gone not in _live(store) and gone not in _assigned(store)

    track(rebuild=True)
    themes = {t["theme_id"]: t for t in store.themes.list_themes()}
    assert themes[renamed]["label"] == "转账限额与调额" and themes[into]["label"] == pinned_label
    assert themes.get(gone, {"status": "merged"})["status"] == "merged" and gone not in _assigned(store)
    log = store.curations.curations()
    assert [c["action"] for c in log] == ["rename", "merge", "pin"] and {c["actor"] for c in log} == {"质检组"}


def test_bad_curations_are_refused_before_anything_is_written(env) -> None:
    store, _ = env
    before = len(store.curations.curations())
    live = sorted(_live(store))
    for args, message in (
        ((999, "rename", "x"), "no live theme with id 999"),
        ((live[0], "rename", "  "), "cannot be empty"),
        ((live[0], "merge", str(live[0])), "cannot merge"),
        ((live[0], "merge", "999"), "cannot merge"),
    ):
        with pytest.raises(VocError, match=message):
            curation.curate(store, args[0], args[1], args[2], "质检组")
    assert len(store.curations.curations()) == before


def test_stored_flags_show_a_rename_at_once(tmp_path: Path) -> None:
    built = build_workspace(tmp_path / "ws")
    with Store.open(built.ws.db_path) as store:
        flagged = store.themes.get_flags(MONTHS[-1])[0]
        curation.curate(store, flagged["theme_id"], "rename", "转账额度不够用", "质检组")
        again = next(f for f in store.themes.get_flags(MONTHS[-1]) if f["theme_id"] == flagged["theme_id"])
    assert again["label"] == "转账额度不够用" and again["severity"] == flagged["severity"]


def test_split_is_a_tracker_step_that_later_months_and_rebuild_replay(tmp_path: Path) -> None:
    from voc import pipeline

    built = build_workspace(tmp_path / "ws")
    month = MONTHS[-2]
    with Store.open(built.ws.db_path) as store:
        store.themes.reset_themes()
        pipeline.update_themes(built.ws, store, until=month)
        target = max(_live(store), key=lambda t: len(store.themes.theme_record_ids(t, month)))
        before = set(store.themes.theme_record_ids(target, month))
        out = pipeline.split_theme(built.ws, store, target, "质检组")
        assert out["month"] == month and len(out["children"]) == 1
        child = out["children"][0]["theme_id"]
        moved = set(store.themes.theme_record_ids(child, month))
        stay = set(store.themes.theme_record_ids(target, month))
        assert moved and stay and not moved & stay and len(moved & before) >= 0.8 * len(moved)
        events = store.themes.lineage(month)
        assert any(e["event"] == "split" and e["theme_id"] == child and e["related"] == target for e in events)
        made = [e for e in store.themes.lineage() if e["event"] == "curated_split"]
        assert [(e["theme_id"], e["actor"]) for e in made] == [(target, "质检组")]

        pipeline.update_themes(built.ws, store)  # a new month
        assert child in _live(store) and target in _live(store)
        pipeline.update_themes(built.ws, store, rebuild=True)
        assert set(store.themes.theme_record_ids(child, month)) == moved
        assert set(store.themes.theme_record_ids(target, month)) == stay


def test_split_needs_members_and_two_tracked_months(tmp_path: Path) -> None:
    from voc import pipeline

    built = build_workspace(tmp_path / "ws")
    with Store.open(built.ws.db_path) as store:
        store.themes.reset_themes()
        pipeline.update_themes(built.ws, store, until=MONTHS[0])
        some = next(iter(_live(store)))
        with pytest.raises(VocError, match="at least two tracked months"):
            curation.curate(store, some, "split", None, "质检组")
        assert not store.curations.curations()


def test_a_rebuild_walks_the_curated_history_and_gives_every_theme_the_same_id(tmp_path: Path) -> None:
    """Curations apply from the month after the one last tracked when they were made, so a rebuild on the
    same data replays the same path: same ids, same names, same assignments (not only for first-month themes)."""
    from voc import pipeline

    built = build_workspace(tmp_path / "ws")
    with Store.open(built.ws.db_path) as store:
        store.themes.reset_themes()
        pipeline.update_themes(built.ws, store, until=MONTHS[1])
        live = sorted(_live(store))
        curation.curate(store, live[0], "merge", str(live[1]), "质检组")
        pipeline.update_themes(built.ws, store, until=MONTHS[-2])
        newest = max(_live(store))
        curation.curate(store, newest, "rename", "养老金账户莫名扣款", "质检组")
        curation.curate(store, newest, "pin", None, "质检组")
        pipeline.update_themes(built.ws, store)

        def snapshot() -> tuple:
            themes = {t["theme_id"]: (t["label"], t["status"]) for t in store.themes.list_themes()}
            return themes, {r["id"]: r["theme_id"] for r in store.records.iter_records()}

        before = snapshot()
        pipeline.update_themes(built.ws, store, rebuild=True)
        after = snapshot()
    assert after[0][newest] == ("养老金账户莫名扣款", before[0][newest][1])
    assert after == before
