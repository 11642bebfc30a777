"""Personal data redaction: done before anything is stored or indexed.

Patterns are checked, not just matched: an ID number must pass the GB 11643 checksum and a card number the
Luhn check, so amounts, dates and order numbers survive while real identifiers never reach the store.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

PHONE = "[手机号]"
LANDLINE = "[固话]"
ID_NUMBER = "[身份证号]"
CARD = "[银行卡号]"
EMAIL = "[邮箱]"

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ID = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])"
)
_CARD = re.compile(r"(?<![\d-])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?![\d])")
_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<![\d-])(?:\(0\d{2,3}\)|0\d{2,3}-)[ ]?[1-9]\d{2,3}[ -]?\d{4}(?!\d)")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_checksum_ok(number: str) -> bool:
    """GB 11643-1999 check character of an 18-character resident ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    """Luhn check used by bank card numbers."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


@dataclass(frozen=True)
class Redacted:
    text: str
    counts: dict[str, int] = field(default_factory=dict)


# Every pattern but the e-mail needs at least this many digits (a landline such as 010-1234567), so most
# texts (no digits, or a price and a date) skip the number patterns without running them.
_MIN_DIGITS = 10
_DIGIT = re.compile(r"\d")
_MAYBE_PII = re.compile(r"[\d@]")


def _card_ok(number: str) -> bool:
    return luhn_ok(number.replace(" ", "").replace("-", ""))


_CHECKED: tuple[tuple[re.Pattern[str], str, Callable[[str], bool]], ...] = (
    (_ID, ID_NUMBER, id_checksum_ok),
    (_CARD, CARD, _card_ok),
)
_UNCHECKED = ((_MOBILE, PHONE), (_LANDLINE, LANDLINE))


def _sub_checked(
    pattern: re.Pattern[str], placeholder: str, check: Callable[[str], bool], text: str
) -> tuple[str, int]:
    """pattern.subn that replaces only the matches passing check (a checksum), and counts them."""
    hits = 0

    def repl(m: re.Match[str]) -> str:
        nonlocal hits
        if not check(m.group(0)):
            return m.group(0)
        hits += 1
        return placeholder

    return pattern.sub(repl, text), hits


def redact(text: str) -> Redacted:
    """Replace e-mails, ID numbers, card numbers, mobiles and landlines with typed placeholders."""
    if not text or not _MAYBE_PII.search(text):
        return Redacted(text)
    counts: dict[str, int] = {}
    if "@" in text:
        text, n = _EMAIL.subn(EMAIL, text)
        if n:
            counts[EMAIL] = n
    if len(_DIGIT.findall(text)) < _MIN_DIGITS:
        return Redacted(text, counts)
    for pattern, placeholder, check in _CHECKED:
        text, n = _sub_checked(pattern, placeholder, check, text)
        if n:
            counts[placeholder] = n
    for pattern, placeholder in _UNCHECKED:
        text, n = pattern.subn(placeholder, text)
        if n:
            counts[placeholder] = n
    return Redacted(text, counts)
