"""Erasure of a customer's or one record's personal data from every copy voc keeps (`voc forget`).

What a forget reaches, in order: the records with their turns and FTS entries, the customer's quarantined
rows and the records' ids in saved flag evidence (one transaction, logged without the id); the FTS index is
optimized so the deleted terms leave its shadow tables; theme statistics and saved flags are recomputed; every
derived store keyed by record or text is told (the vector index is one; see ``derived_store``); every report
voc wrote is regenerated, or deleted when its month has no data left; model artefacts that still hold a word
only the erased records used are refitted; a database from before voc set ``secure_delete`` is vacuumed once;
last the WAL is checkpointed and truncated, so no old page image of the rows survives on disk.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from voc.errors import VocError
from voc.keys import subject_key
from voc.store import Store
from voc.workspace import Workspace

log = logging.getLogger(__name__)
_REPORT_NAME = re.compile(r"report-(?P<month>\d{4}-\d{2})\.(?P<fmt>html|md|xlsx)")


@dataclass(frozen=True)
class Erased:
    """What is being erased, as derived stores need it: record ids, integer row ids and the texts."""

    record_ids: tuple[str, ...]
    rids: tuple[int, ...]
    texts: tuple[str, ...]
    customer_key: str | None


# Hook for derived stores keyed by record or by text (the vector index by row id, an embedding cache by text
# hash, ...): each entry is (name shown by `voc forget`, function(workspace, store, erased) -> entries removed).
# A store that keys by text hash hashes ``erased.texts`` the way it hashed them when it wrote.
DerivedStore = Callable[[Workspace, Store, Erased], int]
DERIVED_STORES: list[tuple[str, DerivedStore]] = []


def derived_store(name: str) -> Callable[[DerivedStore], DerivedStore]:
    """Register a derived store so every erasure reaches it (decorator)."""

    def register(fn: DerivedStore) -> DerivedStore:
        DERIVED_STORES.append((name, fn))
        return fn

    return register


@derived_store("vector index (index/)")
def _vector_index(ws: Workspace, store: Store, erased: Erased) -> int:
    from voc.vectors import load_index

    index = load_index(ws)
    if index is None or not erased.rids:
        return 0
    removed = index.remove(np.asarray(erased.rids, dtype=np.int64))
    if removed:
        index.save(ws.index_dir)  # a new file; the old one, which held the vectors, is deleted
    return removed


@derived_store("embedding cache (models/embed-cache/)")
def _embedding_cache(ws: Workspace, store: Store, erased: Erased) -> int:
    from voc.store.vector_cache import VectorCache, text_key
    from voc.vectors import CACHE_DIR

    keys = [text_key(t) for t in erased.texts]
    removed = 0
    for path in sorted((ws.models_dir / CACHE_DIR).glob("*.sqlite")) if keys else []:
        cache = VectorCache(path, 0)
        try:
            removed += cache.delete(keys)
        finally:
            cache.close()
    return removed


@dataclass
class ErasureReport:
    """What `voc forget` removed from where, for the person asking and for the audit trail."""

    kind: str
    records: int
    removed: dict[str, int] = field(default_factory=dict)
    reports: list[dict[str, str]] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    storage: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        out = [f"erased {self.records} records ({self.kind})"]
        out += [f"  removed {n} from {where}" for where, n in self.removed.items()]
        out += [f"  report {r['path']}: {r['action']}" for r in self.reports]
        out += [f"  model {m}" for m in self.models]
        out += [f"  {s}" for s in self.storage]
        return out


def forget(ws: Workspace, store: Store, customer: str | None = None, record_id: str | None = None) -> ErasureReport:
    """Erase a customer's (by id or phone number) or one record's data everywhere; see the module docstring."""
    if bool(customer) == bool(record_id):
        raise VocError("give exactly one of --customer ID or --record ID")
    key: str | None = None
    if customer:
        key = subject_key(customer, ws.settings.privacy.salt) or ""
        ids = store.records.record_ids_for_customer(key)
        kind, subject = "customer", key
    else:
        ids = [record_id] if record_id and store.records.has_record(record_id) else []
        kind, subject = "record", hashlib.sha256((record_id or "").encode()).hexdigest()[:16]
    rows = store.erasure.erasure_rows(ids)
    erased = Erased(tuple(ids), tuple(r["rid"] for r in rows), tuple(r["text"] for r in rows), key)
    words = {w for r in rows for w in f"{r['tokens']} {r['context_tokens']}".split() if _wordlike(w)}
    counts = store.erasure.erase_records(ids, key, kind, subject)
    report = ErasureReport(kind, counts["feedback"])
    report.removed = {
        "feedback (records)": counts["feedback"], "turns": counts["turns"], "search index (feedback_fts)":
        counts["feedback"], "quarantine": counts["quarantine"], "flag evidence": counts["flags"],
    }
    store.erasure.fts_optimize()
    report.storage.append("search index optimized: erased terms merged out of feedback_fts_data")
    for name, eraser in DERIVED_STORES:
        report.removed[name] = eraser(ws, store, erased)
    # Words no remaining record has, not even inside a longer word: any copy of one left in a model or a theme
    # label came from the erased records.
    unique = {w for w in words if not store.erasure.term_used(w) and not store.erasure.text_used(w)}
    themes = store.erasure.prune_theme_words(unique) + _prune_theme_snapshots(ws, unique) if unique else 0
    if themes:
        report.removed["theme labels and keywords"] = themes
    if counts["feedback"]:
        _refresh_monthly(ws, store)
    report.models = _refit_models(ws, store, unique)
    report.reports = _rewrite_reports(ws, store)
    if store.erasure.wipe_free_pages():
        report.storage.append("database vacuumed once: it was written before secure_delete was on")
    report.storage.append("freed pages zeroed (PRAGMA secure_delete=ON)")
    cp = store.erasure.checkpoint()
    report.storage.append(
        "WAL checkpointed and truncated" if not cp["busy"]
        else "WAL not fully checkpointed: a reader (API, dashboard) holds it; run `voc forget` again when idle"
    )
    return report


def _wordlike(word: str) -> bool:
    return len(word) >= 2 and not (word.startswith("[") and word.endswith("]"))


def _refresh_monthly(ws: Workspace, store: Store) -> None:
    """Theme statistics and saved flags computed again without the erased records."""
    from voc.monthly import compute_flags, rules_from_settings

    store.themes.refresh_theme_stats()
    rules = rules_from_settings(ws.settings)
    for month in store.themes.flag_months():
        try:
            compute_flags(store, month, rules)
        except VocError:
            store.themes.save_flags(month, [])


def _prune_theme_snapshots(ws: Workspace, words: set[str]) -> int:
    """The same pruning in the saved theme models' themes.json (theme ids and centroids stay)."""
    from voc.artifacts import read_json, write_json
    from voc.store.erase import prune_words

    changed = 0
    for path in sorted(ws.models_dir.glob("themes/*/themes.json")):
        themes = read_json(path)
        edited = False
        for t in themes:
            label, keywords = prune_words(t.get("label", ""), t.get("keywords", []), words)
            if label != t.get("label") or len(keywords) != len(t.get("keywords", [])):
                t["label"], t["keywords"], edited = label, keywords, True
                changed += 1
        if edited:
            write_json(path, themes)
    return changed


