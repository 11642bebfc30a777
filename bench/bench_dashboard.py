"""Time to first render of every dashboard page (AppTest), cold and warm cache, plus the store queries behind them.

    python bench/make_big_workspace.py --records 1000000 --home /tmp/voc-big
    python bench/bench_dashboard.py --home /tmp/voc-big [--repeat 3] [--json out.json]

Cold: caches cleared (st.cache_data and st.cache_resource), so the store opens and every query runs.
Warm: the same page rendered again, as an analyst sees it when coming back. Target: < 2 s warm per page.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from pathlib import Path

from _common import ROOT, print_table, write_json

APP = str(ROOT / "dashboards" / "streamlit_app.py")
PAGES = ("overview", "themes", "search", "calls", "channels", "health")
TARGET_S = 2.0


def _clear() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _timed_run(at, action=None) -> float:
    t0 = time.perf_counter()
    (action(at) if action else at).run()
    seconds = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(f"page raised: {at.exception[0].value}")
    return seconds


def bench_pages(repeat: int, query: str) -> list[dict]:
    from streamlit.testing.v1 import AppTest

    _timed_run(AppTest.from_file(APP, default_timeout=600))  # imports (altair, pandas, voc) happen once per process
    rows = []
    scenarios = [(p, None) for p in PAGES] + [("search+query", query), ("themes+pick", "pick")]
    for name, extra in scenarios:
        page = name.split("+")[0]
        cold, warm = [], []
        for _ in range(repeat):
            _clear()
            at = AppTest.from_file(APP, default_timeout=600)
            if page == "overview":
                cold.append(_timed_run(at))
            else:
                at.run()
                _clear()
                cold.append(_timed_run(at, lambda a, p=page: a.switch_page(f"app_pages/{p}.py")))
            if extra == "pick":
                options = at.selectbox(key="themes_pick").options
                cold[-1] += _timed_run(at, lambda a, o=options: a.selectbox(key="themes_pick").select_index(
                    len(o) - 1))
            elif extra:
                cold[-1] += _timed_run(at, lambda a, q=extra: a.text_input(key="s_query").input(q))
            warm.append(_timed_run(at))
        rows.append({
            "page": name, "cold_s": statistics.median(cold), "warm_s": statistics.median(warm),
            "warm_ok": statistics.median(warm) < TARGET_S,
        })
    return rows


def bench_queries(home: Path) -> list[dict]:
    """Each store call the pages make, timed on a fresh read-only connection (what a cold cache pays)."""
    from voc.monthly import month_overview
    from voc.store import Filters, Store

    store = Store.open(home / "voc.db", readonly=True)
    month = store.records.months()[-1]
    flags = store.themes.get_flags(month)
    tid = flags[0]["theme_id"] if flags else 0
    calls = store.browse.calls_of_month(month)
    calls_id = calls[0]["id"] if calls else ""
    steps = [
        ("months", lambda: store.records.months()),
        ("kpi_rows (month_overview)", lambda: month_overview(store, month)),
        ("get_flags", lambda: store.themes.get_flags(month)),
        ("theme_stats(theme)", lambda: store.themes.theme_stats(theme_id=tid)),
        ("theme_examples", lambda: store.themes.theme_examples(tid, month, 8)),
        ("distinct_values(branch)", lambda: store.browse.distinct_values("branch")),
        ("distinct_values(agent_id)", lambda: store.browse.distinct_values("agent_id")),
        ("count_filtered(theme, month dates)", lambda: store.browse.count_filtered(Filters(theme_id=tid))),
        ("browse_records(theme)", lambda: store.browse.browse_records(Filters(theme_id=tid), 20)),
        ("keyword_search(转账限额)", lambda: store.search.keyword_search(["转账限额"], None, 100)),
        ("keyword_search(转账限额, channel=call)",
         lambda: store.search.keyword_search(["转账限额"], Filters(channel="call"), 100)),
        ("calls_of_month", lambda: store.browse.calls_of_month(month)),
        ("get_record+get_turns", lambda: (store.records.get_record(calls_id), store.records.get_turns(calls_id))),
        ("crosstab(channel x step, complaints)",
         lambda: store.browse.crosstab(month, "channel", "process_step", Filters(), None, True)),
        ("crosstab(branch x agent, all)",
         lambda: store.browse.crosstab(month, "branch", "agent_id", Filters(), None, False)),
        ("agent_rates", lambda: store.stats.agent_rates(month)),
        ("count_records", lambda: store.records.count_records()),
        ("health tables", lambda: (store.runs.last_runs(30), store.runs.get_cursors(), store.runs.list_quarantine(200),
                                   store.runs.quarantine_count(), store.themes.theme_runs())),
    ]
    rows = []
    for name, fn in steps:
        t0 = time.perf_counter()
        fn()
        rows.append({"query": name, "seconds": time.perf_counter() - t0})
    store.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=1, help="Runs per page (the median is reported).")
    ap.add_argument("--query", default="转账限额 调额")
    ap.add_argument("--json", help="Write the results as JSON to this path.")
    args = ap.parse_args()
    home = args.home.resolve()
    os.environ["VOC_HOME"] = str(home)
    for name in ("streamlit", "streamlit.runtime.caching.cache_data_api", "streamlit.runtime.scriptrunner_utils"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from voc.store import Store
    from voc.workspace import Workspace

    ws = Workspace.open(home)  # fails here, not silently in every page, when the workspace cannot be opened
    with Store.open(ws.db_path, readonly=True) as store:
        records = store.records.count_records()
    queries = bench_queries(home)
    print_table(f"store queries ({records:,} records, fresh connection)", queries)
    pages = bench_pages(args.repeat, args.query)
    print_table(f"dashboard pages ({records:,} records; AppTest run time, target < {TARGET_S} s warm)", pages)
    write_json(args.json, {"records": records, "pages": pages, "queries": queries})


if __name__ == "__main__":
    main()
