"""Dates as banks export them, turned into ISO-8601 in the bank's local time (+08:00).

Naive times are Asia/Shanghai. China has had no daylight saving since 1991, so a fixed +08:00 offset is
exact for the data voc sees and needs no tz database on the server.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from ingest.base import Reject

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
_EXCEL_EPOCH = datetime(1899, 12, 30)

_DATE = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:[\sT]*(?:(上午|下午|凌晨|晚上)\s*)?(\d{1,2})\s*[:：时点]\s*(\d{1,2})\s*分?\s*(?:[:：]?\s*(\d{1,2})(?:[.,](\d{1,6}))?\s*秒?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?\s*$",
    re.IGNORECASE,
)
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:[\sT]?(\d{2})(\d{2})(\d{2})?)?\s*$")
_NUMBER = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")
# What most exports write (2026-03-05 14:22:05, naive local time): read without the general pattern.
_PLAIN_LOCAL = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[ T]([0-9]{2}):([0-9]{2}):([0-9]{2})")


def _zone(text: str | None) -> timezone:
    if not text:
        return SHANGHAI
    t = text.upper()
    if t in ("Z", "UTC", "GMT"):
        return UTC
    sign = 1 if t[0] == "+" else -1
    digits = t[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _local(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=SHANGHAI)
    if not 1990 <= dt.year <= 2100:
        raise ValueError(f"year {dt.year} is out of range")
    return dt.astimezone(SHANGHAI).isoformat(timespec="seconds")


def _from_number(value: float, excel: bool) -> str:
    if excel and 20_000 <= value < 80_000:  # Excel serial day (1954..2119); fraction is the time of day
        return _local(_EXCEL_EPOCH + timedelta(days=value))
    if value >= 1e11:  # epoch milliseconds
        return _local(datetime.fromtimestamp(value / 1000, UTC))
    if value >= 1e8:  # epoch seconds
        return _local(datetime.fromtimestamp(value, UTC))
    raise ValueError(f"number {value:g} is neither epoch seconds/milliseconds nor an Excel date")


def parse_time(value: Any, field: str = "created_at", excel: bool = False) -> str:
    """ISO-8601 with +08:00 from strings in common Chinese/English formats, datetimes and epoch numbers.

    Raises ``Reject`` naming the field and the value, so the quarantine says what to fix.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Reject(f"{field} is empty")
    try:
        if isinstance(value, datetime):
            return _local(value)
        if isinstance(value, date):
            return _local(datetime(value.year, value.month, value.day))
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _from_number(float(value), excel)
        if isinstance(value, str) and (m := _PLAIN_LOCAL.fullmatch(value)):
            dt = datetime(*map(int, m.groups()))  # raises on 2026-02-30, as the general path does
            if 1990 <= dt.year <= 2100:
                return f"{value[:10]}T{value[11:]}+08:00"
            return _local(dt)
        text = str(value).strip()
        m = _DATE.match(text)
        if m:
            y, mo, d, ampm, hh, mm, ss, frac, zone = m.groups()
            hour = int(hh or 0)
            if ampm in ("下午", "晚上") and hour < 12:
                hour += 12
            micro = int((frac or "0").ljust(6, "0")[:6])
            dt = datetime(int(y), int(mo), int(d), hour, int(mm or 0), int(ss or 0), micro, tzinfo=_zone(zone))
            return _local(dt)
        m = _COMPACT.match(text)
        if m:
            y, mo, d, hh, mm, ss = m.groups()
            return _local(datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0)))
        if _NUMBER.match(text):
            return _from_number(float(text), excel)
        try:
            return _local(datetime.fromisoformat(text))
        except ValueError:
            raise ValueError("unknown format") from None
    except (ValueError, OverflowError, OSError) as exc:
        why = "out of range" if "range" in str(exc) else "unknown format"
        raise Reject(f"{field} is not a date I can read ({why}); use e.g. 2026-03-05 14:22") from None
