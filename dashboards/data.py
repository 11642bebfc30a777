"""The dashboard's only cached loaders: the store, index and models once per process, query results per stamp.

Every `st.cache_data` loader takes the workspace home and the store's `last_change()` stamp, so a new ingest
(which changes the stamp) refreshes every page on the next rerun while repeated views cost nothing.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from voc import access
from voc.access import User
from voc.errors import VocError
from voc.monthly import month_overview, theme_quotes
from voc.store import Filters, Store
from voc.taxonomy import Taxonomy
from voc.text.segment import LEXICON_DIR, read_lexicon
from voc.workspace import Workspace

log = logging.getLogger(__name__)

HOME_ENV = "VOC_HOME"
CUES_PATH = LEXICON_DIR / "escalation_cues.txt"


@dataclass(frozen=True)
class Ctx:
    """What a page needs to ask for data: the workspace, a read-only store and the current change stamp."""

    home: str
    ws: Workspace
    store: Store
    stamp: str
    user: User | None = None  # None: no users configured, the dashboard is open as before


BRANCH_ONLY = "网点用户只能查看本网点的记录与统计"


def _whole_bank(ctx: Ctx) -> None:
    """Refuse bank-wide numbers and verbatims to a branch user, whatever page asks (defence behind navigation)."""
    if ctx.user is not None and ctx.user.scoped:
        raise VocError(BRANCH_ONLY)


def _scoped(ctx: Ctx, filters: Filters) -> Filters:
    return access.scope(filters, ctx.user)


@st.cache_resource(show_spinner=False)
def _workspace(home: str) -> Workspace:
    return Workspace.open(home)


@st.cache_resource(show_spinner=False)
def _store(home: str) -> Store:
    """A read-only connection: it reads while an ingest writes (WAL) and can never change the data."""
    return Store.open(_workspace(home).db_path, readonly=True)


@st.cache_resource(show_spinner=False)
def _writer(home: str) -> Store:
    """The dashboard's one writing connection: logins, audit events and analysts' curations."""
    ws = _workspace(home)
    return Store.open(ws.db_path, lock_timeout=ws.settings.store.lock_timeout)


def writer(ctx: Ctx) -> Store:
    return _writer(ctx.home)


def users_exist(ctx: Ctx) -> bool:
    """Read on every rerun (not cached): the first `voc users add` locks the dashboard at once."""
    return ctx.store.access.count_users() > 0


def audit(ctx: Ctx, action: str, detail: str | None = None) -> None:
    """One audit event by the signed-in user; nothing when the dashboard has no users."""
    if ctx.user is not None:
        writer(ctx).access.audit(ctx.user.name, action, detail)


def context() -> Ctx:
    """The workspace named by $VOC_HOME (set by `voc dashboard`); raises VocError with a fix when unusable."""
    home = os.environ.get(HOME_ENV)
    if not home:
        raise VocError("没有指定工作区：请用 `voc dashboard --home 目录` 启动看板")
    key = str(Path(home).expanduser().resolve())
    store = _store(key)
    return Ctx(key, _workspace(key), store, store.last_change())


@st.cache_resource(show_spinner=False)
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


@st.cache_resource(show_spinner=False)
def escalation_cues() -> list[str]:
    """Cue phrases, longest first so a long cue is marked before a short one inside it."""
    return sorted(read_lexicon(CUES_PATH), key=len, reverse=True)


def _index_stamp(ws: Workspace) -> float:
    manifest = ws.index_dir / "manifest.json"
    return manifest.stat().st_mtime if manifest.exists() else 0.0


@st.cache_resource(show_spinner="正在加载向量索引…", max_entries=2)
def _index(home: str, stamp: float) -> Any:
    try:
        from voc import vectors

        return vectors.load_index(_workspace(home))
    except (ImportError, VocError) as exc:
        log.warning("no usable vector index in %s: %s", home, exc)
        return None


@st.cache_resource(show_spinner="正在加载语义模型…", max_entries=2)
def _embedder(home: str, stamp: float) -> Any:
    try:
        from voc import vectors

        return vectors.load_embedder(_workspace(home))
    except (ImportError, VocError, OSError) as exc:
        log.warning("no usable embedder in %s: %s", home, exc)
        return None


def index(ctx: Ctx) -> Any:
    """The vector index, or None when the workspace has none yet (search then offers keyword mode only)."""
    return _index(ctx.home, _index_stamp(ctx.ws))


def semantic_ready(ctx: Ctx) -> bool:
    return index(ctx) is not None and _embedder(ctx.home, _index_stamp(ctx.ws)) is not None


@st.cache_data(show_spinner="正在归类表扬与咨询…", max_entries=16)
def _view(home: str, stamp: str, month: str, view: str) -> dict[str, Any]:
    from voc import views

    embedder = _embedder(home, _index_stamp(_workspace(home)))
    if embedder is None:
        return {"records": 0, "groups": [], "missing_embedder": True}
    rows = views.view_rows(_store(home), month, view)
    return {"records": len(rows), "groups": views.group_view(rows, embedder.encode)}


def view(ctx: Ctx, month: str, view: str) -> dict[str, Any]:
    """The month's praise or questions, grouped (see voc.views); nothing is written."""
    _whole_bank(ctx)
    return _view(ctx.home, ctx.stamp, month, view)


