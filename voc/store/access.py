"""Users, their API tokens and the audit log: who may see what, and who did what when.

Passwords and tokens are stored only as hashes (voc.access makes them); the audit log holds actions and ids,
never customer text, so erasure has nothing to reach here.
"""

from __future__ import annotations

from typing import Any

from voc.store.base import utcnow
from voc.store.repository import Repository


class AccessRepository(Repository):

    def add_user(self, name: str, role: str, branch: str | None, password_hash: str) -> None:
        with self.transaction(touch=False) as cur:
            cur.execute("INSERT INTO users (name, role, branch, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                        (name, role, branch, password_hash, utcnow()))

    def set_password(self, name: str, password_hash: str) -> bool:
        with self.transaction(touch=False) as cur:
            cur.execute("UPDATE users SET password_hash = ? WHERE name = ?", (password_hash, name))
            return cur.rowcount > 0

    def remove_user(self, name: str) -> bool:
        """Remove a user and every API token of theirs (their audit events stay: they are the record)."""
        with self.transaction(touch=False) as cur:
            cur.execute("DELETE FROM api_tokens WHERE user_name = ?", (name,))
            cur.execute("DELETE FROM users WHERE name = ?", (name,))
            return cur.rowcount > 0

    def get_user(self, name: str) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM users WHERE name = ?", (name,))
        return dict(rows[0]) if rows else None

    def list_users(self) -> list[dict[str, Any]]:
        """Users without their password hashes, with how many API tokens each holds."""
        sql = ("SELECT u.name, u.role, u.branch, u.created_at, COUNT(t.token_hash) AS tokens FROM users u "
               "LEFT JOIN api_tokens t ON t.user_name = u.name GROUP BY u.name ORDER BY u.name")
        return [dict(r) for r in self.query(sql)]

    def count_users(self) -> int:
        return int(self.query("SELECT COUNT(*) FROM users")[0][0])

    def add_api_token(self, name: str, token_hash: str) -> None:
        with self.transaction(touch=False) as cur:
            cur.execute("INSERT INTO api_tokens (token_hash, user_name, created_at) VALUES (?, ?, ?)",
                        (token_hash, name, utcnow()))

    def revoke_api_tokens(self, name: str) -> int:
        with self.transaction(touch=False) as cur:
            cur.execute("DELETE FROM api_tokens WHERE user_name = ?", (name,))
            return cur.rowcount

    def user_of_token(self, token_hash: str) -> dict[str, Any] | None:
        rows = self.query(
            "SELECT u.* FROM api_tokens t JOIN users u ON u.name = t.user_name WHERE t.token_hash = ?", (token_hash,))
        return dict(rows[0]) if rows else None

    def audit(self, actor: str, action: str, detail: str | None = None) -> None:
        """Append one audit event; it does not move the change stamp, so no dashboard cache is dropped."""
        with self.transaction(touch=False) as cur:
            cur.execute("INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)",
                        (utcnow(), actor, action, detail))

    def audit_log(self, limit: int = 500, actor: str | None = None) -> list[dict[str, Any]]:
        """Newest events first."""
        where, params = ("WHERE actor = ?", (actor, limit)) if actor else ("", (limit,))
        sql = f"SELECT * FROM audit_log {where} ORDER BY event_id DESC LIMIT ?"
        return [dict(r) for r in self.query(sql, params)]
