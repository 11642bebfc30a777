"""Low-level readers: encoding detection and CSV / JSONL / XLSX rows with resumable positions.

Readers stream (a file is never loaded whole) and report, for every row, the byte offset and line number
right after it: that pair is the cursor a resumed pull seeks back to. CSV is split into records by
counting quotes on raw lines, not by the csv module alone, because only that yields byte offsets.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_CHUNK = 1 << 20
MAX_RECORD_LINES = 200  # a CSV record spanning more lines than this has an unclosed quote
# The csv module refuses fields over 128 KiB; a pasted 200,000-character complaint must be truncated
# by ingest (ingest.max_text_chars), not rejected by the parser.
csv.field_size_limit(max(csv.field_size_limit(), 64 << 20))


class FileProblem(Exception):
    """The whole file cannot be read (binary, unsupported encoding, broken workbook)."""


def _encoding_from_head(head: bytes) -> str | None:
    """'utf-8-sig' for a BOM, an error for UTF-16 or binary, None when the whole file must decide."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem("file is UTF-16; save it as UTF-8 or GBK")
    if b"\x00" in head:
        raise FileProblem("binary file (contains NUL bytes), not text")
    return None


def detect_encoding(path: Path) -> str:
    """'utf-8-sig' (BOM), 'utf-8' or 'gb18030' (a superset of GBK, what bank Excel exports use).

    The whole file is test-decoded incrementally: a GBK file whose first megabyte happens to be ASCII
    must not be mistaken for UTF-8.
    """
    with path.open("rb") as f:
        head = f.read(8192)
    if found := _encoding_from_head(head):
        return found
    for enc in ("utf-8", "gb18030"):
        dec = codecs.getincrementaldecoder(enc)()
        try:
            with path.open("rb") as f:
                while chunk := f.read(_CHUNK):
                    dec.decode(chunk)
            dec.decode(b"", final=True)
            return enc
        except UnicodeDecodeError:
            continue
    # Mostly one encoding with some broken lines: read as UTF-8 and let the bad lines be quarantined.
    return "utf-8"


def encoding_of(data: bytes) -> str:
    """detect_encoding for a file already read whole (one call, one transcript), without reading it again."""
    if found := _encoding_from_head(data[:8192]):
        return found
    for enc in ("utf-8", "gb18030"):
        try:
            data.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    return "utf-8"


@dataclass(frozen=True, slots=True)
class Line:
    """One physical line: its 1-based number, the byte offset after it, and its text (None if undecodable)."""

    number: int
    end: int
    text: str | None
    raw: bytes


def iter_lines(path: Path, encoding: str, offset: int = 0, line: int = 1) -> Iterator[Line]:
    """Lines from a byte offset; splitting on b'\\n' is safe for UTF-8 and GB18030 (no 0x0A trail bytes)."""
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    with path.open("rb") as f:
        f.seek(offset)
        pos = offset
        for raw in f:
            pos += len(raw)
            body = raw
            if pos == len(raw) and body.startswith(codecs.BOM_UTF8):
                body = body[3:]
            try:
                text: str | None = body.decode(codec)
            except UnicodeDecodeError:
                text = None
            yield Line(line, pos, text, raw)
            line += 1


@dataclass(frozen=True, slots=True)
class Row:
    """A logical row (CSV record, JSONL object, worksheet row) or the reason it could not be read."""

    number: int
    end: int
    next_line: int
    values: Any = None
    error: str | None = None
    raw: str = ""


def _sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def iter_csv(path: Path, encoding: str, offset: int = 0, line: int = 1) -> tuple[list[str], Iterator[Row]]:
    """Header and an iterator of rows after (offset, line); rows are lists of strings."""
    header_row: Row | None = None
    for row in _csv_records(path, encoding, 0, 1, ","):
        if row.error or (row.values and any(v.strip() for v in row.values)):
            header_row = row
            break
    if header_row is None:
        raise FileProblem("file is empty (no header row)")
    if header_row.error:
        raise FileProblem(f"header line {header_row.number}: {header_row.error}")
    delim = _sniff_delimiter(header_row.raw)
    if delim != ",":
        header_row = next(_csv_records(path, encoding, 0, 1, delim))
    header = [h.strip() for h in header_row.values]
    if offset < header_row.end:
        offset, line = header_row.end, header_row.next_line
    return header, _csv_records(path, encoding, offset, line, delim, len(header))


