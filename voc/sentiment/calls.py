"""A call's emotional course: the customer's sentiment turn by turn, and whether the call is escalating."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from voc.sentiment.base import Scorer
from voc.sentiment.lexicon import Lexicon
from voc.text.segment import get_segmenter

CUSTOMER = "customer"


@dataclass(frozen=True)
class CallSentiment:
    """Per-customer-turn scores, the call's overall score, and why (if at all) it is flagged as escalating."""

    trajectory: list[float]
    score: float
    escalation: bool
    reasons: list[str] = field(default_factory=list)


def score_call(
    turns: Sequence[tuple[str, str]],
    scorer: Scorer,
    *,
    drop: float = 0.4,
    cue_repeats: int = 2,
    complaint_repeats: int = 3,
) -> CallSentiment:
    """Score customer turns only; flag escalation on a falling course, recurring escalation cues or complaints.

    ``drop``: the last third's mean must fall this far below the first third's. ``cue_repeats``: how many turns
    must carry an escalation phrase (多次, 还没解决, 12378 ...). ``complaint_repeats``: how many customer turns
    must repeat the same negative cue word.
    """
    texts = [text for speaker, text in turns if str(speaker).lower() == CUSTOMER and (text or "").strip()]
    if not texts:
        return CallSentiment([], 0.0, False, [])
    results = scorer.score_many(texts)
    trajectory = [r.score for r in results]
    # The end of a call weighs more: that is the mood the customer leaves with.
    weights = [1.0 + i / max(len(trajectory) - 1, 1) for i in range(len(trajectory))]
    score = sum(w * s for w, s in zip(weights, trajectory, strict=True)) / sum(weights)
    reasons: list[str] = []
    if len(trajectory) >= 3:
        third = max(len(trajectory) // 3, 1)
        first = sum(trajectory[:third]) / third
        last = sum(trajectory[-third:]) / third
        if first - last >= drop and last < 0:
            reasons.append("情绪持续下降")
    lex = Lexicon.load()
    cue_turns: Counter[str] = Counter()
    for text in texts:
        for cue in {c for c in lex.escalation if c in text}:
            cue_turns[cue] += 1
    strong = [c for c, n in cue_turns.most_common() if n >= cue_repeats]
    if strong:
        reasons.append("多次提到：" + "、".join(strong[:3]))
    complaints = _repeated_complaints(texts, lex, complaint_repeats)
    if complaints:
        reasons.append("反复投诉：" + "、".join(complaints[:3]))
    return CallSentiment(trajectory, float(score), bool(reasons), reasons)


def _repeated_complaints(texts: Sequence[str], lex: Lexicon, repeats: int) -> list[str]:
    """Negative lexicon words said in at least ``repeats`` different customer turns."""
    seg = get_segmenter()
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update({t for t in seg.cut(text) if lex.polarity.get(t, 0.0) < 0})
    return [w for w, n in counts.most_common() if n >= repeats]
