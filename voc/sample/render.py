"""Turn planned events into the rows, posts and call files of each source, with their PII injected."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from typing import Any

import opencc

from voc.sample import calls, phrases
from voc.sample.people import (
    APP_STORES,
    BRANCHES,
    PII_KINDS,
    PRODUCTS,
    QUEUES,
    People,
    not_pii_phrase,
    pii_phrase,
)
from voc.sample.plan import Event
from voc.sample.themes import THEME_BY_ID

PII_RATE = 0.033
NOT_PII_RATE = 0.03
MISMATCH_RATE = 0.08
TRADITIONAL_RATE = 0.05
FULLWIDTH_RATE = 0.05
_STARS = {"complaint": ((1, 2), (0.7, 0.3)), "praise": ((5, 4), (0.7, 0.3)), "neutral": ((3, 4, 2), (.6, .25, .15))}
_NPS = {"complaint": ((0, 1, 2, 3, 4, 5, 6), (.15, .1, .15, .15, .15, .15, .15)), "praise": ((9, 10), (.4, .6)),
        "neutral": ((7, 8), (.5, .5))}
_OPPOSITE = {"complaint": "praise", "praise": "complaint", "neutral": "complaint"}
_PLATFORMS = {"complaint": (("微博", "黑猫投诉", "小红书", "微信"), (.45, .3, .1, .15)),
              "praise": (("微博", "小红书", "微信"), (.5, .3, .2)),
              "neutral": (("小红书", "微博", "微信"), (.4, .3, .3))}
_EMOJI = {"complaint": ("😡", "😤", "🙄", "😭", "💢", "😓"), "praise": ("👍", "❤️", "😊", "🌟", "👏"),
          "neutral": ("🤔", "🙏", "😅")}
_TAGS = ("#XX银行#", "#银行#", "#打工人的日常#", "#理财#", "#消费维权#")
_MENTIONS = ("@XX银行客服", "@XX银行", "@XX银行信用卡中心")
_FULLWIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in string.ascii_letters + string.digits})
_ALNUM = string.ascii_letters + string.digits


@dataclass
class Injected:
    """Every PII string and every look-alike that was written, in order of first use."""

    pii: dict[str, str] = field(default_factory=dict)
    not_pii: dict[str, str] = field(default_factory=dict)
    records_with_pii: int = 0


class Renderer:
    """Renders events; owns the text RNG so rendering stays reproducible independently of planning."""

    def __init__(self, seed: int, people: People) -> None:
        self.rng = random.Random(f"{seed}:render")
        self.people = people
        self.injected = Injected()
        self._s2t = opencc.OpenCC("s2t")

    def _body(self, e: Event, branch: str, app: bool = False) -> str:
        rng = self.rng
        theme = THEME_BY_ID[e.theme] if e.theme else None
        if e.length == "empty":
            return ""
        if e.length == "short":
            return phrases.short(rng, e.category)
        if e.category == "complaint":
            return phrases.complaint(rng, theme, branch, e.length, e.repeat_of is not None and rng.random() < 0.7)
        if e.category == "praise":
            return phrases.praise(rng, branch, app, e.length)
        return phrases.neutral(rng, opinion=e.source in ("app_store", "branch_csat") or rng.random() < 0.3)

    def _inject(self, text: str, e: Event, gbk: bool = False, traditional: bool = False) -> str:
        """Append PII (about 3% of texts) and harmless look-alikes (about 3%) to longer texts."""
        rng = self.rng
        if e.length in ("empty", "short"):
            return text
        if rng.random() < PII_RATE:
            clause, pii = self._pii()
            text = text.rstrip("。！？~") + "，" + self._convert(clause, pii.text, traditional) + "。"
        if rng.random() < NOT_PII_RATE:
            clause, value = not_pii_phrase(rng, e.ts.year, e.ts.month, gbk)
            self.injected.not_pii.setdefault(value, "look_alike")
            text = text.rstrip("。！？~") + "，" + self._convert(clause, value, traditional) + "。"
        return text

    def _pii(self) -> tuple[str, Any]:
        """One PII clause; the first few cycle through every kind so even a tiny sample has each."""
        n = self.injected.records_with_pii
        clause, pii = pii_phrase(self.rng, PII_KINDS[n] if n < len(PII_KINDS) else None)
        self.injected.pii.setdefault(pii.text, pii.kind)
        self.injected.records_with_pii += 1
        return clause, pii

    def _convert(self, clause: str, value: str, traditional: bool) -> str:
        """Traditional characters for the clause of a traditional post, unless that would alter the value."""
        if not traditional:
            return clause
        converted = self._s2t.convert(clause)
        return converted if value in converted else clause

    def _pick_rating(self, e: Event, table: dict[str, tuple[tuple[int, ...], tuple[float, ...]]]) -> int:
        rng = self.rng
        category = e.category
        if category == "empty":
            category = rng.choices(("praise", "neutral", "complaint"), (0.6, 0.2, 0.2))[0]
        elif rng.random() < MISMATCH_RATE:
            category = _OPPOSITE[category]
        values, weights = table[category]
        return rng.choices(values, weights)[0]

    def _product(self, e: Event) -> str:
        if e.theme:
            return self.rng.choice(THEME_BY_ID[e.theme].products)
        return self.rng.choice(PRODUCTS)

    def _branch(self, e: Event) -> str:
        if e.customer and self.rng.random() < 0.8:
            return self.people.home_branch[e.customer]
        return self.rng.choice(BRANCHES)

    def app_store(self, e: Event) -> list[str]:
        text = self._inject(self._body(e, self._branch(e), app=True), e)
        if e.length == "long" and self.rng.random() < 0.2:
            text = text.replace("，", "\n", 1)
        store = self.rng.choice(APP_STORES)
        return [e.id, e.ts.strftime("%Y-%m-%d %H:%M:%S"), str(self._pick_rating(e, _STARS)), text, e.customer or "",
                store]

    def nps(self, e: Event) -> list[str]:
        branch = self._branch(e)
        text = self._inject(self._body(e, branch), e, gbk=True)
        return [e.id, e.ts.strftime("%Y-%m-%d %H:%M:%S"), str(self._pick_rating(e, _NPS)), text, e.customer or "",
                branch, self._product(e)]

    def csat(self, e: Event) -> dict[str, Any]:
        branch = self._branch(e)
        hotline = e.theme == "hotline_wait" or (e.theme is None and self.rng.random() < 0.4)
        text = self._inject(self._body(e, branch), e)
        return {"id": e.id, "created_at": e.ts.isoformat() + "+08:00", "score": self._pick_rating(e, _STARS),
                "comment": text, "customer_id": e.customer, "branch": None if hotline else branch,
                "product": self._product(e), "subtype": "hotline_csat" if hotline else "branch_csat"}

    def social(self, e: Event) -> dict[str, Any]:
        rng = self.rng
        category = "complaint" if e.category == "empty" else e.category
        platforms, weights = _PLATFORMS[category]
        platform = rng.choices(platforms, weights)[0]
        traditional = rng.random() < TRADITIONAL_RATE
        text = self._body(e, rng.choice(BRANCHES))
        if rng.random() < FULLWIDTH_RATE:
            text = text.translate(_FULLWIDTH)
        if traditional:
            text = self._s2t.convert(text)
        text = self._inject(text, e, traditional=traditional)
        deco = self._s2t.convert if traditional else str
        if platform == "黑猫投诉" and rng.random() < 0.6:
            demand = rng.choice(("道歉", "退款", "解决问题", "赔偿"))
            text = deco("【投诉对象】XX银行【投诉问题】") + text + deco(f"【投诉要求】{demand}")
        if e.theme and rng.random() < 0.4:
            text = deco(rng.choice(THEME_BY_ID[e.theme].hashtags)) + text
        if rng.random() < 0.3:
            tag = deco(rng.choice(_TAGS))
            text = tag + text if rng.random() < 0.5 else text + tag
        if rng.random() < (0.5 if category == "complaint" else 0.25):
            mention = deco(rng.choice(_MENTIONS))
            text = text + " " + mention if rng.random() < 0.7 else mention + " " + text
        if rng.random() < 0.5:
            text += "".join(rng.choices(_EMOJI[category], k=rng.randint(1, 3)))
        if rng.random() < 0.12:
            text += " https://t.cn/A6" + "".join(rng.choices(_ALNUM, k=6))
        likes = int(rng.lognormvariate(1.2, 1.6))
        return {"id": e.id, "platform": platform, "posted_at": e.ts.isoformat() + "+08:00",
                "author": rng.choice(self.people.handles), "text": text, "url": self._url(platform),
                "likes": likes, "reposts": int(likes * rng.random() * 0.3)}

    def _url(self, platform: str) -> str:
        rng = self.rng
        if platform == "微博":
            return f"https://weibo.com/{rng.randint(5000000000, 7999999999)}/{''.join(rng.choices(_ALNUM, k=9))}"
        if platform == "微信":
            return f"https://mp.weixin.qq.com/s/{''.join(rng.choices(_ALNUM, k=22))}"
        if platform == "黑猫投诉":
            return f"https://tousu.sina.com.cn/complaint/view/{rng.randint(3000000000, 3999999999)}/"
        return f"https://www.xiaohongshu.com/explore/{''.join(rng.choices('0123456789abcdef', k=24))}"

    def call(self, e: Event) -> dict[str, Any]:
        rng = self.rng
        theme = THEME_BY_ID[e.theme] if e.theme else None
        branch = self._branch(e)
        pii = not_pii = None
        if rng.random() < PII_RATE:
            pii, _ = self._pii()
        if rng.random() < NOT_PII_RATE:
            not_pii, look = not_pii_phrase(rng, e.ts.year, e.ts.month)
            self.injected.not_pii.setdefault(look, "look_alike")
        turns = calls.build_turns(rng, category=e.category, theme=theme, escalate=e.escalated, branch=branch,
                                  agent_id=e.agent or "A001", followup=e.repeat_of is not None,
                                  pii=pii, not_pii=not_pii)
        queue = "投诉专线" if e.escalated and rng.random() < 0.3 else self._queue(e)
        header = {"call_id": e.id, "started_at": e.ts.isoformat() + "+08:00", "agent_id": e.agent,
                  "customer_id": e.customer, "queue": queue, "branch": branch if rng.random() < 0.2 else None,
                  "product": self._product(e)}
        return calls.to_json(rng, turns, header)

    def _queue(self, e: Event) -> str:
        by_theme = {"card_fee": "信用卡专线", "loan_approval": "贷款专线", "app_crash": "手机银行支持",
                    "transfer_limit": "借记卡与账户", "account_frozen": "借记卡与账户"}
        if e.theme in by_theme:
            return by_theme[e.theme]
        return self.rng.choice(QUEUES[:-1])
