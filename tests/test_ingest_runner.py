from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.calls import CallsIngestor
from ingest.ratings import RatingsIngestor
from ingest.runner import run_ingestor
from voc.cli import app
from voc.store import Store
from voc.store.runs import RunsRepository

runner = CliRunner()


def _ratings_file(path: Path, n: int, start: int = 0) -> Path:
    lines = ["编号,时间,评分,评价内容"] + [
        f"{i},2026-03-{1 + i % 28:02d} 10:00,{1 + i % 5},第{i}条评价 转账限额太低" for i in range(start, start + n)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ids(store: Store) -> list[str]:
    return [r[0] for r in store.query("SELECT source_id FROM feedback")]


def test_crash_mid_pull_resumes_without_duplicates_or_gaps(workspace, tmp_path, monkeypatch) -> None:
    path = _ratings_file(tmp_path / "big.csv", 50)
    real = RunsRepository.write_batch
    calls = {"n": 0}

    def crashing(self, *args, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("simulated crash")
        return real(self, *args, **kw)

    with Store.open(workspace.db_path) as store:
        monkeypatch.setattr(RunsRepository, "write_batch", crashing)
        with pytest.raises(RuntimeError):
            run_ingestor(store, RatingsIngestor(path), batch_size=10, progress=False)
        monkeypatch.setattr(RunsRepository, "write_batch", real)
        assert len(_ids(store)) == 20  # two committed batches
        assert store.runs.last_runs(1)[0]["status"] == "failed"
        res = run_ingestor(store, RatingsIngestor(path), batch_size=10, progress=False)
        ids = _ids(store)
    assert (res.read, res.new, res.duplicates) == (30, 30, 0)  # resumed at line 22, not from the start
    assert sorted(ids, key=int) == [str(i) for i in range(50)]


def test_appended_file_reads_only_the_new_lines(workspace, tmp_path) -> None:
    path = _ratings_file(tmp_path / "log.csv", 5)
    with Store.open(workspace.db_path) as store:
        run_ingestor(store, RatingsIngestor(path), progress=False)
        with path.open("a", encoding="utf-8") as f:
            f.write("99,2026-03-09 10:00,2,追加的一条\n")
        res = run_ingestor(store, RatingsIngestor(path), progress=False)
    assert (res.read, res.new) == (1, 1)


def test_process_pool_gives_the_same_records(workspace, tmp_path) -> None:
    path = _ratings_file(tmp_path / "pool.csv", 700)
    with Store.open(workspace.db_path) as store:
        res = run_ingestor(store, RatingsIngestor(path, source="a"), batch_size=500, workers=2, progress=False)
        res1 = run_ingestor(store, RatingsIngestor(path, source="b"), batch_size=500, workers=1, progress=False)
        a = [tuple(r) for r in store.query("SELECT source_id, text, tokens, created_at FROM feedback WHERE source='a'")]
        b = [tuple(r) for r in store.query("SELECT source_id, text, tokens, created_at FROM feedback WHERE source='b'")]
    assert res.new == res1.new == 700 and a == b


def test_process_pool_gives_the_same_calls_turns_and_quarantine(workspace, tmp_path) -> None:
    root = tmp_path / "calls"
    root.mkdir()
    for i in range(40):
        turns = [
            {"speaker": "坐席", "start": 0, "end": 4.5, "text": "您好，请问有什么可以帮您？"},
            {"speaker": "客户", "start": 5, "text": f"第{i}次打来，卡号6222021234567890128被冻结了"},
        ]
        if i % 10 == 3:
            turns.append({"speaker": "路人", "text": "？"})  # unknown speaker: quarantined
        call = {"call_id": f"C{i}", "started_at": "2026-03-05 09:00", "customer_id": f"K{i % 7}", "queue": "信用卡专线",
                "turns": turns, "渠道": "热线"}
        (root / f"C{i}.json").write_text(json.dumps(call, ensure_ascii=False), encoding="utf-8")
    cols = "source_id, created_at, text, tokens, context_tokens, subtype, customer_key, extra"
    with Store.open(workspace.db_path) as store:
        pooled = run_ingestor(store, CallsIngestor(root, source="a"), batch_size=16, workers=2, progress=False)
        single = run_ingestor(store, CallsIngestor(root, source="b"), batch_size=16, workers=1, progress=False)
        rows = {
            src: [tuple(r) for r in store.query(f"SELECT {cols} FROM feedback WHERE source = ? ORDER BY rid", (src,))]
            for src in ("a", "b")
        }
        turns = {
            src: [tuple(r) for r in store.query(
                "SELECT f.source_id, t.idx, t.speaker, t.start, t.\"end\", t.text FROM turns t "
                "JOIN feedback f ON f.id = t.call_id WHERE f.source = ? ORDER BY f.rid, t.idx", (src,)
            )]
            for src in ("a", "b")
        }
        quarantined = {
            src: sorted(q["locator"] + q["reason"] for q in store.runs.list_quarantine(source=src)) for src in "ab"
        }
    assert (pooled.new, pooled.quarantined) == (single.new, single.quarantined) == (36, 4)
    assert rows["a"] == rows["b"] and turns["a"] == turns["b"] and quarantined["a"] == quarantined["b"]
    assert len(turns["a"]) == 72 and "[银行卡号]" in turns["a"][1][5]


def test_pull_declared_sources_skips_unchanged_files(workspace, tmp_path) -> None:
    data = tmp_path / "exports"
    (data / "calls").mkdir(parents=True)
    _ratings_file(data / "app.csv", 5)
    call = {"call_id": "C1", "started_at": "2026-03-05 09:00", "turns": [{"speaker": "客户", "text": "卡被吞了"}]}
    for i in range(3):
        (data / "calls" / f"C{i}.json").write_text(json.dumps({**call, "call_id": f"C{i}"}), encoding="utf-8")
    with workspace.config_path.open("a", encoding="utf-8") as f:
        f.write(f'\n[[sources]]\nname = "app"\nkind = "ratings"\npath = "{data / "app.csv"}"\nscale = "star5"\n'
                f'map = {{text = "评价内容"}}\n'
                f'\n[[sources]]\nname = "hotline"\nkind = "calls"\npath = "{data / "calls"}"\n')
    home = str(workspace.home)
    first = runner.invoke(app, ["pull", "--home", home, "--json"])
    assert first.exit_code == 0, first.output
    assert [(r["source"], r["new"]) for r in json.loads(first.output)] == [("app", 5), ("hotline", 3)]
    os.utime(data / "calls" / "C1.json")  # touched, same bytes: hashed, not parsed
    (data / "calls" / "C2.json").write_text(json.dumps({**call, "call_id": "C2b"}), encoding="utf-8")
    second = json.loads(runner.invoke(app, ["pull", "--home", home, "--json"]).output)
    assert [(r["source"], r["read"], r["new"]) for r in second] == [("app", 0, 0), ("hotline", 1, 1)]
    third = json.loads(runner.invoke(app, ["pull", "--home", home, "--json"]).output)
    assert [(r["read"], r["new"]) for r in third] == [(0, 0), (0, 0)]


def test_cli_ingest_json_and_errors(workspace, tmp_path) -> None:
    path = _ratings_file(tmp_path / "app_store.csv", 3)
    home = str(workspace.home)
    res = runner.invoke(app, ["ingest", "ratings", str(path), "--home", home, "--json", "--map", "text=评价内容"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert {k: out[k] for k in ("source", "read", "new", "duplicates", "quarantined")} == {
        "source": "app_store", "read": 3, "new": 3, "duplicates": 0, "quarantined": 0}
    assert out["run_id"] >= 1
    again = json.loads(runner.invoke(app, ["ingest", "ratings", str(path), "--home", home, "--json"]).output)
    assert (again["new"], again["duplicates"]) == (0, 3)
    bad = runner.invoke(app, ["ingest", "ratings", str(path), "--home", home, "--map", "colour=评分"])
    assert bad.exit_code != 0
    calls = runner.invoke(app, ["ingest", "calls", str(tmp_path / "missing"), "--home", home])
    assert calls.exit_code != 0
    status = json.loads(runner.invoke(app, ["status", "--home", home, "--json"]).output)
    assert status["last_runs"][0]["source"] == "app_store"


def test_calls_source_default_name(tmp_path) -> None:
    assert CallsIngestor(tmp_path / "calls").source == "calls"
