from __future__ import annotations

from pathlib import Path

import pytest

from kb import Settings, SettingsError, load_settings


def test_defaults_then_file_then_env(tmp_path: Path) -> None:
    cfg = tmp_path / "faqbot.toml"
    cfg.write_text('port = 9000\nanswer_threshold = 0.7\nlang_thresholds = { th = 0.8 }\n')
    s = load_settings(cfg, env={"FAQBOT_PORT": "9100", "FAQBOT_LANGUAGES": "en,th"})
    assert s.port == 9100
    assert s.answer_threshold == 0.7
    assert s.languages == ("en", "th")
    assert s.threshold_override("th") == (0.8, "settings", "language")
    assert s.threshold_override("en") == (0.7, "settings", "global")


def test_the_index_chooses_unless_settings_or_calibration_say_otherwise(tmp_path: Path) -> None:
    assert Settings().answer_threshold is None and Settings().target_precision == 0.97
    assert Settings().threshold_override("en") is None  # the index's own threshold applies
    cfg = tmp_path / "faqbot.toml"
    cfg.write_text("answer_threshold = 0.7\nlang_thresholds = { th = 0.8 }\n"
                   "calibrated_threshold = 0.6\ncalibrated_lang_thresholds = { et = 0.9 }\n")
    s = load_settings(cfg, env={})
    # `faqbot calibrate`'s thresholds win over hand-set ones, a language's own over a global one.
    assert s.threshold_override("et") == (0.9, "calibrated", "language")
    assert s.threshold_override("th") == (0.6, "calibrated", "global")
    assert s.threshold_override(None) == (0.6, "calibrated", "global")
    assert load_settings(env={"FAQBOT_ANSWER_THRESHOLD": ""}).answer_threshold is None
    assert load_settings(env={"FAQBOT_TARGET_PRECISION": "0.9"}).target_precision == 0.9


def test_env_mapping_forms() -> None:
    s = load_settings(env={"FAQBOT_LANG_THRESHOLDS": "zh_tw=0.9, et=0.5"})
    assert s.lang_thresholds == {"zh-TW": 0.9, "et": 0.5}
    s = load_settings(env={"FAQBOT_LANG_THRESHOLDS": '{"th": 0.75}'})
    assert s.lang_thresholds == {"th": 0.75}


def test_overrides_win_and_none_is_ignored() -> None:
    s = load_settings(env={"FAQBOT_PORT": "9100"}, port=9200, index_dir=None)
    assert s.port == 9200 and s.index_dir == Settings().index_dir


@pytest.mark.parametrize(("env", "match"), [
    ({"FAQBOT_PORT": "eighty"}, r"FAQBOT_PORT: port has a bad value 'eighty'"),
    ({"FAQBOT_ANSWER_THRESHOLD": "1.5"}, r"answer_threshold must be between 0 and 1, got 1.5"),
    ({"FAQBOT_DEFAULT_LANG": "klingon"}, r"unknown language code 'klingon'"),
    ({"FAQBOT_SUGGEST_THRESHOLD": "0.9", "FAQBOT_ANSWER_THRESHOLD": "0.5"}, r"must not exceed"),
    ({"FAQBOT_TARGET_PRECISION": "0"}, r"target_precision must be above 0"),
    ({"FAQBOT_TARGET_PRECISION": "1.2"}, r"target_precision must be between 0 and 1, got 1.2"),
    ({"FAQBOT_CALIBRATED_LANG_THRESHOLDS": "th=2"}, r"calibrated_lang_thresholds\['th'\] must be between"),
])
def test_bad_values(env: dict[str, str], match: str) -> None:
    with pytest.raises(SettingsError, match=match):
        load_settings(env=env)


def test_bad_file(tmp_path: Path) -> None:
    cfg = tmp_path / "x.toml"
    cfg.write_text("colour = 'red'\n")
    with pytest.raises(SettingsError, match="unknown setting 'colour'"):
        load_settings(cfg, env={})
    cfg.write_text("port = \n")
    with pytest.raises(SettingsError, match="invalid TOML"):
        load_settings(cfg, env={})
    with pytest.raises(SettingsError, match="settings file not found"):
        load_settings(tmp_path / "missing.toml", env={})


