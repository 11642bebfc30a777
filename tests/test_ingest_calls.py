from __future__ import annotations

import codecs
import json
import re
from pathlib import Path

import pytest

from ingest.calls import CallsIngestor, parse_transcript
from ingest.readers import FileProblem, detect_encoding, encoding_of
from ingest.runner import run_ingestor
from voc.store import Store


def _call(call_id: str, turns: list[tuple[str, str]], **kw) -> dict:
    return {
        "call_id": call_id, "started_at": "2026-03-05T09:12:00+08:00", "agent_id": "A017",
        "customer_id": "13812345678", "queue": "信用卡专线", "branch": None, "product": "信用卡",
        "turns": [
            {"speaker": s, "start": i * 5.0, "end": i * 5.0 + 4, "text": t} for i, (s, t) in enumerate(turns)
        ],
        **kw,
    }


CALM = [
    ("坐席", "您好，请问有什么可以帮您？"), ("客户", "我想问一下信用卡年费怎么收"),
    ("坐席", "首年免年费"), ("客户", "好的谢谢"),
]


def _run(ws, path: Path, **kw):
    with Store.open(ws.db_path) as store:
        res = run_ingestor(store, CallsIngestor(path, salt="s"), progress=False, **kw)
        rows = [dict(r) for r in store.query("SELECT * FROM feedback ORDER BY source_id")]
        turns = [dict(r) for r in store.query("SELECT * FROM turns ORDER BY call_id, idx")]
        return res, rows, turns, store.runs.list_quarantine()


def test_folder_of_json_jsonl_and_text(workspace, tmp_path) -> None:
    root = tmp_path / "calls"
    (root / "2026-03").mkdir(parents=True)
    (root / "2026-03" / "C1.json").write_text(json.dumps(_call("C1", CALM), ensure_ascii=False), encoding="utf-8")
    english = _call("C2", [("agent", "hello"), ("customer", "我的卡被冻结了，一直没解决"), ("system", "转接中")])
    (root / "2026-03" / "more.jsonl").write_text(json.dumps(english, ensure_ascii=False) + "\n", encoding="utf-8")
    transcript = (
        "通话时间: 2026-03-06 10:00\n坐席工号: A023\n"
        "[00:00:01] 坐席：您好，XX银行\n[00:00:05] 客户: 我要投诉，\n转账限额太低了\n客服：好的，我帮您登记\n"
    )
    (root / "2026-03" / "C3.txt").write_bytes(transcript.encode("gbk"))
    (root / "notes.md").write_text("ignored", encoding="utf-8")
    res, rows, turns, _ = _run(workspace, root)
    assert (res.read, res.new, res.quarantined) == (3, 3, 0)
    c1, c2, c3 = rows
    assert c1["text"] == "我想问一下信用卡年费怎么收 好的谢谢"
    assert "信用卡年费" in c1["tokens"].split() and "免年费" in c1["context_tokens"].split()
    assert "首年" not in c1["tokens"]  # the agent's words are context, not the customer's text
    assert c1["subtype"] == "信用卡专线" and c1["agent_id"] == "A017" and c1["customer_key"]
    assert "13812345678" not in json.dumps(c1, ensure_ascii=False)
    assert c3["agent_id"] == "A023" and c3["created_at"] == "2026-03-06T10:00:00+08:00"
    assert c3["text"] == "我要投诉, 转账限额太低了"
    speakers = [t["speaker"] for t in turns if t["call_id"] == c2["id"]]
    assert speakers == ["agent", "customer", "system"]
    c3_turns = [t for t in turns if t["call_id"] == c3["id"]]
    assert [t["start"] for t in c3_turns] == [1.0, 5.0, None]


def test_transcript_parser_time_from_file_name(workspace, tmp_path) -> None:
    call = parse_transcript("标题行\n客户：卡丢了\n坐席：帮您挂失", "C202603050012")
    assert call["preamble"] == "标题行" and len(call["turns"]) == 2
    path = tmp_path / "C202603050012.txt"
    path.write_text("客户：卡丢了\n坐席：帮您挂失", encoding="utf-8")
    _, rows, _, _ = _run(workspace, path)
    assert rows[0]["created_at"] == "2026-03-05T00:00:00+08:00"
    assert json.loads(rows[0]["extra"])["time_source"] == "file name"


def test_bad_calls_are_quarantined(workspace, tmp_path) -> None:
    root = tmp_path / "bad"
    root.mkdir()
    (root / "no_turns.json").write_text(json.dumps(_call("N1", [])), encoding="utf-8")
    (root / "agent_only.json").write_text(json.dumps(_call("N2", [("坐席", "您好")])), encoding="utf-8")
    (root / "truncated.json").write_text(json.dumps(_call("N3", CALM))[:60], encoding="utf-8")
    (root / "junk.json").write_bytes(b"\x00\x01\x02binary\xff" * 50)
    (root / "who.json").write_text(json.dumps(_call("N4", [("张三", "hi")])), encoding="utf-8")
    (root / "bad_time.json").write_text(json.dumps({**_call("N5", CALM), "started_at": "昨天"}), encoding="utf-8")
    (root / "ok.json").write_text(json.dumps(_call("OK", CALM)), encoding="utf-8")
    res, _, _, quarantine = _run(workspace, root)
    assert res.read == res.new + res.updated + res.duplicates + res.quarantined == 7 and res.new == 1
    reasons = {q["file"]: q["reason"] for q in quarantine}
    assert reasons["no_turns.json"] == "call has no turns"
    assert reasons["agent_only.json"].startswith("no customer speech")
    assert reasons["truncated.json"].startswith("invalid JSON")
    assert reasons["junk.json"].startswith("binary file")
    assert reasons["who.json"].startswith("turn 1: unknown speaker label") and "张三" not in reasons["who.json"]
    assert "is not a date" in reasons["bad_time.json"]
    assert all("13812345678" not in q["excerpt"] for q in quarantine)


@pytest.mark.parametrize(
    "data",
    [
        "客户：卡被吞了".encode(),
        codecs.BOM_UTF8 + "客户：卡被吞了".encode(),
        "客户：卡被吞了".encode("gb18030"),
        b"a" * 9000 + "镕".encode("gb18030"),  # GBK only after the head
        "客户".encode() + "坐席".encode("gb18030"),  # neither: read as UTF-8
        "客户".encode("utf-16"),
        b"\x00\x01binary",
    ],
)
def test_encoding_of_bytes_agrees_with_detect_encoding(tmp_path, data) -> None:
    path = tmp_path / "call.txt"
    path.write_bytes(data)
    try:
        expected = detect_encoding(path)
    except FileProblem as exc:
        with pytest.raises(FileProblem, match=re.escape(str(exc))):
            encoding_of(data)
    else:
        assert encoding_of(data) == expected
