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

from voc.config import FlagSettings

STATUS_ORDER = ("emerging", "rising", "recurring", "resolved")


@dataclass(frozen=True)
class FlagRules:
    """Thresholds of the flag rules (the `[flags]` section of voc.toml)."""

    recurring_months: int = FlagSettings.recurring_months
    recurring_window: int = FlagSettings.recurring_window
    recurring_share: float = FlagSettings.recurring_share
    rising_alpha: float = FlagSettings.rising_alpha
    rising_ratio: float = 1.5
    baseline_months: int = 3
    min_count: int = FlagSettings.min_count
    floor_share: float = 0.01
    floor_of_median: float = 0.25
    emerging_months: int = 2
    resolved_ratio: float = 0.5
    stay_down_months: int = 2
    resolved_months: int = FlagSettings.resolved_months
    recurring_half_life: float = FlagSettings.recurring_half_life
    max_report_flags: int = FlagSettings.max_report_flags
    min_rating_n: int = FlagSettings.min_rating_n


@dataclass(frozen=True)
class ThemeSeries:
    """One theme's complaint counts per month, aligned with the workspace's months and totals.

    `channel_counts` (the theme) and `channel_complaints` (all complaints) hold one row per channel in
    `channels`, so the expected count can follow the channel mix; without them all complaints are one channel.
    `totals` (all feedback) is kept for callers that show shares, no flag rule reads it.
    """

    theme_id: int
    months: tuple[str, ...]
    counts: tuple[int, ...]
    totals: tuple[int, ...]
    complaint_totals: tuple[int, ...]
    first_month: str
    kind: str = "complaint"
    channels: tuple[str, ...] = ()
    channel_counts: tuple[tuple[int, ...], ...] = ()
    channel_complaints: tuple[tuple[int, ...], ...] = ()
    # Complaints a month the theme would have held in the months before it was born (None: born in the first).
    prior_volume: float | None = None


def birth_index(s: ThemeSeries) -> int:
    """Index of the month the theme was born in (0 when it is older than the series)."""
    return s.months.index(s.first_month) if s.first_month in s.months else 0


def noise_floor(s: ThemeSeries, i: int, rules: FlagRules) -> float:
    """The theme's noise floor in month i: at least min_count, a small share of that month's complaints, and a
    quarter of the theme's own median month so far (a fixed theme's residual trickle is not "present")."""
    own = float(np.median(s.counts[: i + 1])) if i >= 0 else 0.0
    return max(rules.min_count, rules.floor_share * s.complaint_totals[i], rules.floor_of_median * own)


def present(s: ThemeSeries, i: int, rules: FlagRules) -> bool:
    return i >= 0 and s.counts[i] >= noise_floor(s, i, rules)


def sizeable(s: ThemeSeries, i: int, rules: FlagRules) -> bool:
    """Present and behind at least `recurring_share` of the month's complaints: a problem worth a meeting slot."""
    return present(s, i, rules) and s.counts[i] >= rules.recurring_share * s.complaint_totals[i]


def recurring(s: ThemeSeries, i: int, rules: FlagRules) -> tuple[bool, dict[str, Any]]:
    """Sizeable this month and in at least `recurring_months` of the last `recurring_window`.

    Present alone is not enough: on a steady workspace nearly every theme is above its noise floor every
    month, and a meeting that fixes 3-5 steps needs the persistent problems that carry real volume.
    """
    lo = max(0, i - rules.recurring_window + 1)
    months_present = [s.months[j] for j in range(lo, i + 1) if sizeable(s, j, rules)]
    ok = sizeable(s, i, rules) and len(months_present) >= rules.recurring_months
    share = s.counts[i] / s.complaint_totals[i] if s.complaint_totals[i] else 0.0
    return ok, {"months_present": months_present, "window": list(s.months[lo : i + 1]),
                "persistence_months": persistence(s, i, rules), "complaint_share": round(share, 4)}


