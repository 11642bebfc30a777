"""Build a large synthetic workspace (default 1M records) for the dashboard benchmark, in minutes.

    python bench/make_big_workspace.py --records 1000000 --home /tmp/voc-big [--months 12] [--seed 0]

Records are written pre-cleaned (tokens space-joined from a word pool, no jieba in the loop) with
`RecordsRepository.upsert_records`; sentiment, escalation, complaint and process step are written with
`EnrichmentRepository.write_enrichment`; themes are assigned like tests/builders.py does (`save_theme_month`,
`refresh_theme_stats`, `compute_flags`), so every store query the dashboard runs sees realistic volumes.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from _common import ROOT, print_table, write_json

from voc.flags import FlagRules
from voc.monthly import compute_flags
from voc.schema import Record, Turn
from voc.store import Enrichment, Store
from voc.text.segment import read_lexicon
from voc.workspace import Workspace

# theme id -> (label, keywords, process step, monthly volume pattern over the months)
THEMES = {
    0: ("转账限额 · 调额", ["转账限额", "调额", "柜台"], "transfer_limits", "flat"),
    1: ("闪退 · 登录", ["闪退", "登录", "手机银行"], "mobile_app", "resolved"),
    2: ("养老金账户 · 扣款", ["养老金账户", "扣款", "莫名"], "fees", "emerging"),
    3: ("信用卡年费", ["信用卡", "年费", "退还"], "credit_card", "rising"),
    4: ("排队时间长", ["排队", "网点", "等待"], "branch_counter", "flat"),
    5: ("热线打不通", ["客服热线", "打不通", "人工"], "hotline", "flat"),
    6: ("营销电话骚扰", ["营销电话", "骚扰", "推销"], "marketing", "rising"),
    7: ("贷款审批慢", ["贷款", "审批", "进度"], "loans", "flat"),
    8: ("账户冻结", ["账户冻结", "解冻", "原因"], "account_security", "flat"),
    9: ("理财亏损", ["理财", "亏损", "风险"], "wealth_sales", "resolved"),
}
NEGATIVE = ["太差", "不满意", "太麻烦", "气死", "投诉", "坑", "失望", "无语"]
POSITIVE = ["满意", "很好", "耐心", "专业", "点赞", "方便", "快捷"]
CUES = ["又", "多次", "还没解决", "投诉到银保监", "找你们领导"]
CHANNELS = ("rating", "rating", "rating", "rating", "rating", "call", "call", "call", "social", "social")
SCALES = ("star5", "nps10", "csat5")
PRODUCTS = ("手机银行", "信用卡", "借记卡", "理财", "贷款")
COMPLAINT_SHARE = 0.35


def months_back(n: int, last: str = "2026-06") -> list[str]:
    y, m = (int(x) for x in last.split("-"))
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def theme_weights(months: list[str]) -> list[list[float]]:
    """Per month, a weight per theme following its pattern (flat, rising, emerging, resolved)."""
    n = len(months)
    out = []
    for i in range(n):
        w = []
        for _, _, _, pattern in THEMES.values():
            if pattern == "flat":
                w.append(1.0)
            elif pattern == "rising":
                w.append(1.0 if i < n - 1 else 2.5)
            elif pattern == "emerging":
                w.append(0.0 if i < n - 2 else (1.0 if i == n - 2 else 3.0))
            else:
                w.append(1.5 if i < n - 3 else 0.05)
        out.append(w)
    return out


def pool_words() -> list[str]:
    words = [line.split()[0] for line in read_lexicon(ROOT / "lexicons" / "bank_terms.txt")]
    return words or ["手机银行", "转账", "信用卡", "网点"]


def make_batch(start: int, size: int, months: list[str], weights: list[list[float]], words: list[str],
               rng: random.Random) -> tuple[list[Record], list[Enrichment], list[tuple[str, int, float]],
                                            dict[str, tuple[str, int]]]:
    records, enrich, turn_sent, themed = [], [], [], {}
    tids = list(THEMES)
    for n in range(start, start + size):
        month = months[n % len(months)]
        mi = n % len(months)
        channel = CHANNELS[rng.randrange(len(CHANNELS))]
        complaint = rng.random() < COMPLAINT_SHARE
        filler = rng.sample(words, rng.randint(3, 8))
        if complaint:
            tid = rng.choices(tids, weights=weights[mi])[0]
            label, kws, step, _ = THEMES[tid]
            toks = [*rng.sample(kws, 2), *filler[:4], rng.choice(NEGATIVE)]
            sentiment = -rng.uniform(0.3, 0.95)
        else:
            tid, step = None, "other"
            toks = [*filler, rng.choice(POSITIVE)]
            sentiment = rng.uniform(-0.1, 0.9)
        escalation = channel == "call" and complaint and rng.random() < 0.15
        if escalation:
            toks.insert(0, rng.choice(CUES))
        text = "，".join(toks)
        scale = SCALES[n % 3] if channel == "rating" else None
        rating = None
        if scale:
            top = 10 if scale == "nps10" else 5
            rating = float(rng.randint(0, 3) if scale == "nps10" and complaint else
                           rng.randint(1, 2) if complaint else rng.randint(top - 1, top))
        turns = []
        if channel == "call":
            turns = [Turn(0, "agent", "您好，请问有什么可以帮您"), Turn(1, "customer", text),
                     Turn(2, "agent", "非常抱歉，我帮您查询一下"), Turn(3, "customer", rng.choice(NEGATIVE + POSITIVE))]
        day = 1 + n % 28
        rec = Record(
            source=f"big_{channel}", source_id=str(n), channel=channel,
            created_at=f"{month}-{day:02d}T{8 + n % 12:02d}:{n % 60:02d}:00+08:00", text=text, tokens=" ".join(toks),
            rating=rating, rating_scale=scale, customer_key=f"c{rng.randrange(200_000)}",
            agent_id=f"A{rng.randrange(200):03d}" if channel == "call" else None,
            branch=f"第{rng.randrange(60):02d}支行", product=rng.choice(PRODUCTS),
            subtype={"rating": scale, "call": "hotline", "social": "weibo"}[channel], turns=turns,
        )
        records.append(rec)
        if turns:
            turn_sent += [(rec.id, 1, sentiment), (rec.id, 3, max(-1.0, sentiment - 0.2) if complaint else 0.5)]
        label = "负面" if sentiment < -0.2 else ("正面" if sentiment > 0.2 else "中性")
        enrich.append(Enrichment(rec.id, sentiment, label, [], escalation if channel == "call" else None, complaint,
                                 step))
        if tid is not None:
            themed[rec.id] = (month, tid)
    return records, enrich, turn_sent, themed


def build(home: Path, total: int, n_months: int, seed: int, batch: int) -> dict:
    rng = random.Random(seed)
    ws = Workspace.init(home)
    months = months_back(n_months)
    weights = theme_weights(months)
    words = pool_words()
    timings: dict[str, float] = {}
    assignments: dict[str, list[tuple[str, int, float]]] = {m: [] for m in months}
    t0 = time.perf_counter()
    with Store.open(ws.db_path) as store:
        for start in range(0, total, batch):
            recs, enr, turns, themed = make_batch(start, min(batch, total - start), months, weights, words, rng)
            store.records.upsert_records(recs)
            store.enrichment.write_enrichment(enr, turns)
            for rid, (month, tid) in themed.items():
                assignments[month].append((rid, tid, round(rng.uniform(0.5, 0.99), 3)))
            print(f"  {start + len(recs):>9,} records  {time.perf_counter() - t0:6.1f} s", flush=True)
        timings["insert_enrich_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        for month in months:
            themes = [{"theme_id": tid, "label": label, "keywords": kws, "process_step": step,
                       "first_month": months[-2] if pattern == "emerging" else months[0], "last_month": month,
                       "size": 0} for tid, (label, kws, step, pattern) in THEMES.items()]
            store.themes.save_theme_month(month, themes, assignments[month], [],
                                   {"complaints": len(assignments[month]), "assigned": len(assignments[month]),
                                    "new_themes": 0})
        timings["themes_s"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        store.themes.refresh_theme_stats()
        timings["theme_stats_s"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        flags = compute_flags(store, months[-1], FlagRules())
        timings["flags_s"] = time.perf_counter() - t3
        count = store.records.count_records()
    timings["total_s"] = time.perf_counter() - t0
    return {"home": str(ws.home), "records": count, "months": n_months, "flags": len(flags), **timings}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=50_000)
    ap.add_argument("--json", help="Write the result as JSON to this path.")
    args = ap.parse_args()
    if (args.home / "voc.db").exists():
        sys.exit(f"{args.home} already holds a workspace: pick an empty folder")
    result = build(args.home, args.records, args.months, args.seed, args.batch)
    print_table("big workspace", [result])
    write_json(args.json, result)


if __name__ == "__main__":
    main()
