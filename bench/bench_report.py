"""Time `voc report` (HTML + Markdown + Excel) for one month of many records.

The workspace is built directly through the store (cleaned phrase-pool texts, enrichment and theme assignments
written as the pipeline would), so the benchmark measures the report, not ingest or the topic model.

Usage: python bench/bench_report.py [--records 100000] [--history 5] [--json PATH]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from _common import print_table, timed, write_json

from voc.report import build_report
from voc.report.data import assemble
from voc.report.render_html import render_html
from voc.report.render_md import render_md
from voc.report.render_xlsx import render_xlsx
from voc.schema import Record
from voc.store import Enrichment, Store
from voc.workspace import Workspace

STEPS = ("transfer_limits", "mobile_app", "hotline", "fees", "branch_counter", "credit_card", "loans", "marketing")
WORDS = ("转账", "限额", "调额", "闪退", "登录", "排队", "热线", "打不通", "年费", "扣款", "柜台", "信用卡", "贷款",
         "审批", "营销", "电话", "太慢", "不满意", "麻烦", "态度", "很好", "满意", "耐心", "专业")
PRAISE = ("服务 态度 很好", "办理 很快 满意", "客服 专业 耐心")


def month_list(n: int) -> list[str]:
    return [f"2026-{m:02d}" for m in range(1, n + 1)]


def theme_weights(n_themes: int, n_months: int, rng: random.Random) -> list[list[float]]:
    """Per theme and month a relative weight: steady, rising, new, or fading courses."""
    out = []
    for t in range(n_themes):
        kind = t % 4
        base = rng.uniform(0.5, 2.0)
        if kind == 0:
            w = [base] * n_months
        elif kind == 1:
            w = [base * (1 + 2.5 * (i == n_months - 1)) for i in range(n_months)]
        elif kind == 2:
            w = [0.0 if i < n_months - 2 else base for i in range(n_months)]
        else:
            w = [base if i < n_months - 3 else 0.02 for i in range(n_months)]
        out.append(w)
    return out


def build(home: Path, records: int, history: int, seed: int = 0) -> tuple[Workspace, str, int]:
    """A workspace with `records` in the last month and a fifth as many in each of `history` months before."""
    rng = random.Random(seed)
    ws = Workspace.init(home)
    months = month_list(history + 1)
    n_themes = 20
    weights = theme_weights(n_themes, len(months), rng)
    themes = [{"theme_id": t, "label": f"主题{t} · {WORDS[t % len(WORDS)]}", "keywords": list(WORDS[t:t + 3]),
               "process_step": STEPS[t % len(STEPS)], "first_month": months[-2] if t % 4 == 2 else months[0],
               "size": 100} for t in range(n_themes)]
    total = 0
    with Store.open(ws.db_path) as store:
        for mi, month in enumerate(months):
            n = records if mi == len(months) - 1 else records // 5
            recs, enr, assign = [], [], []
            wsum = sum(w[mi] for w in weights)
            for i in range(n):
                channel = ("rating", "call", "social")[i % 3]
                complaint = rng.random() < 0.45
                theme = rng.choices(range(n_themes), [w[mi] for w in weights])[0] if complaint and wsum else None
                words = rng.sample(WORDS[:18], 4) if complaint else PRAISE[i % 3].split()
                agent = f"A{rng.randrange(60):03d}" if channel == "call" else None
                if agent == "A007" and rng.random() < 0.3:
                    complaint = True
                rec = Record(
                    source=f"bench_{channel}", source_id=f"{month}-{i}", channel=channel,
                    created_at=f"{month}-{1 + i % 28:02d}T{8 + i % 10:02d}:00:00+08:00", text="".join(words),
                    tokens=" ".join(words), rating=(1.0 if complaint else 5.0) if channel == "rating" else None,
                    rating_scale="star5" if channel == "rating" else None, customer_key=f"c{rng.randrange(records)}",
                    agent_id=agent, branch=f"支行{rng.randrange(30):02d}", product=f"产品{rng.randrange(8)}",
                )
                recs.append(rec)
                step = themes[theme]["process_step"] if theme is not None else "other"
                enr.append(Enrichment(rec.id, -0.6 if complaint else 0.6, "负面" if complaint else "正面", (),
                                      (rng.random() < 0.08) if channel == "call" else None, complaint, step))
                if theme is not None:
                    assign.append((rec.id, theme, round(rng.random(), 4)))
            for j in range(0, n, 5000):
                store.records.upsert_records(recs[j:j + 5000])
                store.enrichment.write_enrichment(enr[j:j + 5000])
            store.themes.save_theme_month(month, [{**t, "last_month": month} for t in themes], assign, [],
                                   {"complaints": sum(e.complaint for e in enr), "assigned": len(assign),
                                    "new_themes": 0})
            total += n
        store.themes.refresh_theme_stats()
    return ws, months[-1], total


def main() -> None:
    ap = argparse.ArgumentParser(description="Time the monthly report on a synthetic workspace.")
    ap.add_argument("--records", type=int, default=100_000, help="records in the report month")
    ap.add_argument("--history", type=int, default=5, help="earlier months (a fifth as many records each)")
    ap.add_argument("--json", help="write results to this path")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t_build, (ws, month, total) = timed(lambda: build(Path(tmp) / "ws", args.records, args.history))
        rows = []
        with Store.open(ws.db_path) as store:
            t_first, paths = timed(lambda: build_report(ws, store, month))
            rows.append({"step": "build_report, flags computed (html+md+xlsx)", "seconds": t_first})
            t_again, _ = timed(lambda: build_report(ws, store, month))
            rows.append({"step": "build_report, flags saved (html+md+xlsx)", "seconds": t_again})
            t_data, data = timed(lambda: assemble(ws, store, month))
            rows.append({"step": "  assemble ReportData", "seconds": t_data})
            out = Path(tmp) / "out"
            out.mkdir()
            for name, fn in (("html", render_html), ("md", render_md), ("xlsx", render_xlsx)):
                t0 = time.perf_counter()
                fn(data, out / f"r.{name}")
                rows.append({"step": f"  render {name}", "seconds": time.perf_counter() - t0})
            sizes = {k: p.stat().st_size for k, p in paths.items()}
        print(f"workspace: {total:,} records ({args.records:,} in {month}), built in {t_build:.1f} s; "
              f"flagged themes {len(data.themes)}, resolved {len(data.resolved)}, "
              f"detail rows {len(data.records):,}; sizes {sizes}")
        print_table("voc report timings", rows)
        write_json(args.json, {"records_in_month": args.records, "records_total": total, "month": month,
                               "build_seconds": t_build, "timings": rows, "sizes": sizes,
                               "flagged": len(data.themes), "resolved": len(data.resolved),
                               "detail_rows": len(data.records)})


if __name__ == "__main__":
    main()