@pytest.mark.parametrize(("env", "expected"), [
    ({"FAQBOT_BUILTIN_SENSITIVE_TOPICS": "off"}, False),
    ({"FAQBOT_BUILTIN_SENSITIVE_TOPICS": "Yes"}, True),
    ({}, True),
])
def test_bool_settings(env: dict[str, str], expected: bool) -> None:
    assert load_settings(env=env).builtin_sensitive_topics is expected


def test_handoff_tables_from_toml_and_env(tmp_path: Path) -> None:
    path = tmp_path / "faqbot.toml"
    path.write_text(
        '[[queues]]\nname = "general"\n[[queues]]\nname = "th-billing"\ntimezone = "Asia/Bangkok"\n'
        'hours = "mon-sat 08:00-20:00"\n[[routes]]\nqueue = "th-billing"\nlangs = ["th"]\n'
        'tags = ["billing"]\n[[webhooks]]\nname = "zd"\nurl = "https://x.zendesk.com/api/v2/tickets"\n'
        'format = "zendesk"\nheaders = {Authorization = "Basic abc"}\n'
        '[[sensitive_topics]]\nname = "legal"\nkeywords = ["lawyer"]\n', encoding="utf-8")
    s = load_settings(path, env={})
    assert [q.name for q in s.queues] == ["general", "th-billing"]
    assert s.routes[0].langs == ("th",) and s.webhooks[0].headers == {"Authorization": "Basic abc"}
    assert s.queue("th-billing").timezone == "Asia/Bangkok" and s.queue("nope").name == "general"
    env = {"FAQBOT_WEBHOOKS": '[{"name": "hook", "url": "http://127.0.0.1:9/x"}]'}
    assert load_settings(path, env=env).webhooks[0].name == "hook"


@pytest.mark.parametrize(("env", "match"), [
    ({"FAQBOT_ROUTES": '[{"queue": "nope"}]'}, "route to unknown queue 'nope'"),
    ({"FAQBOT_QUEUES": '[{"name": "a", "hours": "mon 9-5"}]'}, "bad business hours 'mon 9-5'"),
    ({"FAQBOT_QUEUES": "[]"}, "at least one queue"),
    ({"FAQBOT_QUEUES": '[{"name": "a"}, {"name": "a"}]'}, "duplicate name"),
    ({"FAQBOT_WEBHOOKS": '[{"name": "w", "url": "ftp://x"}]'}, "url must be http"),
    ({"FAQBOT_WEBHOOKS": '[{"name": "w", "url": "http://x", "format": "jira"}]'}, "format must be one of"),
    ({"FAQBOT_WEBHOOKS": '[{"name": "w"}]'}, "webhooks\\[0\\]"),
    ({"FAQBOT_SENSITIVE_TOPICS": '[{"name": "x"}]'}, "needs keywords or tags"),
    ({"FAQBOT_SENSITIVE_TOPICS": '[{"name": "x", "tags": "a", "colour": 1}]'}, "unknown key"),
    ({"FAQBOT_SENSITIVE_TOPICS": "not json"}, "FAQBOT_SENSITIVE_TOPICS"),
])
def test_bad_handoff_tables(env: dict[str, str], match: str) -> None:
    with pytest.raises(SettingsError, match=match):
        load_settings(env=env)


@pytest.mark.parametrize(("given", "match"), [
    ({"line_channel_secret": "s"}, "line_channel_secret set without line_channel_access_token"),
    ({"whatsapp_app_secret": "s", "whatsapp_access_token": "t"}, "without whatsapp_verify_token"),
    ({"chatwoot_url": "https://cw.example"}, "without chatwoot_bot_token, chatwoot_webhook_secret"),
    ({"email_smtp_security": "tls"}, "email_smtp_security must be 'ssl', 'starttls' or 'none'"),
])
def test_a_half_configured_channel_is_refused(given: dict[str, str], match: str) -> None:
    with pytest.raises(SettingsError, match=match):
        Settings(**given)  # type: ignore[arg-type]


def test_channel_secrets_come_from_the_environment_and_stay_out_of_repr() -> None:
    env = {"FAQBOT_TELEGRAM_BOT_TOKEN": "123:very-secret", "FAQBOT_TELEGRAM_SECRET_TOKEN": "tg-x",
           "FAQBOT_CONFIG": "/nonexistent/faqbot.toml"}
    s = load_settings(env=env)
    assert s.telegram_bot_token == "123:very-secret"
    assert "very-secret" not in repr(s) and "tg-x" not in repr(s)
