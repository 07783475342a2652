from __future__ import annotations

from pathlib import Path

import pytest

from eval.queries import LabeledQuery, load_queries
from kb import KBError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_query_form_and_intent_form_jsonl(tmp_path: Path) -> None:
    path = write(tmp_path, "q.jsonl", "\n".join([
        '{"query": "  reset   pw ", "expected": "reset-password", "lang": "EN"}',
        "",
        '{"query": "weather?", "expected": null}',
        '{"text": "card not here", "label": "card_arrival"}',
        '{"text": "sing me a song", "label": null}',
        '{"text": "tell a joke", "label": "oos"}',
    ]))
    assert load_queries(path) == [
        LabeledQuery("reset pw", "reset-password", "en", 1),
        LabeledQuery("weather?", None, None, 3),
        LabeledQuery("card not here", "card_arrival", None, 4),
        LabeledQuery("sing me a song", None, None, 5),
        LabeledQuery("tell a joke", None, None, 6),
    ]


def test_csv_empty_cell_is_out_of_scope(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", "query,expected,lang\nreset pw,reset-password,en\n"
                                    "\"weather, today?\",,th\n")
    assert load_queries(path) == [LabeledQuery("reset pw", "reset-password", "en", 2),
                                  LabeledQuery("weather, today?", None, "th", 3)]
    intent = write(tmp_path, "i.csv", "text,label\nlost card,lost_card\nhello,\n")
    assert [q.expected for q in load_queries(intent)] == ["lost_card", None]


@pytest.mark.parametrize(("name", "text", "match"), [
    ("a.jsonl", '{"query": "x", "expected": "a"}\n{bad json\n', r"a\.jsonl:2: invalid JSON"),
    ("a.jsonl", '["x"]\n', r":1: each line must be a JSON object"),
    ("a.jsonl", '{"expected": "a"}\n', r":1: missing query text"),
    ("a.jsonl", '{"query": "x"}\n', r":1: missing 'expected'"),
    ("a.jsonl", '{"query": "x", "expected": 3}\n', r":1: expected must be an article id or null, got 3"),
    ("a.jsonl", '{"query": "x", "expected": "a", "lang": "klingon"}\n', r":1: .*klingon"),
    ("a.csv", "query,expected\nx,a,extra\n", r"a\.csv:2: expected 2 columns, found 3"),
    ("a.csv", "question,answer\nx,a\n", r":2: missing query text"),
    ("a.jsonl", "\n\n", r"no queries"),
    ("a.txt", "x", r"unsupported query file"),
])
def test_bad_files_name_file_and_line(tmp_path: Path, name: str, text: str, match: str) -> None:
    with pytest.raises(KBError, match=match):
        load_queries(write(tmp_path, name, text))


def test_every_bad_line_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "q.jsonl", '{"query": "x"}\n{"query": "ok", "expected": null}\n{oops\n')
    with pytest.raises(KBError, match=r"(?s):1: missing.*:3: invalid JSON"):
        load_queries(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KBError, match="no such query file"):
        load_queries(tmp_path / "nope.jsonl")
