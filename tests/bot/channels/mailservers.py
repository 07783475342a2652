"""A real IMAP server (Debian's Dovecot, started here in a throwaway folder on a free loopback
port) and a real SMTP server (aiosmtpd) for the email channel's tests."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

DOVECOT = Path("/usr/sbin/dovecot")
MAILBOX_USER, MAILBOX_PASSWORD = "support@shop.test", "imap-pass"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Imap:
    host: str
    port: int
    user: str = MAILBOX_USER
    password: str = MAILBOX_PASSWORD


@contextmanager
def dovecot() -> Iterator[Imap]:
    """Dovecot serving one mailbox over plain IMAP on 127.0.0.1 (scripts/test.sh installs it)."""
    if not DOVECOT.exists():
        if os.environ.get("FAQBOT_REQUIRE_DOVECOT") == "1":
            pytest.fail("dovecot is not installed (apt-get install dovecot-imapd)", pytrace=False)
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="faqbot-dovecot-"))
    os.chmod(root, 0o755)
    if os.geteuid() == 0:  # Dovecot gives no mail access as root: the mailbox belongs to its own user
        owner = pwd.getpwnam("dovecot")
        uid, gid, internal, login = owner.pw_uid, owner.pw_gid, "dovecot", "dovenull"
    else:
        me = pwd.getpwuid(os.geteuid())
        uid, gid, internal, login = me.pw_uid, me.pw_gid, me.pw_name, me.pw_name
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    for sub in ("mail", "home"):
        os.chown(root / sub, uid, gid)
    (root / "users").write_text(f"{MAILBOX_USER}:{{PLAIN}}{MAILBOX_PASSWORD}\n")
    port = _free_port()
    (root / "dovecot.conf").write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {uid}
default_internal_user = {internal}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:{root}/mail/%u
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
""")
    proc = subprocess.Popen(
        [str(DOVECOT), "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                    raise RuntimeError(
                        f"dovecot did not start: {proc.stderr.read() if proc.stderr else ''}{log}"
                    ) from None
                time.sleep(0.1)
        yield Imap("127.0.0.1", port)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Smtp:
    host: str
    port: int
    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: list[int] = field(default_factory=list)  # SMTP codes to answer the next DATA with


@contextmanager
def smtp_server() -> Iterator[Smtp]:
    """aiosmtpd on a free loopback port, keeping every message it accepts."""
    from aiosmtpd.controller import Controller

    box = Smtp("127.0.0.1", _free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            if box.refuse:
                code = box.refuse.pop(0)
                return f"{code} {'try again later' if code < 500 else 'no such user'}"
            box.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            msg = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(msg, EmailMessage)
            box.received.append(msg)
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
