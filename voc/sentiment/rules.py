"""Complaint shapes that carry no sentiment word, and Cantonese read as Mandarin for scoring.

Most app-review and call complaints are a verb with a failed result (登录不上去, 打不开, 转不了, 收不到验证码),
an inability (没法登录, 无法转账) or a process word in a complaining frame (又要更新, 一直转圈): a word lexicon
sees nothing in them. ``ComplaintRules`` matches these shapes on the characters, so they do not depend on
how jieba happens to cut them. Cantonese reviews (用唔到, 登入唔到, 冇反应) stay Cantonese after OpenCC's
t2s; ``Dialect`` rewrites them into the Mandarin the lexicon and the rules know, for scoring only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from voc.text.segment import LEXICON_DIR, read_lexicon

# Characters that (almost) only Cantonese writing uses: a text without any keeps its Mandarin untouched.
_CANTONESE = re.compile(r"[唔冇咗嘅啲嚟哋佢咩揾睇俾揿嘢喺攞咁啱撚乜]|成日|点解|好耐|系咪")
_SPACE_BEFORE_LATIN = re.compile(r"(?<=唔)\s+(?=[A-Za-z])")


@dataclass(frozen=True)
class RuleHit:
    """A shape found in a text: the rule's name, its value (negative for a complaint) and the characters matched."""

    rule: str
    value: float
    phrase: str
    start: int
    end: int


@dataclass(frozen=True)
class ComplaintRules:
    """Named regular expressions from ``complaint_patterns.txt``: ``{ACTION}`` is filled from the action list,
    ``{POSITIVE}`` from the praise words (so 有点X can leave 有点喜欢 alone)."""

    rules: tuple[tuple[str, float, re.Pattern[str]], ...]
    # Fixed phrases such as 离不开 / 了不起: a match inside one of them is not a complaint.
    vetoes: re.Pattern[str] | None = None

    @classmethod
    def load(cls, folder: Path = LEXICON_DIR) -> ComplaintRules:
        actions = sorted(read_lexicon(folder / "complaint_actions.txt"), key=len, reverse=True)
        action = "|".join(re.escape(a) for a in actions) or "(?!)"
        praise = sorted((line.split()[0] for line in read_lexicon(folder / "sentiment_positive.txt")), key=len,
                        reverse=True)
        positive = "|".join(re.escape(w) for w in praise) or "(?!)"
        rules = []
        for line in read_lexicon(folder / "complaint_patterns.txt"):
            name, weight, pattern = line.split(maxsplit=2)
            value = float(weight) if weight.startswith("+") else -abs(float(weight))
            pattern = pattern.replace("{ACTION}", action).replace("{POSITIVE}", positive)
            rules.append((name, value, re.compile(pattern, re.I)))
        fixed = [w for w in read_lexicon(folder / "sentiment_neutral.txt") if "不" in w or "没" in w]
        vetoes = re.compile("|".join(map(re.escape, sorted(fixed, key=len, reverse=True)))) if fixed else None
        return cls(tuple(rules), vetoes)

    def match(self, text: str) -> list[RuleHit]:
        """Non-overlapping complaint shapes, left to right; the earlier and then the longer match wins."""
        found: list[RuleHit] = []
        for name, value, pattern in self.rules:
            for m in pattern.finditer(text):
                if m.end() > m.start():
                    found.append(RuleHit(name, value, m.group(0), m.start(), m.end()))
        if not found:
            return found
        vetoed = [m.span() for m in self.vetoes.finditer(text)] if self.vetoes else []
        found.sort(key=lambda h: (h.start, -(h.end - h.start)))
        out: list[RuleHit] = []
        for hit in found:
            if out and hit.start < out[-1].end:
                continue
            if any(s < hit.end and hit.start < e for s, e in vetoed):
                continue
            out.append(hit)
        return out


@dataclass(frozen=True)
class Dialect:
    """Cantonese words -> Mandarin (``cantonese.txt``), longest first, applied only to Cantonese-marked text."""

    pairs: dict[str, str]
    pattern: re.Pattern[str] | None

    @classmethod
    def load(cls, folder: Path = LEXICON_DIR) -> Dialect:
        pairs: dict[str, str] = {}
        for line in read_lexicon(folder / "cantonese.txt"):
            parts = line.split()
            pairs[parts[0]] = parts[1] if len(parts) > 1 else ""
        keys = sorted(pairs, key=len, reverse=True)
        return cls(pairs, re.compile("|".join(map(re.escape, keys)), re.I) if keys else None)

    def to_mandarin(self, text: str) -> str:
        """The text with its Cantonese words in Mandarin; any other text comes back as it is (same object)."""
        if self.pattern is None or not _CANTONESE.search(text):
            return text
        text = _SPACE_BEFORE_LATIN.sub("", text)
        return self.pattern.sub(lambda m: self.pairs.get(m.group(0), self.pairs.get(m.group(0).lower(), "")), text)


def token_spans(text: str, tokens: list[str] | tuple[str, ...]) -> list[tuple[int, int]] | None:
    """Each token's character span in ``text`` (tokens are cut from it, whitespace dropped); None if they drift."""
    spans = []
    pos = 0
    for tok in tokens:
        at = text.find(tok, pos)
        if at < 0:
            return None
        spans.append((at, at + len(tok)))
        pos = at + len(tok)
    return spans
