"""Proof that a conversation is the caller's: the server signs every session id it issues.

A session id is an identifier agents, help desks and webhooks see; the token is the customer's
secret, kept by the widget beside the id. Keyless (public) requests about a session must carry
its token, so nobody can read a transcript or change a contact by guessing or copying an id. The
signing key is `session_secret`, or one made on first use and kept in the store, so every
process and replica of a deployment shares it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from bot.store import Store
from kb.settings import Settings

_PURPOSE = b"faqbot session token v1\x00"
STORE_SECRET = "session_tokens"


class SessionTokens:
    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("a session signing secret needs at least 16 characters")
        self._key = secret.encode("utf-8")

    def token(self, session_id: str) -> str:
        mac = hmac.new(self._key, _PURPOSE + session_id.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")

    def valid(self, session_id: str, token: str) -> bool:
        return hmac.compare_digest(self.token(session_id).encode("ascii"), token.encode("utf-8", "replace"))


def session_tokens(settings: Settings, store: Store) -> SessionTokens:
    """The deployment's signer: `session_secret` if set, else the store's shared secret."""
    secret = settings.session_secret or store.secret(STORE_SECRET, lambda: secrets.token_urlsafe(32))
    return SessionTokens(secret)
