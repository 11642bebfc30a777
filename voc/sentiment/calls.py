"""A call's emotional course: the customer's sentiment turn by turn, and whether (and why) it is escalating.

Only the customer's own turns count: an agent saying 非常抱歉 or 升级处理 says nothing about the customer.
Generic words (又, 一直) fire nothing; a call escalates on a repeated contact with its object (打了好几次
电话, 多次反映), an unresolved problem (还没解决, 说好的…呢), a complaint to the regulator (12378,
投诉到银保监), a demand to escalate in an angry turn (找你们领导), or a falling trajectory. Each fired rule
is reported by name, with the words that fired it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from voc.sentiment.base import Scorer
from voc.text.segment import LEXICON_DIR, read_lexicon

CUSTOMER = "customer"
RULE_NAMES = {
    "repeat_contact": "重复来电",
    "unresolved": "问题未解决",
    "regulator": "投诉到监管",
    "demand": "要求升级",
    "falling": "情绪持续下降",
}
_NEEDS_NEGATIVE_TURN = frozenset({"demand"})


@dataclass(frozen=True)
class CallSentiment:
    """Per-customer-turn scores, the call's overall score, whether it escalates, and which rules fired."""

    trajectory: list[float]
    score: float
    escalation: bool
    reasons: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


@lru_cache(maxsize=4)
def escalation_rules(folder: Path = LEXICON_DIR) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(rule, pattern) pairs from ``escalation_cues.txt``; a rule may have several lines."""
    out = []
    for line in read_lexicon(folder / "escalation_cues.txt"):
        name, pattern = line.split(maxsplit=1)
        out.append((name, re.compile(pattern, re.I)))
    return tuple(out)


def score_call(turns: Sequence[tuple[str, str]], scorer: Scorer, *, drop: float = 0.4) -> CallSentiment:
    """Score customer turns only; escalate on the rules in ``escalation_cues.txt`` or a falling course.

    ``drop``: for the falling rule the last third's mean must fall this far below the first third's and
    end negative.
    """
    texts = [text for speaker, text in turns if str(speaker).lower() == CUSTOMER and (text or "").strip()]
    if not texts:
        return CallSentiment([], 0.0, False, [], [])
    results = scorer.score_many(texts)
    trajectory = [r.score for r in results]
    # The end of a call weighs more: that is the mood the customer leaves with.
    weights = [1.0 + i / max(len(trajectory) - 1, 1) for i in range(len(trajectory))]
    score = sum(w * s for w, s in zip(weights, trajectory, strict=True)) / sum(weights)
    evidence: dict[str, list[str]] = {}
    for text, value in zip(texts, trajectory, strict=True):
        for name, pattern in escalation_rules():
            if name in _NEEDS_NEGATIVE_TURN and value >= 0:
                continue
            m = pattern.search(text)
            if m and m.group(0) not in evidence.setdefault(name, []):
                evidence[name].append(m.group(0))
    evidence = {k: v for k, v in evidence.items() if v}
    if _falling(trajectory, drop):
        evidence["falling"] = []
    rules = [name for name in RULE_NAMES if name in evidence]
    reasons = [RULE_NAMES[r] + ("：" + "、".join(evidence[r][:3]) if evidence[r] else "") for r in rules]
    return CallSentiment(trajectory, float(score), bool(rules), reasons, rules)


def _falling(trajectory: list[float], drop: float) -> bool:
    if len(trajectory) < 3:
        return False
    third = max(len(trajectory) // 3, 1)
    first = sum(trajectory[:third]) / third
    last = sum(trajectory[-third:]) / third
    return first - last >= drop and last < 0
