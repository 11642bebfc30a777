"""Field helpers shared by the ingestors: header recognition, text cleaning with limits, value coercion."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from ingest.base import Reject
from ingest.base import ident as ident  # re-exported: ingestors read ids and fields from one place
from voc.keys import subject_key
from voc.text import Cleaned, clean, normalise, redact

_PAREN = re.compile(r"[(（\[【].*?[)）\]】]")
_SEPARATORS = re.compile(r"[\s_\-·.:：]+")
# Column names that hold personal identifiers: such columns never reach a record's extra fields.
_PRIVATE_COLUMN = re.compile(
    r"姓名|名字|联系人|联系方式|手机|电话|身份证|证件|卡号|账号|账户|邮箱|地址|昵称|作者|用户名|客户号|客户编号|会员号|"
    r"来电|主叫|微信号|(?:^|customer|client|contact|real|full|first|last|user|nick|screen)name$|phone|mobile|"
    r"^tel|e?mail|address|idcard|account|cardno|cardnumber|author|handle|^user(?:id)?$|customer|caller|^ip$|^qq",
    re.IGNORECASE,
)
_DATA_LIKE = re.compile(r"[\d@\uff20]")
_NUMBER = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*(?:分|星|stars?)?\s*$", re.IGNORECASE)


def norm_header(name: Any) -> str:
    """Comparable form of a column name: NFKC, lower case, no bracketed units, no separators."""
    text = unicodedata.normalize("NFKC", str(name or "")).replace("\ufeff", "").strip().lower()
    return _SEPARATORS.sub("", _PAREN.sub("", text))


def resolve_columns(
    header: Sequence[str], aliases: Mapping[str, Sequence[str]], explicit: Mapping[str, str] | None = None
) -> tuple[dict[str, int], list[str]]:
    """Map canonical fields to column indexes: explicit ``--map`` first, then exact aliases, then containment.

    Returns (field -> index, problems). Containment (``客户评价内容`` contains ``评价内容``) only applies to
    aliases of two or more characters and to columns no exact rule claimed, longest alias first.
    """
    normed = [norm_header(h) for h in header]
    found: dict[str, int] = {}
    problems: list[str] = []
    for field, column in (explicit or {}).items():
        want = norm_header(column)
        idx = next((i for i, h in enumerate(header) if h.strip() == column.strip()), None)
        if idx is None:
            idx = next((i for i, h in enumerate(normed) if h == want), None)
        if idx is None:
            problems.append(f"column '{column}' given by --map {field}= is not in the header {header_list(header)}")
        else:
            found[field] = idx
    taken = set(found.values())
    for field, names in aliases.items():
        if field in found:
            continue
        wanted = {norm_header(n) for n in names}
        idx = next((i for i, h in enumerate(normed) if h in wanted and i not in taken), None)
        if idx is not None:
            found[field] = idx
            taken.add(idx)
    candidates = []
    for field, names in aliases.items():
        if field in found:
            continue
        for name in names:
            n = norm_header(name)
            if len(n) < 2 or n.isascii():
                continue
            for i, h in enumerate(normed):
                if i not in taken and n in h:
                    candidates.append((-len(n), list(aliases).index(field), field, i))
    for _, _, field, i in sorted(candidates):
        if field not in found and i not in taken:
            found[field] = i
            taken.add(i)
    return found, problems


def header_list(header: Sequence[Any]) -> str:
    """The header's column names for a message, unless the 'header' looks like data (a header-less file).

    A first line with digits or an @ in it is most likely a customer's row: it must not reach a quarantine
    reason, which is shown and stored unredacted.
    """
    names = [str(h) for h in header]
    if any(_DATA_LIKE.search(n) or len(n) > 40 for n in names):
        return f"(its {len(names)} cells hold digits or an @: is the first line a header?)"
    return f"({', '.join(names)})"


def clean_text(value: Any, max_chars: int, field: str = "text", social: bool = False) -> Cleaned:
    """clean() with the empty checks every channel needs; empty text is a quarantine reason, not a record."""
    if value is None or not str(value).strip():
        raise Reject(f"{field} is empty")
    if not isinstance(value, str):
        value = str(value)
    cleaned = clean(value, social=social, max_chars=max_chars)
    if not cleaned.text.strip():
        what = "once links, @mentions and markup are removed" if social else "after normalisation"
        raise Reject(f"{field} is empty {what}")
    return cleaned


def plain(value: Any) -> Any:
    """An extra value made safe to store: strings normalised and redacted, numbers and bools kept.

    Extra columns hold labels (渠道, 队列) rather than prose, so they skip segmentation, but they may still
    contain personal data and therefore always pass through redaction.
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return redact(normalise(str(value))).text


def private_column(name: Any) -> bool:
    """Whether a column or key name says it holds a person's identifier (姓名, 手机号, 昵称, email ...)."""
    return bool(_PRIVATE_COLUMN.search(norm_header(name)))


def extra_fields(values: Mapping[Any, Any]) -> dict[str, Any]:
    """Unmapped columns kept as extra fields: identifier-named ones dropped, the rest redacted."""
    return {str(k): plain(v) for k, v in values.items() if not private_column(k)}


def label(value: Any) -> str | None:
    """A short label field (branch, product, queue): redacted text, or None when blank."""
    if value is None:
        return None
    return _label(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=4096)
def _label(text: str) -> str | None:
    """Labels come from a small set (a bank's branches, products, queues): each is cleaned once."""
    return plain(text) or None


def number(value: Any, field: str = "rating") -> float | None:
    """A rating cell as a number; '4', '4.0', '4分' and 4 work, '五星' is rejected with the reason."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise Reject(f"{field} is not a number (true/false)")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.isdigit() and value.isascii():  # '4': what the pattern reads anyway
        return float(value)
    m = _NUMBER.match(unicodedata.normalize("NFKC", str(value)))
    if not m:
        raise Reject(f"{field} is not a number (write e.g. 4, 4.5 or 4分)")
    return float(m.group(1))


@lru_cache(maxsize=1 << 16)
def customer_key(raw: str | None, salt: str) -> str | None:
    """subject_key, remembered for the run: an export names the same customers again and again."""
    return subject_key(raw, salt)


def text_extra(cleaned: Cleaned) -> dict[str, Any]:
    """What clean() learnt about a text that the record keeps: truncation and counts of redacted PII."""
    out: dict[str, Any] = {}
    if cleaned.truncated_from is not None:
        out["truncated_from"] = cleaned.truncated_from
    if cleaned.pii:
        out["redacted"] = dict(cleaned.pii)
    return out


def row_hash(file_name: str, values: Sequence[Any]) -> str:
    """Id for a row without one: hash of the file name and the row's content.

    Not the line number: re-exports insert, delete and re-sort rows, so a line-based id would give the
    same row a new id (a duplicate) or a different row an old id (a silent loss). Identical rows in one
    file get one id, which is right: nothing distinguishes them. The file name (not its folder) keeps ids
    stable when an export folder is moved.
    """
    blob = "\x1f".join(["" if v is None else str(v) for v in values])
    return "h" + hashlib.sha1(f"{file_name}\x1e{blob}".encode()).hexdigest()[:19]
