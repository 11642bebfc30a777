"""Each flag rule on hand-built monthly counts."""

from __future__ import annotations

import numpy as np
import pytest

from voc.flags import (
    FlagRules,
    ThemeEvidence,
    ThemeSeries,
    emerging,
    flags_for_month,
    rate_test,
    rating_impact,
    recurring,
    resolved,
    rising,
)

MONTHS = tuple(f"2026-{m:02d}" for m in range(1, 13))
RULES = FlagRules()


def series(counts: list[int], first: str = "2026-01", total: int = 3000, complaints: int = 1000, tid: int = 1):
    return ThemeSeries(tid, MONTHS[: len(counts)], tuple(counts), (total,) * len(counts),
                       (complaints,) * len(counts), first)


def test_recurring_needs_three_of_four_and_this_month() -> None:
    s = series([50, 0, 50, 50, 50, 0])
    assert not recurring(s, 2, RULES)[0]  # only 2 of the window present
    assert recurring(s, 3, RULES)[0]  # Jan, Mar, Apr present
    assert recurring(s, 4, RULES)[0]
    assert not recurring(s, 5, RULES)[0]  # absent this month
    _, ev = recurring(s, 4, RULES)
    assert ev["months_present"] == ["2026-03", "2026-04", "2026-05"]


def test_noise_floor_scales_with_complaint_volume() -> None:
    small = series([12, 12, 12, 12], complaints=1000)
    big = series([12, 12, 12, 12], complaints=5000)  # floor 1% of 5000 = 50
    assert recurring(small, 3, RULES)[0]
    assert not recurring(big, 3, RULES)[0]


def test_rising_on_significant_growth_only() -> None:
    ok, ev = rising(series([20, 22, 18, 60]), 3, RULES)
    # exposure: the month's other complaints (1000 - 60) against the baseline's (3000 - 60)
    assert ok and ev["growth"] == pytest.approx((60.5 / 940) / (60.5 / 2940))
    assert ev["expected"] == pytest.approx(60 * 940 / 2940)
    assert ev["p_value"] < 1e-6
    assert not rising(series([20, 22, 18, 26]), 3, RULES)[0]  # noise
    assert not rising(series([1, 0, 1, 8]), 3, RULES)[0]  # below min_count


def test_rising_normalises_by_complaint_volume() -> None:
    s = ThemeSeries(1, MONTHS[:4], (20, 20, 20, 40), (3000,) * 4, (1000, 1000, 1000, 2000), "2026-01")
    assert not rising(s, 3, RULES)[0]  # twice the count but twice the complaints
    praise = ThemeSeries(1, MONTHS[:4], (20, 20, 20, 40), (3000, 3000, 3000, 6000), (1000,) * 4, "2026-01")
    assert rising(praise, 3, RULES)[0]  # more praise does not hide twice the complaints of the theme


def test_rate_test_matches_binomial() -> None:
    # equal rates: p of "greater" near 0.5+, of a big excess tiny
    assert rate_test(10, 100, 30, 300, "greater") > 0.4
    assert rate_test(50, 100, 30, 300, "greater") < 1e-10


def test_emerging_only_in_first_two_months_of_a_theme() -> None:
    s = series([0, 0, 0, 0, 30, 80], first="2026-05")
    assert emerging(s, 4, RULES)[0] and emerging(s, 5, RULES)[0]
    s_old = series([30, 30, 30, 30, 30, 80], first="2026-01")
    assert not emerging(s_old, 5, RULES)[0]
    s_small = series([0, 0, 0, 0, 0, 3], first="2026-06")
    assert not emerging(s_small, 5, RULES)[0]
    born_small = series([0, 2, 3, 2, 40, 90], first="2026-02")  # at noise level until it grew
    assert emerging(born_small, 4, RULES)[0] and emerging(born_small, 5, RULES)[0]
    baseline = series([40, 40, 40], first="2026-01")  # present from the first month of data
    assert not emerging(baseline, 0, RULES)[0] and not emerging(baseline, 1, RULES)[0]


