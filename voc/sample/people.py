"""Who appears in the sample: customers, agents, branches, social handles, and their PII.

PII is generated to pass the same validity checks a real redactor may apply (GB 11643 checksums for ID
numbers, Luhn for card numbers, real mobile prefixes), so redaction can be tested against look-alikes
that must survive (amounts, dates, order numbers).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

BRANCHES = (
    "北京朝阳支行", "北京海淀支行", "上海浦东支行", "上海徐汇支行", "广州天河支行", "深圳南山支行",
    "深圳福田支行", "杭州西湖支行", "南京鼓楼支行", "成都高新支行", "武汉江汉支行", "西安雁塔支行",
    "重庆渝中支行", "天津和平支行", "苏州工业园区支行",
)
PRODUCTS = ("借记卡", "信用卡", "个人住房贷款", "消费贷", "理财", "手机银行", "大额存单", "个人养老金")
AGENTS = tuple(f"A{i:03d}" for i in range(1, 41))
HOT_AGENT = "A023"
APP_STORES = ("华为应用市场", "App Store", "小米应用商店", "OPPO软件商店", "vivo应用商店", "应用宝")
QUEUES = ("信用卡专线", "借记卡与账户", "贷款专线", "理财专线", "手机银行支持", "综合服务", "投诉专线")
PLATFORMS = ("微博", "微信", "黑猫投诉", "小红书")

_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
    "157", "158", "159", "166", "176", "177", "180", "181", "182", "185", "186", "187", "188", "189",
    "198", "199",
)
_AREA_CODES = ("110101", "110105", "310115", "310104", "440106", "440305", "320102", "330106", "510107",
               "420103", "610113", "500103", "120101", "320506", "440304")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CARD_BINS = ("622202", "621700", "622848", "621483", "622588", "621226", "625907", "628288", "623668")
_LANDLINE_AREAS = ("010", "021", "020", "0755", "0571", "028", "027", "025", "023", "022")
_MAIL_NAMES = ("zhangwei", "liuyang", "wangfang", "chenjing", "lixiaoming", "zhaolei", "sunli", "huangmin",
               "zhoujie", "wuhao", "xuting", "mayun_fan", "linlin", "gaofeng", "heqian")
_MAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "gmail.com", "outlook.com")

_HANDLE_HEADS = ("小王", "阿杰", "老李", "橙子", "大白", "小鱼", "月亮", "糖糖", "阿飞", "小张", "木子", "星星",
                 "豆豆", "老陈", "可乐", "晴天", "阿花", "胖虎", "小周", "一只猫")
_HANDLE_TAILS = ("爱理财", "不加班", "在上海", "的日常", "打工记", "吃不胖", "要存钱", "在深圳", "爱旅行",
                 "学投资", "是个宝妈", "想躺平", "在北京", "的小窝", "搞钱中", "")


def id_check_char(first17: str) -> str:
    """GB 11643 check character for the first 17 digits of a resident ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def luhn_check_digit(body: str) -> str:
    """The Luhn digit that makes ``body + digit`` pass the check bank card numbers carry."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


@dataclass(frozen=True)
class Pii:
    """One injected PII value: its kind and the exact string written into a file."""

    kind: str
    text: str


def mobile(rng: random.Random) -> Pii:
    """A mainland mobile number in one of the spellings people actually type."""
    raw = rng.choice(_MOBILE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(8))
    style = rng.random()
    if style < 0.5:
        text = raw
    elif style < 0.7:
        text = f"+86 {raw[:3]} {raw[3:7]} {raw[7:]}"
    elif style < 0.9:
        text = f"{raw[:3]}-{raw[3:7]}-{raw[7:]}"
    else:
        text = f"+86{raw}"
    return Pii("phone", text)


def id_number(rng: random.Random) -> Pii:
    """An 18-digit resident ID number with a valid birth date and check character."""
    year = rng.randint(1950, 2004)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    first17 = f"{rng.choice(_AREA_CODES)}{year}{month:02d}{day:02d}{rng.randrange(1000):03d}"
    return Pii("id_number", first17 + id_check_char(first17))


def card_number(rng: random.Random) -> Pii:
    """A UnionPay card number (16 or 19 digits, valid Luhn; never 18, which reads as an ID), sometimes grouped."""
    length = rng.choice((16, 16, 19, 19, 19))
    body = rng.choice(_CARD_BINS) + "".join(str(rng.randrange(10)) for _ in range(length - 7))
    raw = body + luhn_check_digit(body)
    text = " ".join(raw[i:i + 4] for i in range(0, len(raw), 4)) if rng.random() < 0.35 else raw
    return Pii("card_number", text)


def email(rng: random.Random) -> Pii:
    """An e-mail address of the kinds Chinese customers use (QQ numbers, pinyin names)."""
    if rng.random() < 0.35:
        return Pii("email", f"{rng.randint(10000000, 2999999999)}@qq.com")
    name = rng.choice(_MAIL_NAMES) + (str(rng.randint(1, 2005)) if rng.random() < 0.7 else "")
    return Pii("email", f"{name}@{rng.choice(_MAIL_DOMAINS)}")


def landline(rng: random.Random) -> Pii:
    """A fixed-line number with its area code, with or without a space in the local part."""
    area = rng.choice(_LANDLINE_AREAS)
    local = str(rng.randint(2, 8)) + "".join(str(rng.randrange(10)) for _ in range(7))
    text = f"{area}-{local[:4]} {local[4:]}" if rng.random() < 0.3 else f"{area}-{local}"
    return Pii("landline", text)


PII_MAKERS = {"phone": mobile, "id_number": id_number, "card_number": card_number, "email": email,
              "landline": landline}
_PII_CONTEXT = {
    "phone": ("我的手机号是{}", "电话{}，麻烦回个电话", "联系方式：{}", "有消息请打{}", "手机{}"),
    "id_number": ("身份证号{}", "我的身份证号码是{}", "证件号{}"),
    "card_number": ("卡号{}", "我的卡号是{}", "银行卡：{}", "尾号不对，完整卡号{}"),
    "email": ("邮箱{}", "结果请发到{}", "我的邮箱是{}"),
    "landline": ("单位座机{}", "家里电话{}", "座机：{}"),
}
_PII_WEIGHTS = (("phone", 0.4), ("id_number", 0.2), ("card_number", 0.2), ("email", 0.1), ("landline", 0.1))


PII_KINDS = tuple(k for k, _ in _PII_WEIGHTS)


def pii_phrase(rng: random.Random, kind: str | None = None) -> tuple[str, Pii]:
    """A clause that carries one PII value (of ``kind``, or drawn by how often each kind occurs)."""
    if kind is None:
        kinds, weights = zip(*_PII_WEIGHTS, strict=True)
        kind = rng.choices(kinds, weights)[0]
    pii = PII_MAKERS[kind](rng)
    return rng.choice(_PII_CONTEXT[kind]).format(pii.text), pii


def not_pii_phrase(rng: random.Random, year: int, month: int, gbk: bool = False) -> tuple[str, str]:
    """A clause with a number that looks sensitive but is not PII (amount, date, order number, time).

    Values are stable under NFKC (no full-width ￥), so they can be found verbatim in normalised text too.
    """
    day = rng.randint(1, 28)
    kind = rng.randrange(7)
    if kind == 0:
        value = f"{rng.choice((5, 10, 20, 50, 100, 200))}000元"
        return f"涉及金额{value}", value
    if kind == 1:
        value = f"{rng.choice((2, 3, 5, 8, 10, 30))}万元"
        return f"一共{value}", value
    if kind == 2:
        amount = f"{rng.randint(1, 9)},{rng.randint(0, 999):03d}.00"
        value = f"{amount}元" if gbk else f"¥{amount}"
        return f"扣了{value}", value
    if kind == 3:
        value = f"{year}年{month}月{day}日"
        return f"{value}办的", value
    if kind == 4:
        value = f"{year}-{month:02d}-{day:02d}"
        return f"日期{value}", value
    if kind == 5:
        value = "2" + "".join(str(rng.randrange(10)) for _ in range(10))
        return f"订单号{value}", value
    value = f"{rng.randint(8, 21)}:{rng.choice(('00', '15', '30', '45'))}"
    return f"大概{value}左右", value


class People:
    """The fixed population: customer ids, the home branch of each, and social handles."""

    def __init__(self, rng: random.Random, n_customers: int = 6000, n_handles: int = 3000) -> None:
        numbers = rng.sample(range(1, 100_000), n_customers)
        self.customers = [f"K{n:08d}" for n in numbers]
        self.home_branch = {c: rng.choice(BRANCHES) for c in self.customers}
        handles: list[str] = []
        seen: set[str] = set()
        while len(handles) < n_handles:
            h = "@" + rng.choice(_HANDLE_HEADS) + rng.choice(_HANDLE_TAILS)
            if rng.random() < 0.6:
                h += str(rng.choice((rng.randint(1, 99), rng.randint(1980, 2005))))
            if h not in seen:
                seen.add(h)
                handles.append(h)
        self.handles = handles

    def customer(self, rng: random.Random) -> str:
        """A customer id; a tenth of the customers are frequent contacts drawn about four times as often."""
        if rng.random() < 0.25:
            return self.customers[rng.randrange(len(self.customers) // 10)]
        return self.customers[rng.randrange(len(self.customers))]
