"""Links in articles: which URLs may be published, where the others are, and what is left of an
article that carries them."""

from __future__ import annotations

import pytest

from kb.links import bad_links, published, safe_markdown, url_problem
from kb.models import Article


@pytest.mark.parametrize("url", ["https://help.example/a?b=1#c", "HTTP://help.example",
                                 "mailto:help@example.com", "/help/a", "a/b.html", "#top", "?page=2",
                                 "//help.example/a", "", "ไทย/หน้า"])
def test_allowed(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(("url", "scheme"), [
    ("javascript:alert(1)", "javascript:"), ("JAVASCRIPT:alert(1)", "javascript:"),
    (" \x01javascript:alert(1)", "javascript:"), ("java\tscript:alert(1)", "javascript:"),
    ("java\nscript:alert(1)", "javascript:"), ("data:text/html,<script>", "data:"),
    ("file:///etc/passwd", "file:"), ("vbscript:msgbox", "vbscript:"), ("tel:+66812345678", "tel:"),
    ("localhost:8080/admin", "localhost:"), ("C:\\\\Windows", "c:"),
])
def test_refused(url: str, scheme: str) -> None:
    problem = url_problem(url)
    assert problem is not None and f"has the scheme {scheme!r}; only http, https, mailto" in problem


def test_unparseable_url() -> None:
    assert "is not a valid URL (Invalid IPv6 URL)" in (url_problem("http://[::1/x") or "")


def test_bad_links_names_the_lines_that_carry_them() -> None:
    body = ("fine [a](https://x.example)\n"           # 0
            "[b](javascript:b())\n"                    # 1
            "a [multi\nline](data:text/html,c) link\n"  # 2-3
            "`[not a link](javascript:code)`\n"        # 4: code, not a link
            "\n"
            "<p>\n<a href='vbscript:d'>d</a>\n</p>\n"  # 6-8: one HTML block
            "\n"
            "[e]: file:///e\n")                        # 10: a reference definition
    assert [(b.first, b.last, b.url) for b in bad_links(body)] == [
        (1, 1, "javascript:b()"), (2, 3, "data:text/html,c"), (6, 8, "vbscript:d"), (10, 10, "file:///e")]


def test_safe_markdown_drops_only_the_lines_with_bad_links() -> None:
    body = "## Steps\nOpen [settings](/settings).\nOr [this](javascript:alert(1)).\nDone."
    assert safe_markdown(body) == "## Steps\nOpen [settings](/settings).\nDone."
    assert safe_markdown("all good [x](https://x.example)") == "all good [x](https://x.example)"


def test_published_drops_the_url_and_the_bad_lines() -> None:
    article = Article("a", "en", "A", "Keep.\n[x](javascript:alert(1))", url="javascript:alert(1)")
    assert published(article) == Article("a", "en", "A", "Keep.", url="")
    good = Article("b", "en", "B", "[x](https://x.example)", url="https://x.example/b")
    assert published(good) is good
