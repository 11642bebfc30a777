"""Themes a meeting can read: rants go to one generic bucket, labels follow members, quotes are distinct."""

from __future__ import annotations

import random

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

from voc.text.segment import get_segmenter
from voc.topics import ThemeModel
from voc.topics.content import topic_words
from voc.topics.describe import representatives
from voc.topics.keywords import function_word, make_label
from voc.topics.quality import Presence, label_quality
from voc.topics.themes import GENERIC

RANTS = ["垃圾", "太差了", "无语", "垃圾银行", "什么破玩意", "差评，太失望了", "恶心", "服了"]


def embed(texts: list[str]) -> tuple[np.ndarray, list[list[str]]]:
    """Bag-of-words vectors: records sharing topic words are close, rants share only sentiment words."""
    seg = get_segmenter()
    tokens = [seg.words(t) for t in texts]
    vec = HashingVectorizer(analyzer=lambda d: d, n_features=512, alternate_sign=False, norm="l2")
    return vec.transform(tokens).toarray().astype(np.float32), tokens


def family(words: list[str], n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    tails = ["太麻烦了", "非常不满意", "希望改进", "体验很差", "请尽快处理"]
    return [f"{rng.choice(words)}{rng.choice(words)}{rng.choice(tails)}" for _ in range(n)]


def test_rants_have_no_topic_words_and_complaints_do():
    tw = topic_words()
    seg = get_segmenter()
    for rant in RANTS:
        assert tw.of(seg.words(rant)) == [], rant
    for text in ("转账限额太低", "手机银行一直闪退", "年费乱扣", "客服电话打不通"):
        assert tw.of(seg.words(text)), text


def test_contentless_rants_go_to_the_generic_bucket_never_a_theme():
    texts = family(["转账限额", "限额"], 40, 1) + family(["排队", "网点"], 40, 2) + RANTS * 5
    x, toks = embed(texts)
    model = ThemeModel(min_theme_size=3, random_state=0).fit(x, toks)
    labels = np.asarray(model.labels_)
    assert (labels[80:] == model.generic_id_).all()
    assert (labels[:80] != model.generic_id_).all()
    generic = model.themes[model.generic_id_]
    assert generic.kind == GENERIC and generic.representatives == []
    for t in model.themes_:
        if t.kind != GENERIC:
            assert not ({"垃圾", "无语", "恶心"} & set(t.label.split(" · "))), t.label
            assert t.label and "无关键词" not in t.label
    # A later month of rants still lands in the bucket, never in a new theme.
    lin = model.update(*embed(RANTS * 4))
    assert lin.new == [] and (lin.labels == model.generic_id_).all()


def test_label_follows_members_after_the_theme_grows():
    words = ["转账限额", "限额", "转账", "额度", "手机银行"]
    born = family(words, 40, 3)
    other = family(["排队", "网点", "叫号"], 30, 5)
    x, toks = embed(born + other)
    model = ThemeModel(n_themes=2, min_theme_size=3, merge_threshold=None, random_state=0).fit(x, toks)
    tid = int(model.labels_[0])
    assert "提额" not in model.themes[tid].label
    # The theme grows with records that also ask for a limit increase (提额), close to its centroid.
    grown = [f"{t}要提额" for t in family(words, 90, 4)]
    lin = model.update(*embed(grown))
    assert (lin.labels == tid).mean() > 0.5
    assert "提额" in model.themes[tid].label.split(" · ")
    assert model.themes[tid].size >= 80


def test_quality_and_representatives_reward_label_words_and_distinct_quotes():
    topics = [["限额", "转账"], ["限额"], ["排队"], ["排队", "网点"], ["限额", "转账"]]
    labels = np.array([0, 0, 1, 1, 1])
    q = label_quality(Presence.build(topics), labels, {0: ["限额"], 1: ["排队"]})
    assert q[0] == (1.0, 2 / 3)
    assert q[1] == (2 / 3, 1.0)
    sims = np.array([0.9, 0.8, 0.7, 0.6, 0.95])
    reps = representatives(np.array([0, 1, 4]), sims, topics, ["限额"], 3)
    assert reps == [4, 1]  # rows 4 and 0 say the same thing: one of them is enough


def test_labels_skip_function_words_but_keep_bank_terms():
    """越久 · 每年 · 它会 tell a reader nothing; 逾期 and 提额 are what the theme is about, whatever their tag."""
    assert function_word("越久") and function_word("每年") and function_word("它会") and function_word("销了")
    assert not any(function_word(w) for w in ("逾期", "提额", "闪退", "手续费", "转账限额", "客服"))
    keywords = [("越久", 0.9), ("额度", 0.8), ("每年", 0.7), ("提额", 0.6), ("征信", 0.5)]
    assert make_label(keywords) == "额度 · 提额 · 征信"
    assert make_label([("越久", 0.9), ("每年", 0.8)]) == "越久 · 每年"  # never an empty label
