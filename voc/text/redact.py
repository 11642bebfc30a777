"""Personal data redaction: done before anything is stored, indexed, truncated, quarantined or learned.

Numbers are found as *digit runs*: digits with up to three separator characters between them (space, NBSP,
ideographic space, dashes of every width, dot, slash, underscore, brackets), so ``138 1234 5678``,
``138.1234.5678``, ``110105 19491231 002X`` and ASR output such as ``1 3 8 1 2 3 4 5 6 7 8`` are all one run.
Inside a run every span that starts and ends on a group boundary is classified, longest first. Candidates are
checked, not just matched: an 18-digit ID must pass the GB 11643 checksum and hold a real birth date, a
15-digit ID a province code and a real date, a card number the Luhn check; so amounts, dates, times, rates,
hotline numbers and order numbers survive while real identifiers never reach the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

PHONE = "[手机号]"
LANDLINE = "[固话]"
ID_NUMBER = "[身份证号]"
CARD = "[银行卡号]"
EMAIL = "[邮箱]"
PLACEHOLDERS = (PHONE, LANDLINE, ID_NUMBER, CARD, EMAIL)

# Characters that may stand between the digits of one identifier: horizontal spaces, dashes, dots, slashes,
# underscores and brackets, in their ASCII and full-width forms (redaction must not depend on normalise()).
_SEP = r"(?:[^\S\r\n]|[\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d.\uff0e/\uff0f_\uff3f()\uff08\uff09])"
_X = "[Xx\uff38\uff58]"
_RUN = re.compile(rf"\d(?:{_SEP}{{0,3}}\d)*(?:{_SEP}{{0,3}}{_X}(?![A-Za-z0-9]))?")
_SPLIT = re.compile(rf"({_SEP}+)")
_AMOUNT = re.compile(r"\d+[.\uff0e]\d{1,2}")

_CJK_TLD = "中国|中國|公司|网络|網絡|香港|台湾|台灣|在线|商城|网店|中文网|集团|手机|移动|企业|信息|我爱你|政务|公益"
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+[@\uff20\ufe6b]"
    r"(?:[^\W_](?:[\w\-]{0,61}[^\W_])?[.\uff0e\u3002])+"
    rf"(?:xn--[A-Za-z0-9\-]{{2,59}}|[A-Za-z]{{2,24}}(?![A-Za-z0-9\-])|{_CJK_TLD})"
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# First two digits of a resident ID: the province (GB/T 2260), Hong Kong, Macao, Taiwan residence permits.
_PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
    "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
})
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0(?:10|2\d|[3-9]\d{2})[1-9]\d{6,7}")
# Words right before a number that say it is an order or serial number, not a card (cards and 15-digit IDs
# have no or a weak checksum, so a labelled serial number would otherwise be redacted one time in ten).
_SERIAL = re.compile(
    r"(?:订单|单号|流水|编号|交易号|序列号|序号|批次|工单|运单|快递|凭证|回执|受理号|业务号|案件号|合同号|发票|"
    r"order|serial|ref|txn|no\.?)[号码]?\s*[:：#是为]?\s*$",
    re.IGNORECASE,
)

# Every number pattern needs at least this many digits (a landline such as 010-1234567), so most texts (no
# digits, or a price and a date) skip the number scan without running it.
_MIN_DIGITS = 10
_DIGIT = re.compile(r"\d")
_MAYBE_PII = re.compile(r"[\d@\uff20\ufe6b]")


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


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def id18_ok(number: str) -> bool:
    """An 18-character ID: not starting with 0, a real birth date 1800-2099, and the check character."""
    if len(number) != 18 or number[0] == "0" or not number[:17].isdigit():
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    return 1800 <= year <= 2099 and _real_date(year, month, day) and id_checksum_ok(number)


def id15_ok(number: str) -> bool:
    """A first-generation 15-digit ID: a province code and a real birth date (YYMMDD, 19YY); no checksum."""
    if len(number) != 15 or not number.isdigit() or number[:2] not in _PROVINCES:
        return False
    return _real_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))


def card_ok(digits: str) -> bool:
    """13-19 digits passing Luhn, not starting with 0 and not one repeated digit."""
    return 13 <= len(digits) <= 19 and digits[0] != "0" and len(set(digits)) > 1 and luhn_ok(digits)


def _phone_kind(digits: str) -> str | None:
    """PHONE or LANDLINE for a number with an optional 86 / 0086 country code or 0 trunk prefix."""
    candidates = [digits]
    if digits.startswith("0086"):
        candidates.append(digits[4:])
    elif digits.startswith("86"):
        candidates.append(digits[2:])
    for i, c in enumerate(candidates):
        if _MOBILE.fullmatch(c) or (c.startswith("0") and _MOBILE.fullmatch(c[1:])):
            return PHONE
        if _LANDLINE.fullmatch(c) or (i and _LANDLINE.fullmatch("0" + c)):
            return LANDLINE
    return None


_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")


def classify(number: str, serial_context: bool = False) -> str | None:
    """The placeholder for a separator-free number (digits, maybe a final X), or None when it is no identifier."""
    digits = number.translate(_FULL_WIDTH)
    if digits.endswith("X"):
        return ID_NUMBER if id18_ok(digits) else None
    if len(digits) == 18 and id18_ok(digits):
        return ID_NUMBER
    kind = _phone_kind(digits)
    if kind:
        return kind
    if serial_context:
        return None
    if id15_ok(digits):
        return ID_NUMBER
    return CARD if card_ok(digits) else None


@dataclass(frozen=True)
class Redacted:
    text: str
    counts: dict[str, int] = field(default_factory=dict)


def _plausible(groups: list[str], seps: list[str]) -> bool:
    """Whether digit groups joined by these separators can be one identifier, not a list of numbers."""
    if len(groups) == 1:
        return True
    body = seps[1:]  # the first separator may differ: after a country code or an area code in brackets
    if body and any(s != body[0] for s in body):
        return False
    sizes = [len(g) for g in groups if g.isdigit()]
    if not (all(s == 1 for s in sizes[1:]) or all(s >= 2 for s in sizes[:-1])):
        return False  # spaced digits (ASR, maybe after a prefix) or groups of two or more (the last may be shorter)
    dots = all(s.strip() in (".", "\uff0e") for s in seps)
    if dots and len(groups) == 4 and all(g.isdigit() and int(g) <= 255 for g in groups):
        return False  # an IP address
    return not (dots and len(groups) == 2 and len(groups[1]) <= 2)  # an amount such as 13800000000.00


def _card_grouping(groups: list[str]) -> bool:
    """How card numbers are grouped: whole, 4 or 6 digits first (4-4-4-4, 6-13 ...), or digit by digit."""
    return len(groups) == 1 or 4 <= len(groups[0]) <= 6 or all(len(g) == 1 for g in groups)


def _spans(run: str, before: str) -> list[tuple[int, int, str, int, int]]:
    """(first group, end group, placeholder, start offset, end offset) of the identifiers inside one run.

    ``before`` is the text right before the run, where an order-number label would stand.
    """
    parts = _SPLIT.split(run)
    groups, seps = parts[0::2], ["", *parts[1::2]]
    starts, pos = [], 0
    for k, part in enumerate(parts):
        if k % 2 == 0:
            starts.append(pos)
        pos += len(part)
    found = []
    i = 0
    while i < len(groups):
        hit = None
        for j in range(len(groups), i, -1):
            digits = "".join(groups[i:j])
            if len(digits) > 21:
                continue
            if len(digits) < _MIN_DIGITS:
                break
            if not _plausible(groups[i:j], seps[i + 1 : j]):
                continue
            kind = classify(digits, bool(_SERIAL.search(before + run[: starts[i]])))
            if kind == CARD and not _card_grouping(groups[i:j]):
                continue  # e.g. a card number and a hotline after it, which only together pass Luhn
            if kind:
                hit = (i, j, kind, starts[i], starts[j - 1] + len(groups[j - 1]))
                break
        if hit:
            found.append(hit)
            i = hit[1]
        else:
            i += 1
    return found


def _redact_numbers(text: str, counts: dict[str, int]) -> str:
    out: list[str] = []
    last = 0
    for m in _RUN.finditer(text):
        run = m.group(0)
        if sum(ch.isdigit() for ch in run) < _MIN_DIGITS or _AMOUNT.fullmatch(run):
            continue
        for i, _, kind, start, end in _spans(run, text[max(0, m.start() - 12) : m.start()]):
            begin = m.start() + start
            if i == 0:
                begin = _with_prefix(text, begin)
            if begin < last:
                continue
            out.append(text[last:begin])
            out.append(kind)
            counts[kind] = counts.get(kind, 0) + 1
            last = m.start() + end
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _with_prefix(text: str, begin: int) -> int:
    """Take a '+' or an opening bracket right before a number into the placeholder (+86..., (0755)...)."""
    while begin > 0 and text[begin - 1] in "+(\uff08\uff0b":
        begin -= 1
    return begin


def redact(text: str) -> Redacted:
    """Replace e-mails, ID numbers, card numbers, mobiles and landlines with typed placeholders."""
    if not text or not _MAYBE_PII.search(text):
        return Redacted(text)
    counts: dict[str, int] = {}
    if "@" in text or "\uff20" in text or "\ufe6b" in text:
        text, n = _EMAIL.subn(EMAIL, text)
        if n:
            counts[EMAIL] = n
    if len(_DIGIT.findall(text)) >= _MIN_DIGITS:
        text = _redact_numbers(text, counts)
    return Redacted(text, counts)


def truncate(text: str, max_chars: int) -> str:
    """Cut a redacted text to max_chars without leaving half a placeholder behind."""
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    opening = cut.rfind("[")
    if opening != -1 and "]" not in cut[opening:] and text[opening : opening + 8].startswith(PLACEHOLDERS):
        cut = cut[:opening]
    return cut
