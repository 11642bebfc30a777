"""Social posts from JSONL or CSV exports (微博, 微信, 黑猫投诉, 小红书 ...).

Links, @mentions and #话题# markers move out of the text into ``extra`` (themes should read words, not
links); the author handle only survives as a salted customer key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ingest.base import BadItem, Mark, Position, RawItem, ScanItem, excerpt
from ingest.fields import (
    clean_text,
    customer_key,
    extra_fields,
    header_list,
    ident,
    label,
    plain,
    resolve_columns,
    row_hash,
    text_extra,
)
from ingest.files import FileIngestor, FilePlan
from ingest.readers import detect_encoding, iter_csv, iter_jsonl
from ingest.times import parse_time
from voc.keys import subject_key
from voc.schema import Channel, Record

ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "body", "正文", "内容", "帖子内容", "博文", "微博正文", "投诉内容"),
    "posted_at": (
        "posted_at", "created_at", "published_at", "time", "date", "发布时间", "发帖时间", "时间", "日期",
    ),
    "source_id": ("id", "post_id", "mid", "帖子id", "编号"),
    "platform": ("platform", "平台", "来源平台", "source"),
    "author": ("author", "user", "screen_name", "handle", "用户", "作者", "昵称", "发布者"),
    "url": ("url", "link", "链接", "原文链接"),
    "likes": ("likes", "like_count", "点赞", "点赞数"),
    "reposts": ("reposts", "repost_count", "shares", "转发", "转发数"),
    "comments": ("comments", "comment_count", "评论数"),
}
SUFFIXES = (".jsonl", ".ndjson", ".csv")
LINE_BASED = {".jsonl": True, ".ndjson": True, ".csv": True}
_COUNTS = ("likes", "reposts", "comments")


def count(value: Any) -> Any:
    """Engagement counts as ints where they are numbers ('1,204' too); other spellings kept as redacted text."""
    if value is None or isinstance(value, int):
        return value
    try:
        return int(float(str(value).replace(",", "").strip()))
    except ValueError:
        return plain(value)


class SocialIngestor(FileIngestor):
    """Reads social exports; ``build`` is shared with the HTTP connector, which yields the same item shape."""

    suffixes = SUFFIXES
    line_based = LINE_BASED
    kind = "social"

    def __init__(
        self,
        path: Path | str,
        source: str | None = None,
        salt: str = "",
        max_text_chars: int = 5000,
        mapping: Mapping[str, str] | None = None,
        platform: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(path, source, salt, max_text_chars, **options)
        self.mapping = dict(mapping or {})
        self.platform = platform

    def item_data(self, header: list[str], values: list[Any], file: str) -> tuple[dict[str, Any] | None, str]:
        """Map one row or object to the canonical fields; (None, reason) when text or time is missing."""
        cols, problems = resolve_columns(header, ALIASES, self.mapping)
        for field in ("text", "posted_at"):
            if field not in cols and not problems:
                problems.append(f"no {field} field among {header_list(header)}; pass --map {field}=NAME")
        if problems:
            return None, "; ".join(problems)
        data: dict[str, Any] = {f: values[i] for f, i in cols.items() if i < len(values)}
        used = set(cols.values())
        data["extra"] = {
            str(header[i]): v for i, v in enumerate(values) if i not in used and v not in (None, "") and header[i]
        }
        data["file"] = file
        data["raw"] = values
        return data, ""

    def _scan_file(self, plan: FilePlan) -> Iterator[ScanItem]:
        encoding = detect_encoding(plan.path)
        if plan.path.name.lower().endswith(".csv"):
            header, rows = iter_csv(plan.path, encoding, plan.offset, plan.line)
        else:
            header, rows = None, iter_jsonl(plan.path, encoding, plan.offset, plan.line)
        line = plan.line
        for row in rows:
            line = row.next_line
            pos = Position(plan.key, plan.cursor(row.end, row.next_line, False))
            loc = f"line {row.number}"
            if row.error:
                yield BadItem(plan.name, loc, row.error, "", pos)
                continue
            if header is not None and len(row.values) != len(header):
                reason = f"{len(row.values)} fields but the header has {len(header)}"
                yield BadItem(plan.name, loc, reason, "", pos)
                continue
            hdr = header if header is not None else list(row.values)
            vals = row.values if header is not None else list(row.values.values())
            data, problem = self.item_data(hdr, vals, plan.path.name)
            if data is None:
                yield BadItem(plan.name, loc, problem, "", pos)
            else:
                yield RawItem(plan.name, loc, data, pos)
        yield Mark(Position(plan.key, plan.cursor(plan.stat.st_size, line, True)))

    def excerpt_of(self, item: RawItem) -> str:
        return excerpt({k: item.data.get(k) for k in ("posted_at", "platform", "text")})

    def subject_of(self, item: RawItem) -> Any:
        return item.data.get("author")

    def _mentions(self, mentions: list[str]) -> list[str]:
        """@handles by the declared policy: salted keys (who, not their name) or nothing."""
        if self.mentions == "drop":
            return []
        return [f"h:{subject_key(m, self.salt)}" for m in mentions]

    def build(self, item: RawItem) -> Record:
        d = item.data
        posted = parse_time(d.get("posted_at"), "posted_at")
        cleaned = clean_text(d.get("text"), self.max_text_chars, social=True)
        platform = label(d.get("platform")) or self.platform or self.source
        extra: dict[str, Any] = extra_fields(d["extra"])
        extra.update(cleaned.fields)
        if "mentions" in extra:
            extra["mentions"] = self._mentions(extra["mentions"])
            if not extra["mentions"]:
                del extra["mentions"]
        extra["platform"] = platform
        if d.get("url"):
            extra["url"] = plain(d["url"])
        for key in _COUNTS:
            if d.get(key) not in (None, ""):
                extra[key] = count(d[key])
        extra.update(text_extra(cleaned))
        source_id = self.safe_id(d.get("source_id")) or row_hash(d["file"], d["raw"])
        return Record(
            source=self.source,
            source_id=source_id,
            channel=Channel.SOCIAL,
            created_at=posted,
            text=cleaned.text,
            tokens=cleaned.tokens,
            subtype=platform,
            customer_key=customer_key(ident(d.get("author")), self.salt),
            extra=extra,
        )
