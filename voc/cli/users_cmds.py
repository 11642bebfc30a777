"""voc users: who may sign in to the dashboard and the API, with which role and branch; and the audit log."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from voc.cli.common import HomeOpt, JsonOpt, console, emit, open_store, open_workspace, table
from voc.errors import VocError

users_app = typer.Typer(help="Dashboard and API users (admin / analyst / branch), their tokens, the audit log.")
NameArg = Annotated[str, typer.Argument(help="User name.")]
StdinOpt = Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")]


def _password(from_stdin: bool) -> str:
    """Never from the command line (it would sit in the shell history): a hidden prompt or stdin."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def add(
    name: NameArg,
    role: Annotated[str, typer.Option("--role", help="admin | analyst | branch.")],
    branch: Annotated[str | None, typer.Option("--branch", help="The branch (网点) a branch user may see.")] = None,
    password_stdin: StdinOpt = False,
    home: HomeOpt = None,
) -> None:
    """Add a user; once one exists the dashboard asks everyone to sign in."""
    from voc import access

    ws = open_workspace(home)
    access.check_new_user(name, role, branch, "x" * access.MIN_PASSWORD)  # fail before asking for a password
    password = _password(password_stdin)
    with open_store(ws) as store:
        user = access.add_user(store, name, role, password, branch)
        store.access.audit("cli", "user_added", f"{user.name} {user.role} {user.branch or ''}".strip())
    console.print(f"user {user.name} added as {user.role}" + (f" of {user.branch}" if user.branch else ""))


@users_app.command("list")
def list_(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Users with role, branch and how many API tokens they hold (never their password hashes)."""
    ws = open_workspace(home)
    with open_store(ws, readonly=True) as store:
        users = store.access.list_users()
    emit(users, as_json, lambda us: console.print(table(
        "users", ("name", "role", "branch", "tokens", "created"),
        [[u["name"], u["role"], u["branch"], u["tokens"], u["created_at"]] for u in us])))


@users_app.command("remove")
def remove(name: NameArg, home: HomeOpt = None) -> None:
    """Remove a user and their API tokens; open dashboard sessions end on their next click."""
    ws = open_workspace(home)
    with open_store(ws) as store:
        if not store.access.remove_user(name):
            raise VocError(f"no user {name!r}: see `voc users list`")
        store.access.audit("cli", "user_removed", name)
    console.print(f"user {name} removed")


@users_app.command("passwd")
def passwd(name: NameArg, password_stdin: StdinOpt = False, home: HomeOpt = None) -> None:
    """Set a new password."""
    from voc import access

    ws = open_workspace(home)
    with open_store(ws) as store:
        if not store.access.get_user(name):
            raise VocError(f"no user {name!r}: see `voc users list`")
        password = _password(password_stdin)
        if len(password) < access.MIN_PASSWORD:
            raise VocError(f"password too short: at least {access.MIN_PASSWORD} characters")
        store.access.set_password(name, access.hash_password(password))
        store.access.audit("cli", "password_set", name)
    console.print(f"password of {name} changed")


@users_app.command("token")
def token(
    name: NameArg,
    revoke: Annotated[bool, typer.Option("--revoke", help="Revoke every token of the user instead.")] = False,
    home: HomeOpt = None,
) -> None:
    """Print a new API token for a user (shown once, scoped like the user), or revoke their tokens."""
    from voc import access

    ws = open_workspace(home)
    with open_store(ws) as store:
        if revoke:
            n = store.access.revoke_api_tokens(name)
            store.access.audit("cli", "tokens_revoked", name)
            console.print(f"{n} token(s) of {name} revoked")
            return
        value = access.new_api_token(store, name)
    console.print(value)


@users_app.command("audit")
def audit(
    user: Annotated[str | None, typer.Option("--user", help="Only this user's events.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 100,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The audit log, newest first: logins, searches, exports, curations, user changes (no customer text)."""
    ws = open_workspace(home)
    with open_store(ws, readonly=True) as store:
        events = store.access.audit_log(limit=limit, actor=user)

    def render(es: list[dict[str, Any]]) -> None:
        console.print(table("audit log", ("at", "who", "action", "detail"),
                            [[e["at"], e["actor"], e["action"], e["detail"]] for e in es]))

    emit(events, as_json, render)
