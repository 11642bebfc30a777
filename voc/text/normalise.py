"""Text normalisation so the same complaint written differently is stored (and counted) the same way."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import opencc

_WS = re.compile(r"\s+")
# zero-width and other invisible format characters that break tokenisation and matching
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG = re.compile(r"<[^<>]{1,200}>")
_URL = re.compile(r"https?://[^\s\u4e00-\u9fff，。！？、]+|www\.[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s\u4e00-\u9fff]*")
# An @mention, but not the middle of an e-mail address (no word character right before the @).
_MENTION = re.compile(r"(?<![A-Za-z0-9._%+-])@([\w\u4e00-\u9fff-]{1,30})")
_HASHTAG = re.compile(r"#([^#\n]{1,40})#")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalise(text: str | None) -> str:
    """NFKC (full-width to half-width), traditional to simplified, HTML entities, one space for any gap."""
    if not text:
        return ""
    text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _t2s().convert(text)
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class SocialParts:
    """A social post with its markers moved into fields, so themes read the words, not the links."""

    text: str
    urls: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)


def split_social(text: str) -> SocialParts:
    """Strip URLs and @mentions into fields; #话题# keeps its words in the text but loses the markers."""
    urls = _URL.findall(text)
    text = _URL.sub(" ", text)
    mentions = _MENTION.findall(text)
    text = _MENTION.sub(" ", text)
    hashtags = [h.strip() for h in _HASHTAG.findall(text)]
    text = _HASHTAG.sub(lambda m: f" {m.group(1).strip()} ", text)
    return SocialParts(_WS.sub(" ", text).strip(), urls, mentions, hashtags)
