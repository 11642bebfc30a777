from __future__ import annotations

import csv
import itertools
import json
from datetime import datetime
from pathlib import Path

import pytest

from ingest.base import Reject
from ingest.ratings import RatingsIngestor
from ingest.readers import detect_encoding, iter_csv, split_unquoted
from ingest.runner import run_ingestor
from ingest.times import parse_time
from voc.store import Store

HEADER = "编号,时间,评分,评价内容,客户号,渠道"
ROWS = [
    "1,2026-03-05 14:22:10,5,服务很好，大堂经理很耐心,K00000001,App Store",
    "2,2026/3/5 14:22,1,转账限额太低了，调额好难,K00000002,华为应用市场",
    "3,2026年3月5日 14:22,4,\"还行，就是\n登录有点慢\",K00000003,小米应用商店",
]


def _csv(path: Path, lines: list[str], encoding: str = "utf-8", bom: bool = False, crlf: bool = False) -> Path:
    text = ("\r\n" if crlf else "\n").join(lines) + ("\r\n" if crlf else "\n")
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def _rows(store: Store) -> list[dict]:
    return [dict(r) for r in store.query("SELECT * FROM feedback ORDER BY source_id")]


def _ingest(ws, ingestor, **kw):
    with Store.open(ws.db_path) as store:
        res = run_ingestor(store, ingestor, progress=False, **kw)
        return res, _rows(store), store.runs.list_quarantine()


@pytest.mark.parametrize(
    ("encoding", "bom", "crlf", "expect"),
    [("utf-8", False, False, "utf-8"), ("utf-8", True, True, "utf-8-sig"), ("gbk", False, True, "gb18030")],
)
def test_csv_encodings_and_line_endings(workspace, tmp_path, encoding, bom, crlf, expect) -> None:
    path = _csv(tmp_path / "app_store.csv", [HEADER, *ROWS], encoding, bom, crlf)
    assert detect_encoding(path) == expect
    res, rows, _ = _ingest(workspace, RatingsIngestor(path, salt="s"))
    assert (res.read, res.new, res.quarantined) == (3, 3, 0)
    assert [r["text"] for r in rows][2] == "还行,就是 登录有点慢"
    assert rows[0]["rating_scale"] == "star5" and rows[0]["subtype"] == "app_store"
    assert rows[1]["created_at"] == "2026-03-05T14:22:00+08:00"
    assert json.loads(rows[0]["extra"])["渠道"] == "App Store"
    assert all("K0000000" not in str(r.values()) for r in rows)


def test_gb18030_only_characters(tmp_path) -> None:
    path = _csv(tmp_path / "x.csv", [HEADER, "1,2026-03-05,5,㐀好评,K1,x"], "gb18030")
    with pytest.raises(UnicodeEncodeError):
        "㐀".encode("gbk")
    assert detect_encoding(path) == "gb18030"
    header, rows = iter_csv(path, "gb18030")
    assert header[3] == "评价内容" and next(rows).values[3] == "㐀好评"


def test_nps_header_and_scale_detection(workspace, tmp_path) -> None:
    lines = ["问卷编号,提交时间,推荐意愿(0-10),意见建议,客户号,网点,产品",
             "Q1,2026-03-05 09:00,3,排队太久了,K1,北京朝阳支行,借记卡"]
    path = _csv(tmp_path / "nps_survey.csv", lines, "gbk", crlf=True)
    _, rows, _ = _ingest(workspace, RatingsIngestor(path))
    assert rows[0]["rating_scale"] == "nps10"
    assert rows[0]["branch"] == "北京朝阳支行" and rows[0]["product"] == "借记卡"
    # values decide when the header does not: a 0 means NPS
    path2 = _csv(tmp_path / "plain.csv", ["id,date,score,comment", "a,2026-03-05,0,差", "b,2026-03-05,4,好"])
    _, rows, _ = _ingest(workspace, RatingsIngestor(path2))
    assert {r["rating_scale"] for r in rows if r["source"] == "plain"} == {"nps10"}
    path3 = _csv(tmp_path / "stars.csv", ["id,date,score,comment", "a,2026-03-05,1,差", "b,2026-03-05,4,好"])
    _, rows, _ = _ingest(workspace, RatingsIngestor(path3, scale="csat5"))
    assert {r["rating_scale"] for r in rows if r["source"] == "stars"} == {"csat5"}


