"""Local stand-ins for Zendesk, Freshdesk and Intercom, speaking their documented APIs: the same
paths, auth schemes, payload shapes and pagination (Zendesk cursors `page[size]`/`links.next`/
`meta.has_more`, Freshdesk `Link: rel="next"`, Intercom `pages.next`), each serving at most two
items a page so pagination is always exercised, and answering one chosen request with
429 + `Retry-After: 1`. The help center's content is `Desk.articles`, editable between syncs."""

from __future__ import annotations

import base64
import copy
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server

PAGE = 2  # items a page, whatever the client asks for: the client must follow the next links

RICH_BODY = """<h2>Steps</h2><p>Open <a href="/hc/en-us/articles/101" onclick="steal()">Settings</a>, then
<a href="javascript:alert(document.cookie)">this link</a>.</p>
<ol><li>Click <strong>Forgot password</strong></li><li>Follow the link in the email</li></ol>
<table><tr><th>Plan</th><th>Reset link valid</th></tr><tr><td>Basic</td><td>60 minutes</td></tr></table>
<p><img src="/images/reset.png" alt="The reset password form" onerror="evil()"></p>
<iframe src="https://www.youtube.com/embed/xyz">video</iframe><script>alert("x")</script>
<style>p { color: red }</style><p>Still stuck? <a href="mailto:help@acme.test">Email us</a>.</p>"""

TH_BODY = "<p>กดลืมรหัสผ่านที่หน้าเข้าสู่ระบบ แล้วทำตามลิงก์ในอีเมลที่เราส่งให้ ลิงก์ใช้ได้ 60 นาทีค่ะ</p>"
ZH_BODY = "<p>在登入頁點選「忘記密碼」，再依照我們寄給你的電子郵件連結重設密碼，連結 60 分鐘內有效。</p>"
REFUND_BODY = ("<p>Refunds are processed within 3 business days after we receive your return. Card "
               "refunds then take 5-10 business days.</p>")


@dataclass
class Article:
    """One article with its translations: locale → (title, body HTML, published)."""

    id: int
    versions: dict[str, tuple[str, str, bool]]
    updated: str = "2026-10-01T09:00:00Z"
    labels: list[str] = field(default_factory=list)
    restricted: bool = False
    section: int = 7
    edited: dict[str, str] = field(default_factory=dict)  # locale → its own updated_at, once edited

    def updated_at(self, locale: str) -> str:
        return self.edited.get(locale, self.updated)


def default_articles() -> list[Article]:
    return [
        Article(101, {"en-us": ("Reset your password", RICH_BODY, True),
                      "th": ("รีเซ็ตรหัสผ่าน", TH_BODY, True),
                      "zh-tw": ("重設密碼", ZH_BODY, True)}, labels=["Account", "password"]),
        Article(102, {"en-us": ("When will I get my refund?", REFUND_BODY, True),
                      "th": ("เมื่อไรจะได้รับเงินคืน", "<p>draft</p>", False)}, labels=["returns"]),
        Article(103, {"en-us": ("Upcoming loyalty program", "<p>Not announced yet.</p>", False)}),
        Article(104, {"en-us": ("Agent-only refund overrides", "<p>Internal: approve up to 500.</p>", True)},
                restricted=True),
        Article(105, {"en-us": ("Shipping times and costs", "<p>Standard delivery takes 2-5 business "
                                "days and costs 4.90 EUR, free over 50 EUR.</p>", True)}, section=8),
    ]


@dataclass
class Desk:
    vendor: str
    base: str = ""
    articles: list[Article] = field(default_factory=default_articles)
    throttle: tuple[str, str | None] | None = None  # (path, page) answered 429 once; page None: first
    fail: str | None = None  # a path prefix answered 500 every time
    requests: list[tuple[float, str]] = field(default_factory=list)
    pages: list[tuple[float, str, str | None]] = field(default_factory=list)  # time, path, page
    lock: threading.Lock = field(default_factory=threading.Lock)

    def locales(self) -> list[str]:
        return list(dict.fromkeys(loc for a in self.articles for loc in a.versions))


def _page(items: list[Any], after: int) -> tuple[list[Any], int | None]:
    chunk = items[after:after + PAGE]
    return chunk, after + PAGE if after + PAGE < len(items) else None


