"""File writers that reproduce the quirks of real bank exports (BOM + CRLF, GBK, JSONL, one JSON per call).

Every writer returns the bytes it wrote so the manifest can record sizes and hashes without re-reading.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

APP_STORE_HEADER = ("编号", "时间", "评分", "评价内容", "客户号", "渠道")
NPS_HEADER = ("问卷编号", "提交时间", "推荐意愿(0-10)", "意见建议", "客户号", "网点", "产品")


def _csv_text(header: Iterable[str], rows: Iterable[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _write(path: Path, data: bytes) -> dict[str, Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def write_app_store(path: Path, rows: list[list[str]]) -> dict[str, Any]:
    """App-store export: UTF-8 with BOM and CRLF, as Excel-friendly tools write it."""
    info = _write(path, _csv_text(APP_STORE_HEADER, rows).encode("utf-8-sig"))
    return {**info, "records": len(rows), "encoding": "utf-8-sig", "newline": "CRLF"}


def write_nps(path: Path, rows: list[list[str]]) -> dict[str, Any]:
    """NPS survey export in GBK, the encoding Excel uses on Chinese Windows; fails loudly on unencodable text."""
    info = _write(path, _csv_text(NPS_HEADER, rows).encode("gbk"))
    return {**info, "records": len(rows), "encoding": "gbk", "newline": "CRLF"}


def write_jsonl(path: Path, objects: list[dict[str, Any]]) -> dict[str, Any]:
    """UTF-8 JSON Lines, one object a line, non-ASCII kept readable."""
    data = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode("utf-8")
    return {**_write(path, data), "records": len(objects), "encoding": "utf-8", "newline": "LF"}


def write_calls(root: Path, calls: list[dict[str, Any]]) -> dict[str, Any]:
    """One UTF-8 JSON file per call under ``calls/YYYY-MM/``; the hash covers all files in name order."""
    digest = hashlib.sha256()
    total = 0
    for call in sorted(calls, key=lambda c: c["call_id"]):
        month = f"{call['call_id'][1:5]}-{call['call_id'][5:7]}"
        data = _call_json(call).encode("utf-8")
        _write(root / month / f"{call['call_id']}.json", data)
        digest.update(call["call_id"].encode() + b"\0" + data)
        total += len(data)
    return {"bytes": total, "sha256": digest.hexdigest(), "records": len(calls), "files": len(calls),
            "encoding": "utf-8"}


def _call_json(call: dict[str, Any]) -> str:
    """Valid JSON laid out one header field and one turn a line: readable in a diff, half the size of indent."""
    lines = [f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in call.items() if k != "turns"]
    turns = ",\n".join("  " + json.dumps(t, ensure_ascii=False) for t in call["turns"])
    return "{\n" + "\n".join(lines) + '\n "turns": [\n' + turns + "\n ]\n}\n"


def write_lines(path: Path, lines: Iterable[str]) -> dict[str, Any]:
    """Plain UTF-8 list, one entry a line (PII strings and their look-alikes)."""
    items = list(lines)
    info = _write(path, "".join(x + "\n" for x in items).encode("utf-8"))
    return {**info, "records": len(items), "encoding": "utf-8"}


def write_truth(path: Path, rows: list[list[str]]) -> dict[str, Any]:
    """Ground truth per record, kept apart from the ingested files so labels never leak into the text."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(("source", "id", "month", "category", "theme", "repeat_of", "escalated"))
    writer.writerows(rows)
    info = _write(path, buf.getvalue().encode("utf-8"))
    return {**info, "records": len(rows), "encoding": "utf-8"}
