"""A theme that has grown into two problems splits; one problem in many words does not."""

from __future__ import annotations

import numpy as np
from test_topics_labels import embed, family

from voc.topics import ThemeModel
from voc.topics.split import apply_splits, find_splits


def _model() -> ThemeModel:
    texts = family(["转账限额", "限额"], 30, 1) + family(["排队", "网点"], 30, 2) + family(["闪退", "登录"], 30, 3)
    return ThemeModel(n_themes=3, min_theme_size=3, random_state=0).fit(*embed(texts))


def _batch(
    model: ThemeModel, first: list[str], second: list[str]
) -> tuple[np.ndarray, list[list[str]], np.ndarray]:
    """60 records of one theme drawn from two word families, and 20 each for two other themes."""
    texts = family(first, 30, 4) + family(second, 30, 5) + family(["排队", "网点"], 20, 6) + family(["客服"], 20, 7)
    x, toks = embed(texts)
    a, b, c = [int(t) for t in model.theme_ids_ if int(t) != model.generic_id_][:3]
    labels = np.array([a] * 60 + [b] * 20 + [c] * 20)
    return x, [[w for w in t if len(w) > 1] for t in toks], labels


def test_two_separate_problems_in_one_theme_split_and_the_new_half_gets_its_own_id() -> None:
    model = _model()
    x, topics, labels = _batch(model, ["年费", "扣费"], ["验证码", "收不到"])
    mixed = int(labels[0])
    splits = find_splits(model, model.state_, x, labels, topics, granularity=0.5)
    assert [tid for tid, _ in splits] == [mixed]
    leaving = set(splits[0][1].tolist())
    assert leaving in (set(range(30)), set(range(30, 60)))  # one whole word family leaves, nothing else
    before = len(model.theme_ids_)
    born = apply_splits(model.state_, x, splits, {mixed: 60})
    (new_id, parent), = born.items()
    assert parent == mixed and new_id not in set(np.asarray(model.theme_ids_)[:before].tolist())
    assert len(model.centroids_) == len(model.theme_ids_) == len(model.thresholds_) == before + 1
    child = model.centroids_[-1]
    assert float(x[sorted(leaving)].mean(0) @ child) > float(x[sorted(set(range(60)) - leaving)].mean(0) @ child)


def test_one_problem_said_in_many_ways_stays_one_theme() -> None:
    model = _model()
    x, topics, labels = _batch(model, ["年费", "扣费"], ["年费", "扣费", "手续费"])
    assert find_splits(model, model.state_, x, labels, topics, granularity=0.5) == []


def test_small_themes_never_split() -> None:
    model = _model()
    x, topics, labels = _batch(model, ["年费", "扣费"], ["验证码", "收不到"])
    keep = np.r_[0:15, 30:45, 60:100]  # 30 members: below the minimum a split needs
    assert find_splits(model, model.state_, x[keep], labels[keep], [topics[i] for i in keep], granularity=0.5) == []
