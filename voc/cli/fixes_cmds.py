"""voc fixes: register what the review meeting changed, list the fixes with their verdict, close them."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from voc.cli.common import HomeOpt, JsonOpt, MonthOpt, console, emit, open_store, open_workspace, table

fixes_app = typer.Typer(help="Fixes shipped for complaint themes, and whether the complaints fell after them.")


@fixes_app.command("add")
def add(
    theme: Annotated[list[int], typer.Option("--theme", help="Theme id the fix addresses (repeatable).")],
    shipped: Annotated[str, typer.Option("--shipped", help="Date the change went live, YYYY-MM-DD.")],
    title: Annotated[str, typer.Option("--title", help="What was changed.")],
    step: Annotated[str | None, typer.Option("--step", help="Process step id (see lexicons/process_taxonomy.yaml).")]
    = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Who owns the fix.")] = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a shipped fix for one or more themes."""
    from voc import fixes
    from voc.taxonomy import Taxonomy

    ws = open_workspace(home)
    with open_store(ws) as store:
        fixes.check_new_fix(store, theme, shipped, step, Taxonomy.load().ids)
        fix_id = store.fixes.add_fix(title.strip(), shipped, theme, step, owner)
        store.access.audit("cli", "fix_added", f"fix {fix_id} themes {','.join(map(str, theme))} shipped {shipped}")
    emit({"fix_id": fix_id, "themes": theme, "shipped": shipped}, as_json,
         lambda d: console.print(f"fix {d['fix_id']} registered for themes {', '.join(map(str, d['themes']))}, "
                                 f"shipped {d['shipped']}"))


@fixes_app.command("list")
def list_(home: HomeOpt = None, month: MonthOpt = None, as_json: JsonOpt = False) -> None:
    """Every fix with its themes' volumes before and after it shipped and the verdict (见效 / 未见效 / 观察中)."""
    from voc import fixes, pipeline

    ws = open_workspace(home)
    with open_store(ws, readonly=True) as store:
        checks = fixes.verify(store, month or pipeline.latest_month(store))
        pending = [f for f in store.fixes.list_fixes() if f["fix_id"] not in {c["fix_id"] for c in checks}]

    def render(items: list[dict[str, Any]]) -> None:
        rows = [[c["fix_id"], c["title"], c["status"], c["shipped"], " / ".join(t["label"] for t in c["themes"]),
                 c["before_per_month"], c["after_per_month"], c["ratio"], c["p_value"],
                 c["verdict"] + ("（回升）" if c.get("came_back") else "")] for c in items]
        console.print(table("fixes", ("id", "title", "status", "shipped", "themes", "before/month", "after/month",
                                      "ratio", "p", "verdict"), rows))

    emit(checks + [{**f, "verdict": "未上线", "themes": [{"theme_id": t, "label": str(t)} for t in f["theme_ids"]],
                    "before_per_month": None, "after_per_month": None, "ratio": None, "p_value": None}
                   for f in pending], as_json, render)


@fixes_app.command("close")
def close(fix_id: Annotated[int, typer.Argument(help="The fix id (see `voc fixes list`).")], home: HomeOpt = None
          ) -> None:
    """Close a fix: it stays in the registry and in reports, marked closed."""
    from voc.errors import VocError

    ws = open_workspace(home)
    with open_store(ws) as store:
        if not store.fixes.close_fix(fix_id):
            raise VocError(f"no open fix with id {fix_id}: see `voc fixes list`")
    console.print(f"fix {fix_id} closed")
