"""Pure judgements behind two report sections: which process steps to review, which agents to look at again.

Kept apart from the store so each rule can be checked on hand-made numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from scipy import stats

ACTIVE_STATUSES = ("emerging", "rising", "recurring")


def rank_steps(flags: Iterable[dict[str, Any]], step_name: Any, top: int = 5) -> list[dict[str, Any]]:
    """Process steps behind this month's active flags, by summed severity, then volume, then id.

    Summing severity favours a step with several serious themes over one with a single loud theme,
    which is what a review meeting can act on.
    """
    steps: dict[str, dict[str, Any]] = {}
    for f in flags:
        if f["status"] not in ACTIVE_STATUSES:
            continue
        sid = f.get("process_step") or "other"
        s = steps.setdefault(sid, {"step": sid, "name": step_name(sid), "severity": 0.0, "volume": 0, "themes": []})
        s["severity"] += f["severity"]
        s["volume"] += f["volume"]
        s["themes"].append(f)
    ranked = sorted(steps.values(), key=lambda s: (-s["severity"], -s["volume"], s["step"]))[:top]
    for rank, s in enumerate(ranked, 1):
        s["rank"] = rank
        s["severity"] = round(s["severity"], 1)
        s["themes"].sort(key=lambda f: (-f["severity"], f["theme_id"]))
    return ranked


def rate_vs_others(k: int, n: int, k_all: int, n_all: int) -> tuple[float | None, float | None, float]:
    """(others' rate, z-score, one-sided binomial p) of k events in n against the pooled rate of everyone else."""
    n_rest, k_rest = n_all - n, k_all - k
    if n == 0 or n_rest <= 0:
        return None, None, 1.0
    p0 = k_rest / n_rest
    if p0 <= 0:
        return p0, None, 0.0 if k > 0 else 1.0
    if p0 >= 1:
        return p0, None, 1.0
    z = (k / n - p0) / math.sqrt(p0 * (1 - p0) / n)
    return p0, z, float(stats.binomtest(k, n, p0, alternative="greater").pvalue)


def agent_review(
    agents: Sequence[dict[str, Any]], flagged_calls: dict[str, int], alpha: float = 0.05, min_count: int = 5
) -> list[dict[str, Any]]:
    """Each agent's complaint and escalation rates against the other agents', Bonferroni-adjusted.

    An agent is marked for review (供复核) only when a rate is significantly above the others' and rests on
    at least `min_count` events: a prompt to listen to calls, not a verdict.
    """
    n_all = sum(a["calls"] for a in agents)
    totals = {m: sum(a[m] or 0 for a in agents) for m in ("complaints", "escalations")}
    m = max(len(agents), 1)
    out = []
    for a in agents:
        row: dict[str, Any] = {
            "agent_id": a["agent_id"], "calls": a["calls"], "complaints": a["complaints"] or 0,
            "escalations": a["escalations"] or 0, "flagged": flagged_calls.get(a["agent_id"], 0), "reasons": [],
        }
        for metric, name in (("complaints", "投诉率"), ("escalations", "升级率")):
            k = row[metric]
            others, z, p = rate_vs_others(k, a["calls"], totals[metric], n_all)
            p_adj = min(1.0, p * m)
            row[f"{metric}_rate"] = k / a["calls"] if a["calls"] else None
            row[f"{metric}_others"] = others
            row[f"{metric}_z"] = z
            row[f"{metric}_p"] = p_adj
            if p_adj < alpha and k >= min_count:
                row["reasons"].append(name)
        row["review"] = bool(row["reasons"])
        out.append(row)
    out.sort(key=lambda r: (not r["review"], min(r["complaints_p"], r["escalations_p"]), r["agent_id"]))
    return out