def _zendesk(app: Flask, desk: Desk) -> None:
    sections = [{"id": 7, "name": "Your account", "category_id": 1, "locale": "en-us"},
                {"id": 8, "name": "Shipping & delivery", "category_id": 2, "locale": "en-us"}]
    categories = [{"id": 1, "name": "Account"}, {"id": 2, "name": "Orders"}]

    def cursor(key: str, items: list[dict[str, Any]]) -> Response:
        after = int(request.args.get("page[after]", "0"))
        chunk, nxt = _page(items, after)
        url = f"{desk.base}{request.path}?page[size]={request.args.get('page[size]', 30)}"
        return jsonify({key: chunk, "meta": {"has_more": nxt is not None, "after_cursor": str(nxt or ""),
                                             "before_cursor": str(after)},
                        "links": {"next": f"{url}&page[after]={nxt}" if nxt else None, "prev": None}})

    @app.get("/api/v2/help_center/locales.json")
    def locales() -> Response:
        return jsonify({"locales": desk.locales(), "default_locale": "en-us"})

    @app.get("/api/v2/help_center/<locale>/sections.json")
    def list_sections(locale: str) -> Response:
        return cursor("sections", sections)

    @app.get("/api/v2/help_center/<locale>/categories.json")
    def list_categories(locale: str) -> Response:
        return cursor("categories", categories)

    @app.get("/api/v2/help_center/<locale>/articles.json")
    def articles(locale: str) -> Response:
        items = []
        for a in desk.articles:
            if locale not in a.versions:
                continue
            title, body, published = a.versions[locale]
            items.append({
                "id": a.id, "url": f"{desk.base}/api/v2/help_center/{locale}/articles/{a.id}.json",
                "html_url": f"{desk.base}/hc/{locale}/articles/{a.id}", "author_id": 9,
                "comments_disabled": False, "draft": not published, "promoted": False, "position": 0,
                "vote_sum": 0, "vote_count": 0, "section_id": a.section, "created_at": "2026-01-05T10:00:00Z",
                "updated_at": a.updated_at(locale), "edited_at": a.updated_at(locale), "name": title,
                "title": title,
                "source_locale": "en-us", "locale": locale, "outdated": False, "outdated_locales": [],
                "permission_group_id": 3, "user_segment_id": 55 if a.restricted else None,
                "content_tag_ids": [], "label_names": a.labels, "body": body})
        return cursor("articles", items)


def _freshdesk(app: Flask, desk: Desk) -> None:
    lang = {"en-us": "en", "th": "th", "zh-tw": "zh-TW"}
    folders = {1: [{"id": 11, "name": "Your account", "visibility": 1, "sub_folders_count": 1,
                    "articles_count": 1},
                   {"id": 13, "name": "Agents only", "visibility": 3, "sub_folders_count": 0}],
               2: [{"id": 12, "name": "Shipping & delivery", "visibility": 1, "sub_folders_count": 0}]}
    subfolders = {11: [{"id": 14, "name": "Passwords", "visibility": 1, "parent_folder_id": 11,
                        "sub_folders_count": 0}]}
    folder_of = {101: 14, 102: 11, 103: 11, 104: 13, 105: 12}

    def paged(items: list[Any]) -> Response:
        page = int(request.args.get("page", "1"))
        chunk, nxt = _page(items, (page - 1) * PAGE)
        resp = jsonify(chunk)
        if nxt is not None:
            resp.headers["Link"] = f'<{desk.base}{request.path}?page={page + 1}&per_page=100>; rel="next"'
        return resp

    @app.get("/api/v2/settings/helpdesk")
    def helpdesk() -> Response:
        return jsonify({"primary_language": "en", "supported_languages": ["th", "zh-TW"],
                        "portal_languages": ["th", "zh-TW"]})

    @app.get("/api/v2/solutions/categories")
    def categories() -> Response:
        return paged([{"id": 1, "name": "Account", "description": "", "visible_in_portals": [5]},
                      {"id": 2, "name": "Orders", "description": "", "visible_in_portals": [5]}])

    @app.get("/api/v2/solutions/categories/<int:cid>/folders")
    def list_folders(cid: int) -> Response:
        return paged(folders.get(cid, []))

    @app.get("/api/v2/solutions/folders/<int:fid>/subfolders")
    def list_subfolders(fid: int) -> Response:
        return paged(subfolders.get(fid, []))

    @app.get("/api/v2/solutions/folders/<int:fid>/articles", defaults={"code": "en"})
    @app.get("/api/v2/solutions/folders/<int:fid>/articles/<code>")
    def folder_articles(fid: int, code: str) -> Response:
        items = []
        for a in desk.articles:
            for locale, (title, body, published) in a.versions.items():
                if folder_of.get(a.id, 12) == fid and lang[locale] == code:
                    items.append({"id": a.id, "type": 1, "category_id": 1, "folder_id": fid,
                                  "agent_id": 9, "title": title, "description": body,
                                  "description_text": "", "status": 2 if published else 1,
                                  "seo_data": {}, "tags": a.labels, "hits": 0, "thumbs_up": 0,
                                  "thumbs_down": 0, "created_at": "2026-01-05T10:00:00Z",
                                  "updated_at": a.updated_at(locale)})
        if code != "en" and not items:
            return Response('{"code":"invalid_value","message":"Record not found"}', 404,
                            mimetype="application/json")
        return paged(items)


