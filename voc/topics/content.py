"""Topic words: the tokens that say what a complaint is about, as opposed to how the customer feels.

A fifth of real complaints are bare rants (垃圾, 太差了, 无语): they have no topic word, so they go to one
explicit bucket (泛泛抱怨) instead of pulling every theme's centroid towards "generic anger" or forming a junk
theme of their own. Theme keywords and labels are chosen among topic words only, so a label never reads
垃圾 · 无语. The generic list is a plain lexicon (``lexicons/generic_words.txt``) a bank can extend.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from voc.text.segment import LEXICON_DIR, get_segmenter, read_lexicon

_READABLE = re.compile(r"[\u4e00-\u9fffA-Za-z]")


@dataclass(frozen=True)
class TopicWords:
    """Filters tokens down to topic words: readable, not generic, not a sentiment or function word."""

    excluded: frozenset[str]
    domain: frozenset[str]

    @classmethod
    def load(cls, folder: Path = LEXICON_DIR) -> TopicWords:
        """Generic words, praise words, degree adverbs, negations and stopwords are not topics."""
        seg = get_segmenter()
        generic = set(read_lexicon(folder / "generic_words.txt"))
        excluded: set[str] = set()
        for name in ("sentiment_positive.txt", "degree_adverbs.txt"):
            excluded.update(line.split()[0] for line in read_lexicon(folder / name))
        excluded.update(read_lexicon(folder / "negations.txt"))
        excluded.update(seg.stopwords)
        # A bank term is a topic even where a stopword or sentiment list has it; the generic list still wins.
        domain = frozenset(seg.user_terms) - generic
        return cls(frozenset((excluded - domain) | generic), domain)

    def is_topic(self, token: str) -> bool:
        if token in self.domain:
            return True
        return len(token) > 1 and token not in self.excluded and token.lower() not in self.excluded and bool(
            _READABLE.search(token)
        )

    def of(self, tokens: Iterable[str]) -> list[str]:
        """Distinct topic words of one record, in order of first use."""
        seen: dict[str, None] = {}
        for t in tokens:
            if t not in seen and self.is_topic(t):
                seen[t] = None
        return list(seen)

    def many(self, token_lists: Sequence[Sequence[str]]) -> list[list[str]]:
        return [self.of(t) for t in token_lists]


@lru_cache(maxsize=1)
def topic_words() -> TopicWords:
    """The shipped lexicons' topic-word filter, read once per process."""
    return TopicWords.load()
