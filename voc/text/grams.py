"""Character bigrams of a text: the keyword channel that does not depend on where jieba cut the words.

Short customer questions are often segmented differently from the records that answer them (花呗还款 as one
word in one text and 花呗 / 还款 in the other, a typo, a brand-new product name), and then no word matches.
Character bigrams still do: on real finance questions a char-bigram TF-IDF finds the paraphrase far more often
than a word TF-IDF (bench/bench_search_quality.py). Latin and digit runs are kept whole, lower-cased.
"""

from __future__ import annotations

import re

_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")
_PLACEHOLDER = re.compile(r"\[[\u4e00-\u9fff]{2,5}\]")  # [手机号] and friends say nothing about the topic


def char_grams(text: str) -> str:
    """Space-joined bigrams of every CJK run (a lone character stands for itself), what FTS5 indexes."""
    out: list[str] = []
    for run in _RUN.findall(_PLACEHOLDER.sub(" ", text or "")):
        if not run.isascii() and len(run) > 1:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run.lower())
    return " ".join(out)
