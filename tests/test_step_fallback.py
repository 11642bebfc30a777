"""Process steps abstain: the embedding fallback answers only where a held-out check says it is right."""

from __future__ import annotations

import numpy as np
import pytest

from voc.step_fallback import StepFallback, calibrate, wilson_lower
from voc.taxonomy import OTHER, Taxonomy
from voc.topics.themes import Theme
from voc.tracking import theme_step


def _clusters(rng: np.random.Generator, steps: list[str], per: int, noise: float) -> tuple[np.ndarray, list[str]]:
    centres = np.eye(len(steps), 16, dtype=np.float32)
    x = np.vstack([centres[i] + noise * rng.standard_normal((per, 16)) for i in range(len(steps))])
    return x.astype(np.float32), [s for s in steps for _ in range(per)]


def test_separable_examples_give_a_margin_and_answers_near_a_step() -> None:
    rng = np.random.default_rng(0)
    steps = ["fees", "hotline", "loans"]
    x, y = _clusters(rng, steps, 40, 0.15)
    fb = StepFallback().fit(x, y, [str(i) for i in range(len(y))])
    assert fb.margin is not None and fb.report["precision"] >= 0.8
    near_hotline = np.eye(3, 16, dtype=np.float32)[1:2]
    between = (np.eye(3, 16, dtype=np.float32)[0:1] + np.eye(3, 16, dtype=np.float32)[2:3]) / 2
    assert fb.predict(np.vstack([near_hotline, between])) == ["hotline", None]


def test_without_signal_the_fallback_abstains_for_every_record() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((120, 16)).astype(np.float32)
    y = [["fees", "hotline", "loans"][i % 3] for i in range(120)]
    fb = StepFallback().fit(x, y, [str(i) for i in range(120)])
    assert fb.centroids is None and "precision" in fb.report["abstains"]
    assert fb.predict(rng.standard_normal((5, 16)).astype(np.float32)) == [None] * 5


def test_a_lucky_handful_of_held_out_hits_is_not_enough() -> None:
    """A dozen clear held-out hits above a sea of noise: raw precision clears 80% there, its lower bound does not."""
    rng = np.random.default_rng(4)
    steps = ["fees", "hotline", "loans"]
    x, y = _clusters(rng, steps, 8, 0.05)
    noise = rng.standard_normal((100, 16)).astype(np.float32)
    noise[:, :3] = 0
    x = np.vstack([x, noise])
    y = y + [steps[i % 3] for i in range(100)]
    keys = [str(i) for i in range(len(y))]
    fb = StepFallback().fit(x, y, keys)
    assert fb.centroids is None and "precision" in fb.report["abstains"]
    assert wilson_lower(np.array([12]), np.array([12]))[0] < 0.8 < wilson_lower(np.array([95]), np.array([100]))[0]


def test_too_few_examples_abstain() -> None:
    x, y = _clusters(np.random.default_rng(2), ["fees", "hotline"], 6, 0.05)
    fb = StepFallback().fit(x, y, [str(i) for i in range(len(y))])
    assert fb.centroids is None and fb.report["abstains"] == "too few rule-matched examples"


def test_a_record_no_rule_matches_stays_unclassified_when_calibration_fails() -> None:
    """The whole path with an embedder that knows nothing: nothing is guessed."""
    tax = Taxonomy.load()
    rng = np.random.default_rng(3)
    words = ["手续费 太 贵", "客服 打不通", "转账 限额 太 低", "年费 乱扣"]
    records = [{"id": f"r{i}", "tokens": f"{words[i % 4]} 第{i}次 真是 麻烦"} for i in range(200)]
    seen: list[str] = []

    def encode(texts: list[str]) -> np.ndarray:
        seen.extend(texts)
        return rng.standard_normal((len(texts), 16)).astype(np.float32)

    fb = calibrate([records], tax, encode)
    assert seen and not any(kw in t for t in seen for kw in ("手续费", "客服", "转账", "年费"))
    assert fb.centroids is None
    unmatched = [["今天", "心情", "不好"]]
    assert tax.classify(unmatched, lambda todo: fb.predict(encode(["今天心情不好"] * len(todo)))) == [OTHER]


def _theme(keywords: list[str]) -> Theme:
    return Theme(1, "·".join(keywords), [(k, 1.0) for k in keywords], 10, 0.0, [])


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return Taxonomy.load()


def test_a_themes_step_is_its_members_vote_not_its_keywords(tax: Taxonomy) -> None:
    members = ["hotline"] * 6 + ["fees"] * 2 + [OTHER] * 2
    assert theme_step(_theme(["手续费"]), tax, members) == "hotline"


def test_keywords_only_break_a_tie(tax: Taxonomy) -> None:
    assert theme_step(_theme(["手续费"]), tax, ["hotline", "fees", OTHER]) == "fees"


def test_a_theme_whose_members_mostly_abstain_is_unclassified(tax: Taxonomy) -> None:
    assert theme_step(_theme(["手续费"]), tax, ["fees"] * 2 + [OTHER] * 8) == OTHER
    assert theme_step(_theme(["手续费"]), tax, []) == OTHER


def test_an_app_theme_lands_on_the_sub_step_its_members_name(tax: Taxonomy) -> None:
    members = ["mobile_app"] * 3 + ["app_verification"] * 4 + ["app_login"] * 2 + ["fees"] * 5
    assert theme_step(_theme(["手机银行"]), tax, members) == "app_verification"
    assert theme_step(_theme(["手机银行"]), tax, ["mobile_app"] * 5 + ["app_login"] * 2) == "mobile_app"
