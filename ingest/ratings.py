"""Rating exports (app stores, NPS surveys, CSAT): CSV, XLSX and JSONL with Chinese or English headers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ingest.base import BadItem, Mark, Position, RawItem, Reject, ScanItem, excerpt
from ingest.fields import (
    clean_text,
    customer_key,
    extra_fields,
    header_list,
    ident,
    label,
    number,
    resolve_columns,
    row_hash,
    text_extra,
)
from ingest.files import FileIngestor, FilePlan
from ingest.readers import FileProblem, Row, detect_encoding, iter_csv, iter_jsonl, iter_xlsx
from ingest.times import parse_time
from voc.schema import SCALE_RANGES, Channel, RatingScale, Record

ALIASES: dict[str, tuple[str, ...]] = {
    "text": (
        "评价内容", "评论内容", "评论", "内容", "意见建议", "意见", "建议", "反馈内容", "反馈", "留言", "评价",
        "comment", "comments", "text", "content", "review", "feedback", "body", "message", "verbatim",
    ),
    "rating": (
        "评分", "分数", "得分", "推荐意愿", "推荐度", "推荐分", "满意度", "星级", "打分",
        "score", "rating", "stars", "star", "nps", "csat",
    ),
    "created_at": (
        "时间", "日期", "提交时间", "评价时间", "创建时间", "发布时间", "填写时间", "反馈时间",
        "created_at", "created", "date", "time", "datetime", "timestamp", "submitted_at", "submit_time",
    ),
    "source_id": ("编号", "问卷编号", "评价编号", "记录编号", "单号", "流水号", "id", "review_id", "response_id"),
    "customer_id": (
        "客户号", "客户编号", "客户id", "用户id", "会员号",
        "customer_id", "customer", "cust_id", "client_id", "user_id",
    ),
    "branch": ("网点", "支行", "营业网点", "机构", "branch"),
    "product": ("产品", "业务", "业务类型", "product"),
    "subtype": ("类型", "评价类型", "子类", "subtype", "type"),
    "agent_id": ("坐席", "工号", "坐席工号", "agent_id", "agent"),
}
MAP_FIELDS = tuple(ALIASES)
SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm", ".jsonl", ".ndjson")
LINE_BASED = {".csv": True, ".tsv": True, ".jsonl": True, ".ndjson": True, ".xlsx": False, ".xlsm": False}


def scale_from_hint(text: str | None) -> str | None:
    """A scale named by a header, subtype or source name (推荐意愿, NPS, 满意度, CSAT, 星级)."""
    t = (text or "").lower()
    if "推荐" in t or "nps" in t or "0-10" in t or "0~10" in t:
        return RatingScale.NPS10
    if "满意" in t or "csat" in t:
        return RatingScale.CSAT5
    if "星" in t or "star" in t:
        return RatingScale.STAR5
    return None


def scale_from_values(values: list[float]) -> str:
    """A 0 or anything above 5 means a 0-10 NPS scale; otherwise 1-5 stars."""
    return RatingScale.NPS10 if any(v == 0 or 5 < v <= 10 for v in values) else RatingScale.STAR5


class RatingsIngestor(FileIngestor):
    """Reads a rating file or a folder of them; one record per row."""

    suffixes = SUFFIXES
    line_based = LINE_BASED
    kind = "ratings"

    def __init__(
        self,
        path: Path | str,
        source: str | None = None,
        salt: str = "",
        max_text_chars: int = 5000,
        mapping: Mapping[str, str] | None = None,
        scale: str | None = None,
        subtype: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(path, source, salt, max_text_chars, **options)
        self.mapping = dict(mapping or {})
        self.scale = scale
        self.subtype = subtype

    # reading -------------------------------------------------------------------------------------------

    def _open(self, plan: FilePlan, offset: int, line: int) -> tuple[list[str] | None, Iterator[Row], bool]:
        """(header or None for JSONL, rows from the position, rows-are-worksheet-rows)."""
        name = plan.path.name.lower()
        if name.endswith((".xlsx", ".xlsm")):
            header, rows = iter_xlsx(plan.path, offset)
            return header, rows, True
        encoding = detect_encoding(plan.path)
        if name.endswith((".jsonl", ".ndjson")):
            return None, iter_jsonl(plan.path, encoding, offset, line), False
        header, rows = iter_csv(plan.path, encoding, offset, line)
        return header, rows, False

    def _columns(self, header: list[str]) -> tuple[dict[str, int], list[str]]:
        found, problems = resolve_columns(header, ALIASES, self.mapping)
        for field in ("text", "created_at"):
            if field not in found and not any(field in p for p in problems):
                problems.append(f"no {field} column among headers {header_list(header)}; pass --map {field}=COLUMN")
        return found, problems

    def _cached_columns(
        self, cache: dict[tuple, tuple[dict[str, int], list[str]]], header: list[str]
    ) -> tuple[dict[str, int], list[str]]:
        """Columns of a JSONL object's keys, resolved once per distinct key list (not once per line)."""
        key = tuple(header)
        if key not in cache:
            cache[key] = self._columns(header)
        return cache[key]

    def _file_scale(self, plan: FilePlan, header: list[str] | None, cols: dict[str, int]) -> tuple[str | None, bool]:
        """(scale, weak): weak scales (guessed from values) give way to a row's subtype hint."""
        if self.scale:
            return self.scale, False
        if header is not None and "rating" in cols:
            hinted = scale_from_hint(header[cols["rating"]])
            if hinted:
                return hinted, False
        hinted = scale_from_hint(self.subtype) or scale_from_hint(self.source)
        if hinted:
            return hinted, False
        values: list[float] = []
        _, rows, _ = self._open(plan, 0, 1)
        cache: dict[tuple, tuple[dict[str, int], list[str]]] = {}
        for row in rows:
            if row.error:
                continue
            hdr, vals = (header, row.values) if header is not None else (list(row.values), list(row.values.values()))
            c = cols if header is not None else self._cached_columns(cache, hdr)[0]
            if "rating" not in c or c["rating"] >= len(vals):
                continue
            try:
                v = number(vals[c["rating"]])
            except Reject:
                continue
            if v is not None:
                values.append(v)
                if v == 0 or v > 5:
                    break
        return scale_from_values(values), True

    def _scan_file(self, plan: FilePlan) -> Iterator[ScanItem]:
        """Rows of one file. A header problem carries no cursor, so a pull after fixing ``map`` retries it."""
        try:
            header, rows, sheet = self._open(plan, plan.offset, plan.line)
            cols: dict[str, int] = {}
            if header is not None:
                cols, problems = self._columns(header)
                if problems:
                    yield BadItem(plan.name, "header", "; ".join(problems))
                    return
            scale, weak = self._file_scale(plan, header, cols)
        except FileProblem as exc:
            # the bytes are unreadable: mark the file done so it is reported once, and again only if it changes
            done = Position(plan.key, plan.cursor(plan.stat.st_size, 1, True))
            yield BadItem(plan.name, "file", str(exc), "", done)
            return
        cache: dict[tuple, tuple[dict[str, int], list[str]]] = {}
        where = "row" if sheet else "line"
        offset, line = plan.offset, plan.line
        file_name = plan.path.name
        used = set(cols.values())
        for row in rows:
            offset, line = row.end, row.next_line
            pos = Position(plan.key, plan.cursor(offset, line, False))
            loc = f"{where} {row.number}"
            if row.error:
                yield BadItem(plan.name, loc, row.error, "", pos)
                continue
            if header is None:
                hdr, vals = list(row.values), list(row.values.values())
                c, problems = self._cached_columns(cache, hdr)
                if problems:
                    yield BadItem(plan.name, loc, "; ".join(problems), "", pos)
                    continue
                used = set(c.values())
            else:
                hdr, vals, c = header, row.values, cols
                if len(vals) != len(hdr):
                    reason = (
                        f"{len(vals)} fields but the header has {len(hdr)} (an unquoted comma or a missing column?)"
                    )
                    yield BadItem(plan.name, loc, reason, "", pos)
                    continue
            data: dict[str, Any] = {f: vals[i] for f, i in c.items() if i < len(vals)}
            data["extra"] = (
                {hdr[i]: v for i, v in enumerate(vals) if i not in used and v not in (None, "") and hdr[i]}
                if len(used) < len(vals) else {}
            )
            data["file"] = file_name
            data["scale"], data["weak"], data["excel"] = scale, weak, sheet
            data["raw"] = vals
            yield RawItem(plan.name, loc, data, pos)
        yield Mark(Position(plan.key, plan.cursor(offset if sheet else plan.stat.st_size, line, True)))

    # building ------------------------------------------------------------------------------------------

    def excerpt_of(self, item: RawItem) -> str:
        return excerpt({k: item.data.get(k) for k in ("created_at", "rating", "text")})

    def subject_of(self, item: RawItem) -> Any:
        return item.data.get("customer_id")

    def build(self, item: RawItem) -> Record:
        d = item.data
        rating = number(d.get("rating"))
        subtype = self.subtype or label(d.get("subtype")) or self.source
        scale = d["scale"]
        if d["weak"]:
            scale = scale_from_hint(subtype) or scale
        if rating is not None:
            lo, hi = SCALE_RANGES[scale]
            if not lo <= rating <= hi:
                raise Reject(f"rating is outside the {scale} scale ({lo:g}-{hi:g})")
        created = parse_time(d.get("created_at"), excel=d["excel"])
        cleaned = clean_text(d.get("text"), self.max_text_chars)
        source_id = self.safe_id(d.get("source_id")) or row_hash(d["file"], d["raw"])
        extra = extra_fields(d["extra"])
        extra.update(text_extra(cleaned))
        return Record(
            source=self.source,
            source_id=source_id,
            channel=Channel.RATING,
            created_at=created,
            text=cleaned.text,
            tokens=cleaned.tokens,
            subtype=subtype,
            rating=rating,
            rating_scale=scale if rating is not None else None,
            customer_key=customer_key(ident(d.get("customer_id")), self.salt),
            agent_id=self.safe_id(d.get("agent_id")),
            branch=label(d.get("branch")),
            product=label(d.get("product")),
            extra=extra,
        )