@st.cache_data(show_spinner=False, max_entries=64)
def _fixes(home: str, stamp: str, month: str) -> list[dict[str, Any]]:
    from voc.fixes import verify

    return verify(_store(home), month)


def fixes(ctx: Ctx, month: str) -> list[dict[str, Any]]:
    """Registered fixes shipped by `month` with their verdict (see voc.fixes)."""
    _whole_bank(ctx)
    return _fixes(ctx.home, ctx.stamp, month)


@st.cache_data(show_spinner=False, max_entries=64)
def _months(home: str, stamp: str) -> list[str]:
    return _store(home).records.months()


def months(ctx: Ctx) -> list[str]:
    return _months(ctx.home, ctx.stamp)


@st.cache_data(show_spinner="正在汇总本月数据…", max_entries=64)
def _overview(home: str, stamp: str, month: str) -> dict[str, Any]:
    return month_overview(_store(home), month)


def overview(ctx: Ctx, month: str) -> dict[str, Any]:
    _whole_bank(ctx)
    return _overview(ctx.home, ctx.stamp, month)


@st.cache_data(show_spinner=False, max_entries=64)
def _flags(home: str, stamp: str, month: str) -> list[dict[str, Any]]:
    return _store(home).themes.get_flags(month)


def flags(ctx: Ctx, month: str) -> list[dict[str, Any]]:
    _whole_bank(ctx)
    return _flags(ctx.home, ctx.stamp, month)


@st.cache_data(show_spinner=False, max_entries=16)
def _themes(home: str, stamp: str) -> list[dict[str, Any]]:
    return _store(home).themes.list_themes()


def themes(ctx: Ctx) -> list[dict[str, Any]]:
    """Themes; a branch user gets names and keywords only (bank-wide sizes are not theirs to see)."""
    found = _themes(ctx.home, ctx.stamp)
    if ctx.user is not None and ctx.user.scoped:
        return [{k: t[k] for k in ("theme_id", "label", "keywords", "process_step", "status") if k in t}
                for t in found]
    return found


@st.cache_data(show_spinner=False, max_entries=256)
def _theme_stats(home: str, stamp: str, theme_id: int) -> list[dict[str, Any]]:
    return _store(home).themes.theme_stats(theme_id=theme_id)


def theme_stats(ctx: Ctx, theme_id: int) -> list[dict[str, Any]]:
    _whole_bank(ctx)
    return _theme_stats(ctx.home, ctx.stamp, theme_id)


@st.cache_data(show_spinner=False, max_entries=256)
def _label_history(home: str, stamp: str, theme_id: int) -> list[dict[str, Any]]:
    return _store(home).themes.label_history(theme_id)


