"""API keys for help desks, agents and admins: shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import re
import secrets
import time

from bot.records import ApiKey
from bot.store import Store
from kb.errors import AuthError, ForbiddenError, RequestError, shown

ROLES = ("helpdesk", "agent", "manager", "admin")
# Ranked: an admin may do what a manager may, a manager (insights pages, issue 22) what an agent
# may, an agent what a help desk may.
_RANK = {role: i for i, role in enumerate(ROLES)}
_KEY = re.compile(r"^fqb_([a-f0-9]{8})_([A-Za-z0-9_-]{32,})$")


def hash_secret(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(store: Store, role: str, name: str, now: float | None = None) -> tuple[ApiKey, str]:
    """A new key: its record, and the secret to give to its user (never stored)."""
    if role not in ROLES:
        raise RequestError(f"role must be one of {', '.join(ROLES)}, got {shown(role)}")
    name = " ".join(str(name).split())
    if not 0 < len(name) <= 100:
        raise RequestError(f"key name must be 1-100 characters, got {shown(name)}")
    key_id = secrets.token_hex(4)
    secret = f"fqb_{key_id}_{secrets.token_urlsafe(32)}"
    record = store.add_key(ApiKey(key_id, role, name, time.time() if now is None else now),
                           hash_secret(secret))
    return record, secret


def may_act_as(role: str, needs: str) -> bool:
    """Whether a key of `role` may do what needs a `needs` key."""
    return _RANK[role] >= _RANK[needs]


def authenticate(store: Store, authorization: str | None, needs: str) -> ApiKey:
    """The key in an `Authorization: Bearer ...` header, if it may act as `needs`."""
    if not authorization:
        raise AuthError("this endpoint needs an API key: send 'Authorization: Bearer <key>'")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _KEY.match(token):
        raise AuthError("malformed API key; expected 'Authorization: Bearer fqb_...'")
    key = store.key_for_hash(hash_secret(token))
    if key is None:
        raise AuthError("unknown or revoked API key")
    if not may_act_as(key.role, needs):
        raise ForbiddenError(f"a {key.role} key may not do this; it needs a {needs} key")
    return key