def test_explicit_map_and_missing_columns(workspace, tmp_path) -> None:
    lines = ["no,when,points,words,cust", "7,2026-03-05 10:00,2,网点排队时间长,K9"]
    path = _csv(tmp_path / "odd.csv", lines)
    res, rows, quarantine = _ingest(workspace, RatingsIngestor(path))
    assert res.quarantined == 1 and rows == []
    assert "--map text=COLUMN" in quarantine[0]["reason"]
    mapping = {"text": "words", "rating": "points", "created_at": "when", "source_id": "no", "customer_id": "cust"}
    res, rows, _ = _ingest(workspace, RatingsIngestor(path, mapping=mapping, source="odd2"))
    assert res.new == 1 and rows[0]["source_id"] == "7" and rows[0]["rating"] == 2 and rows[0]["customer_key"]
    res, _, quarantine = _ingest(workspace, RatingsIngestor(path, mapping={"text": "nope"}, source="odd3"))
    assert "column 'nope' given by --map text=" in quarantine[0]["reason"]


def test_quarantine_reasons_and_invariant(workspace, tmp_path) -> None:
    long_text = "转账限额太低" * 40_000
    lines = [
        HEADER,
        "1,2026-03-05 10:00,五星,好,K1,x",            # rating not a number
        "2,2026-03-05 10:00,7,好,K1,x",               # outside the star scale
        "3,2026-13-45 10:00,5,好,K1,x",               # impossible date
        "4,昨天,5,好,K1,x",                            # unparseable date
        "5,2026-03-05 10:00,5,,K1,x",                 # empty text
        "6,2026-03-05 10:00,5,好,K1,x,多余",           # ragged row
        '7,2026-03-05 10:00,5,"没有结束的引号,K1,x',    # unclosed quote
        f"8,2026-03-05 10:00,2,{long_text},K1,x",     # truncated, kept
        "9,2026-03-05 10:00,4,正常的一条,K1,x",
    ]
    path = _csv(tmp_path / "ragged.csv", lines)
    path.write_bytes(path.read_bytes() + b"10,2026-03-05,3,\xff\xfe\xfa\xfb,K1,x\n")  # undecodable line
    res, rows, quarantine = _ingest(workspace, RatingsIngestor(path, scale="star5"))
    assert res.read == res.new + res.duplicates + res.quarantined == 10
    assert {r["source_id"] for r in rows} == {"8", "9"}
    reasons = {q["locator"]: q["reason"] for q in quarantine}
    excerpts = {q["locator"]: q["excerpt"] for q in quarantine}
    assert reasons["line 2"] == "rating is not a number (write e.g. 4, 4.5 or 4分)"
    assert "rating=五星" in excerpts["line 2"] and "五星" not in reasons["line 2"]
    assert excerpts["line 7"] == excerpts["line 8"] == excerpts["line 11"] == ""  # unparsed lines: no excerpt
    assert "outside the star5 scale" in reasons["line 3"]
    assert "is not a date" in reasons["line 4"] and "is not a date" in reasons["line 5"]
    assert reasons["line 6"] == "text is empty"
    assert "7 fields but the header has 6" in reasons["line 7"]
    assert "unclosed quote" in reasons["line 8"]
    assert "not valid" in reasons["line 11"]
    assert all(len(q["excerpt"]) <= 200 for q in quarantine)
    long_row = next(r for r in rows if r["source_id"] == "8")
    assert len(long_row["text"]) == 5000 and json.loads(long_row["extra"])["truncated_from"] == len(long_text)


def test_xlsx_with_excel_dates(workspace, tmp_path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["评价编号", "评价时间", "星级", "评论", "客户号"])
    ws.append([101, datetime(2026, 3, 5, 14, 22), 2, "信用卡年费太贵", "K1"])
    ws.append([102.0, 46086.5, 5, "理财经理很专业", "K2"])  # Excel serial for 2026-03-05 12:00
    ws.append([103, "2026/3/6", "bad", "评分写错了", "K3"])
    path = tmp_path / "survey.xlsx"
    wb.save(path)
    res, rows, quarantine = _ingest(workspace, RatingsIngestor(path))
    assert (res.read, res.new, res.quarantined) == (3, 2, 1)
    assert [r["source_id"] for r in rows] == ["101", "102"]
    assert rows[0]["created_at"] == "2026-03-05T14:22:00+08:00"
    assert rows[1]["created_at"] == "2026-03-05T12:00:00+08:00"
    assert quarantine[0]["locator"] == "row 4" and "rating is not a number" in quarantine[0]["reason"]
    assert "rating=bad" in quarantine[0]["excerpt"]