def persistence(s: ThemeSeries, i: int, rules: FlagRules) -> int:
    """How many months up to month i the theme has been above its noise floor (gaps do not reset it: a
    theme dipping under the floor now and then is still a known problem, not a new one)."""
    return sum(1 for j in range(i + 1) if present(s, j, rules))


def persistence_decay(s: ThemeSeries, i: int, rules: FlagRules) -> float:
    """Severity multiplier of a flag that is only `recurring`: halves every `recurring_half_life` months the
    theme stays present beyond `recurring_months`, so a steady known problem gives way to news."""
    extra = max(0, persistence(s, i, rules) - rules.recurring_months)
    return 0.5 ** (extra / rules.recurring_half_life) if rules.recurring_half_life > 0 else 1.0


def rate_test(count: int, total: float, base_count: int, base_total: float, alternative: str) -> float:
    """Exact conditional test of two Poisson rates (count/total vs base_count/base_total) as a binomial."""
    n = count + base_count
    if n == 0 or total <= 0 or base_total <= 0:
        return 1.0
    p0 = total / (total + base_total)
    return float(stats.binomtest(count, n, p0, alternative=alternative).pvalue)


def rate_ratio(count: int, total: float, base_count: int, base_total: float) -> float:
    """Rate this month over the baseline rate, with half a count added so empty baselines stay finite."""
    if total <= 0 or base_total <= 0:
        return float("nan")
    return ((count + 0.5) / total) / ((base_count + 0.5) / base_total)


def _by_channel(s: ThemeSeries) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
    if s.channels:
        return s.channel_counts, s.channel_complaints
    return (s.counts,), (s.complaint_totals,)


def exposure(s: ThemeSeries, target: range, base: range) -> tuple[float, float]:
    """Exposure of the target months and of the baseline months: the other complaints, weighted by channel.

    Each channel's complaints (less the theme's own, so a theme that dominates its month can still rise)
    count with the theme's baseline propensity in that channel (its ratio to that channel's other complaints
    over its pooled ratio, smoothed by one pseudo-record). The theme's expected count in the target months is
    then baseline count x target exposure / baseline exposure. A praise flood leaves it unchanged (praise is
    not a complaint); a surge of one channel raises it by the theme's usual share of that channel.
    """
    theme, complaints = _by_channel(s)
    other = [[max(n[j] - t[j], 0) for j in range(len(n))] for t, n in zip(theme, complaints, strict=True)]
    base_count = sum(sum(t[j] for j in base) for t in theme)
    base_n = sum(sum(o[j] for j in base) for o in other)
    pooled = base_count / base_n if base_n else 0.0
    w_target = w_base = 0.0
    for t, o in zip(theme, other, strict=True):
        bn = sum(o[j] for j in base)
        weight = ((sum(t[j] for j in base) + 1) / (bn + 1 / pooled)) / pooled if pooled > 0 else 1.0
        w_target += weight * sum(o[j] for j in target)
        w_base += weight * bn
    return w_target, w_base


def above_expected(s: ThemeSeries, i: int, base: range, rules: FlagRules) -> tuple[bool, dict[str, Any]]:
    """Month i's count significantly above (and `rising_ratio` times) what the baseline months predict."""
    w_i, w_base = exposure(s, range(i, i + 1), base)
    base_c = sum(s.counts[j] for j in base)
    p = rate_test(s.counts[i], w_i, base_c, w_base, "greater")
    ratio = rate_ratio(s.counts[i], w_i, base_c, w_base)
    ok = present(s, i, rules) and p < rules.rising_alpha and ratio >= rules.rising_ratio
    return ok, {
        "growth": ratio,
        "p_value": p,
        "count": s.counts[i],
        "expected": base_c * w_i / w_base if w_base > 0 else None,
        "baseline_count": base_c,
        "baseline_months": [s.months[j] for j in base],
    }


