"""The plan of the sample: which record arrives when, through which source, about what, from whom.

Planning happens before any text is written so the ground truth (theme schedule, repeat contacts,
escalations) is decided in one place and the renderers only turn events into channel formats.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from voc.sample.people import AGENTS, HOT_AGENT, People
from voc.sample.themes import MONTHS, SOURCES, THEMES, monthly_counts, split_sources

# Records per month that carry no scheduled theme, at scale 1 (themes add ~650 on top).
BASE_VOLUME = {"app_store": 850, "nps_survey": 480, "branch_csat": 320, "calls": 170, "social": 335}
# Share of praise / neutral / general complaint among those records.
CATEGORY_MIX = {
    "app_store": (0.45, 0.22, 0.33), "nps_survey": (0.50, 0.25, 0.25), "branch_csat": (0.55, 0.20, 0.25),
    "calls": (0.05, 0.80, 0.15), "social": (0.25, 0.15, 0.60),
}
MONTHLY_GROWTH = 0.007
REPEAT_SHARE = 0.17
REPEAT_WINDOW = timedelta(days=30)
ESCALATION_RATE = 0.08
HOT_AGENT_FACTOR = 3.0
_EVENING = (1, .5, .3, .2, .2, .3, .8, 1.5, 2, 2, 2, 2, 2.2, 2, 2, 2, 2, 2, 2.2, 2.8, 3, 3, 2.5, 1.8)
_OFFICE = tuple(1.0 if 9 <= h < 17 else 0.0 for h in range(24))
_HOTLINE = tuple(1.0 if 8 <= h < 22 else 0.0 for h in range(24))
_HOURS = {"app_store": _EVENING, "social": _EVENING, "nps_survey": _OFFICE, "branch_csat": _HOTLINE,
          "calls": _HOTLINE}
_DAYS = {"2025-11": 30, "2025-12": 31, "2026-01": 31, "2026-02": 28, "2026-03": 31, "2026-04": 30,
         "2026-05": 31, "2026-06": 30, "2026-07": 31, "2026-08": 31, "2026-09": 30, "2026-10": 31}
_ID_PREFIX = {"app_store": "AS", "nps_survey": "NPS", "branch_csat": "CS", "social": "P"}


@dataclass(slots=True)
class Event:
    """One planned record; renderers turn it into a CSV row, a JSON line or a call file."""

    source: str
    month: str
    ts: datetime
    category: str
    theme: str | None = None
    length: str = "normal"
    customer: str | None = None
    repeat_of: str | None = None
    agent: str | None = None
    escalated: bool = False
    id: str = ""


def _scaled(rng: random.Random, value: float) -> int:
    whole = int(value)
    return whole + (1 if rng.random() < value - whole else 0)


def _timestamp(rng: random.Random, month: str, source: str) -> datetime:
    year, mon = (int(x) for x in month.split("-"))
    hour = rng.choices(range(24), _HOURS[source])[0]
    return datetime(year, mon, rng.randint(1, _DAYS[month]), hour, rng.randrange(60), rng.randrange(60))


def _length(rng: random.Random, source: str, category: str, themed: bool) -> str:
    if source == "calls":
        return "normal"
    if source == "social":
        return "long" if category == "complaint" and rng.random() < 0.2 else "normal"
    if rng.random() < 0.02 and not themed:
        return "empty"
    roll = rng.random()
    if roll < 0.05:
        return "long"
    if roll < 0.20 and not themed:
        return "short"
    return "normal"


def plan_events(seed: int, scale: float, people: People) -> tuple[list[Event], dict[str, list[list[int]]]]:
    """All events of the sample in time order, plus each theme's scheduled counts per month."""
    rng = random.Random(f"{seed}:plan")
    events: list[Event] = []
    schedule: dict[str, list[list[int]]] = {}
    for theme in THEMES:
        counts = monthly_counts(rng, theme, scale)
        schedule[theme.id] = []
        for month, n in zip(MONTHS, counts, strict=True):
            sources = split_sources(rng, theme, n)
            schedule[theme.id].append([sources.count(s) for s in SOURCES])
            for source in sources:
                events.append(Event(source, month, _timestamp(rng, month, source), "complaint", theme.id,
                                    _length(rng, source, "complaint", True)))
    for i, month in enumerate(MONTHS):
        growth = (1 + MONTHLY_GROWTH * i) * (1 + rng.uniform(-0.04, 0.04))
        for source in SOURCES:
            n = _scaled(rng, BASE_VOLUME[source] * scale * growth)
            for _ in range(n):
                category = rng.choices(("praise", "neutral", "complaint"), CATEGORY_MIX[source])[0]
                length = _length(rng, source, category, False)
                events.append(Event(source, month, _timestamp(rng, month, source),
                                    "empty" if length == "empty" else category, None, length))
    events.sort(key=lambda e: (e.ts, e.source, e.category, e.theme or ""))
    _assign_ids(events)
    _assign_customers(rng, events, people)
    _assign_agents(rng, events)
    return events, schedule


def _assign_ids(events: list[Event]) -> None:
    seq: dict[tuple[str, str], int] = {}
    for e in events:
        if e.source == "calls":
            key = ("calls", e.ts.strftime("%Y%m%d"))
            seq[key] = seq.get(key, 0) + 1
            e.id = f"C{key[1]}{seq[key]:04d}"
        else:
            key = (e.source, e.month)
            seq[key] = seq.get(key, 0) + 1
            e.id = f"{_ID_PREFIX[e.source]}{e.month.replace('-', '')}{seq[key]:05d}"


def _assign_customers(rng: random.Random, events: list[Event], people: People) -> None:
    """Customer ids, making about REPEAT_SHARE of themed complaints a follow-up by an earlier complainant."""
    recent: dict[str, list[Event]] = {}
    for e in events:
        if e.source == "social":
            continue
        if e.theme is not None:
            history = recent.setdefault(e.theme, [])
            while history and e.ts - history[0].ts > REPEAT_WINDOW:
                history.pop(0)
            if history and rng.random() < REPEAT_SHARE:
                other = [h for h in history if h.source != e.source]
                first = rng.choice(other or history)
                e.customer, e.repeat_of = first.customer, first.id
            history.append(e)
        if e.customer is None:
            e.customer = people.customer(rng)


def _assign_agents(rng: random.Random, events: list[Event]) -> None:
    """Agents for calls, and which complaint calls escalate (A023 about three times as often)."""
    calls = [e for e in events if e.source == "calls"]
    for e in calls:
        e.agent = rng.choice(AGENTS)
    complaints = [e for e in calls if e.category == "complaint"]
    if not complaints:
        return
    weight = sum(HOT_AGENT_FACTOR if e.agent == HOT_AGENT else 1.0 for e in complaints)
    base = min(1.0, ESCALATION_RATE * len(calls) / weight)
    for e in complaints:
        e.escalated = rng.random() < base * (HOT_AGENT_FACTOR if e.agent == HOT_AGENT else 1.0)
