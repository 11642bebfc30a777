"""Chinese word segmentation with the bank's own dictionary.

voc owns a private segmenter instance instead of touching jieba's global state, so loading the bank
dictionary never changes segmentation for other code in the same process. The default engine is jieba-rs
(``rjieba``): jieba's own dictionary, prefix DAG, max-probability path and HMM for unknown words, compiled,
so segmentation costs a few microseconds a text instead of a tenth of a millisecond. ``engine="jieba"``
keeps the pure-Python jieba as the reference the tests compare against.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from voc.errors import ConfigError

log = logging.getLogger(__name__)

# The one place that knows where the lexicons are: the `lexicons` package, in a checkout or an installed wheel.
LEXICON_DIR = Path(str(resources.files("lexicons")))
BANK_TERMS = LEXICON_DIR / "bank_terms.txt"
STOPWORDS = LEXICON_DIR / "stopwords.txt"

Engine = Literal["rjieba", "jieba"]

# A token is kept as a content word when it holds a CJK character, a Latin letter or a digit run.
_CONTENT = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_PLACEHOLDER = re.compile(r"\[[\u4e00-\u9fff]{2,4}\]")


def read_lexicon(path: Path) -> list[str]:
    """Lines of a lexicon file without comments and blanks (the shared lexicon format).

    A missing file is an error: running without the bank dictionary or the sentiment words would quietly
    give worse answers.
    """
    if not path.exists():
        raise ConfigError(f"lexicon file missing: {path} (restore it from voc's lexicons/ or reinstall voc)")
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


class _PyJieba:
    """The pure-Python jieba behind the same three calls as rjieba.Jieba."""

    def __init__(self) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tok = jieba.Tokenizer()
        self._tok.initialize()

    def cut(self, text: str, hmm: bool = True) -> list[str]:
        return self._tok.lcut(text, HMM=hmm)

    def suggest_freq(self, word: str) -> int:
        return self._tok.suggest_freq(word, tune=False)

    def add_word(self, word: str, freq: int, tag: str | None) -> None:
        self._tok.add_word(word, freq=freq, tag=tag)


def _engine(name: Engine):
    if name == "jieba":
        return _PyJieba()
    import rjieba

    return rjieba.Jieba()


class Segmenter:
    """jieba segmentation with the bank dictionary and stopword list loaded into a private tokenizer."""

    def __init__(
        self, user_dict: Path | None = BANK_TERMS, stopwords: Path | None = STOPWORDS, engine: Engine = "rjieba"
    ) -> None:
        self.user_dict = user_dict
        self.stopwords_path = stopwords
        self.engine = engine
        self._tokenizer = _engine(engine)
        self.user_terms: list[str] = []
        if user_dict is not None:
            for line in read_lexicon(user_dict):
                parts = line.split()
                word = parts[0]
                freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
                # A frequency in the file wins, so a bank can stop a term from swallowing its neighbours.
                if freq is None:
                    freq = max(self._tokenizer.suggest_freq(word), 2000)
                self._tokenizer.add_word(word, freq, tag)
                self.user_terms.append(word)
        self.stopwords: frozenset[str] = frozenset(read_lexicon(stopwords)) if stopwords else frozenset()

    def cut(self, text: str) -> list[str]:
        """All tokens, whitespace dropped; placeholders such as ``[手机号]`` stay one token."""
        if "[" not in text:
            return self._cut_plain(text)
        out: list[str] = []
        pos = 0
        for m in _PLACEHOLDER.finditer(text):
            out.extend(self._cut_plain(text[pos : m.start()]))
            out.append(m.group(0))
            pos = m.end()
        out.extend(self._cut_plain(text[pos:]))
        return out

    def _cut_plain(self, text: str) -> list[str]:
        return [t for t in self._tokenizer.cut(text, True) if t.strip()]

    def words(self, text: str) -> list[str]:
        """Content words: no stopwords, punctuation or PII placeholders (what keywords and models read)."""
        if "[" in text:
            text = _PLACEHOLDER.sub(" ", text)
        return self.content(self._tokenizer.cut(text, True))

    def content(self, tokens: list[str]) -> list[str]:
        """The content words among tokens already cut (stored tokens need no second segmentation)."""
        stop = self.stopwords
        return [t for t in tokens if t not in stop and _CONTENT.search(t) and t[0] != "["]


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _default() -> Segmenter:
    with _lock:
        log.debug("loading the segmenter with %s", BANK_TERMS)
        return Segmenter()


def get_segmenter() -> Segmenter:
    """The process-wide segmenter with the bank dictionary (built once, well under a second)."""
    return _default()
