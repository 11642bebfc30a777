"""Themes that stay put month to month: replay months in order, assigning to known themes, finding new ones.

The first month with complaints fits the theme model; every later month is assigned to existing themes by
centroid similarity and its leftovers become new themes with fresh ids. A model snapshot is kept per month, so
re-running a month (because late records arrived) restarts from the previous month's snapshot and gives the
same ids for the same data.
"""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from voc.config import ThemeSettings
from voc.store import Store
from voc.taxonomy import OTHER, Taxonomy
from voc.topics import Theme, ThemeModel
from voc.topics.content import topic_words
from voc.topics.themes import GENERIC

log = logging.getLogger(__name__)

THEMES_DIR = "themes"
PRIOR_MONTHS = 3  # the months before a theme's birth that say whether its complaints were already there
Encode = Callable[[Sequence[str]], np.ndarray]


@dataclass
class MonthRun:
    month: str
    complaints: int
    assigned: int
    new_themes: list[int] = field(default_factory=list)
    continued: int = 0
    retired: list[int] = field(default_factory=list)
    stability: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month, "complaints": self.complaints, "assigned": self.assigned,
            "new_themes": self.new_themes, "continued": self.continued, "retired": self.retired,
            "stability": self.stability,
        }


def snapshot_dir(models_dir: Path, month: str) -> Path:
    return models_dir / THEMES_DIR / month


def new_model(settings: ThemeSettings) -> ThemeModel:
    return ThemeModel(min_theme_size=settings.min_theme_size, outlier_quantile=settings.outlier_quantile,
                      random_state=settings.random_state)


def months_to_run(store: Store, until: str | None = None) -> tuple[list[str], str | None]:
    """Months to (re)process and the snapshot month to start from.

    A processed month whose complaint count changed since its run is replayed, and so is every month after it.
    """
    months = [m for m in store.records.months() if until is None or m <= until]
    runs = {r["month"]: r for r in store.themes.theme_runs()}
    found = store.themes.complaint_counts()
    counts = {m: found.get(m, 0) for m in months}
    start = 0
    for i, m in enumerate(months):
        if m in runs and runs[m]["complaints"] == counts[m]:
            start = i + 1
            continue
        break
    previous = months[start - 1] if start > 0 else None
    return months[start:], previous


def theme_step(theme: Theme, taxonomy: Taxonomy, member_steps: Sequence[str], min_share: float = 0.3) -> str:
    """A theme's process step is its members' vote; the theme's keywords only break ties.

    Votes go to top-level steps first (a sub-step's vote counts for its parent too); a theme whose members
    mostly abstain stays 未归类. Inside the winning step the most-voted sub-step wins when it has at least
    the parent's own votes, so a theme all "APP" lands on APP登录 or APP验证 where members say which.
    """
    votes = Counter(s for s in member_steps if s and s != OTHER)
    if not member_steps or sum(votes.values()) < min_share * len(member_steps):
        return OTHER
    kw = np.zeros(len(taxonomy.steps), dtype=np.float64)
    for word, weight in theme.keywords:
        kw += taxonomy.scores([word]) * float(weight)
    kw_of = dict(zip(taxonomy.ids, kw, strict=True))
    family = Counter()
    for step, n in votes.items():
        family[taxonomy.root(step)] += n
    root = max(family, key=lambda s: (family[s], kw_of.get(s, 0.0), -taxonomy.ids.index(s)))
    children = {s: n for s, n in votes.items() if s != root and taxonomy.root(s) == root}
    if children:
        best = max(children, key=lambda s: (children[s], kw_of.get(s, 0.0), -taxonomy.ids.index(s)))
        if children[best] >= votes.get(root, 0):
            return best
    return root


