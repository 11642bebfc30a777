"""Lexicon scoring, weak labels, label parsing and call escalation (fast, offline)."""

from __future__ import annotations

import pytest

from voc.sentiment import (
    NEGATIVE,
    POSITIVE,
    LexiconScorer,
    SentimentResult,
    label_for,
    parse_label,
    score_call,
    weak_label,
)
from voc.sentiment.labels import NEG, NEU, POS


@pytest.fixture(scope="module")
def lex() -> LexiconScorer:
    return LexiconScorer()


def test_negation_flips_a_cue(lex: LexiconScorer) -> None:
    assert lex.score("满意").score > 0.2
    assert lex.score("不满意").score < -0.2
    assert lex.score("服务很专业").label == POSITIVE
    assert lex.score("太不专业了").label == NEGATIVE


def test_degree_scales_a_cue(lex: LexiconScorer) -> None:
    strong, plain, weak = (lex.score(t).score for t in ("非常满意", "满意", "有点满意"))
    assert strong > plain > weak > 0


def test_negated_degree_is_milder_than_plain_negation(lex: LexiconScorer) -> None:
    assert lex.score("不满意").score < lex.score("不是很满意").score < 0
    assert lex.score("不太好").score < 0
    assert lex.score("太不专业").score < lex.score("不专业").score


def test_bank_cues_and_contrast(lex: LexiconScorer) -> None:
    r = lex.score("信用卡被盗刷了，客服一直推诿")
    assert r.label == NEGATIVE
    assert "盗刷" in r.cues
    assert lex.score("大堂经理很耐心，办理高效便捷").label == POSITIVE
    assert lex.score("环境不错，就是排队太久").score < 0


def test_empty_text_is_neutral(lex: LexiconScorer) -> None:
    assert lex.score("") == SentimentResult(0.0, "中性", ())


def test_label_thresholds_are_parameters() -> None:
    assert label_for(0.1) == "中性"
    assert label_for(0.1, positive_above=0.05) == POSITIVE
    assert label_for(-0.3) == NEGATIVE


@pytest.mark.parametrize(
    ("rating", "scale", "label"),
    [
        (1, "star5", NEG),
        (2, "star5", NEG),
        (3, "star5", NEU),
        (4, "star5", POS),
        (5, "star5", POS),
        (1, "csat5", NEG),
        (3, "csat5", NEU),
        (5, "csat5", POS),
        (0, "nps10", NEG),
        (6, "nps10", NEG),
        (7, "nps10", NEU),
        (8, "nps10", NEU),
        (9, "nps10", POS),
        (10, "nps10", POS),
    ],
)
def test_weak_label(rating: float, scale: str, label: int) -> None:
    assert weak_label(rating, scale) == label


@pytest.mark.parametrize(
    ("value", "code"),
    [("0", NEG), ("1", POS), (" Negative ", NEG), ("neutral", NEU), ("POSITIVE", POS), ("负面", NEG), ("中性", NEU),
     ("正面", POS), ("", None), ("2", None), ("maybe", None)],
)
def test_parse_label_reads_every_labelling_convention(value: str, code: int | None) -> None:
    assert parse_label(value) == code


def test_weak_label_rejects_unknown_scale() -> None:
    with pytest.raises(ValueError, match="scale"):
        weak_label(3, "stars")


ESCALATING = [
    ("system", "通话开始"),
    ("customer", "你好，我想问一下信用卡账单的事情，谢谢"),
    ("agent", "您好，请讲"),
    ("customer", "账单上多了一笔年费扣费，麻烦帮我看看"),
    ("agent", "我帮您查询一下"),
    ("customer", "我已经打了好几次电话了，还没解决，扣费一直不退"),
    ("agent", "非常抱歉，我帮您登记"),
    ("customer", "每次都说登记，还没解决，你们太不专业了，我要投诉"),
    ("agent", "请您稍等"),
    ("customer", "扣费到现在还不退，找你们领导来，不然我打12378投诉到银保监"),
]

CALM = [
    ("customer", "你好，我想查一下理财产品的到期时间"),
    ("agent", "您好，您的产品下周三到期"),
    ("customer", "好的，收益会自动转到储蓄卡吗"),
    ("agent", "是的，会自动到账"),
    ("customer", "明白了，很方便，谢谢你这么耐心"),
]


# Speech recognition drops punctuation and adds fillers; the agent's apologies must not count.
REPEAT_UNRESOLVED = [
    ("customer", "喂 我想问一下我那个信用卡年费的事"),
    ("agent", "您好，非常抱歉，我帮您升级处理"),
    ("customer", "嗯 我已经打了好几次电话了 你们每次都说登记"),
    ("agent", "我理解您的心情"),
    ("customer", "说好的三个工作日给我回复呢 到现在还没解决"),
]

CALM_WITH_YIZHI = [
    ("customer", "你好，我一直用你们的信用卡，想问一下积分怎么兑换"),
    ("agent", "您好，在手机银行的积分商城里兑换"),
    ("customer", "又学到了，好的，一直都挺方便的，谢谢"),
]


def test_escalation_fires_on_an_escalating_call(lex: LexiconScorer) -> None:
    call = score_call(ESCALATING, lex)
    assert len(call.trajectory) == 5  # customer turns only
    assert call.escalation
    assert call.trajectory[-1] < call.trajectory[0]
    assert {"repeat_contact", "unresolved", "regulator", "falling"} <= set(call.rules)
    assert any(r.startswith("投诉到监管：") and "12378" in r for r in call.reasons)
    assert call.score < 0


def test_escalation_fires_on_an_unresolved_repeat_contact(lex: LexiconScorer) -> None:
    call = score_call(REPEAT_UNRESOLVED, lex)
    assert call.escalation
    assert call.rules[:2] == ["repeat_contact", "unresolved"]
    assert any("打了好几次" in r for r in call.reasons)
    assert any("说好的" in r for r in call.reasons)


def test_generic_words_alone_never_escalate(lex: LexiconScorer) -> None:
    call = score_call(CALM_WITH_YIZHI, lex)
    assert not call.escalation and call.rules == [] and call.reasons == []


def test_agent_turns_never_escalate(lex: LexiconScorer) -> None:
    turns = [("agent", "您已经打了好几次电话了，还没解决，非常抱歉，可以打12378"), ("customer", "好的，谢谢")]
    assert not score_call(turns, lex).escalation


def test_a_demand_counts_only_in_an_angry_turn(lex: LexiconScorer) -> None:
    assert not score_call([("customer", "我要投诉的事已经处理好了，谢谢你们，很满意")], lex).escalation
    angry = score_call([("customer", "太差了，我要投诉，找你们领导来")], lex)
    assert angry.rules == ["demand"]


def test_calm_call_is_not_escalated(lex: LexiconScorer) -> None:
    call = score_call(CALM, lex)
    assert not call.escalation
    assert call.reasons == []
    assert call.score > 0


def test_call_without_customer_turns() -> None:
    call = score_call([("agent", "您好")], LexiconScorer())
    assert call.trajectory == [] and not call.escalation
