"""A small workspace with known themes and counts, built without the embedder or topic model.

Tests of the monthly numbers, flags, report and dashboard use it and compare against counts computed here
independently of voc's own aggregation code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from voc.enrich import enrich
from voc.flags import FlagRules
from voc.monthly import compute_flags
from voc.schema import Record, Turn
from voc.sentiment import LexiconScorer
from voc.store import Store
from voc.taxonomy import Taxonomy
from voc.text import clean
from voc.workspace import Workspace

MONTHS = ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06")
# theme id -> (label, keywords, texts, monthly complaint volume)
THEMES = {
    0: ("转账限额 · 调额", ["转账限额", "调额"],
        ["转账限额太低了，调额还要去柜台，太麻烦", "手机银行转账限额太低，根本不够用，很不满意"],
        (30, 32, 28, 31, 30, 33)),
    1: ("闪退 · 登录", ["闪退", "登录"], ["手机银行APP又闪退了，登录不上，太差了", "APP一打开就闪退，气死了"],
        (40, 42, 38, 3, 2, 2)),
    2: ("养老金账户 · 扣款", ["养老金账户", "扣款"],
        ["个人养老金账户被莫名扣款，太坑了", "养老金账户开了就扣款，很不满意"],
        (0, 0, 0, 0, 25, 60)),
}
PRAISE = ["服务态度很好，大堂经理很耐心", "办理很快，很满意", "客服专业，点赞"]
PII_PHONE = "13912345678"


@dataclass
class Built:
    ws: Workspace
    records: list[Record] = field(default_factory=list)
    theme_of: dict[str, int] = field(default_factory=dict)


def build_workspace(home: Path, seed: int = 7) -> Built:
    """Three channels, six months, three themes with known courses (recurring, resolved, emerging)."""
    rng = random.Random(seed)
    ws = Workspace.init(home)
    built = Built(ws)
    n = 0
    for mi, month in enumerate(MONTHS):
        for tid, (_, _, texts, volumes) in THEMES.items():
            for j in range(volumes[mi]):
                channel = ("rating", "call", "social")[j % 3]
                built.records.append(_record(n, month, channel, rng.choice(texts) + f" 第{j}次", 1.0, rng, j))
                built.theme_of[built.records[-1].id] = tid
                n += 1
        for j in range(60):
            built.records.append(_record(n, month, "rating", rng.choice(PRAISE), 5.0, rng, j))
            n += 1
    # one record carries PII in the raw input; it must never reach any output
    built.records.append(_record(n, MONTHS[-1], "rating", f"我的电话{PII_PHONE}，转账限额太低了", 1.0, rng, 0))
    built.theme_of[built.records[-1].id] = 0
    with Store.open(ws.db_path) as store:
        store.records.upsert_records(built.records)
        enrich(store, LexiconScorer(), Taxonomy.load())
        _assign_themes(store, built)
        compute_flags(store, MONTHS[-1], FlagRules(min_count=5))
    return built


def _record(n: int, month: str, channel: str, raw: str, rating: float, rng: random.Random, j: int) -> Record:
    c = clean(raw)
    day = 1 + (n % 27)
    turns = []
    if channel == "call":
        turns = [Turn(0, "agent", "您好，请问有什么可以帮您"), Turn(1, "customer", c.text, tokens=c.tokens)]
    return Record(
        source=f"test_{channel}", source_id=str(n), channel=channel, created_at=f"{month}-{day:02d}T10:00:00+08:00",
        text=c.text, tokens=c.tokens, rating=rating if channel == "rating" else None,
        rating_scale="star5" if channel == "rating" else None, customer_key=f"k{rng.randrange(40)}",
        agent_id=f"A{j % 4:03d}" if channel == "call" else None, branch=("朝阳支行", "浦东支行")[j % 2],
        product="手机银行", turns=turns,
    )


def _assign_themes(store: Store, built: Built) -> None:
    for month in MONTHS:
        ids = {r.id for r in built.records if r.month == month}
        complaints = {row["id"] for row in store.themes.complaint_rows(month)}
        assignments = [(rid, built.theme_of[rid], 0.9) for rid in sorted(ids & complaints) if rid in built.theme_of]
        themes = [
            {"theme_id": tid, "label": label, "keywords": kws, "process_step": step,
             "first_month": "2026-05" if tid == 2 else MONTHS[0], "last_month": month, "size": 10}
            for (tid, (label, kws, _, _)), step in zip(THEMES.items(), ("transfer_limits", "mobile_app", "fees"),
                                                       strict=True)
        ]
        store.themes.save_theme_month(month, themes, assignments, [],
                               {"complaints": len(complaints), "assigned": len(assignments), "new_themes": 0})
    store.themes.refresh_theme_stats()
