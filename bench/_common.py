"""Shared helpers for the benchmarks: realistic texts, timing, table printing, JSON output."""

from __future__ import annotations

import csv
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

_FRAGMENTS = (
    "手机银行转账限额太低了", "每次都要去柜台调额", "APP又闪退了登录不上", "网点排队两个小时",
    "客服热线一直打不通", "信用卡年费莫名扣了", "营销电话天天打来很烦", "贷款审批太慢", "服务态度很好",
    "大堂经理很耐心", "请问怎么开通养老金账户", "账户被冻结了也不说原因", "理财经理推销保险",
)


def review_texts(n: int, seed: int = 0) -> list[str]:
    """Real short Chinese reviews from ../shared/data when present, else generated bank-like texts."""
    rng = random.Random(seed)
    path = SHARED / "online_shopping_9_cats.csv"
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            texts = [row["review"] for row in csv.DictReader(fh) if (row.get("review") or "").strip()]
        return [texts[rng.randrange(len(texts))] for _ in range(n)]
    return ["，".join(rng.sample(_FRAGMENTS, rng.randint(1, 4))) for _ in range(n)]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    widths = {c: max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in cols}
    print(f"\n{title}")
    print("  ".join(c.ljust(widths[c]) for c in cols))
    for r in rows:
        print("  ".join(_fmt(r.get(c)).ljust(widths[c]) for c in cols))


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)


def write_json(path: str | None, data: Any) -> None:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
