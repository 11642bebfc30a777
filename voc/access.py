"""Who may see what: users and roles, password hashing, API tokens, branch scoping and session expiry.

Roles: ``admin`` manages users and reads the audit log; ``analyst`` sees everything and curates themes;
``branch`` sees only its own branch's records, counts and verbatims. Passwords are hashed with scrypt
(memory-hard, in the standard library, so no extra dependency); API tokens are random and stored as SHA-256.
A workspace without users keeps the single workspace token and an open dashboard, as before.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any, TypeVar

from voc.errors import VocError

ROLES = ("admin", "analyst", "branch")
ROLE_NAMES = {"admin": "管理员", "analyst": "分析员", "branch": "网点"}
ACTION_NAMES = {
    "login": "登录", "login_failed": "登录失败", "search": "检索", "api_search": "接口检索",
    "api_record": "接口查看记录", "export": "导出", "curate": "整理主题", "fix_added": "登记整改",
    "user_added": "添加用户", "user_removed": "删除用户", "password_set": "修改密码", "token_created": "创建令牌",
    "tokens_revoked": "吊销令牌",
}
# scrypt cost: 2**15 x 8 x 128 bytes = 32 MB and ~0.1 s per check, OWASP's recommended floor for scrypt.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSWORD = 10
_NAME = re.compile(r"[\w.@-]{1,64}")
F = TypeVar("F")


@dataclass(frozen=True)
class User:
    """A signed-in person (or the workspace token, as `machine`): what they may do and which branch they see."""

    name: str
    role: str
    branch: str | None = None

    @property
    def can_curate(self) -> bool:
        return self.role in ("admin", "analyst")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def scoped(self) -> bool:
        return self.role == "branch"


MACHINE = User("machine", "analyst")


def hash_password(password: str, n: int = SCRYPT_N) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64): the parameters travel with the hash, so they can be raised later."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, maxmem=2**26 + 2**25)
    return "$".join(["scrypt", str(n), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check against a stored hash; a malformed hash never matches."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=2**26 + 2**25, dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def check_new_user(name: str, role: str, branch: str | None, password: str) -> None:
    """Refuse what a bank's policy would: unknown roles, branch users without a branch, short passwords."""
    if not _NAME.fullmatch(name):
        raise VocError(f"user name {name!r}: use 1-64 letters, digits, '.', '@', '-' or '_'")
    if role not in ROLES:
        raise VocError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if role == "branch" and not (branch or "").strip():
        raise VocError("a branch user needs --branch 网点 (the branch whose records they may see)")
    if role != "branch" and branch:
        raise VocError(f"--branch is only for role branch ({role} users see every branch)")
    if len(password) < MIN_PASSWORD:
        raise VocError(f"password too short: at least {MIN_PASSWORD} characters")


def add_user(store: Any, name: str, role: str, password: str, branch: str | None = None) -> User:
    check_new_user(name, role, branch, password)
    if store.access.get_user(name):
        raise VocError(f"user {name!r} exists: `voc users remove {name}` first, or `voc users passwd {name}`")
    branch = branch.strip() if branch else None
    store.access.add_user(name, role, branch, hash_password(password))
    return User(name, role, branch)


def authenticate(store: Any, name: str, password: str) -> User | None:
    """The user when name and password match, else None; every attempt is audited, never the password."""
    row = store.access.get_user(name)
    ok = row is not None and verify_password(password, row["password_hash"])
    if row is None:
        verify_password(password, _dummy_hash())  # same time for unknown names: no user enumeration by timing
    store.access.audit(name if _NAME.fullmatch(name) else "?", "login" if ok else "login_failed")
    return User(row["name"], row["role"], row["branch"]) if ok and row else None


def new_api_token(store: Any, name: str, actor: str = "cli") -> str:
    """A fresh token for a user (shown once; only its hash is kept)."""
    if not store.access.get_user(name):
        raise VocError(f"no user {name!r}: see `voc users list`")
    token = "voc_" + secrets.token_urlsafe(32)
    store.access.add_api_token(name, token_hash(token))
    store.access.audit(actor, "token_created", name)
    return token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_of_token(store: Any, token: str, workspace_token: str) -> User | None:
    """Who a bearer token belongs to: the workspace token is the machine user; user tokens carry their scope."""
    if not token:
        return None
    if workspace_token and hmac.compare_digest(token.encode(), workspace_token.encode()):
        return MACHINE
    row = store.access.user_of_token(token_hash(token))
    return User(row["name"], row["role"], row["branch"]) if row else None


def scope(filters: F, user: User | None) -> F:
    """The filters a user may run: a branch user's branch replaces whatever branch was asked for."""
    if user is None or not user.scoped:
        return filters
    return dataclasses.replace(filters, branch=user.branch)  # type: ignore[type-var]


def may_see(record: dict[str, Any] | None, user: User | None) -> bool:
    return record is not None and (user is None or not user.scoped or record.get("branch") == user.branch)


def audit_query(query: str, filters: Any = None) -> str:
    """What the audit log keeps of a search: the analyst's query with any personal number redacted, and filters."""
    from voc.text.redact import redact

    active = {f.name: getattr(filters, f.name) for f in dataclasses.fields(filters)
              if getattr(filters, f.name) is not None} if filters is not None else {}
    text = redact(" ".join(query.split())).text[:120]
    return json.dumps({"q": text, **active}, ensure_ascii=False, sort_keys=True)


def session_alive(started: float, last_seen: float, now: float, idle_minutes: int, max_hours: int) -> bool:
    """A dashboard login holds while it is neither idle too long nor older than the absolute limit."""
    return now - last_seen < idle_minutes * 60 and now - started < max_hours * 3600


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(8))
