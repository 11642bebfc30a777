"""Analysis commands: enrich, sentiment train/baseline, eval sentiment, themes, flags."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from voc.cli.common import (
    HomeOpt,
    JsonOpt,
    MonthOpt,
    console,
    emit,
    err_console,
    open_store,
    open_workspace,
    table,
)
from voc.taxonomy import Taxonomy

sentiment_app = typer.Typer(help="Sentiment model trained on the workspace's own rated records.")
eval_app = typer.Typer(help="Measure voc against baselines on labelled files.")



EngineOpt = Annotated[
    str, typer.Option("--engine", help="Where scoring and embedding run: local (this process) or ray (Ray Data).")
]
AddressOpt = Annotated[
    str | None,
    typer.Option("--address", help="The Ray cluster to use (ray://head:10001 or auto); default: a local Ray.",
                 show_default=False),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option("--workers", min=1, help="Ray actors at once (default: one per CPU of the cluster).",
                 show_default=False),
]


def enrich(
    home: HomeOpt = None,
    all_records: Annotated[bool, typer.Option("--all", help="Re-score every record, not only new ones.")] = False,
    engine: EngineOpt = "local",
    address: AddressOpt = None,
    workers: WorkersOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Score sentiment and escalation, flag complaints, map process steps, update the vector index."""
    from voc import pipeline
    from voc.engine import running

    ws = open_workspace(home)
    with open_store(ws) as store, running(engine, address, workers) as runner:
        result = pipeline.enrich_workspace(ws, store, only_new=not all_records, engine=runner)
    emit(result, as_json, lambda d: console.print(_kv("enrich", d)))


TextCol = Annotated[str, typer.Option("--text-col", help="Column with the text.")]
LabelCol = Annotated[
    str, typer.Option("--label-col", help="Column with the label: 0/1, negative/neutral/positive or 负面/中性/正面.")
]


