"""Sentiment benchmark: texts/s for voc (trained and lexicon-only) and SnowNLP, cross-domain accuracy, bank forum.

Run: .venv/bin/python bench/bench_sentiment.py [--n 2000] [--skip-eval] [--skip-bank] [--json PATH]
Reads ../shared/data (waimai_10k.csv, online_shopping_9_cats.csv, bank_forum_sentiment.csv); never copies it.

The bank forum tables report only the rows outside the fixed development portion (``dev_sentiment.bank_dev``,
where recipe choices were made): three classes in 5 folds over those rows, with the development rows joining
every fold's training data (``voc eval sentiment REPORT.csv --folds 5 --train-file DEV.csv``), and the lexicon
alone with no training at all (``voc eval sentiment REPORT.csv``), also on the whole file.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dev_sentiment import read_bank  # noqa: E402

from voc.sentiment import LexiconScorer, SentimentModel, SnowNLPScorer  # noqa: E402
from voc.sentiment.evaluate import evaluate, evaluate_folds, read_labelled  # noqa: E402
from voc.text.segment import get_segmenter  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SETS = {"waimai": "waimai_10k.csv", "shopping": "online_shopping_9_cats.csv"}


def rate(fn, texts: list[str], repeats: int = 3, **kwargs) -> float:
    """Texts/s, the median of ``repeats`` timed passes over the same texts."""
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(texts, **kwargs)
        rates.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(rates)


def speed(data: dict, n: int) -> list[dict]:
    """Texts/s of each scorer on the same n texts per data set (the model trained on the other set).

    voc is timed for both data sets before SnowNLP is first imported: SnowNLP loads millions of Python
    objects, which slows every later garbage collection in the process, and enrichment never loads it.
    """
    rows = []
    lex = LexiconScorer()
    seg = get_segmenter()
    samples = {}
    for name, (texts, _labels) in data.items():
        other = next(k for k in data if k != name)
        model = SentimentModel().fit(*data[other])
        sample = random.Random(0).sample([t for t in texts if t.strip()], n)
        samples[name] = sample
        tokens = [seg.cut(t) for t in sample]
        rows.append(
            {
                "texts": name,
                "n": n,
                "mean_chars": round(sum(map(len, sample)) / n, 1),
                "voc_model": rate(model.score_many, sample),
                "voc_lexicon": rate(lex.score_many, sample),
                # What scoring costs when the caller already holds Segmenter.cut tokens.
                "voc_model_pretokenised": rate(model.score_many, sample, tokens=tokens),
            }
        )
    snow = SnowNLPScorer()
    for row in rows:
        row["snownlp"] = rate(lambda t: [snow.probability(x) for x in t], samples[row["texts"]], repeats=1)
    return rows


def bank_tables(pretrained: list[str]) -> dict:
    """Bank forum posts, three classes: 5-fold on the reported rows (development rows in every training fold)
    once per pretrained choice, and the lexicon alone on the reported rows and on the whole file."""
    rows = read_bank()
    dev = [r for r in rows if r[2]]
    report = [r for r in rows if not r[2]]
    texts, labels = [r[0] for r in report], [r[1] for r in report]
    out = {}
    for choice in pretrained:
        model = SentimentModel(pretrained=choice)
        dev_texts, dev_labels = [r[0] for r in dev], [r[1] for r in dev]
        name = f"bank 5-fold, pretrained {choice}"
        out[name] = evaluate_folds(texts, labels, 5, dev_texts, dev_labels, model=model)
    out["bank lexicon only (reported rows)"] = evaluate(texts, labels, [], [])
    out["bank lexicon only (whole file)"] = evaluate([r[0] for r in rows], [r[1] for r in rows], [], [])
    return out


def show(results: dict) -> None:
    print(f"\n{'rows':34s} {'scorer':22s} {'accuracy':>9s} {'macro_f1':>9s} {'neg_f1':>8s} {'roc_auc':>8s}")
    for pair, res in results.items():
        for scorer in ("voc", "voc_without_adaptation", "snownlp", "baseline"):
            if scorer in res:
                m = res[scorer]
                print(f"{pair:34s} {scorer:22s} {m['accuracy']:9.4f} {m['macro_f1']:9.4f} "
                      f"{m['negative_f1']:8.4f} {m['roc_auc']:8.4f}")
        decisions = [("applied" if a.get("applied") else "refused") + f" ({a.get('reason', '')})"
                     for a in res.get("adaptation", [])]
        if decisions:
            print(f"{'':34s} adaptation: " + "; ".join(dict.fromkeys(decisions)))
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="texts per data set for the speed test")
    ap.add_argument("--skip-eval", action="store_true", help="speed only")
    ap.add_argument("--skip-bank", action="store_true", help="no bank forum tables")
    ap.add_argument("--skip-speed", action="store_true", help="no speed table")
    ap.add_argument("--pretrained", default="none", help="comma-separated vector blocks for the bank 5-fold rows")
    ap.add_argument("--json", type=Path, help="write results here")
    args = ap.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA} is absent: nothing to benchmark")
    data = {k: read_labelled(DATA / f, "review", "label") for k, f in SETS.items()}
    with (DATA / SETS["shopping"]).open(encoding="utf-8") as f:
        categories = [r["cat"] for r in csv.DictReader(f) if (r["label"] or "").strip() in {"0", "1"}]
    out: dict = {}
    if not args.skip_speed:
        out["speed"] = speed(data, args.n)
        head = ("texts", "chars", "voc model/s", "voc lexicon/s", "model+tokens/s", "snownlp/s", "speed-up")
        print("{:10s} {:>6s} {:>12s} {:>14s} {:>15s} {:>10s} {:>9s}".format(*head))
        for r in out["speed"]:
            print(
                f"{r['texts']:10s} {r['mean_chars']:6.1f} {r['voc_model']:12.0f} {r['voc_lexicon']:14.0f} "
                f"{r['voc_model_pretokenised']:15.0f} {r['snownlp']:10.0f} {r['voc_model'] / r['snownlp']:8.1f}x",
                flush=True,
            )
    if not args.skip_bank:
        out["bank"] = bank_tables(args.pretrained.split(","))
        show(out["bank"])
    if not args.skip_eval:
        out["eval"] = {}
        for train, test in (("shopping", "waimai"), ("waimai", "shopping")):
            # Shopping's product categories are the training groups: calibration folds leave whole ones out.
            groups = categories if train == "shopping" else None
            res = evaluate(*data[test], *data[train], train_groups=groups)
            out["eval"][f"{train}->{test}"] = res
        show(out["eval"])
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
