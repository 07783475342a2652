"""Zendesk Guide through the Help Center API: every published article in every enabled locale.

`GET /api/v2/help_center/locales` names the locales; `/api/v2/help_center/{locale}/articles` lists
each locale's translations with cursor pagination (`page[size]`, then `links.next` while
`meta.has_more`); sections and categories of the default locale become tags next to
`label_names`. Drafts are skipped, and so are articles restricted to a user segment unless
`import_restricted`. Translations share the article's id, so they become one faqbot article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kb.errors import SettingsError
from kb.settings import Settings
from kb.sources.base import Failure, Fetched, Progress, SourceDoc, source_languages, tags_of
from kb.sources.html import fragment_to_markdown
from kb.sources.http import HttpClient, SourceError

_SUBDOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
PAGE_SIZE = 100


class Zendesk:
    def __init__(self, subdomain: str, settings: Settings, http: HttpClient | None = None) -> None:
        subdomain = subdomain.strip().lower()
        if not _SUBDOMAIN.match(subdomain):
            raise SettingsError(f"zendesk:{subdomain}: expected a Zendesk subdomain like zendesk:acme")
        self.name = f"zendesk:{subdomain}"
        self.base = (settings.zendesk_url or f"https://{subdomain}.zendesk.com").rstrip("/")
        self.restricted = settings.import_restricted
        if settings.zendesk_token and not settings.zendesk_email:
            raise SettingsError("zendesk_token needs zendesk_email (FAQBOT_ZENDESK_EMAIL): Zendesk "
                                "API tokens authenticate as email/token")
        # No token: the public help center, as an anonymous visitor sees it.
        auth = (f"{settings.zendesk_email}/token", settings.zendesk_token) if settings.zendesk_token else None
        self.http = http or HttpClient("Zendesk", subdomain, timeout=settings.http_timeout,
                                       retries=settings.http_retries, max_wait=settings.http_max_wait,
                                       auth=auth)

    def fetch(self, progress: Progress | None = None) -> Fetched:
        info = self.http.get_json(f"{self.base}/api/v2/help_center/locales.json")
        locales = [x for x in info.get("locales", []) if isinstance(x, str)] if isinstance(info, dict) else []
        if not locales:
            raise SourceError(f"{self.name}: the help center lists no locales")
        default = info.get("default_locale") or locales[0]
        langs = source_languages(locales)
        out = Fetched()
        sections = {s["id"]: s for s in self._pages(f"{default}/sections.json", "sections")}
        categories = {c["id"]: c for c in self._pages(f"{default}/categories.json", "categories")}
        done = 0
        for locale in locales:
            if locale not in langs:
                out.failures.append(Failure(locale, f"{self.name}: unknown locale {locale!r} skipped"))
                continue
            for art in self._pages(f"{locale}/articles.json", "articles"):
                done += 1
                doc = self._doc(art, langs, sections, categories, out)
                if doc is not None:
                    out.docs.append(doc)
                if progress:
                    progress(done, done + 1)
        if progress:
            progress(done, done)
        return out

    def _doc(self, art: dict[str, Any], langs: dict[str, str], sections: dict[Any, Any],
             categories: dict[Any, Any], out: Fetched) -> SourceDoc | None:
        ref = f"{art.get('id')}/{art.get('locale')}"
        if art.get("draft"):
            out.skipped["draft"] += 1
            return None
        # user_segment_ids replaced user_segment_id; either one set means not everyone may read it
        if (art.get("user_segment_id") is not None or art.get("user_segment_ids")) and not self.restricted:
            out.skipped["restricted to a user segment"] += 1
            return None
        locale = art.get("locale")
        if locale not in langs or not isinstance(art.get("id"), int | str):
            out.failures.append(Failure(ref, f"{self.name}: article {ref} has no known locale"))
            return None
        section = sections.get(art.get("section_id"), {})
        category = categories.get(section.get("category_id"), {})
        url = art.get("html_url") or ""
        return SourceDoc(
            group=str(art["id"]), lang=langs[locale], title=str(art.get("title") or "").strip(),
            body=fragment_to_markdown(art.get("body") or "", url), url=url,
            updated=str(art.get("updated_at") or ""),
            tags=tags_of(category.get("name"), section.get("name"), labels=art.get("label_names") or ()),
            source_id=str(art["id"]), slug=str(art.get("title") or ""),
            primary=locale == art.get("source_locale"), declared=f"locale {locale}")

    def _pages(self, path: str, key: str) -> Iterator[dict[str, Any]]:
        """Every item of a cursor-paginated list (offset pagination's `next_page` too)."""
        url: str | None = f"{self.base}/api/v2/help_center/{path}"
        params: dict[str, Any] | None = {"page[size]": PAGE_SIZE}
        seen: set[str] = set()
        while url:
            data = self.http.get_json(url, params)
            if not isinstance(data, dict) or not isinstance(data.get(key), list):
                raise SourceError(f"{self.name}: {url} did not list {key}")
            yield from (x for x in data[key] if isinstance(x, dict))
            links, meta = data.get("links") or {}, data.get("meta") or {}
            nxt = links.get("next") if meta.get("has_more") else data.get("next_page")
            if not nxt or nxt in seen:
                break
            seen.add(nxt)
            url, params = nxt, None  # the next link carries page[size] and page[after]
