"""Valid personal identifiers in the shapes people (and ASR) write them, for the redaction tests.

Both the hypothesis strategies and the fixed shape table used by the channel tests live here, so every test
speaks about the same shapes. Identifiers are generated valid: ID numbers with a real birth date and the
GB 11643 check character, card numbers with the Luhn digit.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import strategies as st

from voc.text.redact import _ID_CHECK, _ID_WEIGHTS

SEPARATORS = (" ", "-", ".", "/", "_", "—", "－", "\u00a0", "\u3000", " - ", "——")
PROVINCES = ("11", "31", "44", "51", "61", "32", "33", "42", "50", "12")
AREA_CODES = ("010", "021", "022", "020", "0755", "0571", "025", "028", "0512")
# Digit-free Chinese without the characters of order-number labels (订单号, 流水号 ...), which switch card
# detection off on purpose.
CJK = "我的卡被盗刷了请尽快处理谢谢客服态度很差排队太久手机银行转账限额网点大堂经理服务好慢问题投诉还没到账，。！？ "
# Look-alikes that must survive, wherever they stand in a text.
LOOKALIKES = (
    "100000元", "¥2,000.00", "2026-03-05", "2026-03-05 14:22", "14:22", "2026年3月5日", "95588", "400-820-8888",
    "10086", "3.85%", "尾号1234", "额度5万元", "20261234567", "排了3个小时", "2万元", "第2次",
)


def id18(region: str, born: date, seq: int) -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]


def id15(region: str, born: date, seq: int) -> str:
    return f"{region}{born:%y%m%d}{seq:03d}"


def luhn_complete(body: str) -> str:
    for check in "0123456789":
        digits = body + check
        total = 0
        for i, ch in enumerate(reversed(digits)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable")


def group(number: str, sizes: list[int], sep: str) -> str:
    out, pos = [], 0
    for size in sizes:
        out.append(number[pos : pos + size])
        pos += size
    out.append(number[pos:])
    return sep.join(p for p in out if p)


@st.composite
def groupings(draw: st.DrawFn, number: str, first: tuple[int, ...] = ()) -> str:
    """The number as written: whole, in groups of two or more (the last may be shorter), or digit by digit.

    ``first`` restricts the size of the first group (card numbers are written 4-4-4-4 or 6-13, never 2-...).
    """
    style = draw(st.sampled_from(["whole", "groups", "spaced"]))
    if style == "whole":
        return number
    if style == "spaced":
        return draw(st.sampled_from([" ", "  ", "\u3000"])).join(number)
    sep = draw(st.sampled_from(SEPARATORS))
    sizes, left = [], len(number)
    if first:
        sizes.append(draw(st.sampled_from(first)))
        left -= sizes[0]
    while left > 3:
        size = draw(st.integers(2, min(8, left - 2)))
        sizes.append(size)
        left -= size
    return group(number, sizes, sep)


_DATES = st.dates(date(1930, 1, 1), date(2009, 12, 31))


@st.composite
def mobiles(draw: st.DrawFn) -> tuple[str, str]:
    number = "1" + draw(st.sampled_from("3456789")) + "".join(draw(st.lists(st.sampled_from("0123456789"),
                                                                              min_size=9, max_size=9)))
    written = draw(groupings(number))
    prefix = draw(st.sampled_from(["", "", "+86", "+86 ", "0086 ", "86-", "(+86)"]))
    return "phone", prefix + written


@st.composite
def landlines(draw: st.DrawFn) -> tuple[str, str]:
    area = draw(st.sampled_from(AREA_CODES))
    local = draw(st.sampled_from("23456789")) + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=6 if len(area) == 4 else 7, max_size=7))
    )
    shape = draw(st.sampled_from(["joined", "dash", "paren", "country", "spaced-local"]))
    if shape == "joined":
        return "landline", area + local
    if shape == "dash":
        return "landline", f"{area}{draw(st.sampled_from(['-', ' ', '—', '.']))}{local}"
    if shape == "paren":
        return "landline", f"({area}){draw(st.sampled_from(['', ' ']))}{local}"
    if shape == "country":
        sep = draw(st.sampled_from(["-", " "]))
        return "landline", f"+86{sep}{area[1:]}{sep}{local}"
    return "landline", f"{area}-{local[:4]} {local[4:]}"


@st.composite
def id_numbers(draw: st.DrawFn) -> tuple[str, str]:
    region = draw(st.sampled_from(PROVINCES)) + f"{draw(st.integers(100, 9999)):04d}"
    born, seq = draw(_DATES), draw(st.integers(0, 999))
    number = id15(region, born, seq) if draw(st.booleans()) else id18(region, born, seq)
    if draw(st.booleans()):
        number = number.lower()
    return "id", draw(groupings(number))


@st.composite
def cards(draw: st.DrawFn) -> tuple[str, str]:
    length = draw(st.integers(13, 19))
    prefix = draw(st.sampled_from(["62", "4", "5", "9558", "6217", "6222"]))
    body = prefix + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=length - len(prefix) - 1,
                                          max_size=length - len(prefix) - 1)))
    return "card", draw(groupings(luhn_complete(body), first=(4, 6)))


@st.composite
def emails(draw: st.DrawFn) -> tuple[str, str]:
    local = draw(st.from_regex(r"[a-z][a-z0-9._]{0,12}[a-z0-9]", fullmatch=True))
    domain = draw(st.sampled_from(["qq.com", "163.com", "bank-mail.com.cn", "例子.中国", "bücher.de", "银行.cn",
                                   "mail.xn--fiqs8s"]))
    at = draw(st.sampled_from(["@", "＠"]))
    return "email", f"{local}{at}{domain}"


identifiers = st.one_of(mobiles(), landlines(), id_numbers(), cards(), emails())
chinese = st.text(alphabet=CJK, min_size=1, max_size=30)


# The fixed shapes the channel tests push through every ingest path (ratings, calls, social, quarantine, ids).
def _fixed_shapes() -> dict[str, str]:
    rng = random.Random(22)
    born = date(1985, 4, 12) + timedelta(days=rng.randrange(3000))
    id_a = id18("110105", born, 17)
    card = luhn_complete("622202123456789012")
    return {
        "mobile": "13912345678",
        "mobile_dots": "139.1234.5678",
        "mobile_335": "139-123-45678",
        "mobile_emdash": "139—1234—5678",
        "mobile_spaced": "1 3 9 1 2 3 4 5 6 7 8",
        "mobile_country": "+86 139 1234 5678",
        "landline_joined": "01087654321",
        "landline_country": "+86-10-87654321",
        "id18_684": f"{id_a[:6]} {id_a[6:14]} {id_a[14:]}",
        "id18_44442": "-".join([id_a[:4], id_a[4:8], id_a[8:12], id_a[12:16], id_a[16:]]),
        "id18_nbsp": "\u00a0".join([id_a[:6], id_a[6:14], id_a[14:]]),
        "id18_fullwidth": id_a.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),
        "id15": id15("440305", date(1966, 2, 25), 373),
        "card_plain": card,
        "card_6_13": f"{card[:6]} {card[6:]}",
        "card_dots": ".".join([card[:4], card[4:8], card[8:12], card[12:16], card[16:]]),
        "email_idn": "zhang.wei@例子.中国",
        "email_fullwidth_at": "li_na88＠bank-mail.com.cn",
    }


FIXED = _fixed_shapes()


def digits_of(text: str) -> str:
    """The ASCII digits of a text (full-width ones folded), to compare what survives with what must."""
    folded = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return "".join(ch for ch in folded if ch in "0123456789")
