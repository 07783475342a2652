from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kb import KBError, load_kb
from kb.errors import LanguageCodeError
from kb.languages import normalize_lang
from tests.conftest import write_kb


def test_markdown_folder_loads_translations(tiny_kb_path: Path) -> None:
    kb = load_kb(tiny_kb_path)
    assert len(kb) == 6
    assert kb.ids == ["refund-timing", "reset-password", "shipping-costs"]
    assert kb.languages == ["en", "et", "th", "zh-TW"]
    versions = kb.translations("reset-password")
    assert set(versions) == {"en", "th"}
    en = versions["en"]
    assert en.title == "Reset your password"
    assert en.questions == ("forgot my password", "how do i change my password")
    assert en.tags == ("account",)
    assert en.url == "https://help.example/en/reset-password"
    assert en.body.startswith("## Steps")


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "kb.jsonl"
    rows = [{"id": "a", "lang": "en", "title": "A", "body": "Body A", "questions": ["q a"],
             "tags": ["x"], "url": "https://x/a"},
            {"id": "a", "lang": "th", "title": "ก", "body": "เนื้อหา"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    kb = load_kb(path)
    assert [a.key for a in kb] == ["a@en", "a@th"]
    assert kb.get("a", "en") is not None and kb.get("a", "en").questions == ("q a",)  # type: ignore[union-attr]


def test_out_of_scope_examples_from_markdown_and_jsonl(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {
        "en/refunds.md": "---\nid: refunds\ntitle: Refunds\n---\nbody",
        "en/_out-of-scope.md": """\
            ---
            out_of_scope: true
            lang: en
            questions:
              - are you hiring
              - "  are   you hiring "
              - tell me a joke
            ---
            Questions no article answers (this note is not indexed).
            """,
        "more.jsonl": '{"out_of_scope": true, "lang": "th", "questions": ["เล่าเรื่องตลก"]}\n',
    })
    kb = load_kb(root)
    assert kb.ids == ["refunds"]
    assert [(e.text, e.lang) for e in kb.out_of_scope] == [
        ("are you hiring", "en"), ("tell me a joke", "en"), ("เล่าเรื่องตลก", "th")]
    assert kb.out_of_scope[0].source.endswith("_out-of-scope.md:1")


def test_csv_faq_spreadsheet_merges_rows_of_one_answer(tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    path.write_text("question,answer\n"
                    "How do I return an item?,Start a return in Account > Orders within 30 days.\n"
                    "Can I get a refund?,Refunds take 5-10 business days.\n", encoding="utf-8")
    kb = load_kb(path, default_lang="et")
    assert len(kb) == 2
    first = kb.articles[0]
    assert first.lang == "et"
    assert first.title == "How do I return an item?"
    assert first.questions == ("How do I return an item?",)
    assert first.id == "how-do-i-return-an-item"


def test_csv_rows_with_same_id_become_one_article(tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    path.write_text("id,question,answer\nret,how to return,Use the form.\nret,send item back,Use the form.\n")
    (article,) = load_kb(path).articles
    assert article.questions == ("how to return", "send item back")


@pytest.mark.parametrize(("files", "match"), [
    ({"a.md": "---\nid: a\nlang: en\ntitle: A\n---\nbody", "b.md": "---\nid: a\nlang: en\ntitle: B\n---\nx"},
     r"b\.md:1: duplicate article id 'a' in language 'en' \(first defined at .*a\.md:1\)"),
    ({"a.md": "---\nid: a\nlang: en\n---\nbody"}, r"a\.md:1: article 'a' is missing a title"),
    ({"a.md": "---\nid: a\ntitle: [unclosed\n---\nbody"}, r"a\.md:3: bad YAML front matter"),
    ({"a.md": "---\nid: a\nlang: xx\ntitle: A\n---\nbody"}, r"a\.md:1: unknown language code 'xx'"),
    ({"a.md": "no front matter here"}, r"a\.md:1: missing YAML front matter"),
    ({"a.md": "---\nid: a\ntitle: A\ncolour: red\n---\nbody"}, r"unknown field\(s\) \['colour'\]"),
    ({"a.jsonl": '{"id": "a", "title": "A"}\n{"id": "b", "title": }\n'}, r"a\.jsonl:2: invalid JSON"),
    ({"a.jsonl": '{"id": "a", "title": "A", "questions": "x", "tags": {"k": 1}}\n'},
     r"a\.jsonl:1: tags must be a list of strings"),
    ({"a.csv": "question,answer\nq1,a1\nq2\n"}, r"a\.csv:3: expected 2 columns, found 1"),
    ({"a.csv": "q,a\nx,y\n"}, r"a\.csv:1: CSV needs 'question' and 'answer' columns"),
    ({"a.md": "---\nid: a\ntitle: A\n---\nx", "_oos.md": "---\nout_of_scope: yes please\n---\n"},
     r"_oos\.md:1: out_of_scope must be true, got 'yes please'"),
    ({"a.md": "---\nid: a\ntitle: A\n---\nx",
      "_oos.md": "---\nout_of_scope: true\ntitle: T\nquestions: [q]\n---\n"},
     r"_oos\.md:1: unknown field\(s\) \['title'\] for out-of-scope questions"),
    ({"a.md": "---\nid: a\ntitle: A\n---\nx", "_oos.md": "---\nout_of_scope: true\nquestions: []\n---\n"},
     r"_oos\.md:1: out-of-scope record has no questions"),
    ({"a.jsonl": '{"id": "a", "title": "A"}\n{"out_of_scope": true, "lang": "xx", "questions": ["q"]}\n'},
     r"a\.jsonl:2: unknown language code 'xx'"),
    ({"_oos.md": "---\nout_of_scope: true\nquestions: [q]\n---\n"}, r"the knowledge base has no articles"),
])
def test_invalid_input_names_file_and_line(tmp_path: Path, files: dict[str, str], match: str) -> None:
    root = write_kb(tmp_path / "kb", files)
    with pytest.raises(KBError, match=match):
        load_kb(root)


def test_one_bad_file_loads_nothing_and_reports_every_error(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {
        "good.md": "---\nid: good\ntitle: Good\n---\nbody",
        "bad1.md": "---\nid: bad1\n---\nbody",
        "bad2.md": "---\nid: bad2\nlang: qq\ntitle: B\n---\nbody",
    })
    with pytest.raises(KBError) as err:
        load_kb(root)
    assert "bad1.md" in str(err.value) and "bad2.md" in str(err.value)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(KBError, match="no such file or folder"):
        load_kb(tmp_path / "nope")


@pytest.mark.parametrize(("code", "canonical"), [
    ("en", "en"), ("EN", "en"), ("en-us", "en-US"), ("zh_tw", "zh-TW"), ("zh-Hant", "zh-TW"),
    ("zh-Hans", "zh-CN"), ("zh", "zh-CN"), ("th", "th"), ("et", "et"),
])
def test_normalize_lang(code: str, canonical: str) -> None:
    assert normalize_lang(code) == canonical


@pytest.mark.parametrize("code", ["xx", "english", "", "e", "en-", "7"])
def test_normalize_lang_rejects(code: str) -> None:
    with pytest.raises(LanguageCodeError, match="language code"):
        normalize_lang(code)


LINKED = """---
id: a
title: A
url: {url}
---
# Heading

{body}
"""


@pytest.mark.parametrize("url", ["https://help.example/a", "http://help.example/a", "mailto:help@example.com",
                                 "/help/a", "a.html", "#refunds", "//help.example/a", "?page=2", ""])
def test_allowed_urls_and_links(tmp_path: Path, url: str) -> None:
    body = f"See [this]({url or '/x'}), ![logo]({url or 'logo.png'}) and <https://help.example>."
    root = write_kb(tmp_path / "kb", {"a.md": LINKED.format(url=json.dumps(url), body=body)})
    assert load_kb(root).articles[0].url == url


@pytest.mark.parametrize(("body", "url"), [
    ("[x](javascript:alert(1))", "javascript:alert(1)"),
    ("[x](JavaScript:alert(1))", "JavaScript:alert(1)"),
    ("[x](<java\tscript:alert(1)>)", "java\tscript:alert(1)"),  # browsers drop the tab
    ("[x](&#106;avascript:alert(1))", "javascript:alert(1)"),  # entities are decoded
    ("[x](javascript\\:alert(1))", "javascript:alert(1)"),  # and escapes
    ("<javascript:alert(1)>", "javascript:alert(1)"),
    ("![x](data:image/svg+xml;base64,PHN2Zz4=)", "data:image/svg+xml;base64,PHN2Zz4="),
    ("[x](file:///etc/passwd)", "file:///etc/passwd"),
    ("[x](vbscript:msgbox(1))", "vbscript:msgbox(1)"),
    ("[x](tel:+6621234567)", "tel:+6621234567"),
    ("[x][r]\n\n[r]: data:text/html,hi", "data:text/html,hi"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:alert(1)"),
    ('<div><img src="javascript:alert(1)"></div>', "javascript:alert(1)"),
    ("| a | b |\n|---|---|\n| [x](javascript:t()) | y |", "javascript:t()"),
])
def test_links_of_other_schemes_are_refused_with_their_line(tmp_path: Path, body: str, url: str) -> None:
    root = write_kb(tmp_path / "kb", {"a.md": LINKED.format(url="/ok", body=body)})
    with pytest.raises(KBError) as err:
        load_kb(root)
    scheme = url.replace("\t", "").split(":")[0].lower()
    first = str(err.value).splitlines()[0]
    assert re.fullmatch(rf".*a\.md:(8|9|10|11): article 'a': link .* has the scheme '{scheme}:'; only http, "
                        r"https, mailto and relative URLs are allowed", first), first


def test_every_bad_link_is_reported_at_once_with_file_and_line(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {
        "a.md": LINKED.format(url="javascript:alert(0)",
                              body="ok [fine](https://x.example)\n[one](javascript:a())\n\n"
                                   "two lines [of\ntext](data:text/html,b)"),
        "b.jsonl": '{"id": "b", "title": "B", "url": "vbscript:x"}\n'
                   '{"id": "c", "title": "C", "body": "fine"}\n'
                   '{"id": "d", "title": "D", "body": "a\\n[x](file:///etc/passwd)"}\n',
        "c.csv": "question,answer,url\nq,see [x](javascript:c()),https://ok.example\nq2,a2,file:///x\n",
    })
    with pytest.raises(KBError) as err:
        load_kb(root)
    lines = [re.sub(r"^.*/kb/", "", line) for line in str(err.value).splitlines()]
    assert [line.split(" has the scheme")[0] for line in lines] == [
        "a.md:4: article 'a': url 'javascript:alert(0)'",
        "a.md:9: article 'a': link 'javascript:a()'",
        "a.md:11: article 'a': link 'data:text/html,b'",
        "b.jsonl:1: article 'b': url 'vbscript:x'",
        "b.jsonl:3: article 'd': link 'file:///etc/passwd'",
        "c.csv:2: article 'q': link 'javascript:c()'",
        "c.csv:3: article 'q2': url 'file:///x'",
    ]


def test_a_jsonl_file_reports_every_bad_line(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {"a.jsonl": '{"id": "a"}\n{"id": "b", "title": }\n[1]\n'})
    with pytest.raises(KBError) as err:
        load_kb(root)
    assert [re.sub(r"^.*/kb/", "", line) for line in str(err.value).splitlines()] == [
        "a.jsonl:1: article 'a' is missing a title", "a.jsonl:2: invalid JSON: Expecting value",
        "a.jsonl:3: each line must be a JSON object"]
