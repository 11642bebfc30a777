"""Texts/s of voc's text chain (normalise + redact + segment) on 100k texts, next to raw jieba and rjieba.

    python bench/bench_text.py [--n 100000] [--json PATH]
"""

from __future__ import annotations

import argparse

from _common import print_table, review_texts, timed, write_json


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--json")
    args = ap.parse_args()

    import jieba
    import rjieba

    from voc.text import clean
    from voc.text.normalise import normalise
    from voc.text.redact import redact
    from voc.text.segment import get_segmenter

    texts = review_texts(args.n)
    raw = jieba.Tokenizer()
    raw.initialize()
    compiled = rjieba.Jieba()
    get_segmenter()
    chars = sum(map(len, texts)) / len(texts)

    rows = []
    for name, fn in (
        ("jieba.lcut (raw, no dictionary)", lambda: [raw.lcut(t) for t in texts]),
        ("rjieba cut (raw, no dictionary; voc's engine)", lambda: [compiled.cut(t, True) for t in texts]),
        ("normalise", lambda: [normalise(t) for t in texts]),
        ("redact", lambda: [redact(t) for t in texts]),
        ("normalise + redact + segment (voc.text.clean)", lambda: [clean(t) for t in texts]),
    ):
        secs, _ = timed(fn)
        rows.append({"step": name, "texts": len(texts), "seconds": secs, "texts_per_s": len(texts) / secs})
    base = rows[0]["texts_per_s"]
    for r in rows:
        r["vs_raw_jieba"] = r["texts_per_s"] / base
    print_table(f"text chain, one core, {len(texts)} texts of {chars:.0f} chars on average", rows)
    write_json(args.json, {"n": len(texts), "mean_chars": chars, "rows": rows})


if __name__ == "__main__":
    main()
