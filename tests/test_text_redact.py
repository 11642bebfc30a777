from __future__ import annotations

import pytest

from voc.text import clean
from voc.text.redact import id_checksum_ok, luhn_ok, redact


@pytest.mark.parametrize(
    "text",
    ["电话13812345678", "电话 +86 138 1234 5678 谢谢", "打138-1234-5678", "0086 13912345678", "+8615012345678"],
)
def test_mobile_numbers_redacted(text: str) -> None:
    out = redact(text)
    assert "[手机号]" in out.text
    assert "1234" not in out.text


@pytest.mark.parametrize("text", ["座机010-12345678", "(0755)88881234", "0755-8888 1234", "座机010-1234567"])
def test_landlines_redacted(text: str) -> None:
    assert "[固话]" in redact(text).text


def test_id_number_with_valid_checksum_redacted() -> None:
    assert id_checksum_ok("11010519491231002X")
    out = redact("身份证11010519491231002X已上传")
    assert out.text == "身份证[身份证号]已上传"
    assert out.counts == {"[身份证号]": 1}


def test_id_like_number_with_bad_checksum_kept() -> None:
    assert not id_checksum_ok("110105194912310021")
    assert "110105194912310021" in redact("编号110105194912310021").text


def test_card_numbers_with_luhn_redacted() -> None:
    assert luhn_ok("6222021234567890128")
    for text in ("卡号6222021234567890128", "卡号 6222 0212 3456 7890 128", "卡6217-0000-1234-5670"):
        assert luhn_ok("6217000012345670")
        assert "[银行卡号]" in redact(text).text, text


def test_card_like_number_failing_luhn_kept() -> None:
    assert not luhn_ok("6222021234567890123")
    assert "6222021234567890123" in redact("流水号6222021234567890123").text


def test_email_redacted() -> None:
    assert redact("发到 zhang_san.88@bank-mail.com.cn 吧").text == "发到 [邮箱] 吧"


@pytest.mark.parametrize(
    "text",
    [
        "转了100000元还没到账",
        "2026-03-05 14:22 办理的",
        "2026年3月5日去的网点",
        "手续费¥2,000.00太贵",
        "订单号20261234567查不到",
        "排了3个小时",
        "客服热线95588一直占线",
        "400-820-8888打不通",
        "额度5万元",
    ],
)
def test_amounts_dates_and_order_numbers_survive(text: str) -> None:
    out = redact(text)
    assert out.text == text
    assert out.counts == {}


def test_clean_never_leaks_pii_into_tokens() -> None:
    cleaned = clean("我的卡6222021234567890128被盗刷了，电话13812345678")
    assert "6222021234567890128" not in cleaned.tokens + cleaned.text
    assert "13812345678" not in cleaned.tokens + cleaned.text
