"""Ingest throughput: ratings rows/s and transcripts/s end to end, against raw jieba.lcut on the same texts.

    /work/venv/bin/python bench/bench_ingest.py [--rows 100000] [--calls 10000] [--workers 1,2] [--json PATH]

End to end means: read and decode the file, map columns, parse dates, normalise, redact, segment, hash ids
and write to a fresh SQLite store (with its FTS index) in batches. Texts are sampled from
../shared/data/online_shopping_9_cats.csv when present (cut to about 45 characters on average), else
generated from templates. The ratio is against pure-Python ``jieba.lcut``; the last column is the raw speed
of rjieba (compiled jieba, what voc segments with) on the same texts, for scale.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared" / "data" / "online_shopping_9_cats.csv"
_SUBJECTS = ["手机银行", "转账", "信用卡", "网点", "客服热线", "理财产品", "贷款审批", "大堂经理"]
_PROBLEMS = ["老是闪退登录不上", "限额太低了调额好麻烦", "年费扣得莫名其妙", "排队排了一个多小时",
             "一直打不通转人工太难", "收益和宣传的不一样", "审批拖了两个星期", "服务态度很好很耐心"]
_TAILS = ["，希望尽快改进。", "，太失望了！", "，点赞。", "，请给个说法。", "。"]


def sample_texts(n: int, seed: int = 0) -> list[str]:
    """n short Chinese reviews averaging about 45 characters."""
    rng = random.Random(seed)
    if SHARED.exists():
        with SHARED.open(encoding="utf-8") as f:
            pool = [r["review"].strip() for r in csv.DictReader(f) if r.get("review", "").strip()]
        out = []
        for _ in range(n):
            want = rng.randint(15, 75)
            text = rng.choice(pool)
            while len(text) < want:
                text += rng.choice(pool)
            out.append(text[:want])
        return out
    return [
        f"{rng.choice(_SUBJECTS)}{rng.choice(_PROBLEMS)}{rng.choice(_TAILS)}{rng.choice(_PROBLEMS)}"
        for _ in range(n)
    ]


def write_ratings(path: Path, texts: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["编号", "时间", "评分", "评价内容", "客户号"])
        for i, t in enumerate(texts):
            when = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d} 10:{i % 60:02d}:00"
            w.writerow([i, when, 1 + i % 5, t, f"K{i % 6000:08d}"])


def write_calls(folder: Path, texts: list[str], n: int, turns: int = 12) -> list[str]:
    """n JSON call files of `turns` alternating turns; returns every turn text (for the lcut baseline)."""
    used = []
    for c in range(n):
        sub = folder / f"2026-{1 + c % 12:02d}"
        sub.mkdir(exist_ok=True)
        tt = [texts[(c * turns + k) % len(texts)] for k in range(turns)]
        used.extend(tt)
        call = {
            "call_id": f"C{c:08d}", "started_at": "2026-03-05T09:12:00+08:00", "agent_id": f"A{c % 40:03d}",
            "customer_id": f"K{c:08d}", "queue": "信用卡专线",
            "turns": [{"speaker": "坐席" if k % 2 == 0 else "客户", "start": k * 5.0, "end": k * 5.0 + 4, "text": t}
                      for k, t in enumerate(tt)],
        }
        (sub / f"C{c:08d}.json").write_text(json.dumps(call, ensure_ascii=False), encoding="utf-8")
    return used


def cpu_seconds() -> float:
    """CPU time of this process and its finished children: fair on a machine shared with other jobs."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def lcut_rate(texts: list[str]) -> tuple[float, float]:
    """(wall, cpu) texts per second of a fresh jieba.Tokenizer().lcut (dictionary load excluded)."""
    import jieba

    tok = jieba.Tokenizer()
    tok.initialize()
    t0, c0 = time.perf_counter(), cpu_seconds()
    for t in texts:
        tok.lcut(t)
    return len(texts) / (time.perf_counter() - t0), len(texts) / (cpu_seconds() - c0)


def engine_rate(texts: list[str]) -> float:
    """Texts per second of the engine voc segments with (rjieba, compiled jieba), raw: what the chain could reach."""
    import rjieba

    seg = rjieba.Jieba()
    t0 = time.perf_counter()
    for t in texts:
        seg.cut(t, True)
    return len(texts) / (time.perf_counter() - t0)


def ingest_rate(ingestor_factory, workers: int, batch_size: int = 2000) -> tuple[float, float, int]:
    """(wall, cpu) records per second of a full run into a fresh store, and how many records it stored."""
    from ingest.runner import run_ingestor
    from voc.store import Store

    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "voc.db") as store:
        t0, c0 = time.perf_counter(), cpu_seconds()
        res = run_ingestor(store, ingestor_factory(), batch_size=batch_size, workers=workers,
                           incremental=False, progress=False)
        return res.new / (time.perf_counter() - t0), res.new / (cpu_seconds() - c0), res.new


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--calls", type=int, default=10_000)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    from ingest.calls import CallsIngestor
    from ingest.ratings import RatingsIngestor
    from voc.text.segment import get_segmenter

    get_segmenter()  # dictionary load is a one-off cost, not throughput
    texts = sample_texts(args.rows)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "ratings.csv"
        write_ratings(csv_path, texts)
        calls_dir = Path(tmp) / "calls"
        calls_dir.mkdir()
        turn_texts = write_calls(calls_dir, texts, args.calls)
        turns_per_call = len(turn_texts) / max(args.calls, 1)
        jobs = [
            ("ratings rows", lambda: RatingsIngestor(csv_path, source="bench", salt="s"), texts, 1.0),
            ("transcripts (12 turns)", lambda: CallsIngestor(calls_dir, source="bench", salt="s"), turn_texts,
             turns_per_call),
        ]
        for w in [int(x) for x in args.workers.split(",")]:
            for what, factory, raw_texts, per_record in jobs:
                # lcut measured right before each run, so both see the same load on a shared machine
                raw_wall, raw_cpu = (r / per_record for r in lcut_rate(raw_texts))
                engine = engine_rate(raw_texts) / per_record
                wall, cpu, n = ingest_rate(factory, w)
                results.append({"what": what, "workers": w, "n": n, "per_s": wall, "per_cpu_s": cpu,
                                "lcut_per_s": raw_wall, "lcut_per_cpu_s": raw_cpu,
                                "ratio_wall": wall / raw_wall, "ratio_cpu": cpu / raw_cpu,
                                "rjieba_per_s": engine})
    avg = sum(map(len, texts)) / len(texts)
    print(f"texts: {len(texts)} (avg {avg:.1f} chars, {'shared data' if SHARED.exists() else 'generated'}), "
          f"cpus: {os.cpu_count()}")
    cols = ("what", "workers", "n", "rec/s wall", "lcut/s wall", "ratio", "rec/cpu-s", "lcut/cpu-s", "ratio",
            "rjieba/s")
    print(f"{cols[0]:<24}" + "".join(f"{c:>12}" for c in cols[1:]))
    for r in results:
        nums = (r["per_s"], r["lcut_per_s"], r["ratio_wall"], r["per_cpu_s"], r["lcut_per_cpu_s"], r["ratio_cpu"],
                r["rjieba_per_s"])
        print(f"{r['what']:<24}{r['workers']:>12}{r['n']:>12}"
              + "".join(f"{v:>12.2f}" if v < 10 else f"{v:>12.0f}" for v in nums))
    if args.json:
        args.json.write_text(json.dumps({"avg_chars": avg, "results": results}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