@sentiment_app.command("train")
def sentiment_train(
    home: HomeOpt = None,
    train_file: Annotated[
        Path | None, typer.Option("--train-file", help="A labelled CSV (e.g. the bank's own annotated sample) to add.")
    ] = None,
    text_col: TextCol = "text",
    label_col: LabelCol = "label",
    engine: EngineOpt = "local",
    address: AddressOpt = None,
    workers: WorkersOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fit the sentiment model on rated records (plus --train-file), adapt it if the check allows, re-score all."""
    from voc import pipeline
    from voc.engine import running
    from voc.sentiment.labels import read_labelled

    ws = open_workspace(home)
    extra = read_labelled(train_file, text_col, label_col) if train_file else None
    with open_store(ws) as store, running(engine, address, workers) as runner:
        result = pipeline.train_and_rescore(ws, store, extra=extra, engine=runner)
    emit(result, as_json, lambda d: console.print(_kv("sentiment train", d)))


@sentiment_app.command("baseline")
def sentiment_baseline(home: HomeOpt = None, month: MonthOpt = None, as_json: JsonOpt = False) -> None:
    """Fill the SnowNLP baseline field (sentiment_snownlp) for comparison; slow, so a separate pass."""
    from voc.enrich import score_snownlp

    ws = open_workspace(home)
    with open_store(ws) as store:
        n = score_snownlp(store, month=month)
    emit({"scored": n}, as_json, lambda d: console.print(f"SnowNLP scored {d['scored']} records"))


@eval_app.command("sentiment")
def eval_sentiment(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                         help="Labelled CSV to evaluate on (two or three classes).")],
    text_col: TextCol = "review",
    label_col: LabelCol = "label",
    train_file: Annotated[list[Path], typer.Option("--train-file", exists=True, dir_okay=False, readable=True,
                                                   help="Labelled CSV to train on (repeatable).")] = [],  # noqa: B006
    folds: Annotated[
        int | None, typer.Option("--folds", min=2, max=20,
                                 help="Cross-validate on FILE in K folds (train files join every fold).")
    ] = None,
    group_col: Annotated[
        str | None, typer.Option("--group-col", help="Training-file column whose groups calibration leaves out.")
    ] = None,
    adapt: Annotated[
        bool, typer.Option("--adapt/--no-adapt", help="Self-train on the other half's texts (cross-fitted, no labels).")
    ] = True,
    no_snownlp: Annotated[bool, typer.Option("--no-snownlp", help="Skip the slow SnowNLP baseline.")] = False,
    pretrained: Annotated[
        str | None, typer.Option("--pretrained", help="voc's pretrained vectors: none (default), e5 or e5-words.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Accuracy, macro-F1, negative-F1 and ROC-AUC of voc, SnowNLP and a TF-IDF+LR baseline on the same rows.

    Without --train-file or --folds voc is its lexicon and rules alone (no training at all).
    """
    from voc.sentiment import evaluate_files

    result = evaluate_files(
        file, text_col, label_col, train_file, snownlp=not no_snownlp, group_col=group_col, adapt=adapt, folds=folds,
        pretrained=pretrained,
    )

    def render(d: dict[str, Any]) -> None:
        cols = ("accuracy", "macro_f1", "negative_f1", "roc_auc")
        rows = [[name, *(d[name][c] for c in cols)]
                for name in ("voc", "voc_without_adaptation", "snownlp", "baseline") if name in d]
        title = f"{file.name}: {d['n']} rows, classes {'/'.join(d['classes'])}"
        console.print(table(title, ("scorer", *cols), rows))
        for report in d.get("adaptation", []):
            verdict = "applied" if report.get("applied") else "refused"
            console.print(f"adaptation: {verdict} ({report.get('reason', '')})")

    emit(result, as_json, render)


themes_app = typer.Typer(
    help="Discover and update complaint themes month by month, then list them with this month's statistics; "
         "rename, merge and pin them.",
    invoke_without_command=True,
)


@themes_app.callback()
def themes(
    ctx: typer.Context,
    home: HomeOpt = None,
    month: MonthOpt = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Forget themes and replay every month.")] = False,
    view: Annotated[str | None, typer.Option(
        "--view", help="praise or questions: the month's praise or questions grouped, not complaint themes "
                       "(read only).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Discover and update complaint themes month by month, then list them with this month's statistics."""
    from voc import pipeline

    if ctx.invoked_subcommand is not None:
        return
    ws = open_workspace(home)
    if view is not None:
        with open_store(ws) as store:
            groups = pipeline.month_view(ws, store, view, month)

        def render_view(d: dict[str, Any]) -> None:
            rows = [[g["label"], g["size"], f"{100 * g['share']:.0f}%", " / ".join(e[:40] for e in g["examples"])]
                    for g in d["groups"]]
            console.print(table(f"{d['name']} ({d['month']}, {d['records']} records)",
                                ("group", "records", "share", "examples"), rows))

        emit(groups, as_json, render_view)
        return
    with open_store(ws) as store:
        data = pipeline.update_themes(ws, store, until=month, rebuild=rebuild)
    tax = Taxonomy.load()

    def render(d: dict[str, Any]) -> None:
        rows = [[t["theme_id"], t["label"], tax.name(t["process_step"]), t["first_month"], t["volume"],
                 " ".join(t["keywords"][:6])] for t in d["themes"]]
        console.print(table(f"themes ({d['month']})", ("id", "label", "process step", "first seen", "volume",
                                                       "keywords"), rows))

    emit(data, as_json, render)


def flags(
    home: HomeOpt = None,
    month: MonthOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show which alerts would go out; send none.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Recurring, rising, emerging and resolved complaint themes of a month, most severe first; new emerging
    or rising flags are sent to the [alerts] channels of voc.toml, once each."""
    from voc import pipeline

    ws = open_workspace(home)
    with open_store(ws) as store:
        result = pipeline.month_flags(ws, store, month)
        sent = pipeline.send_alerts(ws, store, month or pipeline.latest_month(store), result, dry_run)
    if sent is not None:
        err_console.print(alert_summary(sent), soft_wrap=True)
    tax = Taxonomy.load()

    def render(items: list[dict[str, Any]]) -> None:
        rows = [[f["status"], f["severity"], f["theme_id"], f["label"], tax.name(f["process_step"]), f["volume"],
                 f["growth"], f["p_value"]] for f in items]
        console.print(table("flags", ("status", "severity", "id", "label", "process step", "volume", "growth",
                                      "p"), rows))

    emit(result, as_json, render)


def alert_summary(sent: dict[str, Any]) -> str:
    verb = "would send" if sent["dry_run"] else "sent"
    parts = [f"{name} {verb} {len(keys)}" for name, keys in sent["sent"].items()]
    parts += [f"{name} already had {n}" for name, n in sent["already_sent"].items() if n]
    parts += [f"{name} FAILED ({why}), will retry next run" for name, why in sent["failed"].items()]
    return f"alerts: {sent['alerts']} new-flag alerts; " + ("; ".join(parts) or "nothing to send")


def _kv(title: str, data: dict[str, Any]) -> str:
    return f"{title}: " + ", ".join(f"{k}={v}" for k, v in data.items())


ByOpt = Annotated[str | None, typer.Option("--by", help="Who made the change (default: the login name).")]


def _curate(home: Path | None, theme_id: int, action: str, value: str | None, by: str | None) -> None:
    import getpass

    from voc import curation

    ws = open_workspace(home)
    actor = by or getpass.getuser()
    with open_store(ws) as store:
        curation.curate(store, theme_id, action, value, actor)
        store.access.audit(actor, "curate", curation.audit_detail(theme_id, action, value))
    console.print(f"theme {theme_id}: {action}" + (f" -> {value}" if value else ""))


@themes_app.command("rename")
def rename(theme_id: Annotated[int, typer.Argument(help="Theme id.")],
           label: Annotated[str, typer.Argument(help="The new name.")], home: HomeOpt = None, by: ByOpt = None
           ) -> None:
    """Give a theme a name that stays through later months and rebuilds."""
    _curate(home, theme_id, "rename", label, by)


@themes_app.command("merge")
def merge(theme_id: Annotated[int, typer.Argument(help="The theme that goes.")],
          into_id: Annotated[int, typer.Argument(help="The theme that keeps its id and takes the records.")],
          home: HomeOpt = None, by: ByOpt = None) -> None:
    """Merge two themes that are one problem; the merged id never comes back."""
    _curate(home, theme_id, "merge", str(into_id), by)


@themes_app.command("pin")
def pin(theme_id: Annotated[int, typer.Argument(help="Theme id.")], home: HomeOpt = None, by: ByOpt = None) -> None:
    """Keep a theme's current name and never split it automatically."""
    _curate(home, theme_id, "pin", None, by)


@themes_app.command("split")
def split(theme_id: Annotated[int, typer.Argument(help="The theme that holds two problems.")], home: HomeOpt = None,
          by: ByOpt = None, as_json: JsonOpt = False) -> None:
    """Split a mixed theme in two: its latest month is re-clustered, the smaller half gets a new id."""
    import getpass

    from voc import curation, pipeline

    ws = open_workspace(home)
    actor = by or getpass.getuser()
    with open_store(ws) as store:
        result = pipeline.split_theme(ws, store, theme_id, actor)
        store.access.audit(actor, "curate", curation.audit_detail(theme_id, "split", result["month"]))

    def render(r: dict[str, Any]) -> None:
        made = ", ".join(f"{c['theme_id']} {c['label']}" for c in r["children"]) or "no new theme (too few members)"
        console.print(f"theme {r['theme_id']} ({r['label']}) split in {r['month']}: {made}")

    emit(result, as_json, render)


@themes_app.command("unpin")
def unpin(theme_id: Annotated[int, typer.Argument(help="Theme id.")], home: HomeOpt = None, by: ByOpt = None
          ) -> None:
    """Let a pinned theme be split again (its name stays as it is)."""
    _curate(home, theme_id, "unpin", None, by)
