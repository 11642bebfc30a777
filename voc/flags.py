"""Monthly flags for complaint themes: recurring, rising, emerging, resolved, with the evidence behind each.

Pure functions over monthly counts, so every rule can be checked on hand-built numbers; the store supplies
the counts and the pipeline assembles the flags.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import stats

STATUS_ORDER = ("emerging", "rising", "recurring", "resolved")


@dataclass(frozen=True)
class FlagRules:
    """Thresholds of the flag rules (the `[flags]` section of voc.toml)."""

    recurring_months: int = 3
    recurring_window: int = 4
    rising_alpha: float = 0.01
    rising_ratio: float = 1.5
    baseline_months: int = 3
    min_count: int = 10
    floor_share: float = 0.01
    floor_of_median: float = 0.25
    emerging_months: int = 2
    resolved_ratio: float = 0.5
    stay_down_months: int = 2
    min_rating_n: int = 30


@dataclass(frozen=True)
class ThemeSeries:
    """One theme's complaint counts per month, aligned with the workspace's months and totals."""

    theme_id: int
    months: tuple[str, ...]
    counts: tuple[int, ...]
    totals: tuple[int, ...]
    complaint_totals: tuple[int, ...]
    first_month: str


def noise_floor(s: ThemeSeries, i: int, rules: FlagRules) -> float:
    """The theme's noise floor in month i: at least min_count, a small share of that month's complaints, and a
    quarter of the theme's own median month so far (a fixed theme's residual trickle is not "present")."""
    own = float(np.median(s.counts[: i + 1])) if i >= 0 else 0.0
    return max(rules.min_count, rules.floor_share * s.complaint_totals[i], rules.floor_of_median * own)


def present(s: ThemeSeries, i: int, rules: FlagRules) -> bool:
    return i >= 0 and s.counts[i] >= noise_floor(s, i, rules)


def recurring(s: ThemeSeries, i: int, rules: FlagRules) -> tuple[bool, dict[str, Any]]:
    """Above the noise floor this month and in at least `recurring_months` of the last `recurring_window`."""
    lo = max(0, i - rules.recurring_window + 1)
    months_present = [s.months[j] for j in range(lo, i + 1) if present(s, j, rules)]
    ok = present(s, i, rules) and len(months_present) >= rules.recurring_months
    return ok, {"months_present": months_present, "window": list(s.months[lo : i + 1])}


def rate_test(count: int, total: int, base_count: int, base_total: int, alternative: str) -> float:
    """Exact conditional test of two Poisson rates (count/total vs base_count/base_total) as a binomial."""
    n = count + base_count
    if n == 0 or total == 0 or base_total == 0:
        return 1.0
    p0 = total / (total + base_total)
    return float(stats.binomtest(count, n, p0, alternative=alternative).pvalue)


def rate_ratio(count: int, total: int, base_count: int, base_total: int) -> float:
    """Rate this month over the baseline rate, with half a count added so empty baselines stay finite."""
    if total == 0 or base_total == 0:
        return float("nan")
    return ((count + 0.5) / total) / ((base_count + 0.5) / base_total)


def rising(s: ThemeSeries, i: int, rules: FlagRules) -> tuple[bool, dict[str, Any]]:
    """A significant increase of the volume share over the previous months' baseline, with a minimum count."""
    lo = i - rules.baseline_months
    if lo < 0:
        return False, {"reason": "not enough history"}
    base_c = sum(s.counts[lo:i])
    base_n = sum(s.totals[lo:i])
    p = rate_test(s.counts[i], s.totals[i], base_c, base_n, "greater")
    ratio = rate_ratio(s.counts[i], s.totals[i], base_c, base_n)
    ok = s.counts[i] >= rules.min_count and p < rules.rising_alpha and ratio >= rules.rising_ratio
    return ok, {
        "growth": ratio,
        "p_value": p,
        "count": s.counts[i],
        "baseline_count": base_c,
        "baseline_months": list(s.months[lo:i]),
    }


def emerging(s: ThemeSeries, i: int, rules: FlagRules) -> tuple[bool, dict[str, Any]]:
    """First above the noise floor within the last `emerging_months` months, never before.

    A theme born at noise level keeps counting as new until its volume becomes meaningful; themes present in
    the first month of data are the baseline, not news.
    """
    first_present = next((j for j in range(i + 1) if present(s, j, rules)), None)
    ok = first_present is not None and first_present > 0 and i - first_present < rules.emerging_months
    return ok, {
        "first_month": s.first_month,
        "first_present_month": s.months[first_present] if first_present is not None else None,
        "count": s.counts[i],
    }


def resolved(s: ThemeSeries, i: int, rules: FlagRules) -> tuple[bool, dict[str, Any]]:
    """Once recurring, then down significantly and staying down: evidence that a fix worked."""
    down = rules.stay_down_months
    if i - down < 0:
        return False, {"reason": "not enough history"}
    last_rec = next((j for j in range(i - down, -1, -1) if recurring(s, j, rules)[0]), None)
    if last_rec is None:
        return False, {"reason": "never recurring"}
    lo = max(0, last_rec - rules.baseline_months + 1)
    base_c, base_n = sum(s.counts[lo : last_rec + 1]), sum(s.totals[lo : last_rec + 1])
    after = range(i - down + 1, i + 1)
    if any(j <= last_rec for j in after):
        return False, {"reason": "still recurring"}
    ratios = [rate_ratio(s.counts[j], s.totals[j], base_c, base_n) for j in after]
    after_c, after_n = sum(s.counts[j] for j in after), sum(s.totals[j] for j in after)
    p = rate_test(after_c, after_n, base_c, base_n, "less")
    ok = (
        all(r <= rules.resolved_ratio for r in ratios)
        and p < rules.rising_alpha
        and not recurring(s, i, rules)[0]
    )
    return ok, {
        "before_months": list(s.months[lo : last_rec + 1]),
        "before_count": base_c,
        "before_per_month": base_c / (last_rec + 1 - lo),
        "after_months": [s.months[j] for j in after],
        "after_count": after_c,
        "after_per_month": after_c / down,
        "ratio": float(np.mean(ratios)),
        "p_value": p,
    }


