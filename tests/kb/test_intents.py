from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb import (
    Article,
    KBError,
    Utterance,
    intents_to_articles,
    intents_to_out_of_scope,
    load_kb,
    read_intents,
    read_responses,
    write_kb_jsonl,
)
from kb.errors import LanguageCodeError
from kb.models import OutOfScopeExample

CLINC_TRAIN = Path(__file__).parents[3] / "shared/data/clinc150/train.jsonl"

RASA_NLU = """\
version: "3.1"
nlu:
- intent: check_weather
  examples: |
    - what's the weather in [Berlin](city)
    - is it raining in [Paris]{"entity": "city"}
    - forecast for [NYC](city:New York) tomorrow
- synonym: New York
  examples: |
    - NYC
- regex: zipcode
  examples: |
    - [0-9]{5}
- lookup: city
  examples: |
    - Tallinn
- intent: faq/returns
  examples:
  - text: how do I return an item
    metadata:
      sentiment: neutral
  - can I send it back
- intent: out_of_scope
  examples: |

    - what is the meaning of life
responses:
  utter_check_weather:
  - text: "Ask me about any city."
  - text: "Which city?"
  utter_faq/returns:
  - image: https://help.example/returns.png
  - text: Start a return in Account > Orders.
  utter_show_map:
  - custom: {map: true}
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def jsonl(*rows: object) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


# --- reading ---------------------------------------------------------------------------------------

def test_jsonl_reads_text_label_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "data.jsonl", jsonl({"text": " hi there ", "label": "greet"}) + "\n"
                 + jsonl({"text": "where is my card", "intent": "card_arrival"}))
    assert read_intents(path) == [Utterance("hi there", "greet", 1),
                                  Utterance("where is my card", "card_arrival", 3)]


@pytest.mark.parametrize("row", [
    {"text": "x"}, {"text": "x", "label": None}, {"text": "x", "label": ""}, {"text": "x", "label": "oos"},
    {"text": "x", "label": "OOS"}, {"text": "x", "label": "out_of_scope"},
    {"text": "x", "label": "Out-Of-Scope"}, {"text": "x", "label": "none"}, {"text": "x", "intent": "None"},
])
def test_out_of_scope_spellings_become_none(tmp_path: Path, row: dict[str, object]) -> None:
    (u,) = read_intents(write(tmp_path, "data.jsonl", jsonl(row)))
    assert u.label is None


def test_csv_with_label_or_intent_column(tmp_path: Path) -> None:
    path = write(tmp_path, "data.csv", "\ufeffText,Label\nhello,greet\n\n"
                 '"a question\nover two lines",faq\nsomething else,\n')
    assert read_intents(path) == [Utterance("hello", "greet", 2),
                                  Utterance("a question\nover two lines", "faq", 4),
                                  Utterance("something else", None, 6)]
    path = write(tmp_path, "intent.csv", "intent,text,extra\ngreet,hi,1\n")
    assert read_intents(path) == [Utterance("hi", "greet", 2)]


def test_rasa_yaml_strips_entities_and_keeps_lines(tmp_path: Path) -> None:
    utterances = read_intents(write(tmp_path, "nlu.yml", RASA_NLU))
    assert utterances == [
        Utterance("what's the weather in Berlin", "check_weather", 5),
        Utterance("is it raining in Paris", "check_weather", 6),
        Utterance("forecast for NYC tomorrow", "check_weather", 7),
        Utterance("how do I return an item", "faq/returns", 19),
        Utterance("can I send it back", "faq/returns", 22),
        Utterance("what is the meaning of life", None, 26),
    ]


@pytest.mark.parametrize(("example", "text"), [
    ("- fly to [Berlin](city)", "fly to Berlin"),
    ('- fly to [Berlin]{"entity": "city", "role": "destination"}', "fly to Berlin"),
    ("- fly to [Berlin](city:Berlin) from [Rome](city)", "fly to Berlin from Rome"),
    ('- fly to [Berlin][{"entity": "city"}, {"entity": "place"}]', "fly to Berlin"),
    ("- a [plain bracket] stays", "a [plain bracket] stays"),
])
def test_rasa_entity_annotations(tmp_path: Path, example: str, text: str) -> None:
    path = write(tmp_path, "nlu.yaml", f"nlu:\n- intent: book\n  examples: |\n    {example}\n")
    assert read_intents(path) == [Utterance(text, "book", 4)]


def test_rasa_responses(tmp_path: Path) -> None:
    assert read_responses(write(tmp_path, "nlu.yml", RASA_NLU)) == {
        "check_weather": "Ask me about any city.",
        "faq/returns": "Start a return in Account > Orders.",
    }
    assert read_responses(write(tmp_path, "plain.yml", "nlu: []\n")) == {}


def test_rasa_legacy_json_with_lines(tmp_path: Path) -> None:
    data = {"rasa_nlu_data": {"regex_features": [], "common_examples": [
        {"text": "hello", "intent": "greet", "entities": []},
        {"text": "show me chinese restaurants", "intent": "restaurant_search",
         "entities": [{"start": 8, "end": 15, "value": "chinese", "entity": "cuisine"}]},
    ]}}
    path = write(tmp_path, "rasa.json", json.dumps(data, indent=2))
    assert read_intents(path) == [Utterance("hello", "greet", 5),
                                  Utterance("show me chinese restaurants", "restaurant_search", 10)]
    path = write(tmp_path, "one_line.json", json.dumps(data))
    assert [u.line for u in read_intents(path)] == [1, 1]


@pytest.mark.parametrize(("name", "text", "match"), [
    ("a.jsonl", '{"text": "a", "label": "x"}\n{"text": }\n', r"a\.jsonl:2: invalid JSON"),
    ("a.jsonl", '{"text": "a"}\n["text", "b"]\n',
     r"a\.jsonl:2: each utterance must be a JSON object, got list"),
    ("a.jsonl", '{"label": "x"}\n', r"a\.jsonl:1: text must be a non-empty string, got None"),
    ("a.jsonl", '{"text": "  ", "label": "x"}\n', r"a\.jsonl:1: text must be a non-empty string, got '  '"),
    ("a.jsonl", '{"text": 5, "label": "x"}\n', r"a\.jsonl:1: text must be a non-empty string, got 5"),
    ("a.jsonl", '{"text": "a", "label": 3}\n', r"a\.jsonl:1: label must be a string or null, got 3"),
    ("a.jsonl", "\n\n", r"a\.jsonl:1: no utterances found"),
    ("a.jsonl", b'{"text": "\xff"}\n', r"a\.jsonl: not valid UTF-8"),
    ("a.csv", "question,answer\nq,a\n", r"a\.csv:1: CSV needs 'text' and 'label' \(or 'intent'\) columns"),
    ("a.csv", "", r"a\.csv:1: CSV needs 'text' and 'label'"),
    ("a.csv", "text,label\nhi,greet\nhello\n", r"a\.csv:3: expected 2 columns, found 1"),
    ("a.csv", "text,label\n ,greet\n", r"a\.csv:2: empty text"),
    ("a.yml", "nlu:\n- intent: a\n  examples: [unclosed\n", r"a\.yml:4: bad YAML"),
    ("a.yml", "nlu:\n  - intent: a\n - intent: b\n", r"a\.yml:3: bad YAML"),
    ("a.yml", "responses: {}\n",
     r"a\.yml:1: not Rasa NLU training data \(expected a top-level 'nlu:' list\)"),
    ("a.yml", "version: '3.1'\nnlu:\n  intent: a\n", r"a\.yml:3: not Rasa NLU training data"),
    ("a.yml", "nlu:\n- intent: a\n  examples: |\n    - ok\n    not a list item\n",
     r"a\.yml:5: expected an example line '- text', got 'not a list item'"),
    ("a.yml", "nlu:\n- intnet: a\n  examples: |\n    - hi\n", r"a\.yml:2: nlu item has no 'intent:'"),
    ("a.yml", "nlu:\n- intent: a\n", r"a\.yml:2: intent 'a' has no 'examples:'"),
    ("a.yml", "nlu:\n- intent: a\n  examples: |\n    - hi\n    - [ ](x)\n", r"a\.yml:5: empty example"),
    ("a.json", '{"rasa_nlu_data": {\n"common_examples": [}}', r"a\.json:2: invalid JSON"),
    ("a.json", '{"nlu": []}', r"a\.json:1: not Rasa NLU JSON"),
    ("a.json", '{"rasa_nlu_data": {"common_examples": [\n{"text": "a"},\n{"intent": "b"}]}}',
     r"a\.json:3: text must be a non-empty string"),
    ("a.txt", "hello", r"a\.txt: unsupported intent format '\.txt'"),
])
def test_errors_name_file_and_line(tmp_path: Path, name: str, text: str | bytes, match: str) -> None:
    with pytest.raises(KBError, match=match):
        read_intents(write(tmp_path, name, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KBError, match=r"nope\.jsonl: no such file"):
        read_intents(tmp_path / "nope.jsonl")


def test_every_error_is_reported_up_to_twenty(tmp_path: Path) -> None:
    path = write(tmp_path, "a.jsonl", '{"text": "ok"}\n{bad\n{"text": ""}\n')
    with pytest.raises(KBError) as err:
        read_intents(path)
    assert str(err.value).splitlines() == [
        f"{path}:2: invalid JSON: Expecting property name enclosed in double quotes",
        f"{path}:3: text must be a non-empty string, got ''"]
    path = write(tmp_path, "b.jsonl", "{bad\n" * 25)
    with pytest.raises(KBError) as err:
        read_intents(path)
    lines = str(err.value).splitlines()
    assert len(lines) == 21 and lines[19].startswith(f"{path}:20:") and lines[20] == "... and 5 more"


def test_responses_errors(tmp_path: Path) -> None:
    with pytest.raises(KBError, match=r"r\.yml:2: utter_greet must be a list of variants"):
        read_responses(write(tmp_path, "r.yml", "responses:\n  utter_greet: hello\n"))
    with pytest.raises(KBError, match=r"r\.yml:1: 'responses' must be a mapping"):
        read_responses(write(tmp_path, "r.yml", "responses: [a]\n"))
    with pytest.raises(KBError, match=r"r\.json: responses are read from a Rasa \.yml/\.yaml file"):
        read_responses(write(tmp_path, "r.json", "{}"))


# --- articles --------------------------------------------------------------------------------------

def test_intents_to_articles(tmp_path: Path) -> None:
    path = write(tmp_path, "nlu.yml", RASA_NLU)
    articles = intents_to_articles(read_intents(path), "EN-gb", read_responses(path), path=path)
    assert [(a.id, a.title, a.lang) for a in articles] == [
        ("check_weather", "Check weather", "en-GB"), ("faq-returns", "Returns", "en-GB")]
    weather = articles[0]
    assert weather.body == "Ask me about any city."
    assert weather.questions[0] == "what's the weather in Berlin" and len(weather.questions) == 3
    assert weather.tags == ("check_weather",)
    assert weather.source == f"{path}:5"
    assert articles[1].tags == ("faq/returns",) and articles[1].source == f"{path}:19"


def test_questions_keep_file_order_without_duplicates_and_oos_is_not_an_article() -> None:
    utterances = [Utterance("b q", "b", 1), Utterance("a q2", "a", 2), Utterance("a  q2", "a", 3),
                  Utterance("a q1", "a", 4), Utterance("lost", None, 5), Utterance("odd", "oos", 6)]
    articles = intents_to_articles(utterances)
    assert [(a.id, a.questions, a.body, a.source) for a in articles] == [
        ("a", ("a q2", "a q1"), "", ""), ("b", ("b q",), "", "")]


def test_out_of_scope_utterances_become_examples_once() -> None:
    # read_intents maps "oos" and friends to label None; repeats (after whitespace) are kept once.
    utterances = [Utterance("tell me a  joke", None, 3), Utterance("a q", "a", 4),
                  Utterance("what's the weather", None, 5), Utterance("tell me a joke", None, 6)]
    examples = intents_to_out_of_scope(utterances, "EN-gb", path="x.csv")
    assert [(e.text, e.lang, e.source) for e in examples] == [
        ("tell me a joke", "en-GB", "x.csv:3"), ("what's the weather", "en-GB", "x.csv:5")]
    assert intents_to_out_of_scope([Utterance("a q", "a", 1)]) == []
    with pytest.raises(LanguageCodeError, match="'klingon'"):
        intents_to_out_of_scope(utterances, lang="klingon")


@pytest.mark.parametrize(("label", "title"), [
    ("card_arrival", "Card arrival"), ("faq/returns", "Returns"), ("order.status", "Order status"),
    ("orderStatus", "Order Status"), ("Default Welcome Intent", "Default Welcome Intent"),
    ("ATM_support", "ATM support"), ("退款", "退款"), ("___", "___"),
])
def test_titles(label: str, title: str) -> None:
    (article,) = intents_to_articles([Utterance("q", label, 1)])
    assert article.title == title


def test_ids_are_valid_unique_and_stable() -> None:
    labels = ["card arrival", "card-arrival", "Card Arrival", "café", "退款", "退货", "faq/returns", "?!"]
    articles = intents_to_articles([Utterance(label, label, i) for i, label in enumerate(labels)])
    ids = {a.questions[0]: a.id for a in articles}
    assert ids["card-arrival"] == "card-arrival"  # a label that already is a valid id keeps it
    assert {ids["Card Arrival"], ids["card arrival"]} == {"card-arrival-2", "card-arrival-3"}
    assert ids["café"] == "cafe" and ids["faq/returns"] == "faq-returns"
    assert ids["退款"].startswith("intent-") and ids["退款"] != ids["退货"]
    assert ids["?!"].startswith("intent-")
    assert len(set(ids.values())) == len(labels)
    again = intents_to_articles([Utterance("q", "退款", 1)])
    assert again[0].id == ids["退款"]


def test_bad_lang_is_a_language_code_error() -> None:
    with pytest.raises(LanguageCodeError, match="'klingon'"):
        intents_to_articles([Utterance("q", "a", 1)], lang="klingon")


# --- writing ---------------------------------------------------------------------------------------

def test_round_trip_through_load_kb(tmp_path: Path) -> None:
    nlu = write(tmp_path, "nlu.yml", RASA_NLU)
    articles = intents_to_articles(read_intents(nlu), responses=read_responses(nlu), path=nlu)
    articles.append(Article("extra", "th", "ชื่อ", "## หัวข้อ\nเนื้อหา", ("คำถาม",), ("x",),
                            url="https://help.example/x", updated="2024-05-01"))
    examples = [OutOfScopeExample("tell me a joke", "en"), OutOfScopeExample("เล่ามุกหน่อย", "th"),
                OutOfScopeExample("what's the weather", "en")]
    out = tmp_path / "kb.jsonl"
    write_kb_jsonl(articles, out, examples)
    loaded = load_kb(out)
    assert [dataclasses.replace(a, source="") for a in loaded.articles] == [
        dataclasses.replace(a, source="") for a in articles]
    assert sorted((e.text, e.lang) for e in loaded.out_of_scope) == sorted((e.text, e.lang) for e in examples)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]).keys() == {"id", "lang", "title", "body", "questions", "tags"}
    assert "ชื่อ" in lines[-3] and json.loads(lines[-3])["updated"] == "2024-05-01"
    assert json.loads(lines[-2]) == {"out_of_scope": True, "lang": "en",
                                     "questions": ["tell me a joke", "what's the weather"]}


def test_write_is_atomic(tmp_path: Path) -> None:
    out = tmp_path / "kb.jsonl"
    write_kb_jsonl([Article("a", "en", "A", "")], out)
    before = out.read_bytes()

    def failing() -> Iterator[Article]:
        yield Article("b", "en", "B", "")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        write_kb_jsonl(failing(), out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["kb.jsonl"]


@pytest.mark.skipif(not CLINC_TRAIN.exists(), reason="CLINC150 data not present")
def test_clinc150_train(tmp_path: Path) -> None:
    utterances = read_intents(CLINC_TRAIN)
    assert len(utterances) == 15_100
    assert sum(u.label is None for u in utterances) == 100
    articles = intents_to_articles(utterances, path=CLINC_TRAIN)
    assert len(articles) == 150
    assert all(a.id == a.tags[0] and a.body == "" and 90 <= len(a.questions) <= 100 for a in articles)
    examples = intents_to_out_of_scope(utterances, path=CLINC_TRAIN)
    assert len(examples) == 100
    write_kb_jsonl(articles, tmp_path / "clinc.jsonl", examples)
    kb = load_kb(tmp_path / "clinc.jsonl")
    assert kb.ids == sorted(a.id for a in articles)
    assert len(kb.out_of_scope) == 100