def _csv_records(
    path: Path, encoding: str, offset: int, line: int, delim: str, width: int | None = None
) -> Iterator[Row]:
    """Logical CSV records from raw lines.

    A quote left open would swallow every following line into one record. With the header's ``width``
    known, an open record gives up on its first line (quarantined as an unclosed quote) and the lines after
    it are read again as records of their own as soon as a following line is a complete row by itself, or
    when the assembled record has the wrong number of fields.
    """
    pending: deque[Line] = deque()
    source = iter_lines(path, encoding, offset, line)
    buf: list[Line] = []
    quotes = 0
    while True:
        ln = pending.popleft() if pending else next(source, None)
        if ln is None:
            if not buf:
                break
            yield _give_up(buf, pending)
            buf, quotes = [], 0
            continue
        if ln.text is None:
            if buf:  # the broken line ends the record being assembled; re-read it on its own
                pending.appendleft(ln)
                yield _give_up(buf, pending)
                buf, quotes = [], 0
                continue
            yield Row(ln.number, ln.end, ln.number + 1, error=f"not valid {encoding} text", raw=repr(ln.raw[:200]))
            continue
        if not buf and not ln.text.strip():
            continue
        if not buf and '"' not in ln.text and (values := split_unquoted(ln.text, delim)) is not None:
            yield Row(ln.number, ln.end, ln.number + 1, values=values, raw=ln.text)
            continue
        if not buf and not _opens_quote(ln.text, delim):  # quotes only inside fields: literal characters
            yield Row(ln.number, ln.end, ln.number + 1, values=next(csv.reader([ln.text], delimiter=delim), []),
                      raw=ln.text)
            continue
        if buf and width and _complete_row(ln.text, delim, width):
            pending.appendleft(ln)
            yield _give_up(buf, pending)
            buf, quotes = [], 0
            continue
        buf.append(ln)
        quotes += ln.text.count('"')
        if quotes % 2 == 0:
            text = "".join(x.text or "" for x in buf)
            try:
                values = next(csv.reader([text], delimiter=delim), [])
            except csv.Error as exc:
                yield Row(buf[0].number, buf[-1].end, buf[-1].number + 1, error=f"malformed CSV ({exc})", raw=text)
            else:
                if len(buf) > 1 and width and len(values) != width:
                    yield _give_up(buf, pending)
                else:
                    yield Row(buf[0].number, buf[-1].end, buf[-1].number + 1, values=values, raw=text)
            buf, quotes = [], 0
        elif len(buf) > MAX_RECORD_LINES:
            yield _give_up(buf, pending)
            buf, quotes = [], 0


def split_unquoted(line: str, delim: str) -> list[str] | None:
    """What csv.reader makes of one line without quotes, by str.split; None when only csv can tell.

    Most export rows have no quoted field, and a csv.reader per record costs more than the split.
    """
    body = line[:-2] if line.endswith("\r\n") else line[:-1] if line.endswith(("\n", "\r")) else line
    if "\r" in body or "\n" in body or "\x00" in body:
        return None
    return body.split(delim) if body else []


def _opens_quote(text: str, delim: str) -> bool:
    """Whether a quote starts a field (a quoted field); a quote inside a field is an ordinary character."""
    return bool(re.search(f'(?:^|{re.escape(delim)})[ \t]*"', text))


def _complete_row(text: str, delim: str, width: int) -> bool:
    """A line without quotes that splits into exactly the header's number of fields: a row on its own."""
    if '"' in text:
        return False
    values = split_unquoted(text, delim)
    return values is not None and len(values) == width


def _give_up(buf: list[Line], pending: deque[Line]) -> Row:
    """An unclosed quote: quarantine its first line and re-read the lines after it as new records."""
    first = buf[0]
    for ln in reversed(buf[1:]):
        pending.appendleft(ln)
    return Row(first.number, first.end, first.number + 1, error='unclosed quote (") in this row', raw=first.text or "")


def iter_jsonl(path: Path, encoding: str, offset: int = 0, line: int = 1) -> Iterator[Row]:
    """JSON objects one per line; a truncated or non-object line is a row with an error."""
    for ln in iter_lines(path, encoding, offset, line):
        if ln.text is None:
            yield Row(ln.number, ln.end, ln.number + 1, error=f"not valid {encoding} text", raw=repr(ln.raw[:200]))
            continue
        text = ln.text.strip()
        if not text:
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            reason = f"invalid JSON ({exc.msg} at column {exc.colno})"
            yield Row(ln.number, ln.end, ln.number + 1, error=reason, raw=text)
            continue
        if not isinstance(obj, dict):
            yield Row(ln.number, ln.end, ln.number + 1, error="expected a JSON object {...}", raw=text)
            continue
        yield Row(ln.number, ln.end, ln.number + 1, values=obj, raw=text)


def iter_xlsx(path: Path, start_row: int = 0) -> tuple[list[str], Iterator[Row]]:
    """Header and rows of the first sheet (openpyxl read-only); positions are worksheet row numbers."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken zip or XML
        raise FileProblem(f"cannot open workbook ({type(exc).__name__}: {exc})") from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header: list[str] | None = None
    header_no = 0
    for n, values in enumerate(rows, start=1):
        if values and any(v not in (None, "") for v in values):
            header = ["" if v is None else str(v).strip() for v in values]
            header_no = n
            break
    if header is None:
        wb.close()
        raise FileProblem("workbook's first sheet is empty")

    def body() -> Iterator[Row]:
        try:
            first = max(start_row, header_no + 1)
            for n, values in enumerate(ws.iter_rows(min_row=first, values_only=True), start=first):
                if not values or all(v in (None, "") for v in values):
                    continue
                yield Row(n, n + 1, n + 1, values=list(values))
        finally:
            wb.close()

    return header, body()