@dataclass(frozen=True)
class RatingImpact:
    """Mean rating (0–100 scale) with the theme minus without it, with a 95% Welch interval."""

    diff: float | None
    ci_low: float | None
    ci_high: float | None
    n_with: int
    n_without: int
    small_sample: bool
    detractor_share: float | None = None


def rating_impact(with_theme: np.ndarray, without: np.ndarray, min_n: int, detractors_with: int = 0,
                  detractors_all: int = 0) -> RatingImpact:
    """Key-driver effect of a theme on ratings; below min_n records it is reported but marked uncertain."""
    a = np.asarray(with_theme, dtype=float)
    b = np.asarray(without, dtype=float)
    share = detractors_with / detractors_all if detractors_all else None
    if len(a) < 2 or len(b) < 2:
        return RatingImpact(None, None, None, len(a), len(b), True, share)
    diff = float(a.mean() - b.mean())
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        lo = hi = diff
    else:
        dof = (va + vb) ** 2 / ((va**2 / (len(a) - 1)) + (vb**2 / (len(b) - 1)))
        t = float(stats.t.ppf(0.975, dof))
        lo, hi = diff - t * se, diff + t * se
    return RatingImpact(diff, lo, hi, len(a), len(b), len(a) < min_n, share)


@dataclass
class ThemeEvidence:
    """What the store knows about a theme in the flagged month, beyond its count series."""

    label: str = ""
    keywords: list[str] = field(default_factory=list)
    process_step: str = "other"
    volume_by_channel: dict[str, int] = field(default_factory=dict)
    negative_share: float | None = None
    repeat_contact_rate: float | None = None
    escalation_share: float | None = None
    rating_impact: RatingImpact | None = None
    example_ids: list[str] = field(default_factory=list)


@dataclass
class Flag:
    theme_id: int
    month: str
    status: str
    statuses: list[str]
    severity: float
    evidence: dict[str, Any]
    label: str = ""
    keywords: list[str] = field(default_factory=list)
    process_step: str = "other"
    volume: int = 0
    volume_by_channel: dict[str, int] = field(default_factory=dict)
    growth: float | None = None
    p_value: float | None = None
    negative_share: float | None = None
    repeat_contact_rate: float | None = None
    rating_impact: dict[str, Any] | None = None
    example_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def severity(volume: int, max_volume: int, growth: float | None, ev: ThemeEvidence) -> float:
    """0–100: volume, growth, negativity, cross-channel spread, escalations and rating damage, weighted."""
    vol = math.log1p(volume) / math.log1p(max(max_volume, 1))
    grow = min(max(((growth or 1.0) - 1.0) / 2.0, 0.0), 1.0) if growth is not None and not math.isnan(growth) else 0.0
    neg = ev.negative_share or 0.0
    channels = sum(1 for n in ev.volume_by_channel.values() if n >= 3) / 3
    esc = min((ev.escalation_share or 0.0) * 3, 1.0)
    impact = ev.rating_impact
    dmg = min(max(-(impact.diff or 0.0) / 30.0, 0.0), 1.0) if impact and impact.diff is not None else 0.0
    score = 0.30 * vol + 0.20 * grow + 0.10 * neg + 0.15 * channels + 0.10 * esc + 0.15 * dmg
    return round(100 * score, 1)


def flags_for_month(
    series: list[ThemeSeries], month: str, evidence: dict[int, ThemeEvidence], rules: FlagRules
) -> list[Flag]:
    """Every theme that is recurring, rising, emerging or resolved in `month`, most severe first."""
    flags: list[Flag] = []
    if not series:
        return flags
    i = series[0].months.index(month)
    max_volume = max(s.counts[i] for s in series)
    for s in series:
        checks = {
            "emerging": emerging(s, i, rules),
            "rising": rising(s, i, rules),
            "recurring": recurring(s, i, rules),
            "resolved": resolved(s, i, rules),
        }
        statuses = [name for name in STATUS_ORDER if checks[name][0]]
        if not statuses:
            continue
        ev = evidence.get(s.theme_id, ThemeEvidence())
        growth = checks["rising"][1].get("growth")
        p_value = checks["rising"][1].get("p_value")
        if statuses == ["resolved"]:
            growth, p_value = checks["resolved"][1]["ratio"], checks["resolved"][1]["p_value"]
        flags.append(
            Flag(
                theme_id=s.theme_id,
                month=month,
                status=statuses[0],
                statuses=statuses,
                severity=severity(s.counts[i], max_volume, growth if statuses[0] != "resolved" else None, ev),
                evidence={name: checks[name][1] for name in statuses},
                label=ev.label,
                keywords=ev.keywords,
                process_step=ev.process_step,
                volume=s.counts[i],
                volume_by_channel=ev.volume_by_channel,
                growth=None if growth is None or math.isnan(growth) else growth,
                p_value=p_value,
                negative_share=ev.negative_share,
                repeat_contact_rate=ev.repeat_contact_rate,
                rating_impact=asdict(ev.rating_impact) if ev.rating_impact else None,
                example_ids=ev.example_ids,
            )
        )
    flags.sort(key=lambda f: (f.status == "resolved", -f.severity, f.theme_id))
    return flags
