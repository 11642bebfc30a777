"""Salted keys for people: customer ids, phone numbers and social handles never reach the store raw."""

from __future__ import annotations

import hashlib
import hmac
import re

_PHONE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")


def canonical_subject(raw: str) -> str:
    """One spelling per person: trims, upper-cases, and reduces phone numbers to their 11 digits."""
    value = re.sub(r"[\s-]", "", str(raw)).strip().upper()
    m = _PHONE.match(value)
    return m.group(1) if m else value


def subject_key(raw: str | None, salt: str) -> str | None:
    """HMAC-SHA256 of the canonical id with the workspace salt (16 hex chars): stable, not reversible."""
    if raw is None or not str(raw).strip():
        return None
    digest = hmac.new(salt.encode(), canonical_subject(raw).encode(), hashlib.sha256).hexdigest()
    return digest[:16]