def rising(s: ThemeSeries, i: int, rules: FlagRules) -> tuple[bool, dict[str, Any]]:
    """Significantly above the count the last `baseline_months` predict for this month's complaint mix.

    A step up is news once: when the theme was already rising last month it is rising again only if it is
    also significantly above last month's own level (it keeps growing), not because it stays high. The
    baseline months must all lie after the theme was born: zeros from before it existed are not a baseline.
    A young theme whose `emerging_months` are over is measured against the months since its birth month (a
    theme found mid-month is born small), so one that keeps growing fast stays on the list.
    """
    lo = i - rules.baseline_months
    born = birth_index(s)
    if lo < born or lo < 0:
        lo = born + 1 if born > 0 else 0
        if i - born < rules.emerging_months or lo >= i:
            return False, {"reason": "not enough history"}
    ok, ev = above_expected(s, i, range(lo, i), rules)
    if ok and rising(s, i - 1, rules)[0]:
        ok, ev["since_last_month"] = above_expected(s, i, range(i - 1, i), rules)
    return ok, ev


def emerging(s: ThemeSeries, i: int, rules: FlagRules) -> tuple[bool, dict[str, Any]]:
    """First above the noise floor within the last `emerging_months` months, never before.

    A theme born at noise level keeps counting as new until its volume becomes meaningful. The first
    `baseline_months` months of data are a warm-up: themes the tracker finds then were there all along (the
    first month's fit cannot see every theme), so they are the baseline, not news. A theme that hovered just
    under the floor since it was born and now crosses it is not new either: its volume since crossing must be
    `rising_ratio` times its volume before. Nor is a theme the tracker carved out of older ones: its volume
    must also be `rising_ratio` times what the months before its birth held of it (`prior_volume`).
    """
    first_present = next((j for j in range(i + 1) if present(s, j, rules)), None)
    ok = (first_present is not None and first_present >= rules.baseline_months
          and i - first_present < rules.emerging_months)
    ev: dict[str, Any] = {
        "first_month": s.first_month,
        "first_present_month": s.months[first_present] if first_present is not None else None,
        "count": s.counts[i],
    }
    now = float(np.mean(s.counts[first_present:i + 1])) if ok and first_present is not None else 0.0
    if ok and first_present is not None:
        before = s.counts[birth_index(s):first_present]
        if before:
            ev["growth_since_birth"] = round(now / max(float(np.mean(before)), 1.0), 2)
            ok = ev["growth_since_birth"] >= rules.rising_ratio
    if ok and s.prior_volume is not None:
        ev.update(prior_volume=s.prior_volume, growth_over_prior=round(now / max(s.prior_volume, 1.0), 2))
        ok = ev["growth_over_prior"] >= rules.rising_ratio
    return ok, ev