def test_jsonl_csat_with_subtype_and_bad_lines(workspace, tmp_path) -> None:
    rows = [
        {"id": "c1", "created_at": "2026-03-05T09:00:00+08:00", "score": 2, "comment": "排队一个小时",
         "customer_id": "K1", "branch": "上海浦东支行", "product": "借记卡", "subtype": "branch_csat"},
        {"id": "c2", "created_at": "2026-03-05T01:00:00Z", "score": 5, "comment": "热线很快接通",
         "customer_id": "K2", "branch": None, "product": "信用卡", "subtype": "hotline_csat"},
    ]
    good = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    text = good + '\n{"id": "c3", "created_at": "2026-03\n[1, 2]\n'
    path = tmp_path / "branch_csat.jsonl"
    path.write_text(text, encoding="utf-8")
    res, stored, quarantine = _ingest(workspace, RatingsIngestor(path))
    assert (res.read, res.new, res.quarantined) == (4, 2, 2)
    assert [r["subtype"] for r in stored] == ["branch_csat", "hotline_csat"]
    assert {r["rating_scale"] for r in stored} == {"csat5"}
    assert stored[1]["created_at"] == "2026-03-05T09:00:00+08:00"
    reasons = sorted(q["reason"] for q in quarantine)
    assert reasons[0] == "expected a JSON object {...}" and reasons[1].startswith("invalid JSON")


def test_rows_without_id_get_stable_content_ids(workspace, tmp_path) -> None:
    (tmp_path / "a").mkdir()
    a = _csv(tmp_path / "a" / "noid.csv", ["时间,评分,内容"] + [f"2026-03-0{i},3,第{i}条" for i in range(1, 4)])
    res1, _, _ = _ingest(workspace, RatingsIngestor(a))
    # a re-export with the rows re-ordered and one added: old rows are duplicates, not new records
    (tmp_path / "b").mkdir()
    b = _csv(tmp_path / "b" / "noid.csv", ["时间,评分,内容", "2026-03-04,3,第4条"] +
             [f"2026-03-0{i},3,第{i}条" for i in (3, 2, 1)])
    res2, _, _ = _ingest(workspace, RatingsIngestor(b))
    assert res1.new == 3 and (res2.new, res2.duplicates) == (1, 3)


def test_reingest_is_idempotent_and_pii_never_stored(workspace, tmp_path) -> None:
    phone = "13812345678"
    lines = [HEADER, f"1,2026-03-05 10:00,1,打了{phone}没人接，卡号6222020200112233445,{phone},x"]
    path = _csv(tmp_path / "pii.csv", lines)
    first, _, _ = _ingest(workspace, RatingsIngestor(path, salt="salt"))
    second, rows, _ = _ingest(workspace, RatingsIngestor(path, salt="salt"), incremental=False)
    third, _, _ = _ingest(workspace, RatingsIngestor(path, salt="salt"))
    assert (first.new, second.new, second.duplicates) == (1, 0, 1)
    assert (third.read, third.new) == (0, 0)  # incremental: the unchanged file is skipped
    assert "[手机号]" in rows[0]["text"]
    for f in workspace.home.glob("voc.db*"):
        assert phone.encode() not in f.read_bytes()


@pytest.mark.parametrize("delim", [",", "\t", ";"])
def test_unquoted_split_agrees_with_csv_module(delim) -> None:
    """Every short line over the characters that matter: the fast split or a refusal, never a different row."""
    for chars in itertools.chain.from_iterable(
        itertools.product("a,\t; \r\n\x00中", repeat=n) for n in range(1, 5)
    ):
        line = "".join(chars)
        fast = split_unquoted(line, delim)
        try:
            expected = next(csv.reader([line], delimiter=delim), [])
        except csv.Error:
            assert fast is None, repr(line)
            continue
        assert fast is None or fast == expected, repr(line)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-05 14:22:10", "2026-03-05T14:22:10+08:00"),
        ("2026-03-05T14:22:10", "2026-03-05T14:22:10+08:00"),
        ("2026/3/5 14:22", "2026-03-05T14:22:00+08:00"),
        ("2026年3月5日 14:22", "2026-03-05T14:22:00+08:00"),
        ("2026年3月5日下午2点10分", "2026-03-05T14:10:00+08:00"),
        ("2026-03-05T06:22:10Z", "2026-03-05T14:22:10+08:00"),
        ("2026-03-05T14:22:10.123+08:00", "2026-03-05T14:22:10+08:00"),
        ("2026-03-04T23:30:00-01:00", "2026-03-05T08:30:00+08:00"),
        (1772691730, "2026-03-05T14:22:10+08:00"),
        (1772691730000, "2026-03-05T14:22:10+08:00"),
        ("20260305", "2026-03-05T00:00:00+08:00"),
    ],
)
def test_parse_time(value, expected) -> None:
    assert parse_time(value) == expected


def test_parse_time_rejects() -> None:
    for bad in ("", "下周", "2026-02-30", "2026-02-30 10:00:00", "2026-03-05 24:00:00", "1989-12-31 10:00:00", 42):
        with pytest.raises(Reject):
            parse_time(bad)
    assert parse_time(46086.5, excel=True) == "2026-03-05T12:00:00+08:00"