def model_files(ws: Workspace) -> list[Path]:
    """The text files of saved models (vocabularies, theme keywords): where a learned word would be kept."""
    return sorted(p for p in ws.models_dir.rglob("*") if p.is_file() and p.suffix in (".json", ".txt"))


def _refit_models(ws: Workspace, store: Store, unique: set[str]) -> list[str]:
    """Refit the models that still hold a word only the erased records used; returns what was done."""
    if not unique:
        return []
    tainted: set[str] = set()
    for path in model_files(ws):
        text = path.read_text(encoding="utf-8", errors="replace")
        if any(w in text or json.dumps(w)[1:-1] in text for w in unique):
            tainted.add(path.relative_to(ws.models_dir).parts[0])
    return [_refit(ws, store, top) for top in sorted(tainted)]


def _refit(ws: Workspace, store: Store, folder: str) -> str:
    from voc import pipeline, vectors
    from voc.enrich import SENTIMENT_DIR, train_sentiment

    if folder == vectors.EMBEDDER_DIR:
        embedder = vectors.workspace_embedder(ws, store, refit=True)
        vectors.update_index(ws, store, embedder)
        return f"{folder}/ held an erased word: refitted and the index re-embedded"
    if folder == SENTIMENT_DIR:
        info = train_sentiment(store, ws.models_dir, ws.settings)
        if info["saved"] is None:
            shutil.rmtree(ws.models_dir / folder, ignore_errors=True)
            return f"{folder}/ held an erased word: removed (too few ratings left to refit; lexicon scoring)"
        pipeline.enrich_workspace(ws, store, only_new=False)
        return f"{folder}/ held an erased word: refitted and every record re-scored"
    return f"{folder}/ still holds a word only the erased records used: run `voc themes --rebuild`"


def _rewrite_reports(ws: Workspace, store: Store) -> list[dict[str, str]]:
    """Regenerate every report voc wrote (their examples and counts may show the erased records)."""
    from voc.report import build_report

    out = []
    known = {r["path"] for r in store.erasure.written_reports()}
    for path in sorted(ws.reports_dir.glob("report-*")):  # written without registering (e.g. the dashboard)
        m = _REPORT_NAME.fullmatch(path.name)
        if m and str(path.resolve()) not in known:
            store.erasure.register_report(str(path.resolve()), m["month"], m["fmt"])
    for rep in store.erasure.written_reports():
        path = Path(rep["path"])
        if not path.exists():
            store.erasure.unregister_report(rep["path"])
            out.append({"path": rep["path"], "action": "already gone"})
            continue
        try:
            build_report(ws, store, rep["month"], out_dir=path.parent, formats=[rep["format"]])
            store.erasure.register_report(rep["path"], rep["month"], rep["format"])
            out.append({"path": rep["path"], "action": "regenerated"})
        except (VocError, OSError) as exc:
            log.warning("report %s could not be regenerated (%s): deleting it", path, exc)
            path.unlink(missing_ok=True)
            store.erasure.unregister_report(rep["path"])
            out.append({"path": rep["path"], "action": "deleted (could not be regenerated)"})
    return out
