"""`voc forget` reaches every copy: tables, FTS shadow tables, free pages, WAL, vectors, models, reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import build_workspace
from typer.testing import CliRunner

from ingest.calls import CallsIngestor
from ingest.ratings import RatingsIngestor
from ingest.runner import run_ingestor
from voc import pipeline, vectors
from voc.cli import app
from voc.erasure import DERIVED_STORES, derived_store
from voc.report import build_report, register_reports
from voc.store import Store

CUSTOMER = "VIP-20260001"
PHONE = "13987654321"
MARKERS = ("翡翠猫头鹰", "Zqxvmarker")


def _victim_files(tmp_path: Path) -> tuple[Path, Path]:
    rows = ["编号,时间,评分,评价内容,客户号"]
    for i in range(3):
        rows.append(f"v{i},2026-06-0{i + 1} 10:00,1,{MARKERS[0]} {MARKERS[1]} 转账限额太低了 第{i}次,{CUSTOMER}")
    rows.append(f"v9,昨天,1,{MARKERS[0]} 日期写错了,{CUSTOMER}")  # quarantined, but still theirs
    ratings = tmp_path / "victim.csv"
    ratings.write_text("\n".join(rows) + "\n", encoding="utf-8")
    call = {"call_id": "VC1", "customer_id": CUSTOMER, "started_at": "2026-06-05 09:00", "agent_id": "A001",
            "turns": [{"speaker": "坐席", "text": "您好"},
                      {"speaker": "客户", "text": f"{MARKERS[0]}的事情还没处理，{MARKERS[1]}"}]}
    calls = tmp_path / "victim_call.json"
    calls.write_text(json.dumps(call, ensure_ascii=False), encoding="utf-8")
    return ratings, calls


def _files_holding(home: Path, needles: tuple[str, ...]) -> list[str]:
    found = []
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.relative_to(home)}: {n}" for n in needles if n.encode() in data]
    return found


@pytest.fixture
def env(tmp_path: Path):
    built = build_workspace(tmp_path / "ws")
    ws = built.ws
    ratings, calls = _victim_files(tmp_path)
    with Store.open(ws.db_path) as store:
        for ing in (RatingsIngestor(ratings, "survey", ws.settings.privacy.salt, scale="star5"),
                    CallsIngestor(calls, "hotline", ws.settings.privacy.salt)):
            run_ingestor(store, ing, progress=False)
        pipeline.enrich_workspace(ws, store)
        register_reports(store, build_report(ws, store, "2026-06"))
    return ws


def _theme_learned_the_marker(ws) -> None:
    """As if theme discovery had picked the customer's word as a keyword (a rare word in a small theme can)."""
    with Store.open(ws.db_path) as store, store.transaction() as cur:
        cur.execute("UPDATE themes SET label = label || ' · ' || ?, keywords = ? WHERE theme_id = 0",
                    (MARKERS[0], json.dumps(["转账限额", MARKERS[0]], ensure_ascii=False)))
    snapshot = ws.models_dir / "themes" / "2026-06"
    snapshot.mkdir(parents=True)
    (snapshot / "themes.json").write_text(json.dumps(
        [{"id": 0, "label": f"转账限额 · {MARKERS[0]}", "keywords": [["转账限额", 0.9], [MARKERS[0], 0.5]]}],
        ensure_ascii=False), encoding="utf-8")


def test_forget_leaves_nothing_of_the_customer_in_any_file(env) -> None:
    ws = env
    _theme_learned_the_marker(ws)
    assert _files_holding(ws.home, MARKERS), "the markers are stored before the erasure"
    res = CliRunner().invoke(app, ["forget", "--home", str(ws.home), "--customer", CUSTOMER])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "erased 4 records (customer)" in out
    assert "removed 1 from turns" not in out and "removed 2 from turns" in out
    assert "removed 1 from quarantine" in out and "removed 4 from vector index" in out
    assert "report-2026-06.html: regenerated" in out and "report-2026-06.xlsx: regenerated" in out
    assert "WAL checkpointed and truncated" in out and "search index optimized" in out
    if vectors.configured_embedder(ws) is None:  # voc's corpus embedder learned the words: refitted
        assert "embedder/ held an erased word: refitted" in out
    else:  # a pretrained encoder learned nothing here; its cache held the texts' vectors
        assert "removed 4 from embedding cache (models/embed-cache/)" in out
    assert "removed 2 from theme labels and keywords" in out
    with Store.open(ws.db_path) as store:
        assert not any(m in t for t in store.erasure.fts_terms() for m in (MARKERS[0], MARKERS[1].lower()))
        assert store.query("SELECT count(*) FROM quarantine WHERE excerpt LIKE ?", (f"%{MARKERS[0]}%",))[0][0] == 0
        assert vectors.verify_index(ws, store)["ok"]
        theme = store.themes.list_themes()[0]
        assert theme["label"] == "转账限额 · 调额" and theme["keywords"] == ["转账限额"]
        logged = [dict(r) for r in store.query("SELECT * FROM erasures")]
    assert logged[0]["records"] == 4 and CUSTOMER not in json.dumps(logged)
    wal = ws.home / "voc.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    assert _files_holding(ws.home, (*MARKERS, MARKERS[1].lower(), CUSTOMER, PHONE)) == []


def test_forget_a_record_and_the_derived_store_hook(env) -> None:
    ws = env
    seen: list[tuple[int, ...]] = []

    @derived_store("test cache")
    def _cache(_ws, _store, erased) -> int:
        seen.append(erased.rids)
        return len(erased.texts)

    try:
        with Store.open(ws.db_path) as store:
            victim = store.query("SELECT id, rid FROM feedback WHERE source = 'hotline'")[0]
            res = vectors.forget(ws, store, record_id=victim["id"])
            assert res["records"] == 1 and res["removed"]["test cache"] == 1 and seen == [(victim["rid"],)]
            assert res["removed"]["turns"] == 2 and not store.records.has_record(victim["id"])
            assert vectors.forget(ws, store, record_id="no-such-id")["records"] == 0
    finally:
        DERIVED_STORES.pop()


def test_forget_needs_exactly_one_subject(env) -> None:
    res = CliRunner().invoke(app, ["forget", "--home", str(env.home)])
    assert res.exit_code != 0