def resolved(s: ThemeSeries, i: int, rules: FlagRules) -> tuple[bool, dict[str, Any]]:
    """Once recurring, then its own volume down significantly and staying down: evidence that a fix worked.

    The count per month must fall (not only its share), and also against the complaint exposure, so neither a
    praise flood nor a missing source reads as a fix. It is news for `resolved_months` months from the month
    it has stayed down `stay_down_months`, then no longer flagged.
    """
    last_rec = next((j for j in range(i, -1, -1) if recurring(s, j, rules)[0]), None)
    if last_rec is None:
        return False, {"reason": "never recurring"}
    down = rules.stay_down_months
    if i - last_rec < down:
        return False, {"reason": "not down long enough"}
    since = i - last_rec - down
    if since >= rules.resolved_months:
        return False, {"reason": "resolved earlier", "resolved_from": s.months[last_rec + down]}
    before = range(max(0, last_rec - rules.baseline_months + 1), last_rec + 1)
    after = range(last_rec + 1, i + 1)
    before_c, after_c = sum(s.counts[j] for j in before), sum(s.counts[j] for j in after)
    before_pm = before_c / len(before)
    ratio = rate_ratio(after_c, len(after), before_c, len(before))
    p = rate_test(after_c, len(after), before_c, len(before), "less")
    w_after, w_before = exposure(s, after, before)
    adj_ratio = rate_ratio(after_c, w_after, before_c, w_before)
    adj_p = rate_test(after_c, w_after, before_c, w_before, "less")
    ok = (
        all(s.counts[j] <= rules.resolved_ratio * before_pm for j in after)
        and ratio <= rules.resolved_ratio
        and p < rules.rising_alpha
        and adj_ratio <= rules.resolved_ratio
        and adj_p < rules.rising_alpha
    )
    return ok, {
        "before_months": [s.months[j] for j in before],
        "before_count": before_c,
        "before_per_month": before_pm,
        "after_months": [s.months[j] for j in after],
        "after_count": after_c,
        "after_per_month": after_c / len(after),
        "ratio": ratio,
        "p_value": p,
        "adjusted_ratio": adj_ratio,
        "adjusted_p_value": adj_p,
        "months_since": since,
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
    rank: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def severity(volume: int, max_volume: int, growth: float | None, ev: ThemeEvidence) -> float:
    """0–100: volume, growth over expected, negativity, cross-channel spread, escalations and rating damage."""
    vol = math.log1p(volume) / math.log1p(max(max_volume, 1))
    grow = min(max(((growth or 1.0) - 1.0) / 2.0, 0.0), 1.0) if growth is not None and not math.isnan(growth) else 0.0
    neg = ev.negative_share or 0.0
    channels = min(sum(1 for n in ev.volume_by_channel.values() if n >= 3) / 3, 1.0)
    esc = min((ev.escalation_share or 0.0) * 3, 1.0)
    impact = ev.rating_impact
    dmg = min(max(-(impact.diff or 0.0) / 30.0, 0.0), 1.0) if impact and impact.diff is not None else 0.0
    score = 0.30 * vol + 0.20 * grow + 0.10 * neg + 0.15 * channels + 0.10 * esc + 0.15 * dmg
    return round(100 * score, 1)


def _flag(s: ThemeSeries, i: int, checks: dict[str, tuple[bool, dict[str, Any]]], max_volume: int,
          ev: ThemeEvidence, rules: FlagRules) -> Flag | None:
    statuses = [name for name in STATUS_ORDER if checks[name][0]]
    if not statuses:
        return None
    growth = checks["rising"][1].get("growth")
    p_value = checks["rising"][1].get("p_value")
    if statuses == ["resolved"]:
        growth, p_value = checks["resolved"][1]["ratio"], checks["resolved"][1]["p_value"]
    score = severity(s.counts[i], max_volume, growth if statuses[0] != "resolved" else None, ev)
    if statuses[0] == "recurring":
        score = round(score * persistence_decay(s, i, rules), 1)
    return Flag(
        theme_id=s.theme_id,
        month=s.months[i],
        status=statuses[0],
        statuses=statuses,
        severity=score,
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


def flags_for_month(
    series: list[ThemeSeries], month: str, evidence: dict[int, ThemeEvidence], rules: FlagRules
) -> list[Flag]:
    """Every complaint theme that is recurring, rising, emerging or resolved in `month`, most severe first.

    Generic themes (contentless rants) are never flagged: there is no service step to fix behind them. A flag
    that is only `recurring` loses severity the longer it persists (see `persistence_decay`), so the top of
    the list (`rank` 1, 2, ...) is what changed; resolved flags come after the active ones.
    """
    flags: list[Flag] = []
    series = [s for s in series if s.kind != "generic"]
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
        flag = _flag(s, i, checks, max_volume, evidence.get(s.theme_id, ThemeEvidence()), rules)
        if flag is not None:
            flags.append(flag)
    flags.sort(key=lambda f: (f.status == "resolved", -f.severity, f.theme_id))
    for rank, f in enumerate(flags, 1):
        f.rank = rank
    return flags
