"""Chinese word segmentation with the bank's own dictionary.

voc owns a ``jieba.Tokenizer`` instance instead of touching jieba's global state, so loading the bank
dictionary never changes segmentation for other code in the same process.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

import jieba

log = logging.getLogger(__name__)

LEXICON_DIR = Path(__file__).resolve().parents[2] / "lexicons"
BANK_TERMS = LEXICON_DIR / "bank_terms.txt"
STOPWORDS = LEXICON_DIR / "stopwords.txt"

# A token is kept as a content word when it holds a CJK character, a Latin letter or a digit run.
_CONTENT = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_PLACEHOLDER = re.compile(r"\[[\u4e00-\u9fff]{2,4}\]")


def read_lexicon(path: Path) -> list[str]:
    """Lines of a lexicon file without comments and blanks (the shared lexicon format)."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


class Segmenter:
    """jieba segmentation with the bank dictionary and stopword list loaded into a private tokenizer."""

    def __init__(self, user_dict: Path | None = BANK_TERMS, stopwords: Path | None = STOPWORDS) -> None:
        self.user_dict = user_dict
        self.stopwords_path = stopwords
        self._tokenizer = jieba.Tokenizer()
        jieba.setLogLevel(logging.WARNING)
        self._tokenizer.initialize()
        self.user_terms: list[str] = []
        if user_dict is not None:
            for line in read_lexicon(user_dict):
                parts = line.split()
                word = parts[0]
                freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
                # A frequency in the file wins, so a bank can stop a term from swallowing its neighbours.
                if freq is None:
                    freq = max(self._tokenizer.suggest_freq(word, tune=False), 2000)
                self._tokenizer.add_word(word, freq=freq, tag=tag)
                self.user_terms.append(word)
        self.stopwords: frozenset[str] = frozenset(read_lexicon(stopwords)) if stopwords else frozenset()

    def cut(self, text: str) -> list[str]:
        """All tokens, whitespace dropped; placeholders such as ``[手机号]`` stay one token."""
        out: list[str] = []
        pos = 0
        for m in _PLACEHOLDER.finditer(text):
            out.extend(self._cut_plain(text[pos : m.start()]))
            out.append(m.group(0))
            pos = m.end()
        out.extend(self._cut_plain(text[pos:]))
        return out

    def _cut_plain(self, text: str) -> list[str]:
        return [t for t in self._tokenizer.lcut(text, HMM=True) if t.strip()]

    def words(self, text: str) -> list[str]:
        """Content words: no stopwords, punctuation or PII placeholders (what keywords and models read)."""
        return [
            t
            for t in self._tokenizer.lcut(_PLACEHOLDER.sub(" ", text), HMM=True)
            if t not in self.stopwords and _CONTENT.search(t)
        ]


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _default() -> Segmenter:
    with _lock:
        log.debug("loading jieba with %s", BANK_TERMS)
        return Segmenter()


def get_segmenter() -> Segmenter:
    """The process-wide segmenter with the bank dictionary (built once, about a second)."""
    return _default()
