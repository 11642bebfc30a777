"""Ingest never loses valid input silently and never stores raw identifiers: CSV recovery, skipped files,
symbolic links, new versions of known ids, identifier policies, quarantine without raw lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.calls import CallsIngestor
from ingest.ratings import RatingsIngestor
from ingest.runner import run_ingestor
from ingest.social import SocialIngestor
from voc.keys import subject_key
from voc.store import Store

HEADER = "编号,时间,评分,评价内容,客户号"
PHONE = "13912345678"


def _csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ingest(workspace, ingestor, **kw):
    with Store.open(workspace.db_path) as store:
        res = run_ingestor(store, ingestor, progress=False, **kw)
        rows = [dict(r) for r in store.query("SELECT * FROM feedback ORDER BY rid")]
        return res, rows, store.runs.list_quarantine()


def test_unclosed_quote_loses_only_its_own_line(workspace, tmp_path) -> None:
    lines = [
        HEADER,
        '1,2026-03-05 10:00,2,"引号没有结束,K1',
        "2,2026-03-05 10:00,4,第二条,K2",
        "3,2026-03-05 10:00,4,第三条,K3",
        '4,2026-03-05 10:00,5,5寸"屏幕太小,K4',  # a quote inside a field: an ordinary character
        "5,2026-03-05 10:00,1,第五条,K5",
        '6,2026-03-05 10:00,3,"合法的 ""引号"" 字段",K6',
    ]
    res, rows, quarantine = _ingest(workspace, RatingsIngestor(_csv(tmp_path / "q.csv", lines), scale="star5"))
    assert {r["source_id"] for r in rows} == {"2", "3", "4", "5", "6"}
    assert [q["locator"] for q in quarantine if "quote" in q["reason"]] == ["line 2"]
    assert res.read == res.new + res.updated + res.duplicates + res.quarantined == 6
    assert next(r for r in rows if r["source_id"] == "6")["text"] == '合法的 "引号" 字段'
    assert next(r for r in rows if r["source_id"] == "4")["text"] == '5寸"屏幕太小'


def test_multiline_quoted_text_is_still_one_record(workspace, tmp_path) -> None:
    lines = [HEADER, '1,2026-03-05 10:00,2,"第一行\n第二行，没有逗号",K1', "2,2026-03-05 10:00,4,下一条,K2"]
    res, rows, _ = _ingest(workspace, RatingsIngestor(_csv(tmp_path / "m.csv", lines), scale="star5"))
    assert res.new == 2 and rows[0]["text"] == "第一行 第二行,没有逗号"


def test_every_skipped_file_is_reported_with_its_reason(workspace, tmp_path) -> None:
    root = tmp_path / "exports"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "config").write_text("x", encoding="utf-8")
    _csv(root / "ok.csv", [HEADER, "1,2026-03-05 10:00,4,很好,K1"])
    (root / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (root / "calls.json").write_text("{}", encoding="utf-8")
    (root / ".hidden.csv").write_text(HEADER, encoding="utf-8")
    (root / "~$ok.xlsx").write_bytes(b"lock")
    (root / "notes.txt").write_text("readme", encoding="utf-8")
    res, rows, quarantine = _ingest(workspace, RatingsIngestor(root))
    assert len(rows) == 1 and not quarantine
    skipped = dict(line.split(": ", 1) for line in res.skipped)
    assert set(skipped) == {".git/", "old.xls", "calls.json", ".hidden.csv", "~$ok.xlsx", "notes.txt"}
    assert "save it as .xlsx" in skipped["old.xls"]
    assert ".json is not read here" in skipped["calls.json"]
    assert "hidden" in skipped[".hidden.csv"] and "hidden folder" in skipped[".git/"]
    assert "lock file" in skipped["~$ok.xlsx"]


def test_symbolic_links_are_not_followed_unless_asked(workspace, tmp_path) -> None:
    outside = tmp_path / "system"
    outside.mkdir()
    secret = _csv(outside / "passwd.csv", ["root:x:0:0:root:/root:/bin/bash", f"客户{PHONE}"])
    good = _csv(outside / "good.csv", [HEADER, "7,2026-03-05 10:00,4,链接过来的,K7"])
    root = tmp_path / "in"
    root.mkdir()
    (root / "link.csv").symlink_to(secret)
    (root / "good_link.csv").symlink_to(good)
    (root / "dir_link").symlink_to(outside, target_is_directory=True)
    res, rows, quarantine = _ingest(workspace, RatingsIngestor(root))
    assert rows == [] and quarantine == []
    assert sorted(line.split(": ")[0] for line in res.skipped) == ["dir_link/", "good_link.csv", "link.csv"]
    assert all("--follow-symlinks" in line for line in res.skipped)
    res, rows, _ = _ingest(workspace, RatingsIngestor(root / "good_link.csv"))
    assert rows == [] and "symbolic link" in res.skipped[0]
    res, rows, quarantine = _ingest(workspace, RatingsIngestor(root / "good_link.csv", follow_symlinks=True))
    assert [r["source_id"] for r in rows] == ["7"]


def test_headerless_csv_keeps_its_first_row_out_of_the_reason(workspace, tmp_path) -> None:
    path = _csv(tmp_path / "noheader.csv", [f"1,2026-03-05 10:00,4,王小明说很好,{PHONE}", "2,2026-03-05,5,好,K2"])
    _, rows, quarantine = _ingest(workspace, RatingsIngestor(path))
    assert rows == [] and len(quarantine) == 1
    stored = json.dumps(quarantine, ensure_ascii=False)
    assert "王小明" not in stored and PHONE not in stored and "2026-03-05" not in stored
    assert "is the first line a header?" in quarantine[0]["reason"]


def test_quarantine_holds_parsed_redacted_content_fields_only(workspace, tmp_path) -> None:
    path = tmp_path / "posts.jsonl"
    bad = {"id": "p1", "发布时间": "昨天", "内容": f"电话{PHONE}转账失败", "作者": "王小明", "昵称": "小明同学",
           "客户号": "K0042"}
    broken = '{"id": "p2", "作者": "李四", "内容": "没写完'
    path.write_text(json.dumps(bad, ensure_ascii=False) + "\n" + broken + "\n", encoding="utf-8")
    _, rows, quarantine = _ingest(workspace, SocialIngestor(path, salt="s"))
    assert rows == [] and len(quarantine) == 2
    stored = json.dumps(quarantine, ensure_ascii=False)
    for raw in ("王小明", "小明同学", "K0042", PHONE, "李四", "没写完"):
        assert raw not in stored, raw
    by_line = {q["locator"]: q for q in quarantine}
    assert by_line["line 1"]["excerpt"] == "posted_at=昨天 | text=电话[手机号]转账失败"
    assert by_line["line 1"]["customer_key"] == subject_key("王小明", "s")
    assert by_line["line 2"]["excerpt"] == ""


def test_file_names_with_identifiers_are_redacted(workspace, tmp_path) -> None:
    root = tmp_path / "calls"
    root.mkdir()
    (root / f"{PHONE}.json").write_text('{"call_id": "x", "turns": []}', encoding="utf-8")
    _, _, quarantine = _ingest(workspace, CallsIngestor(root, salt="s"))
    assert quarantine[0]["file"].startswith("[手机号]~") and quarantine[0]["file"].endswith(".json")
    with Store.open(workspace.db_path) as store:
        keys = [c["key"] for c in store.runs.get_cursors()]
    assert keys and all(PHONE not in k for k in keys)


@pytest.mark.parametrize("policy", ["update", "quarantine"])
def test_known_id_with_new_content_is_never_dropped(workspace, tmp_path, policy: str) -> None:
    first = _csv(tmp_path / "a.csv", [HEADER, "1,2026-03-05 10:00,2,排队太久,K1", "2,2026-03-05 10:00,4,还行,K2"])
    _ingest(workspace, RatingsIngestor(first, "survey", scale="star5"))
    with Store.open(workspace.db_path) as store:
        store.conn.execute("UPDATE feedback SET sentiment = -0.9, enriched_at = 'x' WHERE source_id = '1'")
    second = _csv(tmp_path / "b.csv", [HEADER, "1,2026-03-05 10:00,1,排队太久，改了：态度也差,K1",
                                       "2,2026-03-05 10:00,4,还行,K2"])
    res, rows, quarantine = _ingest(workspace, RatingsIngestor(second, "survey", scale="star5"), on_changed=policy)
    row1 = next(r for r in rows if r["source_id"] == "1")
    assert res.duplicates == 1 and len(rows) == 2
    if policy == "update":
        assert (res.updated, res.quarantined) == (1, 0)
        assert row1["text"] == "排队太久,改了:态度也差" and row1["version"] == 2 and row1["rating"] == 1
        assert row1["enriched_at"] is None and row1["sentiment"] is None  # marked for re-enrichment
    else:
        assert (res.updated, res.quarantined) == (0, 1)
        assert row1["text"] == "排队太久" and row1["version"] == 1
        assert quarantine[0]["locator"] == "line 2" and "different content" in quarantine[0]["reason"]
        assert "态度也差" in quarantine[0]["excerpt"]
    assert res.read == res.new + res.updated + res.duplicates + res.quarantined


def test_identifier_columns_follow_the_declared_policy(workspace, tmp_path) -> None:
    call = {"call_id": PHONE, "agent_id": "138-0000-1111", "queue": "信用卡", "姓名": "王小明", "满意": "是",
            "turns": [{"speaker": "客户", "text": "额度太低"}, {"speaker": "坐席", "text": "好的"}]}
    (tmp_path / "c.json").write_text(json.dumps(call, ensure_ascii=False), encoding="utf-8")
    _, rows, _ = _ingest(workspace, CallsIngestor(tmp_path / "c.json", salt="s"))
    assert rows[0]["source_id"] == f"h:{subject_key(PHONE, 's')}"
    assert rows[0]["agent_id"] == f"h:{subject_key('138-0000-1111', 's')}"
    extra = json.loads(rows[0]["extra"])
    assert "姓名" not in extra and extra["满意"] == "是"
    call2 = {**call, "call_id": "C-001", "agent_id": "A007"}
    (tmp_path / "d.json").write_text(json.dumps(call2, ensure_ascii=False), encoding="utf-8")
    _, rows, _ = _ingest(workspace, CallsIngestor(tmp_path / "d.json", salt="s"))
    assert {r["source_id"] for r in rows} >= {"C-001"} and "A007" in {r["agent_id"] for r in rows}
    _, rows, _ = _ingest(workspace, CallsIngestor(tmp_path / "d.json", "all_ids", salt="s", ids="all"))
    keyed = next(r for r in rows if r["source"] == "all_ids")
    assert keyed["source_id"] == f"h:{subject_key('C-001', 's')}" and keyed["agent_id"].startswith("h:")


def test_mentions_hashed_or_dropped(workspace, tmp_path) -> None:
    path = tmp_path / "p.jsonl"
    post = {"id": "m1", "time": "2026-03-05 10:00", "text": f"@{PHONE} @王小明 转账又失败", "author": "u"}
    path.write_text(json.dumps(post, ensure_ascii=False) + "\n", encoding="utf-8")
    _, rows, _ = _ingest(workspace, SocialIngestor(path, "hashed", salt="s"))
    assert json.loads(rows[0]["extra"])["mentions"] == [f"h:{subject_key('[手机号]', 's')}",
                                                       f"h:{subject_key('王小明', 's')}"]
    _, rows, _ = _ingest(workspace, SocialIngestor(path, "dropped", salt="s", mentions="drop"))
    assert "mentions" not in json.loads(next(r for r in rows if r["source"] == "dropped")["extra"])
    assert "王小明" not in json.dumps(rows, ensure_ascii=False)