def test_resolved_after_a_fix_and_not_recurring() -> None:
    s = series([150, 160, 140, 155, 4, 3, 5, 2])
    assert not resolved(s, 4, RULES)[0]  # one month down is not "stayed down"
    ok, ev = resolved(s, 5, RULES)
    assert ok and ev["before_months"] == ["2026-02", "2026-03", "2026-04"]
    assert ev["after_count"] == 7 and ev["p_value"] < 1e-10
    assert resolved(s, 6, RULES)[0] and resolved(s, 6, RULES)[1]["after_count"] == 12
    assert not recurring(s, 5, RULES)[0]
    residual = series([150, 160, 140, 155, 11, 9, 15, 12])  # a residual trickle at the noise floor
    assert resolved(residual, 5, RULES)[0] and resolved(residual, 6, RULES)[0]


def test_resolved_decays_after_resolved_months() -> None:
    s = series([150, 160, 140, 155, 4, 3, 5, 2, 4, 3, 2, 5])
    assert [m for m in range(12) if resolved(s, m, RULES)[0]] == [5, 6]  # news for 2 months, not forever
    three = FlagRules(resolved_months=3)
    assert [m for m in range(12) if resolved(s, m, three)[0]] == [5, 6, 7]
    assert resolved(s, 9, RULES)[1]["resolved_from"] == "2026-06"


def test_resolved_needs_the_own_volume_to_fall() -> None:
    # the share of complaints halves because complaints double (a new source), the theme's own count does not
    months = 8
    complaints = (1000,) * 4 + (3000,) * 4
    s = ThemeSeries(1, MONTHS[:months], (150,) * months, (5000,) * months, complaints, "2026-01")
    assert not any(resolved(s, m, RULES)[0] for m in range(months))
    # the own count halves only because a source stopped sending (complaints fell just as much)
    gone = ThemeSeries(1, MONTHS[:months], (150,) * 4 + (30,) * 4, (5000,) * months, (1000,) * 4 + (200,) * 4,
                       "2026-01")
    assert not any(resolved(gone, m, RULES)[0] for m in range(months))


def test_resolved_requires_a_recurring_past_and_a_real_drop() -> None:
    assert not resolved(series([0, 15, 0, 0, 0, 0]), 5, RULES)[0]
    assert not resolved(series([60, 60, 60, 60, 50, 45]), 5, RULES)[0]


def test_rating_impact_interval_and_small_sample() -> None:
    rng = np.random.default_rng(0)
    with_theme = rng.normal(30, 10, 200)
    without = rng.normal(70, 10, 2000)
    imp = rating_impact(with_theme, without, min_n=30, detractors_with=150, detractors_all=600)
    assert imp.diff == pytest.approx(with_theme.mean() - without.mean())
    assert imp.ci_low < imp.diff < imp.ci_high and imp.ci_high < -35
    assert not imp.small_sample and imp.detractor_share == 0.25
    small = rating_impact(np.array([20.0, 40.0, 30.0]), without, min_n=30)
    assert small.small_sample and small.ci_high - small.ci_low > imp.ci_high - imp.ci_low
    assert rating_impact(np.array([]), without, 30).diff is None


def test_flags_sorted_by_severity_with_evidence() -> None:
    rec = series([60, 60, 60, 60, 60, 60], tid=1)
    rise = series([20, 20, 20, 20, 20, 90], tid=2)
    new = series([0, 0, 0, 0, 0, 40], first="2026-06", tid=3)
    calm = series([5, 5, 5, 5, 5, 5], tid=4)
    ev = {2: ThemeEvidence(label="转账限额", volume_by_channel={"rating": 50, "call": 20, "social": 20},
                           negative_share=0.9)}
    flags = flags_for_month([rec, rise, new, calm], "2026-06", ev, RULES)
    by_id = {f.theme_id: f for f in flags}
    assert set(by_id) == {1, 2, 3}
    assert by_id[2].status == "rising" and "recurring" in by_id[2].statuses
    assert by_id[3].status == "emerging"
    assert by_id[1].status == "recurring" and by_id[1].growth == pytest.approx(1.0, abs=0.05)
    assert flags[0].theme_id == 2  # biggest, growing, cross-channel
    assert [f.severity for f in flags] == sorted((f.severity for f in flags), reverse=True)
    assert by_id[2].label == "转账限额" and by_id[2].p_value < 0.01
