from __future__ import annotations

from voc.text import clean
from voc.text.normalise import normalise, split_social


def test_traditional_becomes_simplified() -> None:
    assert normalise("轉賬限額太低了，銀行客服態度差") == "转账限额太低了,银行客服态度差"


def test_full_width_becomes_half_width() -> None:
    assert normalise("ＡＰＰ登录失败１２３次") == "APP登录失败123次"


def test_html_entities_tags_and_whitespace() -> None:
    assert normalise("  网点&amp;柜面<br/>排队\n\n\t太久\u200b了 ") == "网点&柜面 排队 太久了"


def test_empty_and_none() -> None:
    assert normalise(None) == ""
    assert normalise("   ") == ""


def test_social_markers_move_into_fields() -> None:
    parts = split_social("@小王爱理财 #手机银行闪退# 又闪退了 https://weibo.com/1234/abc 看这里")
    assert parts.mentions == ["小王爱理财"]
    assert parts.hashtags == ["手机银行闪退"]
    assert parts.urls == ["https://weibo.com/1234/abc"]
    assert "http" not in parts.text and "@" not in parts.text and "#" not in parts.text
    assert "手机银行闪退" in parts.text


def test_email_is_not_a_mention() -> None:
    cleaned = clean("联系 wang.li@example.com 谢谢", social=True)
    assert "mentions" not in cleaned.fields
    assert "[邮箱]" in cleaned.text


def test_clean_truncates_very_long_text() -> None:
    cleaned = clean("转账" * 100_000, max_chars=5000)
    assert len(cleaned.text) == 5000
    assert cleaned.truncated_from == 200_000


def test_clean_redacts_pii_in_social_fields() -> None:
    cleaned = clean("看链接 https://x.cn/q?tel=13812345678", social=True)
    assert "13812345678" not in str(cleaned.fields)