def _intercom(app: Flask, desk: Desk) -> None:
    locale_of = {"en-us": "en", "th": "th", "zh-tw": "zh-TW"}

    def paged(items: list[Any]) -> Response:
        page = int(request.args.get("page", "1"))
        chunk, nxt = _page(items, (page - 1) * PAGE)
        pages: dict[str, Any] = {"type": "pages", "page": page, "per_page": PAGE,
                                 "total_pages": -(-len(items) // PAGE)}
        if nxt is not None:
            pages["next"] = f"{desk.base}{request.path}?page={page + 1}&per_page={PAGE}"
        return jsonify({"type": "list", "pages": pages, "total_count": len(items), "data": chunk})

    @app.get("/help_center/collections")
    def collections() -> Response:
        return paged([{"id": "7", "workspace_id": "ws1", "name": "Your account", "url": "", "order": 1,
                       "default_locale": "en", "parent_id": None, "help_center_id": 1},
                      {"id": "8", "workspace_id": "ws1", "name": "Shipping & delivery", "url": "",
                       "default_locale": "en", "parent_id": None, "help_center_id": 1}])

    @app.get("/articles")
    def articles() -> Response:
        items = []
        for a in desk.articles:
            if a.restricted:
                continue  # Intercom has no per-article audience in this API
            contents = {}
            for locale, (title, body, published) in a.versions.items():
                contents[locale_of[locale]] = {
                    "type": "article_content", "title": title, "description": "", "body": body,
                    "author_id": 9, "state": "published" if published else "draft",
                    "created_at": 1767607200, "updated_at": _unix(a.updated_at(locale)),
                    "url": f"https://intercom.help/acme/{locale_of[locale]}/articles/{a.id}"}
            en = contents["en"]
            items.append({"type": "article", "id": str(a.id), "workspace_id": "ws1", "title": en["title"],
                          "description": "", "body": en["body"], "author_id": 9, "state": en["state"],
                          "created_at": 1767607200, "updated_at": en["updated_at"], "url": en["url"],
                          "parent_id": a.section, "parent_ids": [a.section], "parent_type": "collection",
                          "default_locale": "en",
                          "translated_content": {"type": "article_translated_content", "ar": None,
                                                 **contents}})
        return paged(items)


def _unix(iso: str) -> int:
    return int(time.mktime(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone)


CREDENTIALS = {
    "zendesk": ("agent@acme.test/token", "zd-secret"),
    "freshdesk": ("fd-key", "X"),
    "intercom": None,  # a Bearer token
}


def make_app(desk: Desk) -> Flask:
    app = Flask(f"{desk.vendor}-stand-in")
    {"zendesk": _zendesk, "freshdesk": _freshdesk, "intercom": _intercom}[desk.vendor](app, desk)

    @app.before_request
    def gate() -> Response | None:
        path = request.full_path.rstrip("?")
        page = request.args.get("page[after]") or request.args.get("page")
        with desk.lock:
            desk.requests.append((time.monotonic(), path))
            desk.pages.append((time.monotonic(), request.path, page))
        if not _authorized(desk.vendor):
            body = {"zendesk": {"error": "Couldn't authenticate you"},
                    "freshdesk": {"code": "invalid_credentials",
                                  "message": "You have to be logged in to perform this action."},
                    "intercom": {"type": "error.list", "errors": [{"code": "unauthorized",
                                                                   "message": "Access Token Invalid"}]}}
            return Response(json.dumps(body[desk.vendor]), 401, mimetype="application/json")
        if desk.fail and request.path.startswith(desk.fail):
            return Response('{"error":"boom"}', 500, mimetype="application/json")
        if desk.throttle and desk.throttle == (request.path, page):
            desk.throttle = None
            return Response('{"error":"TooManyRequests"}', 429, {"Retry-After": "1"},
                            mimetype="application/json")
        return None

    return app


def _authorized(vendor: str) -> bool:
    auth = request.headers.get("Authorization", "")
    if vendor == "intercom":
        return auth == "Bearer ic-secret" and request.headers.get("Intercom-Version") is not None
    if not auth.startswith("Basic "):
        return False
    user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
    return (user, password) == CREDENTIALS[vendor]


@contextmanager
def serve_desk(vendor: str) -> Iterator[Desk]:
    desk = Desk(vendor, articles=copy.deepcopy(default_articles()))
    server = make_server("127.0.0.1", 0, make_app(desk), threaded=True)
    desk.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield desk
    finally:
        server.shutdown()