def label_history(ctx: Ctx, theme_id: int) -> list[dict[str, Any]]:
    """The machine's label for a theme after each month: how its members, and so its name, moved."""
    _whole_bank(ctx)
    return _label_history(ctx.home, ctx.stamp, theme_id)


@st.cache_data(show_spinner=False, max_entries=256)
def _theme_examples(home: str, stamp: str, theme_id: int, month: str, k: int) -> list[dict[str, Any]]:
    store = _store(home)
    theme = next((t for t in store.themes.list_themes() if t["theme_id"] == theme_id), None)
    return theme_quotes(store, theme, month, k) if theme else []


def theme_examples(ctx: Ctx, theme_id: int, month: str, k: int = 8) -> list[dict[str, Any]]:
    _whole_bank(ctx)
    return _theme_examples(ctx.home, ctx.stamp, theme_id, month, k)


@st.cache_data(show_spinner=False, max_entries=64)
def _choices(home: str, stamp: str, dimension: str) -> list[str]:
    return [str(v) for v in _store(home).browse.distinct_values(dimension)]


def choices(ctx: Ctx, dimension: str) -> list[str]:
    """Values a filter can take, most frequent first; a branch user is offered only their own branch."""
    if ctx.user is not None and ctx.user.scoped:
        return [ctx.user.branch] if dimension == "branch" and ctx.user.branch else []
    return _choices(ctx.home, ctx.stamp, dimension)


@st.cache_data(show_spinner="正在检索…", max_entries=128)
def _search(home: str, stamp: str, istamp: float, query: str, mode: str, filters: Filters,
            k: int) -> list[dict[str, Any]]:
    from voc.search import search

    idx = _index(home, istamp) if mode != "keyword" else None
    enc = _embedder(home, istamp) if mode != "keyword" else None
    return [h.to_dict() for h in search(_store(home), idx, enc, query, k=k, mode=mode, filters=filters)]


def search(ctx: Ctx, query: str, mode: str, filters: Filters, k: int = 50) -> list[dict[str, Any]]:
    return _search(ctx.home, ctx.stamp, _index_stamp(ctx.ws), query, mode, _scoped(ctx, filters), k)


@st.cache_data(show_spinner="正在查找相似记录…", max_entries=64)
def _similar(home: str, stamp: str, istamp: float, record_id: str, k: int, filters: Filters
             ) -> list[dict[str, Any]]:
    from voc.search import more_like_this

    return [h.to_dict() for h in more_like_this(_store(home), _index(home, istamp), record_id, k=k, filters=filters)]


def similar(ctx: Ctx, record_id: str, k: int = 10) -> list[dict[str, Any]]:
    if not access.may_see(ctx.store.records.get_record(record_id), ctx.user):
        raise VocError(f"没有编号为 {record_id} 的记录")
    return _similar(ctx.home, ctx.stamp, _index_stamp(ctx.ws), record_id, k, _scoped(ctx, Filters()))


@st.cache_data(show_spinner=False, max_entries=128)
def _browse(home: str, stamp: str, filters: Filters, limit: int) -> tuple[int, list[dict[str, Any]]]:
    store = _store(home)
    return store.browse.count_filtered(filters), store.browse.browse_records(filters, limit=limit)


