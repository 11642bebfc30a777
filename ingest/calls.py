"""Call transcripts: JSON per call, JSONL of calls, and plain-text transcripts with speaker tags.

A call becomes one record whose text is the customer's side (what sentiment and themes read); the agent's
side is kept as ``context_tokens`` for search, and every turn goes to the turns table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ingest.base import BadItem, Mark, Position, RawItem, Reject, ScanItem, excerpt, ident
from ingest.fields import clean_text, customer_key, extra_fields, label
from ingest.files import FileIngestor, FilePlan
from ingest.readers import FileProblem, detect_encoding, encoding_of, iter_jsonl
from ingest.times import SHANGHAI, parse_time
from voc.schema import Channel, Record, Speaker, Turn
from voc.text import truncate

_CUSTOMER = ("客户", "用户", "来电人", "来电者", "顾客", "customer", "caller", "client", "user")
_AGENT = ("坐席", "座席", "客服", "客服代表", "人工客服", "agent", "staff", "operator", "rep")
_SYSTEM = ("系统", "ivr", "system", "机器人", "bot")
SPEAKERS: dict[str, str] = {
    **dict.fromkeys(_CUSTOMER, Speaker.CUSTOMER),
    **dict.fromkeys(_AGENT, Speaker.AGENT),
    **dict.fromkeys(_SYSTEM, Speaker.SYSTEM),
}
SUFFIXES = (".json", ".jsonl", ".ndjson", ".txt")
LINE_BASED = {".jsonl": True, ".ndjson": True, ".json": False, ".txt": False}
_ID_KEYS = ("customer_id", "customer", "客户号", "phone", "mobile", "caller", "caller_id", "手机号", "来电号码")
_TIME_KEYS = ("started_at", "start_time", "created_at", "time", "开始时间", "通话时间", "时间")
_KNOWN = {"call_id", "id", "agent_id", "turns", "queue", "branch", "product", "scene", *_ID_KEYS, *_TIME_KEYS}

_TS = r"\[?\(?(\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)\]?\)?"
_SPK = "|".join(sorted((re.escape(k) for k in SPEAKERS), key=len, reverse=True))
_TURN_LINE = re.compile(rf"^\s*(?:{_TS}\s*)?({_SPK})\s*(?:{_TS})?\s*[:：]\s*(.*)$", re.IGNORECASE)
_META_LINE = re.compile(r"^\s*([^:：]{1,12})\s*[:：]\s*(.+?)\s*$")
_META = {
    "call_id": ("通话编号", "通话id", "call_id", "编号"),
    "started_at": ("开始时间", "通话时间", "时间", "日期", "started_at", "date", "time"),
    "agent_id": ("坐席工号", "工号", "坐席编号", "agent_id"),
    "customer_id": ("客户号", "客户编号", "customer_id"),
    "queue": ("队列", "技能组", "专线", "queue"),
    "branch": ("网点", "branch"),
    "product": ("产品", "product"),
}
_DATE_IN_NAME = re.compile(r"(20\d{2})(0[1-9]|1[0-2])([0-2]\d|3[01])")


def speaker_of(value: Any) -> str:
    """customer / agent / system from a Chinese or English label; unknown labels are a quarantine reason."""
    key = str(value or "").strip().lower()
    if key in SPEAKERS:
        return SPEAKERS[key]
    raise Reject("unknown speaker label (use 客户/坐席/系统 or customer/agent/system)")


def seconds(value: Any) -> float | None:
    """Turn offsets as numbers of seconds or 'hh:mm:ss' / 'mm:ss' strings."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    parts = str(value).strip().split(":")
    try:
        total = 0.0
        for p in parts:
            total = total * 60 + float(p)
    except ValueError:
        raise Reject("turn time is not seconds or hh:mm:ss") from None
    return total


def parse_transcript(text: str, call_id: str) -> dict[str, Any]:
    """A plain-text transcript as a call dict: ``key: value`` header lines, then speaker-tagged turns.

    Lines without a speaker tag continue the previous turn (ASR output wraps long turns).
    """
    call: dict[str, Any] = {"call_id": call_id}
    turns: list[dict[str, Any]] = []
    preamble: list[str] = []
    meta = {norm: field for field, names in _META.items() for norm in names}
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _TURN_LINE.match(line)
        if m:
            start = m.group(1) or m.group(3)
            turns.append({"speaker": m.group(2), "start": start, "text": m.group(4).strip()})
            continue
        if turns:
            turns[-1]["text"] = f"{turns[-1]['text']} {line.strip()}".strip()
            continue
        mm = _META_LINE.match(line)
        field = meta.get(mm.group(1).strip().lower()) if mm else None
        if mm and field:
            call[field] = mm.group(2)
        else:
            preamble.append(line.strip())
    call["turns"] = turns
    if preamble:
        call["preamble"] = " ".join(preamble)
    return call


