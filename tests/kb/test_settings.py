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
    assert s.answer_threshold_for("th") == 0.8
    assert s.answer_threshold_for("en") == 0.7


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
