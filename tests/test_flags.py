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
    present,
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
    assert present(small, 3, RULES)
    assert not present(big, 3, RULES)


def test_recurring_needs_a_real_share_of_the_complaints() -> None:
    """Above the noise floor every month is not enough: a steady 2% theme is not what the meeting fixes."""
    assert not recurring(series([20, 20, 20, 20], complaints=1000), 3, RULES)[0]
    ok, ev = recurring(series([60, 60, 60, 60], complaints=1000), 3, RULES)
    assert ok and ev["complaint_share"] == pytest.approx(0.06)


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


def test_a_theme_hovering_at_the_floor_is_not_new_when_it_crosses() -> None:
    hovering = series([0, 8, 9, 8, 12, 11], first="2026-02")  # floor 10: crosses in May with no real growth
    assert present(hovering, 4, RULES) and not present(hovering, 3, RULES)
    assert not emerging(hovering, 4, RULES)[0] and not emerging(hovering, 5, RULES)[0]
    assert emerging(hovering, 4, RULES)[1]["growth_since_birth"] < RULES.rising_ratio


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
    rise = series([60, 60, 60, 60, 60, 150], tid=2)
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


def channel_series(tid: int, by_channel: list[list[int]], other: list[list[int]], kind: str = "complaint",
                   total_factor: list[int] | None = None) -> ThemeSeries:
    """A theme with per-channel counts; `other` are the remaining complaints of each channel per month."""
    n = len(by_channel[0])
    complaints = [[t + o for t, o in zip(tc, oc, strict=True)] for tc, oc in zip(by_channel, other, strict=True)]
    comp_total = tuple(sum(c[j] for c in complaints) for j in range(n))
    factor = total_factor or [1] * n
    return ThemeSeries(tid, MONTHS[:n], tuple(sum(c[j] for c in by_channel) for j in range(n)),
                       tuple(3 * comp_total[j] * factor[j] for j in range(n)), comp_total, MONTHS[0], kind=kind,
                       channels=("call", "rating", "social"), channel_counts=tuple(map(tuple, by_channel)),
                       channel_complaints=tuple(map(tuple, complaints)))


def test_praise_flood_flags_nothing_resolved_nor_rising_after() -> None:
    # months 5 and 6: five times the feedback, all of it praise; complaints and theme counts unchanged
    flood = [1, 1, 1, 1, 1, 5, 5, 1, 1, 1]
    themes = [series([c] * 10, tid=k) for k, c in enumerate((60, 120, 30, 45), 1)]
    themes = [ThemeSeries(s.theme_id, s.months, s.counts, tuple(3000 * f for f in flood), s.complaint_totals,
                          s.first_month) for s in themes]
    for i in range(10):
        flags = flags_for_month(themes, MONTHS[i], {}, RULES)
        assert not [f for f in flags if {"resolved", "rising"} & set(f.statuses)], MONTHS[i]
        assert all(not resolved(s, i, RULES)[0] and not rising(s, i, RULES)[0] for s in themes)


def test_channel_surge_spread_like_the_usual_mix_is_not_rising() -> None:
    # a new social source from month 6 quadruples social complaints, each theme's share of social unchanged
    surge = [1] * 6 + [4] * 4
    mixes = [(30, 10, 60), (60, 30, 10), (10, 60, 30)]
    others = [[300] * 10, [600] * 10, [[300 * f for f in surge]][0]]
    themes = [channel_series(k, [[c] * 10, [r] * 10, [s * f for f in surge]], others)
              for k, (c, r, s) in enumerate(mixes, 1)]
    assert not [(s.theme_id, i) for s in themes for i in range(10) if rising(s, i, RULES)[0]]
    # without the channel split the social-heavy theme would read as rising: the mix is what explains it
    pooled = ThemeSeries(1, themes[0].months, themes[0].counts, themes[0].totals, themes[0].complaint_totals,
                         MONTHS[0])
    assert rising(pooled, 6, RULES)[0]
    # a theme that grows faster than its channel is still caught
    grows = channel_series(9, [[30] * 10, [10] * 10, [60] * 6 + [480] * 4], others)
    assert rising(grows, 6, RULES)[0]


def test_a_step_up_is_rising_once_continued_growth_again() -> None:
    step = series([20, 20, 20, 60, 60, 60, 60])
    assert [i for i in range(7) if rising(step, i, RULES)[0]] == [3]
    growth = series([20, 20, 20, 60, 130, 130])
    assert [i for i in range(6) if rising(growth, i, RULES)[0]] == [3, 4]


def test_generic_theme_never_flagged() -> None:
    loud = [20, 20, 20, 20, 20, 90]
    rant = ThemeSeries(5, MONTHS[:6], tuple(loud), (3000,) * 6, (1000,) * 6, MONTHS[0], kind="generic")
    same = ThemeSeries(6, MONTHS[:6], tuple(loud), (3000,) * 6, (1000,) * 6, MONTHS[0])
    for m in MONTHS[:6]:
        assert 5 not in {f.theme_id for f in flags_for_month([rant, same], m, {}, RULES)}
    assert {f.theme_id for f in flags_for_month([rant, same], "2026-06", {}, RULES)} == {6}


def test_steady_recurring_theme_gives_way_to_news() -> None:
    old = series([80] * 12, tid=1)
    new = series([0] * 10 + [40, 45], first="2026-11", tid=2)
    early = flags_for_month([old], "2026-04", {}, RULES)[0].severity
    late = flags_for_month([old], "2026-12", {}, RULES)[0].severity
    assert late < early and late == pytest.approx(early * 0.5 ** ((12 - 4) / RULES.recurring_half_life), abs=0.2)
    flags = flags_for_month([old, new], "2026-12", {}, RULES)
    assert [(f.theme_id, f.status, f.rank) for f in flags] == [(2, "emerging", 1), (1, "recurring", 2)]
    assert flags[1].evidence["recurring"]["persistence_months"] == 12


def test_a_theme_carved_out_of_older_ones_is_not_new() -> None:
    """The tracker finding a sub-topic among old complaints is not a new problem; a real wave is."""
    from dataclasses import replace

    carved = replace(series([0, 0, 0, 0, 40, 41], first="2026-05", tid=2), prior_volume=35.0)
    assert emerging(replace(carved, prior_volume=None), 4, RULES)[0]  # without the replay it would read as new
    ok, ev = emerging(carved, 4, RULES)
    assert not ok and ev["prior_volume"] == 35.0 and ev["growth_over_prior"] < RULES.rising_ratio
    wave = replace(series([0, 0, 0, 0, 120, 150], first="2026-05", tid=3), prior_volume=6.0)
    assert emerging(wave, 4, RULES)[0]
    flags = flags_for_month([series([100] * 6), carved, wave], "2026-05", {}, RULES)
    assert {f.theme_id: f.status for f in flags if f.theme_id != 1} == {3: "emerging"}


def test_a_young_theme_that_keeps_growing_stays_flagged_after_its_emerging_months() -> None:
    wave = series([0, 0, 0, 0, 0, 0, 0, 0, 0, 17, 54, 112], first="2026-10")
    assert emerging(wave, 10, RULES)[0] and not emerging(wave, 11, RULES)[0]
    ok, ev = rising(wave, 11, RULES)
    assert ok and ev["expected"] < 60  # measured against the month after its (partial) birth month
    settled = series([0, 0, 0, 0, 0, 0, 0, 0, 0, 17, 54, 56], first="2026-10")
    assert not rising(settled, 11, RULES)[0]
    assert not rising(wave, 10, RULES)[0]  # still inside its emerging months: nothing to compare with