class CallsIngestor(FileIngestor):
    """Reads a transcript file or a folder of them (recursive); one record per call."""

    suffixes = SUFFIXES
    line_based = LINE_BASED
    kind = "calls"

    def _scan_file(self, plan: FilePlan) -> Iterator[ScanItem]:
        name = plan.path.name.lower()
        if name.endswith((".jsonl", ".ndjson")):
            encoding = detect_encoding(plan.path)
            for row in iter_jsonl(plan.path, encoding, plan.offset, plan.line):
                pos = Position(plan.key, plan.cursor(row.end, row.next_line, False))
                if row.error:
                    yield BadItem(plan.name, f"line {row.number}", row.error, "", pos)
                else:
                    yield RawItem(plan.name, f"line {row.number}", self._with_file(row.values, plan), pos)
            yield Mark(Position(plan.key, plan.cursor(plan.stat.st_size, plan.line, True)))
            return
        done = Position(plan.key, plan.cursor(plan.stat.st_size, 1, True))
        raw = plan.path.read_bytes()
        encoding = encoding_of(raw)
        try:
            data = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise FileProblem(f"not valid UTF-8 or GB18030 text (byte {exc.start})") from None
        if name.endswith(".txt"):
            call = parse_transcript(data, plan.path.stem)
            yield RawItem(plan.name, "file", self._with_file(call, plan), done)
            return
        try:
            obj = json.loads(data)
        except json.JSONDecodeError as exc:
            reason = f"invalid JSON ({exc.msg} at line {exc.lineno})"
            yield BadItem(plan.name, "file", reason, "", done)
            return
        calls = obj if isinstance(obj, list) else [obj]
        for i, call in enumerate(calls):
            pos = done if i == len(calls) - 1 else None
            loc = "file" if len(calls) == 1 else f"item {i + 1}"
            if not isinstance(call, dict):
                yield BadItem(plan.name, loc, "expected a JSON object {...} per call", "", pos)
                continue
            yield RawItem(plan.name, loc, self._with_file(call, plan), pos)
        if not calls:
            yield BadItem(plan.name, "file", "empty JSON list, no calls", "", done)

    @staticmethod
    def _with_file(call: dict[str, Any], plan: FilePlan) -> dict[str, Any]:
        """Attach what build needs from the file itself (name for ids and dates, mtime as a last resort)."""
        return {"call": call, "stem": plan.path.stem, "mtime": plan.stat.st_mtime}

    def excerpt_of(self, item: RawItem) -> str:
        call = item.data["call"]
        turns = call.get("turns") if isinstance(call, dict) else None
        first = turns[0].get("text") if isinstance(turns, list) and turns and isinstance(turns[0], dict) else ""
        return excerpt({"started_at": call.get("started_at"), "turn": first})

    def subject_of(self, item: RawItem) -> Any:
        call = item.data["call"]
        return next((call[k] for k in _ID_KEYS if call.get(k) not in (None, "")), None)

    def _started(self, call: dict[str, Any], stem: str, mtime: float, extra: dict[str, Any]) -> str:
        value = next((call[k] for k in _TIME_KEYS if call.get(k) not in (None, "")), None)
        if value is not None:
            return parse_time(value, "started_at")
        m = _DATE_IN_NAME.search(stem)
        if m:
            extra["time_source"] = "file name"
            return parse_time(f"{m.group(1)}-{m.group(2)}-{m.group(3)}", "started_at")
        extra["time_source"] = "file mtime"
        return datetime.fromtimestamp(mtime, SHANGHAI).isoformat(timespec="seconds")

    def build(self, item: RawItem) -> Record:
        call: dict[str, Any] = item.data["call"]
        extra: dict[str, Any] = {}
        call_id = ident(call.get("call_id")) or ident(call.get("id")) or item.data["stem"]
        started = self._started(call, item.data["stem"], item.data["mtime"], extra)
        raw_turns = call.get("turns")
        if not isinstance(raw_turns, list) or not raw_turns:
            raise Reject("call has no turns")
        turns: list[Turn] = []
        customer: list[str] = []
        customer_tokens: list[str] = []
        agent_tokens: list[str] = []
        pii: dict[str, int] = {}
        empty = 0
        for n, t in enumerate(raw_turns, start=1):
            if not isinstance(t, dict):
                raise Reject(f"turn {n} is not an object with speaker and text")
            try:
                speaker = speaker_of(t.get("speaker"))
                if t.get("text") is None or not str(t.get("text")).strip():
                    empty += 1
                    continue
                cleaned = clean_text(t.get("text"), self.max_text_chars, field="turn text")
                start, end = seconds(t.get("start")), seconds(t.get("end"))
            except Reject as exc:
                raise Reject(f"turn {n}: {exc}") from None
            for k, v in cleaned.pii.items():
                pii[k] = pii.get(k, 0) + v
            turns.append(Turn(len(turns), speaker, cleaned.text, start, end, cleaned.tokens))
            if speaker == Speaker.CUSTOMER:
                customer.append(cleaned.text)
                customer_tokens.append(cleaned.tokens)
            elif speaker == Speaker.AGENT:
                agent_tokens.append(cleaned.tokens)
        if not customer:
            raise Reject(f"no customer speech in this call ({len(raw_turns)} turns, none by the customer with text)")
        text = " ".join(customer)
        if len(text) > self.max_text_chars:
            extra["truncated_from"] = len(text)
            text = truncate(text, self.max_text_chars)
        if empty:
            extra["empty_turns"] = empty
        if pii:
            extra["redacted"] = pii
        extra.update(extra_fields({k: v for k, v in call.items() if k not in _KNOWN and v not in (None, "")}))
        raw_customer = self.subject_of(item)
        return Record(
            source=self.source,
            source_id=self.safe_id(call_id) or "",
            channel=Channel.CALL,
            created_at=started,
            text=text,
            tokens=" ".join(t for t in customer_tokens if t),
            context_tokens=" ".join(t for t in agent_tokens if t),
            subtype=label(call.get("queue")),
            customer_key=customer_key(ident(raw_customer), self.salt),
            agent_id=self.safe_id(call.get("agent_id")),
            branch=label(call.get("branch")),
            product=label(call.get("product")),
            scene=label(call.get("scene")),
            extra=extra,
            turns=turns,
        )

