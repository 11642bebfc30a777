"""The lexicon path on bank-app wording: segmentation traps, complaint shapes, Cantonese (fast, offline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from voc.sentiment import NEGATIVE, NEUTRAL, POSITIVE, LexiconScorer
from voc.sentiment.lexicon import Lexicon
from voc.sentiment.rules import ComplaintRules, Dialect, token_spans
from voc.text.normalise import normalise
from voc.text.segment import LEXICON_DIR, read_lexicon

FIXTURE = Path(__file__).parent / "fixtures" / "app_reviews.tsv"


@pytest.fixture(scope="module")
def lex() -> LexiconScorer:
    return LexiconScorer()


def label(lex: LexiconScorer, text: str) -> str:
    return lex.score(normalise(text)).label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 更新 is a word, not the degree adverb 更 + the praise 新.
        ("更新之后就打不开了", NEGATIVE),
        ("更新后一直闪退", NEGATIVE),
        ("更新了新版本", NEUTRAL),
        # 升级 is no praise; 更好用 is.
        ("升级后更好用了", POSITIVE),
        ("强制升级，升级完各种bug", NEGATIVE),
        # 提额 / 限额 are business words, not verdicts.
        ("转账限额提高了", NEUTRAL),
        ("提额成功，谢谢", POSITIVE),
        ("额度太低了，提额也提不上去", NEGATIVE),
        # 不错 is praise; 不 ... 错 apart is not the same word.
        ("服务不错", POSITIVE),
        ("这次转账没出错", POSITIVE),
        ("密码明明没输错却提示错误", NEGATIVE),
        # 一般 is mostly "usually"; as a verdict it follows what it judges or ends the clause.
        ("一般信用卡申请的方式大致有两种", NEUTRAL),
        ("一般来说三个工作日到账", NEUTRAL),
        ("额度一般都是两万", NEUTRAL),
        ("柜员服务一般，等了很久", NEGATIVE),
        ("手机银行体验很一般", NEGATIVE),
        ("就一般吧！", NEGATIVE),
        # 不是一般的X is "extremely X", not a negation of X.
        ("客服速度不是一般的慢", NEGATIVE),
        ("这家网点服务不是一般的好", POSITIVE),
    ],
)
def test_segmentation_traps(lex: LexiconScorer, text: str, expected: str) -> None:
    assert label(lex, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "登录不上",
        "登录不上去",
        "登陆不了",
        "打不开",
        "转不了账",
        "收不到验证码",
        "页面加载不出来",
        "人脸识别不通过",
        "没法转账",
        "无法登录",
        "不能正常使用",
        "点了没反应",
        "绑卡绑了半天也没绑上",
        "到现在还没到账",
        "一直在转圈",
        "又要更新，烦不烦",
        "每次都要重新登录",
        "太卡了",
        "广告太多了，一打开全是广告",
        "年费太贵",
        "keeps crashing after the update",
    ],
)
def test_complaint_shapes_without_a_sentiment_word_are_negative(lex: LexiconScorer, text: str) -> None:
    assert label(lex, text) == NEGATIVE


@pytest.mark.parametrize(
    "text",
    [
        "开不开通都行",  # A-not-A is a question
        "用了不到一个月，感觉挺好",  # 不到 + a number is "less than"
        "转账不到一分钟就到了",
        "离不开这个app",  # a fixed phrase with 不 is no failure
        "一直在用这个银行",  # 一直 alone says nothing
        "信用卡得按时还",  # 卡 of 信用卡 is no lag
        "看看好不好用",
        "刚下载，还没用",
        "这次更新修复了闪退问题",  # a fixed failure is good news
    ],
)
def test_look_alikes_are_not_complaints(lex: LexiconScorer, text: str) -> None:
    assert label(lex, text) != NEGATIVE


@pytest.mark.parametrize("text", ["垃圾", "太差了", "什么破软件", "一星都不想给", "差评", "烂到家了"])
def test_bare_rants_are_negative(lex: LexiconScorer, text: str) -> None:
    assert label(lex, text) == NEGATIVE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("更新完之後成日閃退", NEGATIVE),
        ("登入唔到，成日話系統維護", NEGATIVE),
        ("用唔到，冇反應，好差", NEGATIVE),
        ("垃圾app，唔 work", NEGATIVE),
        ("收唔到SMS驗證碼", NEGATIVE),
        ("有冇搞錯，又要更新", NEGATIVE),
        ("開戶開咗三次都唔得", NEGATIVE),
        ("唔錯，幾好用", POSITIVE),
        ("冇問題，好快", POSITIVE),
        ("唔該晒客服，好快搞掂", POSITIVE),
        ("請問點樣開通網上理財", NEUTRAL),
        ("唔該改善一下介面", NEUTRAL),  # 唔該 is "please", not 不 + 該
    ],
)
def test_cantonese_after_t2s(lex: LexiconScorer, text: str, expected: str) -> None:
    assert label(lex, text) == expected


def test_questions_without_a_real_complaint_stay_neutral(lex: LexiconScorer) -> None:
    assert label(lex, "请问怎么开通") == NEUTRAL
    assert label(lex, "请问这个问题怎么解决") == NEUTRAL
    assert label(lex, "为什么登录不了?") == NEGATIVE


def test_a_rule_hit_replaces_the_words_it_covers(lex: LexiconScorer) -> None:
    """打不开 is both a lexicon word and a V不C shape: it must count once."""
    hits = lex.hits(["打不开"], "打不开")
    assert [(h.phrase, h.rule) for h in hits] == [("打不开", "V不C")]
    cues = lex.score("登录不上去，垃圾").cues
    assert "登录不上去" in cues and "垃圾" in cues


def test_dialect_leaves_mandarin_untouched() -> None:
    dialect = Dialect.load()
    text = "转账很方便"
    assert dialect.to_mandarin(text) is text
    assert dialect.to_mandarin("用唔到") == "用不到"


def test_token_spans_follow_the_text() -> None:
    assert token_spans("登录 不上", ["登录", "不上"]) == [(0, 2), (3, 5)]
    assert token_spans("登录", ["登陆"]) is None


def test_app_review_fixture_complaints_found(lex: LexiconScorer) -> None:
    rows = [line.split("\t", 1) for line in read_lexicon(FIXTURE)]
    assert len(rows) > 150
    pred = [label(lex, text) == NEGATIVE for _, text in rows]
    truth = [y == "1" for y, _ in rows]
    tp = sum(p and t for p, t in zip(pred, truth, strict=True))
    assert tp / sum(truth) >= 0.9
    assert tp / sum(pred) >= 0.9


def test_lexicon_files_are_consistent() -> None:
    lexicon = Lexicon.load()
    assert not set(lexicon.neutral) & set(lexicon.polarity), "a word is both neutral and a cue"
    names = [line.split()[0] for line in read_lexicon(LEXICON_DIR / "complaint_patterns.txt")]
    assert len(names) == len(set(names)) == len(ComplaintRules.load().rules)
    actions = read_lexicon(LEXICON_DIR / "complaint_actions.txt")
    assert len(actions) == len(set(actions))
    pairs = [line.split()[0] for line in read_lexicon(LEXICON_DIR / "cantonese.txt")]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize(
    "text",
    [
        "要是转账限额能再高点就更好了",  # a wish names a shortcoming; 更好 is not praise here
        "以后不会再来这个网点办业务了",
        "大家千万别办这家的信用卡",
        "不建议申请，额度依然很低",
        "一颗星都不想给",
        "排队等了两个多小时",
        "跨行转账三天才到账",
        "怎么申请都不通过",
        "客服死活不给减免",
        "这个积分有什么用",
        "手机银行字体太小了",
        "审核时间太久了",
        "APP有点卡，登录有点慢",
        "办理速度慢",  # jieba glues 速度慢: the verdict is still read
        "利率不低啊",
        "服务不算好",
        "这也太抠门了吧",
    ],
)
def test_complaints_without_a_plain_negative_word(lex: LexiconScorer, text: str) -> None:
    assert label(lex, text) == NEGATIVE


def test_what_follows_a_contrast_outweighs_the_compliment_before_it(lex: LexiconScorer) -> None:
    """好看 alone outscores 不好用; after 但是 the complaint wins, so the complaint gate sees it."""
    assert lex.score(normalise("界面好看")).score > 0
    assert lex.score(normalise("界面好看,但是不好用")).score < 0


@pytest.mark.parametrize(
    "text",
    [
        "有点喜欢这个新界面",  # 有点 before praise is praise
        "以后不用去网点排队了",  # 不用 is relief, not leaving
        "好在客服很快就帮我解决了",  # 好在 is "luckily"
        "到账速度不会太慢",
        "不太远，走路五分钟",
    ],
)
def test_look_alikes_of_the_new_shapes_are_not_complaints(lex: LexiconScorer, text: str) -> None:
    assert label(lex, text) != NEGATIVE
