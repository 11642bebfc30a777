"""Self-training on unlabelled texts: pseudo-label choice, cross-fitting, and a model that learns new words."""

from __future__ import annotations

import random

import numpy as np
import pytest

from voc.sentiment import SentimentModel
from voc.sentiment.adapt import cross_fit, pseudo_labels, sample_unlabelled, with_pseudo

PRAISE = ["柜员很耐心", "办理很快", "经理很专业", "服务很周到", "环境很舒服"]
GRIPE = ["柜员很敷衍", "办理很慢", "经理不专业", "服务很差劲", "环境很脏乱"]
# Channel-specific words the rated records never contain: they only co-occur with known cues in the
# unlabelled texts (the way 卡顿 / 闪退 show up in app reviews but not in branch ratings).
APP_GOOD = ["夜间护眼", "指纹秒开"]
APP_BAD = ["一直卡顿", "老是闪退"]


def rated_branch(n: int, seed: int) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        good = i % 2 == 0
        texts.append("，".join(rng.sample(PRAISE if good else GRIPE, 2)) + rng.choice(["", "。", "！"]))
        labels.append(int(good))
    return texts, labels


WHEN = ["", "今天", "昨天晚上", "升级以后", "上班路上", "周末", "刚才"]


def unrated_app(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        good = i % 2 == 0
        cue = rng.choice(["很好用", "很满意", "很方便"] if good else ["很差劲", "太失望", "很糟糕"])
        word = rng.choice(APP_GOOD if good else APP_BAD)
        out.append(f"{rng.choice(WHEN)}{word}，{cue}{rng.choice(['', '。', '！'])}")
    return out


def test_pseudo_labels_take_the_confident_share_of_each_class() -> None:
    proba = np.array([0.99, 0.6, 0.55, 0.02, 0.45, 0.3, 0.9, 0.1])
    idx, labels = pseudo_labels(proba, 0.5)
    chosen = dict(zip(idx.tolist(), labels.tolist(), strict=True))
    assert chosen == {0: 1, 6: 1, 3: 0, 7: 0}
    assert len(pseudo_labels(proba, 0.0)[0]) == 0
    assert len(pseudo_labels(proba, 1.0)[0]) == len(proba)


def test_with_pseudo_keeps_labelled_rows_and_adds_the_new_ones() -> None:
    texts, labels, weight = with_pseudo(["a", "b"], [1, 0], ["c", "d"], np.array([0.9, 0.2]), 1.0)
    assert texts[:2] == ["a", "b"] and labels[:2].tolist() == [1, 0]
    assert dict(zip(texts[2:], labels[2:].tolist(), strict=True)) == {"c": 1, "d": 0}
    assert weight.tolist() == pytest.approx([1.0, 1.0, 0.36 * 2 / 1.0, 0.64 * 2 / 1.0])


def test_pseudo_labels_weigh_by_confidence_and_a_small_pool_as_much_as_the_labelled_rows() -> None:
    labelled = [f"l{i}" for i in range(6)]
    _, _, weight = with_pseudo(labelled, [1, 0] * 3, ["c", "d"], np.array([0.9, 0.3]), 1.0)
    assert weight[:6].tolist() == [1.0] * 6
    assert weight[6:].tolist() == pytest.approx([0.16 * 6 / 0.8, 0.64 * 6 / 0.8])
    pool = [f"p{i}" for i in range(12)]
    proba = np.array([0.0, 1.0] * 6)
    _, _, weight = with_pseudo(["a", "b"], [1, 0], pool, proba, 1.0)
    assert weight.tolist() == [1.0] * 14
    _, _, weight = with_pseudo(labelled, [1, 0] * 3, ["c", "d"], np.array([0.9, 0.3]), 1.0, balance=False)
    assert weight.tolist() == [1.0] * 8


def test_sample_unlabelled_drops_labelled_empty_and_repeated_texts() -> None:
    pool = sample_unlabelled(["x", "", "  ", "y", "x", "z"], {"z"}, 10, 0)
    assert pool == ["x", "y"]
    assert len(sample_unlabelled([f"t{i}" for i in range(100)], set(), 7, 0)) == 7


def test_cross_fit_never_scores_a_row_with_a_model_that_saw_it() -> None:
    calls = []

    def fit_and_score(adapt_rows: np.ndarray, score_rows: np.ndarray) -> np.ndarray:
        assert not set(adapt_rows) & set(score_rows)
        calls.append((len(adapt_rows), len(score_rows)))
        return np.full(len(score_rows), float(len(calls)))

    out = cross_fit(11, fit_and_score, random_state=3)
    assert sorted(calls) == [(5, 6), (6, 5)]
    assert set(out.tolist()) == {1.0, 2.0}


def test_self_training_learns_words_only_the_unlabelled_texts_have() -> None:
    texts, labels = rated_branch(600, seed=1)
    unlabelled = unrated_app(600, seed=2)
    plain = SentimentModel(min_per_class=50).fit(texts, labels)
    adapted = SentimentModel(min_per_class=50, check_adaptation=False).fit(texts, labels, unlabelled=unlabelled)
    assert plain.n_pseudo_ == 0 and adapted.n_pseudo_ > 0
    probe = ["一直卡顿", "老是闪退", "夜间护眼", "指纹秒开"]
    p_plain, p_adapted = plain.predict_proba(probe), adapted.predict_proba(probe)
    # The plain model never saw these words and calls them all negative; the adapted one learned the
    # praise words from their company and keeps the complaint words negative.
    assert (p_plain < 0.5).all()
    assert (p_adapted[2:] > p_plain[2:] + 0.2).all()
    assert (p_adapted[:2] < 0.5).all()
    assert adapted.fingerprint_ != plain.fingerprint_


def test_adapted_model_round_trips(tmp_path) -> None:
    texts, labels = rated_branch(400, seed=3)
    model = SentimentModel(min_per_class=50, check_adaptation=False)
    model.fit(texts, labels, unlabelled=unrated_app(300, seed=4))
    loaded = SentimentModel.load(model.save(tmp_path / "m"))
    assert loaded.n_pseudo_ == model.n_pseudo_
    probe = ["一直卡顿，很差劲", "柜员很耐心"]
    assert np.allclose(loaded.predict_proba(probe), model.predict_proba(probe))


def test_pseudo_labels_the_lexicon_contradicts_are_left_out() -> None:
    proba = np.array([0.95, 0.9, 0.1, 0.05])
    cues = np.array([-1.2, 0.0, 0.8, -0.5])
    idx, labels = pseudo_labels(proba, 1.0, cues)
    assert dict(zip(idx.tolist(), labels.tolist(), strict=True)) == {1: 1, 3: 0}


def test_workspace_training_adapts_to_its_unrated_records(tmp_path) -> None:
    from dataclasses import replace

    from builders import build_workspace

    from voc.enrich import sentiment_dir, train_sentiment
    from voc.store import Store

    built = build_workspace(tmp_path / "ws")
    ws = built.ws
    settings = replace(ws.settings, sentiment=replace(ws.settings.sentiment, min_rated_per_class=50, min_unlabelled=10))
    with Store.open(ws.db_path) as store:
        unrated = store.enrichment.unrated_texts()
        info = train_sentiment(store, ws.models_dir, settings)
    expected = {r.text for r in built.records if r.rating is None and r.text}
    assert set(unrated) == expected
    assert info["unrated"] == len(unrated) > 0
    assert not info["lexicon_only"]
    assert 0 < info["pseudo_labelled"] <= len(set(unrated))
    loaded = SentimentModel.load(sentiment_dir(ws.models_dir))
    assert loaded.n_pseudo_ == info["pseudo_labelled"]
    # The builder's unrated calls and posts are all complaints while half its ratings are praise: the
    # expected share of positives sits below the rated share.
    rated_share = sum(1 for r in built.records if r.rating == 5.0) / sum(1 for r in built.records if r.rating)
    assert 0.01 <= loaded.prior_ < rated_share
    assert abs(loaded.prior_ - info["expected_positive"]) < 1e-3


def test_estimate_prior_recovers_the_share_of_positives() -> None:
    from voc.sentiment.adapt import estimate_prior

    rng = np.random.default_rng(0)
    # Evidence s ~ Beta(4, 2) for positives and Beta(2, 4) for negatives; the likelihood ratio is
    # s^2 / (1-s)^2, so the calibrated posterior under a balanced prior is s^2 / (s^2 + (1-s)^2).
    for share in (0.2, 0.5, 0.7):
        y = rng.random(20_000) < share
        s = np.where(y, rng.beta(4, 2, len(y)), rng.beta(2, 4, len(y)))
        p = s**2 / (s**2 + (1 - s) ** 2)
        assert abs(estimate_prior(p) - share) < 0.03
    assert estimate_prior(np.array([])) == 0.5


def test_expected_prior_shifts_scores_and_survives_save(tmp_path) -> None:
    texts, labels = rated_branch(400, seed=5)
    probe = ["柜员很耐心，办理很慢", "环境很舒服"]
    balanced = SentimentModel(min_per_class=50).fit(texts, labels)
    mostly_bad = SentimentModel(min_per_class=50).fit(texts, labels, target_prior=0.2)
    unshifted = SentimentModel(min_per_class=50, prior_correction=False).fit(texts, labels, target_prior=0.2)
    assert (mostly_bad.predict_proba(probe) < balanced.predict_proba(probe)).all()
    assert np.allclose(unshifted.predict_proba(probe), balanced.predict_proba(probe))
    loaded = SentimentModel.load(mostly_bad.save(tmp_path / "m"))
    assert loaded.prior_ == 0.2
    assert np.allclose(loaded.predict_proba(probe), mostly_bad.predict_proba(probe))


def test_a_small_unrated_pool_moves_the_balanced_model_further() -> None:
    texts, labels = rated_branch(1500, seed=6)
    unlabelled = unrated_app(120, seed=7)
    probe = ["夜间护眼", "指纹秒开"]
    even = SentimentModel(min_per_class=50, balance_pseudo=False, check_adaptation=False)
    even.fit(texts, labels, unlabelled=unlabelled)
    balanced = SentimentModel(min_per_class=50, check_adaptation=False).fit(texts, labels, unlabelled=unlabelled)
    assert even.n_pseudo_ == balanced.n_pseudo_ > 0
    assert (balanced.predict_proba(probe) > even.predict_proba(probe)).all()


def test_sample_weights_must_match_the_texts() -> None:
    texts, labels = rated_branch(400, seed=8)
    with pytest.raises(ValueError, match="399 sample weights for 400 texts"):
        SentimentModel(min_per_class=50).fit(texts, labels, sample_weight=np.ones(399))


def test_adaptation_is_refused_on_too_few_unlabelled_texts() -> None:
    texts, labels = rated_branch(600, seed=1)
    model = SentimentModel(min_per_class=50, min_unlabelled=500).fit(texts, labels, unlabelled=unrated_app(600, seed=2))
    assert not model.adaptation_["applied"] and model.n_pseudo_ == 0
    assert "unlabelled texts" in model.adaptation_["reason"]


def test_adaptation_that_would_hurt_is_refused_and_the_plain_model_kept() -> None:
    """Built to hurt: a few unrated complaints about app faults the ratings never mention, each opened with
    a polite rated praise phrase. The plain model calls them praise, so self-training on them teaches
    that the faults are praise; the check refuses (too few texts to learn from) and keeps the plain model."""
    texts, labels = rated_branch(600, seed=9)
    rng = random.Random(10)
    faults = ["页面一片空白", "余额对不上"]
    pool = [f"{rng.choice(WHEN)}{rng.choice(PRAISE)}，{f}{e}" for f in faults for e in ("", "。", "！", "…")]
    pool += [f"{w}{p}，{f}" for w in WHEN for p in PRAISE[:2] for f in faults]
    plain = SentimentModel(min_per_class=50).fit(texts, labels)
    unchecked = SentimentModel(min_per_class=50, check_adaptation=False).fit(texts, labels, unlabelled=pool)
    checked = SentimentModel(min_per_class=50).fit(texts, labels, unlabelled=pool)
    assert (unchecked.predict_proba(faults) > plain.predict_proba(faults) + 0.1).all()  # it would hurt
    assert not checked.adaptation_["applied"] and checked.n_pseudo_ == 0
    assert np.allclose(checked.predict_proba(faults), plain.predict_proba(faults))


def test_adapted_never_changes_more_than_the_bound_on_the_texts_it_checks() -> None:
    from voc.sentiment.adapt import AdaptationCheck

    check = AdaptationCheck(max_change=0.1)
    before = np.array([0] * 50 + [1] * 50)
    after = before.copy()
    after[:11] = 1  # 11% of the labels change
    cues = np.zeros(100)
    assert not check.confirm(before, after, cues)["applied"]
    after[10] = 0  # 10%: allowed
    assert check.confirm(before, after, cues)["applied"]
    # Changes that go against the lexicon on most texts with a cue are refused too.
    cues[:10] = -2.0
    assert not check.confirm(before, after, cues)["applied"]


def test_an_unstable_prior_estimate_is_not_applied() -> None:
    from voc.sentiment.adapt import AdaptationCheck

    rng = np.random.default_rng(0)
    wide = rng.uniform(0, 1, 40)
    small = AdaptationCheck(min_pool=10).assess(np.column_stack([1 - wide, wide, np.zeros(40)]), 40)
    assert small["self_train"] and not small["prior_shift"]
    big = rng.beta(2, 5, 20_000)
    stable = AdaptationCheck(min_pool=10).assess(np.column_stack([1 - big, big, np.zeros(len(big))]), len(big))
    assert stable["prior_shift"] and stable["prior"][1] < 0.5