def browse(ctx: Ctx, filters: Filters, limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
    """(how many records pass the filters, the newest `limit` of them)."""
    return _browse(ctx.home, ctx.stamp, _scoped(ctx, filters), limit)


@st.cache_data(show_spinner=False, max_entries=64)
def _calls(home: str, stamp: str, month: str, escalated_only: bool) -> list[dict[str, Any]]:
    return _store(home).browse.calls_of_month(month, escalated_only=escalated_only)


def calls(ctx: Ctx, month: str, escalated_only: bool = False) -> list[dict[str, Any]]:
    _whole_bank(ctx)
    return _calls(ctx.home, ctx.stamp, month, escalated_only)


@st.cache_data(show_spinner=False, max_entries=256)
def _call(home: str, stamp: str, call_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    store = _store(home)
    return store.records.get_record(call_id), store.records.get_turns(call_id)


def call(ctx: Ctx, call_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """A call record and its turns (nothing for a branch user when the call is another branch's)."""
    record, turns = _call(ctx.home, ctx.stamp, call_id)
    return (record, turns) if access.may_see(record, ctx.user) else (None, [])


@st.cache_data(show_spinner="正在汇总…", max_entries=128)
def _crosstab(home: str, stamp: str, month: str, rows: str, cols: str, filters: Filters,
              theme_ids: tuple[int, ...] | None, complaints_only: bool) -> list[dict[str, Any]]:
    return _store(home).browse.crosstab(month, rows, cols, filters, theme_ids, complaints_only)


def crosstab(ctx: Ctx, month: str, rows: str, cols: str, filters: Filters,
             theme_ids: tuple[int, ...] | None, complaints_only: bool) -> list[dict[str, Any]]:
    return _crosstab(ctx.home, ctx.stamp, month, rows, cols, _scoped(ctx, filters), theme_ids, complaints_only)


@st.cache_data(show_spinner=False, max_entries=64)
def _agent_rates(home: str, stamp: str, month: str) -> list[dict[str, Any]]:
    return _store(home).stats.agent_rates(month)


def agent_rates(ctx: Ctx, month: str) -> list[dict[str, Any]]:
    _whole_bank(ctx)
    return _agent_rates(ctx.home, ctx.stamp, month)


@st.cache_data(show_spinner=False, max_entries=16)
def _health(home: str, stamp: str) -> dict[str, Any]:
    store = _store(home)
    quarantine = [{k: q[k] for k in ("qid", "source", "file", "locator", "reason", "created_at")}
                  for q in store.runs.list_quarantine(limit=200)]
    return {
        "records": store.records.count_records(),
        "runs": store.runs.last_runs(limit=30),
        "last_per_source": store.runs.last_run_per_source(),
        "cursors": store.runs.get_cursors(),
        "quarantine": quarantine,
        "quarantine_count": store.runs.quarantine_count(),
        "theme_runs": store.themes.theme_runs(),
        "schema_version": store.schema_version,
    }


def health(ctx: Ctx) -> dict[str, Any]:
    """Runs, cursors, quarantine (reasons only: excerpts may hold unredacted text) and theme runs."""
    _whole_bank(ctx)
    return _health(ctx.home, ctx.stamp)


def model_manifests(ctx: Ctx) -> list[dict[str, Any]]:
    """Every manifest.json under models/ and index/: which model versions produced the numbers shown."""
    _whole_bank(ctx)
    out = []
    for root in (ctx.ws.models_dir, ctx.ws.index_dir):
        for path in sorted(root.rglob("manifest.json")) if root.exists() else []:
            try:
                m = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                out.append({"path": str(path.relative_to(ctx.ws.home)), "kind": f"无法读取: {exc}"})
                continue
            fp = m.get("fingerprint")
            out.append({
                "path": str(path.parent.relative_to(ctx.ws.home)), "kind": m.get("kind"),
                "voc_version": m.get("voc_version"), "created_at": m.get("created_at"),
                "fingerprint": (fp if isinstance(fp, str) else json.dumps(fp, ensure_ascii=False, sort_keys=True))[:60]
                if fp else None,
            })
    return out


def build_report(ctx: Ctx, month: str) -> dict[str, tuple[str, bytes]]:
    """Write this month's report (voc.report) and return {format: (file name, bytes)} for download buttons."""
    _whole_bank(ctx)
    try:
        from voc.report import build_report as build
    except ImportError as exc:
        raise VocError("此版本还没有报告模块（voc.report）：请先升级 voc") from exc
    paths = build(ctx.ws, ctx.store, month)
    return {fmt: (Path(p).name, Path(p).read_bytes()) for fmt, p in paths.items()}
