"""Development splits for the sentiment recipe: decide on these, never on the cross-domain evaluation pairs.

``bench_sentiment.py`` reports shopping -> waimai and waimai -> shopping; a change chosen because it helps
there is tuned on the evaluation file. These splits use only online_shopping_9_cats, holding categories
out the way an unseen channel is held out:

- ``out:CAT`` trains on the other eight categories (calibration groups = categories) and adapts to and
  tests on CAT, about 20:1 labelled to unlabelled, like many app ratings against a few thousand calls;
- ``neg:CAT`` is the same with CAT's positives thinned to a third of its rows, because complaint
  channels are mostly negative while the ratings are not;
- ``elec->rest`` / ``rest->elec`` split books and electronics from the other categories, both ways;
- ``bank:dev`` is 5-fold three-class cross-validation inside the bank forum file's fixed development
  portion (``bank_dev``: 3 rows in 10, by a hash of the id), never the rows ``bench_sentiment.py`` reports;
- ``bank:rest`` trains on the other 7 rows in 10 and scores the development portion: a training set of the
  size the benchmark's folds have (``bank:dev`` trains on 1,200 rows, too few to tell recipes apart), while
  every choice still looks only at development rows' predictions;
- ``bank:shop`` trains on all shopping reviews and tests on that portion's positive and negative posts
  (finance posts scored by a review-trained model, where adaptation once hurt by 8 points).

Each split runs ``voc.sentiment.evaluate`` (the code behind ``voc eval sentiment``), so the adapted score
is cross-fitted exactly as in the benchmark.

Run: .venv/bin/python bench/dev_sentiment.py [--splits out:书籍 bank:dev ...] [--set C=0.5] [--json P]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import unicodedata
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voc.sentiment import SentimentModel, parse_label  # noqa: E402
from voc.sentiment.evaluate import evaluate, evaluate_folds  # noqa: E402
from voc.sentiment.labels import NEU  # noqa: E402

SHOPPING = ROOT.parent / "shared" / "data" / "online_shopping_9_cats.csv"
BANK = ROOT.parent / "shared" / "data" / "bank_forum_sentiment.csv"
ELECTRONICS = frozenset({"书籍", "平板", "手机", "计算机"})
DEFAULT_SPLITS = ("out:书籍", "out:蒙牛", "out:手机", "neg:书籍", "neg:蒙牛", "elec->rest", "rest->elec")

Row = tuple[str, int, str]


def read_shopping(path: Path = SHOPPING) -> list[Row]:
    """(review, label, category) for every row with a 0/1 label and a non-empty review."""
    with path.open(encoding="utf-8") as fh:
        rows = [
            (r["review"].strip(), int(r["label"]), r["cat"]) for r in csv.DictReader(fh) if r["label"] in {"0", "1"}
        ]
    return [r for r in rows if r[0]]


def split(rows: list[Row], name: str, seed: int = 1) -> tuple[list[Row], list[Row]]:
    """(training rows, evaluation rows) of a named development split."""
    if name in {"elec->rest", "rest->elec"}:
        elec = [r for r in rows if r[2] in ELECTRONICS]
        rest = [r for r in rows if r[2] not in ELECTRONICS]
        return (elec, rest) if name == "elec->rest" else (rest, elec)
    kind, _, cat = name.partition(":")
    if kind not in {"out", "neg"} or cat not in {r[2] for r in rows}:
        raise SystemExit(f"unknown split {name!r}: use out:CAT, neg:CAT, elec->rest or rest->elec")
    train = [r for r in rows if r[2] != cat]
    test = [r for r in rows if r[2] == cat]
    if kind == "neg":
        pos = [r for r in test if r[1] == 1]
        neg = [r for r in test if r[1] == 0]
        keep = np.random.default_rng(seed).choice(len(pos), min(len(pos), len(neg) // 2), replace=False)
        test = neg + [pos[i] for i in np.sort(keep)]
    return train, test


def bank_dev(row_id: str) -> bool:
    """The bank forum's fixed development portion: 3 rows in 10, by a hash of the id (never reported)."""
    return zlib.crc32(row_id.encode("utf-8")) % 10 < 3


