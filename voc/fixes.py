"""Did the fix work? Each registered fix's themes, month by month before and after it shipped.

The ship month itself is mixed (part before, part after), so it counts on neither side. The months before are
the `before_months` months with data before it; the months after are every complete month since, up to the
report month. The change is the after rate over the before rate of the fix's themes' complaints per month,
tested as two Poisson rates (exact conditional binomial). Verdicts: 观察中 until `min_after` months have passed,
见效 when significantly lower (p < `alpha`) by at least a fifth, else 未见效. A fix that worked whose themes
climb back to their old level in the latest month is flagged as come back (回升).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from voc.errors import VocError
from voc.flags import rate_test
from voc.monthly import theme_series
from voc.store import Store

WATCHING, WORKED, NOT_YET = "观察中", "见效", "未见效"


@dataclass(frozen=True)
class FixRules:
    before_months: int = 3
    min_after: int = 2
    alpha: float = 0.05
    max_ratio: float = 0.8  # at least a fifth fewer complaints a month
    back_share: float = 0.8  # the latest month back at 80% of the old level counts as come back


def ship_month(shipped: str) -> str:
    return shipped[:7]


def _verdict(before: list[int], after: list[int], rules: FixRules) -> tuple[str, float | None, float | None]:
    if len(after) < rules.min_after or not before:
        return WATCHING, None, None
    before_mean, after_mean = sum(before) / len(before), sum(after) / len(after)
    ratio = after_mean / before_mean if before_mean else None
    p = rate_test(sum(after), len(after), sum(before), len(before), "less")
    worked = ratio is not None and p < rules.alpha and ratio <= rules.max_ratio
    return (WORKED if worked else NOT_YET), ratio, p


def came_back(before: list[int], after: list[int], rules: FixRules = FixRules()) -> bool:
    """It had worked up to last month, and the latest month is back near the old level."""
    if len(after) <= rules.min_after or not before:
        return False
    earlier, _, _ = _verdict(before, after[:-1], rules)
    return earlier == WORKED and after[-1] >= rules.back_share * (sum(before) / len(before))


def verify(store: Store, month: str, rules: FixRules = FixRules(), include_closed: bool = True
           ) -> list[dict[str, Any]]:
    """Every fix shipped by the end of `month`, with its themes' volumes and the verdict as of that month."""
    series = {s.theme_id: s for s in theme_series(store)}
    months = [m for m in store.records.months() if m <= month]
    labels = {t["theme_id"]: t["label"] for t in store.themes.list_themes()}
    merges = store.curations.curated_state()["merges"]  # a fix's theme merged away lives on in the theme it went into
    out = []
    for fix in store.fixes.list_fixes(include_closed):
        shipped = ship_month(fix["shipped"])
        if shipped > month:
            continue
        fix = {**fix, "theme_ids": list(dict.fromkeys(merges.get(t, t) for t in fix["theme_ids"]))}
        counts = [sum(_count(series, tid, m) for tid in fix["theme_ids"]) for m in months]
        before_m = [m for m in months if m < shipped][-rules.before_months:]
        after_m = [m for m in months if m > shipped]
        by_month = dict(zip(months, counts, strict=True))
        before, after = [by_month[m] for m in before_m], [by_month[m] for m in after_m]
        verdict, ratio, p = _verdict(before, after, rules)
        out.append({
            **fix, "themes": [{"theme_id": t, "label": labels.get(t, f"主题 {t}")} for t in fix["theme_ids"]],
            "ship_month": shipped, "before_months": before_m, "after_months": after_m,
            "before_per_month": sum(before) / len(before) if before else None,
            "after_per_month": sum(after) / len(after) if after else None,
            "ratio": ratio, "p_value": p, "verdict": verdict, "came_back": came_back(before, after, rules),
            "window": months, "series": counts,
        })
    return out


def _count(series: dict, theme_id: int, month: str) -> int:
    s = series.get(theme_id)
    if s is None or month not in s.months:
        return 0
    return int(s.counts[s.months.index(month)])


def check_new_fix(store: Store, theme_ids: list[int], shipped: str, step: str | None, known_steps: list[str]) -> None:
    """A clear error before anything is written: unknown theme, bad date, unknown step."""
    try:
        dt.date.fromisoformat(shipped)
    except ValueError:
        raise VocError(f"--shipped {shipped!r} is not a date like 2026-05-20") from None
    known = {t["theme_id"] for t in store.themes.list_themes()}
    missing = [t for t in theme_ids if t not in known]
    if missing:
        raise VocError(f"no theme with id {', '.join(map(str, missing))}: see `voc themes` for the ids")
    if not theme_ids:
        raise VocError("a fix needs at least one --theme")
    if step is not None and step not in known_steps:
        raise VocError(f"unknown --step {step!r}; known: {', '.join(known_steps)}")
