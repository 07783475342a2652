"""The channels in real processes: `faqbot serve` answers a signed LINE webhook and its background
sender delivers the reply to the LINE stand-in; `faqbot mail --once` answers a mailbox on Dovecot
and `faqbot deliver --once` sends the reply through aiosmtpd."""

from __future__ import annotations

import base64
import hashlib
import hmac
import imaplib
import json
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.bot.channels.mailservers import dovecot, smtp_server
from tests.bot.channels.platforms import LINE_TOKEN, serve
from tests.conftest import TINY_KB, write_kb
from tests.processes import FAQBOT, ROOT, faqbot_env, free_port, index_kb, running, wait_until

pytestmark = pytest.mark.slow


def test_faqbot_serve_answers_line_and_its_sender_replies(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb", TINY_KB)
    port = free_port()
    with serve() as platforms:
        env = faqbot_env(
            tmp_path,
            port,
            FAQBOT_LINE_CHANNEL_SECRET="line-secret",
            FAQBOT_LINE_CHANNEL_ACCESS_TOKEN=LINE_TOKEN,
            FAQBOT_LINE_API_URL=platforms.url,
        )
        index_kb(kb, env)
        with running([*FAQBOT, "serve"], env, port, tmp_path / "serve.log"):
            body = json.dumps(
                {
                    "destination": "U0",
                    "events": [
                        {
                            "type": "message",
                            "replyToken": "rt-1",
                            "webhookEventId": "01HX",
                            "mode": "active",
                            "timestamp": int(time.time() * 1000),
                            "source": {"type": "user", "userId": "U123"},
                            "deliveryContext": {"isRedelivery": False},
                            "message": {
                                "id": "9001",
                                "type": "text",
                                "quoteToken": "q",
                                "text": "ลืมรหัสผ่านทำไงดี",
                            },
                        }
                    ],
                },
                ensure_ascii=False,
            ).encode()
            platforms.reply_tokens.add("rt-1")
            sig = base64.b64encode(hmac.new(b"line-secret", body, hashlib.sha256).digest()).decode()
            r = requests.post(
                f"http://127.0.0.1:{port}/v1/channels/line/webhook",
                data=body,
                timeout=30,
                headers={"Content-Type": "application/json", "X-Line-Signature": sig},
            )
            assert r.status_code == 200 and r.json()["answered"] == 1
            wait_until(lambda: bool(platforms.sent), 30, "the reply to reach LINE")
            (sent,) = platforms.sent
            assert sent.path == "/v2/bot/message/reply"
            assert sent.body["messages"][0]["text"].startswith("ลืมรหัสผ่านและการตั้งรหัสผ่านใหม่")
        log = (tmp_path / "serve.log").read_text(errors="replace")
        assert LINE_TOKEN not in log and "ลืมรหัสผ่าน" not in log and "U123" not in log  # nothing secret


def test_faqbot_mail_then_deliver_answers_an_email(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb", TINY_KB)
    with dovecot() as imap, smtp_server() as smtp:
        env = faqbot_env(
            tmp_path,
            free_port(),
            FAQBOT_EMAIL_ADDRESS="support@shop.test",
            FAQBOT_EMAIL_IMAP_HOST=imap.host,
            FAQBOT_EMAIL_IMAP_PORT=str(imap.port),
            FAQBOT_EMAIL_IMAP_SECURITY="none",
            FAQBOT_EMAIL_IMAP_USER=imap.user,
            FAQBOT_EMAIL_IMAP_PASSWORD=imap.password,
            FAQBOT_EMAIL_SMTP_HOST=smtp.host,
            FAQBOT_EMAIL_SMTP_PORT=str(smtp.port),
            FAQBOT_EMAIL_SMTP_SECURITY="none",
        )
        index_kb(kb, env)
        box = imaplib.IMAP4(imap.host, imap.port)
        box.login(imap.user, imap.password)
        box.append(
            "INBOX",
            None,
            None,
            b"From: Mari <mari@example.ee>\r\nTo: support@shop.test\r\n"
            b"Subject: Raha\r\nMessage-ID: <et-1@example.ee>\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"\r\n" + "kaua tagasimakse aega võtab".encode() + b"\r\n",
        )
        box.logout()
        mail = subprocess.run(
            [*FAQBOT, "mail", "--once"], env=env, capture_output=True, text=True, timeout=300, cwd=ROOT
        )
        assert mail.returncode == 0 and "1 answered" in mail.stderr, mail.stderr
        deliver = subprocess.run(
            [*FAQBOT, "deliver", "--once"], env=env, capture_output=True, text=True, timeout=300, cwd=ROOT
        )
        assert deliver.returncode == 0 and "1 channel sends attempted" in deliver.stderr, deliver.stderr
        (reply,) = smtp.received
        assert reply["In-Reply-To"] == "<et-1@example.ee>" and reply["Subject"] == "Re: Raha"
        assert reply.get_content().startswith("Millal ma raha tagasi saan?")