def read_bank(path: Path = BANK) -> list[tuple[str, int, bool]]:
    """(text, class code, in the development portion) for every labelled bank forum post."""
    with path.open(encoding="utf-8") as fh:
        rows = [(r["text"], parse_label(r["label"]), bank_dev(r["id"])) for r in csv.DictReader(fh)]
    return [r for r in rows if r[1] is not None and r[0].strip()]


def run_bank(rows: list[Row], name: str, params: dict) -> dict:
    bank = read_bank()
    dev = [r for r in bank if r[2]]
    start = time.perf_counter()
    if name == "bank:rest":
        rest = [r for r in bank if not r[2]]
        result = evaluate([r[0] for r in dev], [r[1] for r in dev], [r[0] for r in rest], [r[1] for r in rest],
                          snownlp=False, model=SentimentModel(**params))
    elif name == "bank:dev":
        result = evaluate_folds([r[0] for r in dev], [r[1] for r in dev], 5, snownlp=False,
                                model=SentimentModel(**params))
    else:
        test = [r for r in dev if r[1] != NEU]
        result = evaluate([r[0] for r in test], [r[1] for r in test], [r[0] for r in rows], [r[1] for r in rows],
                          snownlp=False, model=SentimentModel(**params), train_groups=[r[2] for r in rows])
    result["split"] = name
    result["positive_share"] = round(sum(r[1] == 1 for r in dev) / len(dev), 3)
    result["seconds"] = round(time.perf_counter() - start, 1)
    return result


def run_split(rows: list[Row], name: str, params: dict) -> dict:
    if name.startswith("bank:"):
        return run_bank(rows, name, params)
    train, test = split(rows, name)
    start = time.perf_counter()
    result = evaluate(
        [r[0] for r in test],
        [r[1] for r in test],
        [r[0] for r in train],
        [r[1] for r in train],
        snownlp=False,
        model=SentimentModel(**params),
        train_groups=[r[2] for r in train],
    )
    result["split"] = name
    result["positive_share"] = round(sum(r[1] for r in test) / len(test), 3)
    result["seconds"] = round(time.perf_counter() - start, 1)
    return result


def pad(text: str, width: int) -> str:
    """Left-justify by display width: a Chinese character takes two columns."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - shown, 0)


def parse_set(items: list[str]) -> dict:
    """``--set C=0.5 char_ngrams=[1,4]``: values are JSON, else strings."""
    params = {}
    for item in items:
        key, _, value = item.partition("=")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
        if isinstance(params[key], list):
            params[key] = tuple(params[key])
    return params


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--splits", nargs="+", default=list(DEFAULT_SPLITS))
    ap.add_argument("--set", nargs="*", default=[], help="SentimentModel parameters to try, KEY=JSON")
    ap.add_argument("--json", help="write the results to this file")
    args = ap.parse_args()
    if not SHOPPING.exists():
        raise SystemExit(f"{SHOPPING} is absent: the development splits need ../shared/data")
    params = {**SentimentModel().get_params(), **parse_set(args.set)}
    rows = read_shopping()
    results = []
    print("split         n      pos   plain acc/F1/negF1         adapted acc/F1/negF1       baseline acc/F1/negF1  s")
    for name in args.splits:
        r = run_split(rows, name, params)
        results.append(r)
        cells = [
            f"{r[k]['accuracy']:.4f}/{r[k]['macro_f1']:.4f}/{r[k]['negative_f1']:.4f}"
            for k in ("voc_without_adaptation", "voc", "baseline")
        ]
        print(
            f"{pad(name, 12)}  {r['n']:<5}  {r['positive_share']:.2f}  " + "  ".join(cells) + f"  {r['seconds']:.0f}",
            flush=True,
        )
        for report in r.get("adaptation", []):
            print(f"    adaptation {'applied' if report.get('applied') else 'refused'}: {report.get('reason', '')}"
                  f" (changed {report.get('changed', '-')}, prior spread {report.get('prior_spread', '-')})")
    mean = float(np.mean([r["voc"]["accuracy"] for r in results]))
    print(f"mean adapted accuracy {mean:.4f} with {parse_set(args.set) or 'the defaults'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"params": params, "splits": results}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
