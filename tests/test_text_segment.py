from __future__ import annotations

import pytest

from voc.text.segment import Segmenter, get_segmenter

BANK_TEXTS = [
    "手机银行转账限额太低了，调额要去网点排队两个小时",
    "信用卡年费莫名其妙被扣了，客服一直推诿，我要投诉到银保监",
    "理财经理推荐的产品收益和宣传的不一样，亏了三万块",
    "您好，请问我的手机银行转账限额怎么调整？谢谢",
    "APP老是闪退，人脸识别失败了5次，账户被冻结",
    "房贷审批拖了两个星期还没有结果，太不专业了",
]


@pytest.fixture(scope="module")
def reference() -> Segmenter:
    return Segmenter(engine="jieba")


@pytest.mark.parametrize("text", BANK_TEXTS)
def test_compiled_engine_segments_like_python_jieba(reference: Segmenter, text: str) -> None:
    assert get_segmenter().cut(text) == reference.cut(text)


def test_placeholders_stay_one_token() -> None:
    tokens = get_segmenter().cut("我的电话[手机号]，卡号[银行卡号]被盗刷了")
    assert "[手机号]" in tokens and "[银行卡号]" in tokens
    assert "盗刷" in tokens


def test_content_of_stored_tokens_equals_words() -> None:
    seg = get_segmenter()
    text = "您好，[手机号]的转账限额怎么调整？谢谢"
    assert seg.content(seg.cut(text)) == seg.words(text)
    assert "转账限额" in seg.words(text)
    assert "[手机号]" not in seg.words(text)


def test_whitespace_is_dropped() -> None:
    assert all(t.strip() for t in get_segmenter().cut("转账  失败\n\t 了"))