def track_themes(
    store: Store,
    encode: Encode,
    models_dir: Path,
    settings: ThemeSettings,
    taxonomy: Taxonomy,
    until: str | None = None,
    rebuild: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[MonthRun]:
    """Bring themes up to date (all months, or up to `until`) and refresh the theme statistics."""
    if rebuild:
        store.themes.reset_themes()
        shutil.rmtree(models_dir / THEMES_DIR, ignore_errors=True)
    todo, previous = months_to_run(store, until)
    model = ThemeModel.load(str(snapshot_dir(models_dir, previous))) if previous else None
    known = {t["theme_id"]: t for t in store.themes.list_themes()}
    curated = store.curations.curated_state()
    runs: list[MonthRun] = []
    replayed: dict[str, np.ndarray] = {}
    for month in todo:
        rows = store.themes.complaint_rows(month)
        if progress:
            progress(month)
        if not rows:
            store.themes.save_theme_month(month, [], [], [], {"complaints": 0, "assigned": 0, "new_themes": 0})
            runs.append(MonthRun(month, 0, 0))
            continue
        x = encode([r["text"] for r in rows])
        toks = [r["tokens"].split() for r in rows]
        now = store.curations.curated_state(month)  # the merges and pins in force when this month was first tracked
        if model is None:
            model = new_model(settings).fit(x, toks)
            labels, sims = np.asarray(model.labels_), np.asarray(model.similarities_)
            for old_id, into in now["merges"].items():  # a merged id never comes back, even on a rebuild
                if model.merge_theme(old_id, into):
                    labels = np.where(labels == old_id, into, labels)
            new_ids, continued, retired, stability = [t.id for t in model.themes_], {}, [], None
            split, merged = {}, []
        else:
            for old_id, into in now["merges"].items():
                model.merge_theme(old_id, into)
            # pinned themes, and themes an analyst merged others into, are never split automatically
            model.curate(pinned=set(now["pinned"]) | set(now["merges"].values()),
                         splits=set(curated["splits"].get(month, set())) - set(now["merges"]))
            lin = model.update(x, toks)
            labels, sims = lin.labels, lin.similarities
            new_ids, continued, retired, stability = lin.new, lin.continued, lin.retired, lin.stability
            split, merged = lin.split, lin.merged
        births = {int(t): month for t in new_ids}
        births.update({tid: t["first_month"] for tid, t in known.items() if t.get("first_month")})
        prior = prior_volumes(store, model, encode, births, replayed)
        runs.append(_save_month(store, month, rows, labels, sims, model, taxonomy, known,
                                (new_ids, continued, retired, stability, split, merged), prior, curated["names"]))
        model.save(str(snapshot_dir(models_dir, month)))
    if runs and store.curations.curations():
        store.curations.apply_curations()  # e.g. a merge into a theme that was born after the merged one
    store.themes.refresh_theme_stats()
    return runs


def prior_volumes(
    store: Store, model: ThemeModel, encode: Encode, births: dict[int, str], cache: dict[str, np.ndarray]
) -> dict[int, float]:
    """For each theme born after the first month: complaints a month, before its birth, that it would hold.

    The tracker finds a theme when its records stop fitting the old ones (a theme grew apart, or a
    centroid drifted), not only when a new problem appears. Replaying the months before its birth against
    today's centroids tells the two apart: a new problem had no such records before. ``cache`` keeps each
    month's content vectors for the run.
    """
    done = store.themes.theme_months_done()
    by_birth: dict[str, list[int]] = {}
    for tid, born in births.items():
        by_birth.setdefault(born, []).append(tid)
    out: dict[int, float] = {}
    for born, ids in by_birth.items():
        earlier = [m for m in done if m < born][-PRIOR_MONTHS:]
        if not earlier:
            continue
        counts = dict.fromkeys(ids, 0)
        for m in earlier:
            if m not in cache:
                rows = [r for r in store.themes.complaint_rows(m) if topic_words().of(r["tokens"].split())]
                cache[m] = encode([r["text"] for r in rows]) if rows else np.zeros((0, 0), np.float32)
            if len(cache[m]):
                labels, _ = model.assign(cache[m], assign_all=False)
                for tid in labels:
                    if int(tid) in counts:
                        counts[int(tid)] += 1
        out.update({tid: round(n / len(earlier), 2) for tid, n in counts.items()})
    return out


def _save_month(
    store: Store,
    month: str,
    rows: list[dict[str, Any]],
    labels: np.ndarray,
    sims: np.ndarray,
    model: ThemeModel,
    taxonomy: Taxonomy,
    known: dict[int, dict[str, Any]],
    lineage: tuple,
    prior: dict[int, float],
    names: dict[int, str],
) -> MonthRun:
    new_ids, continued, retired, stability, split, merged = lineage
    steps = store.themes.complaint_steps(month)  # for themes whose keywords no taxonomy rule names
    members: dict[int, list[str]] = {}
    for row, tid in zip(rows, labels, strict=True):
        if tid >= 0:
            members.setdefault(int(tid), []).append(steps.get(row["id"]) or OTHER)
    counts = Counter(int(t) for t in labels if t >= 0)
    themes = []
    for theme in model.themes_:
        prev = known.get(theme.id, {})
        record = {
            "theme_id": theme.id,
            "label": names.get(theme.id, theme.label),  # an analyst's name (rename or pin) stays
            "keywords": [w for w, _ in theme.keywords],
            "process_step": OTHER if theme.kind == GENERIC else theme_step(theme, taxonomy, members.get(theme.id, [])),
            "first_month": prev.get("first_month") or month,
            "last_month": month if counts.get(theme.id) else prev.get("last_month"),
            "size": int(theme.size),
            "coherence": None,
            "kind": theme.kind,
            "coverage": theme.coverage,
            "specificity": theme.specificity,
            "status": "retired" if theme.id in retired else "active",
            "related": split.get(theme.id, prev.get("related")),  # the theme it split off from, kept
            "prior_volume": prior.get(theme.id, prev.get("prior_volume")),
        }
        known[theme.id] = record
        themes.append(record)
    assignments = [
        (row["id"], int(t) if t >= 0 else None, float(s)) for row, t, s in zip(rows, labels, sims, strict=True)
    ]
    events: list[tuple[int, str, int | None, int]] = []
    for tid in new_ids:
        events.append((tid, "split" if tid in split else "new", split.get(tid), counts.get(tid, 0)))
    for tid, n in continued.items():
        events.append((int(tid), "continued", None, int(n)))
    for tid in retired:
        events.append((int(tid), "retired", None, 0))
    for a, b in merged:
        events.append((int(a), "merged", int(b), counts.get(int(a), 0)))
    assigned = int(sum(counts.values()))
    store.themes.save_theme_month(
        month, themes, assignments, events,
        {"complaints": len(rows), "assigned": assigned, "new_themes": len(new_ids), "stability": stability,
         "fingerprint": model.fingerprint_},
    )
    log.info("%s: %d complaints, %d assigned, %d new themes", month, len(rows), assigned, len(new_ids))
    return MonthRun(month, len(rows), assigned, list(new_ids), len(continued), list(retired), stability)
