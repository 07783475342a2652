"""Intercom Articles through its REST API: each article with its `translated_content` per locale.

`GET /articles` pages are followed through `pages.next`; collections (`/help_center/collections`)
name the tags. Only published content is imported: an article's default-locale content and each
translation carry their own `state`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from kb.errors import SettingsError
from kb.settings import Settings
from kb.sources.base import Fetched, Progress, SourceDoc, source_languages, tags_of
from kb.sources.html import fragment_to_markdown
from kb.sources.http import HttpClient, SourceError

API_VERSION = "2.11"


class Intercom:
    def __init__(self, workspace: str, settings: Settings, http: HttpClient | None = None) -> None:
        self.name = f"intercom:{workspace}"
        self.base = settings.intercom_url.rstrip("/")
        if not settings.intercom_token:
            raise SettingsError("intercom needs an access token: set intercom_token in the settings "
                                "file or FAQBOT_INTERCOM_TOKEN")
        self.http = http or HttpClient(
            "Intercom", workspace or "this workspace", timeout=settings.http_timeout,
            retries=settings.http_retries, max_wait=settings.http_max_wait,
            headers={"Authorization": f"Bearer {settings.intercom_token}",
                     "Intercom-Version": API_VERSION})

    def fetch(self, progress: Progress | None = None) -> Fetched:
        collections = {str(c.get("id")): c for c in self._pages("help_center/collections")}
        out = Fetched()
        n = 0
        for art in self._pages("articles", {"per_page": 50}):
            n += 1
            out.docs.extend(self._docs(art, collections, out))
            if progress:
                progress(n, n + 1)
        if progress:
            progress(n, n)
        return out

    def _docs(self, art: dict[str, Any], collections: dict[str, Any], out: Fetched) -> Iterator[SourceDoc]:
        default = art.get("default_locale") or "en"
        versions: dict[str, dict[str, Any]] = {default: art}
        for locale, content in (art.get("translated_content") or {}).items():
            if isinstance(content, dict) and locale != "type":
                versions[locale] = {**content, "id": art.get("id")}
        langs = source_languages(versions)
        in_collection = art.get("parent_type") == "collection"
        parent = collections.get(str(art.get("parent_id")), {}) if in_collection else {}
        for locale, content in versions.items():
            if content.get("state") != "published":
                out.skipped["draft"] += 1
                continue
            if locale not in langs:
                out.skipped[f"unknown locale {locale}"] += 1
                continue
            url = content.get("url") or ""
            yield SourceDoc(
                group=str(art.get("id")), lang=langs[locale], title=str(content.get("title") or "").strip(),
                body=fragment_to_markdown(content.get("body") or "", url), url=url,
                updated=_iso(content.get("updated_at")),
                tags=tags_of(parent.get("name")), source_id=str(art.get("id")),
                slug=str(art.get("title") or content.get("title") or ""), primary=locale == default,
                declared=f"locale {locale}")

    def _pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        url: str | None = f"{self.base}/{path}"
        seen: set[str] = set()
        while url:
            data = self.http.get_json(url, params)
            if not isinstance(data, dict) or not isinstance(data.get("data"), list):
                raise SourceError(f"{self.name}: {url} did not list {path}")
            yield from (x for x in data["data"] if isinstance(x, dict))
            nxt = (data.get("pages") or {}).get("next")
            if isinstance(nxt, dict) and nxt.get("starting_after"):  # cursor form of newer versions
                url = f"{self.base}/{path}"
                params = {**(params or {}), "starting_after": nxt["starting_after"]}
                key = str(nxt["starting_after"])
            elif isinstance(nxt, str) and nxt:
                url, params, key = nxt, None, nxt
            else:
                break
            if key in seen:
                break
            seen.add(key)


def _iso(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value or "")
