"""The redaction matrix end to end: every identifier shape through every channel and field, via the CLI.

Each shape of ``pii_shapes.FIXED`` goes into ratings (text, id, customer, agent, branch and extra columns),
a quarantined rating row and a header-less file, a call (call id, caller, agent, customer and agent turns, a
file name) and a social post (id, author, @mention, link, text). After ingest and enrich, no file of the
workspace (database, WAL, index, models) and no export holds the shape, written as given or as bare digits.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pii_shapes import FIXED, digits_of
from typer.testing import CliRunner

from voc.cli import app
from voc.store import Store

runner = CliRunner()


def _inputs(root: Path) -> dict[str, Path]:
    ratings, bad, headerless, posts = [], [], [], []
    calls = root / "calls"
    calls.mkdir(parents=True)
    for i, value in enumerate(FIXED[k] for k in sorted(FIXED)):
        ratings.append([value, f"2026-03-{i % 27 + 1:02d} 10:00", "2", f"客户留了{value}说转账限额太低",
                        value, value, value, value, value])
        bad.append([f"bad{i}", "昨天", "1", f"日期写错{value}", value])
        headerless.append([value, "2026-03-05", "4", f"没有表头{value}"])
        call = {"call_id": value, "caller": value, "agent_id": value, "started_at": "2026-03-05 10:00",
                "联系电话": value, "备注": value,
                "turns": [{"speaker": "坐席", "text": f"请问是{value}吗"},
                          {"speaker": "客户", "text": f"对，我的号码是{value}，额度太低"}]}
        (calls / f"call-{i}.json").write_text(json.dumps(call, ensure_ascii=False), encoding="utf-8")
        posts.append({"id": value, "author": value, "time": "2026-03-05 10:00", "url": f"https://w.cn/u?p={value}",
                      "text": f"@{value} 我的电话{value}，银行不处理"})
    mobile = FIXED["mobile"]
    (calls / f"{mobile}.json").write_text(json.dumps({"turns": [{"speaker": "客户", "text": "文件名是号码"}],
                                                      "started_at": "2026-03-06"}, ensure_ascii=False), "utf-8")
    header = "编号,时间,评分,评价内容,客户号,坐席,网点,联系电话,备注"
    files = {
        "ratings": root / "ratings.csv", "bad": root / "bad.csv", "headerless": root / "headerless.csv",
        "posts": root / "posts.jsonl", "calls": calls,
    }
    files["ratings"].write_text("\n".join([header, *(",".join(r) for r in ratings)]) + "\n", encoding="utf-8")
    files["bad"].write_text("\n".join(["编号,时间,评分,评价内容,客户号", *(",".join(r) for r in bad)]) + "\n", "utf-8")
    files["headerless"].write_text("\n".join(",".join(r) for r in headerless) + "\n", encoding="utf-8")
    files["posts"].write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in posts) + "\n", encoding="utf-8")
    return files


def _needles(value: str) -> set[str]:
    out = {value}
    digits = digits_of(value)
    if len(digits) >= 7:
        out.add(digits + ("X" if value.upper().endswith(("X", "Ｘ")) else ""))
        out.add(digits)
    return out


@pytest.fixture(scope="module")
def workspace_after_ingest(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("pii")
    home = root / "ws"
    files = _inputs(root / "in")
    outputs = {}
    for args in (["init"], ["ingest", "ratings", str(files["ratings"]), "--source", "ratings"],
                 ["ingest", "ratings", str(files["bad"]), "--source", "bad"],
                 ["ingest", "ratings", str(files["headerless"]), "--source", "headerless"],
                 ["ingest", "calls", str(files["calls"])],
                 ["ingest", "social", str(files["posts"])],
                 ["enrich"]):
        res = runner.invoke(app, [*args, "--home", str(home)])
        assert res.exit_code == 0, (args, res.output)
        outputs[" ".join(args[:2])] = res.output
    for args in (["export"], ["quarantine", "list", "--json"], ["status", "--json"]):
        outputs[" ".join(args)] = runner.invoke(app, [*args, "--home", str(home)]).output
    return home, outputs


def test_every_channel_ingested_something(workspace_after_ingest) -> None:
    """Shapes of one phone number are one id (same salted key): later rows are new versions, not losses."""
    home, _ = workspace_after_ingest
    with Store.open(home / "voc.db", readonly=True) as store:
        runs = {r["source"]: r for r in store.runs.last_run_per_source()}
        quarantined = {r["source"] for r in store.runs.list_quarantine(limit=1000)}
    for source in ("ratings", "posts", "calls"):
        r = runs[source]
        assert r["read"] == r["new"] + r["updated"] + r["duplicates"] and r["quarantined"] == 0, source
        assert r["read"] == len(FIXED) + (source == "calls"), source
    assert runs["bad"]["quarantined"] == len(FIXED) and runs["headerless"]["quarantined"] == 1
    assert {"bad", "headerless"} <= quarantined


@pytest.mark.parametrize("shape", sorted(FIXED))
def test_no_file_and_no_output_holds_the_shape(workspace_after_ingest, shape: str) -> None:
    home, outputs = workspace_after_ingest
    needles = _needles(FIXED[shape])
    leaks = []
    for path in sorted(home.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            leaks += [f"{path.relative_to(home)}" for n in needles if n.encode() in data]
    leaks += [f"`voc {cmd}` output" for cmd, out in outputs.items() for n in needles if n in out]
    with Store.open(home / "voc.db", readonly=True) as store:
        store.conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, feedback_fts, row)")
        terms = [r[0] for r in store.conn.execute("SELECT term FROM temp.v")]
    leaks += [f"search index term {t}" for t in terms for n in needles if n.lower() in t]
    assert leaks == [], f"{shape}: {leaks}"
