"""Freshdesk Solutions through API v2: categories → folders (and subfolders) → articles.

`GET /api/v2/settings/helpdesk` names the primary and portal languages; each folder's articles are
listed per language (`/solutions/folders/{id}/articles/{lang}` for translations), `page`/`per_page`
pages followed through the `Link: <…>; rel="next"` header. Only published articles (status 2)
are imported; folders not visible to all users (visibility 1) only with `import_restricted`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kb.errors import SettingsError
from kb.settings import Settings
from kb.sources.base import Fetched, Progress, SourceDoc, source_languages, tags_of
from kb.sources.html import fragment_to_markdown
from kb.sources.http import HttpClient, SourceError

_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9.-]{0,252}$")
PUBLISHED, ALL_USERS = 2, 1
MAX_DEPTH = 5  # Freshdesk nests subfolders at most a few levels


class Freshdesk:
    def __init__(self, domain: str, settings: Settings, http: HttpClient | None = None) -> None:
        domain = domain.strip().lower()
        if not _DOMAIN.match(domain):
            raise SettingsError(f"freshdesk:{domain}: expected a Freshdesk domain like freshdesk:acme")
        host = domain if "." in domain else f"{domain}.freshdesk.com"
        self.name = f"freshdesk:{host}"
        self.portal = f"https://{host}"
        self.base = (settings.freshdesk_url or self.portal).rstrip("/")
        self.restricted = settings.import_restricted
        if not settings.freshdesk_api_key:
            raise SettingsError("freshdesk needs an API key: set freshdesk_api_key in the settings "
                                "file or FAQBOT_FRESHDESK_API_KEY")
        self.http = http or HttpClient("Freshdesk", host, timeout=settings.http_timeout,
                                       retries=settings.http_retries, max_wait=settings.http_max_wait,
                                       auth=(settings.freshdesk_api_key, "X"))

    def fetch(self, progress: Progress | None = None) -> Fetched:
        helpdesk = self.http.get_json(f"{self.base}/api/v2/settings/helpdesk")
        if not isinstance(helpdesk, dict) or not helpdesk.get("primary_language"):
            raise SourceError(f"{self.name}: /api/v2/settings/helpdesk names no primary language")
        primary = helpdesk["primary_language"]
        others = helpdesk.get("portal_languages") or helpdesk.get("supported_languages") or []
        codes = list(dict.fromkeys([primary, *(x for x in others if isinstance(x, str))]))
        langs = source_languages(codes)
        out = Fetched()
        categories: list[dict[str, Any]] = []
        for c in self._list("api/v2/solutions/categories"):
            if c.get("visible_in_portals") == [] and not self.restricted:  # shown in no portal
                out.skipped["category in no portal"] += 1
            else:
                categories.append(c)
        folders = [f for c in categories
                   for f in self._folders(c, f"api/v2/solutions/categories/{c['id']}/folders", 0)]
        for n, (category, folder) in enumerate(folders, 1):
            if folder.get("visibility", ALL_USERS) != ALL_USERS and not self.restricted:
                out.skipped["restricted folder"] += 1
                continue
            for code in codes:
                if code not in langs:
                    continue
                path = f"api/v2/solutions/folders/{folder['id']}/articles"
                # A translation listing of a folder nobody translated is a 404, not an error.
                listing = path if code == primary else f"{path}/{code}"
                for art in self._list(listing, missing_ok=code != primary):
                    doc = self._doc(art, code, langs[code], code == primary, category, folder, out)
                    if doc is not None:
                        out.docs.append(doc)
            if progress:
                progress(n, len(folders))
        return out

    def _folders(self, category: dict[str, Any], path: str,
                 depth: int) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        for folder in self._list(path):
            yield category, folder
            if folder.get("sub_folders_count") and depth < MAX_DEPTH:
                yield from self._folders(category, f"api/v2/solutions/folders/{folder['id']}/subfolders",
                                         depth + 1)

    def _doc(self, art: dict[str, Any], code: str, lang: str, primary: bool, category: dict[str, Any],
             folder: dict[str, Any], out: Fetched) -> SourceDoc | None:
        if art.get("status") != PUBLISHED:
            out.skipped["draft"] += 1
            return None
        prefix = "" if primary else f"/{code}"
        url = f"{self.portal}{prefix}/support/solutions/articles/{art['id']}"
        return SourceDoc(
            group=str(art["id"]), lang=lang, title=str(art.get("title") or "").strip(),
            body=fragment_to_markdown(art.get("description") or "", url), url=url,
            updated=str(art.get("updated_at") or ""),
            tags=tags_of(category.get("name"), folder.get("name"), labels=art.get("tags") or ()),
            source_id=str(art["id"]), slug=str(art.get("title") or ""), primary=primary,
            declared=f"language {code}")

    def _list(self, path: str, *, missing_ok: bool = False) -> Iterator[dict[str, Any]]:
        url: str | None = f"{self.base}/{path}"
        params: dict[str, Any] | None = {"per_page": 100}
        seen: set[str] = set()
        while url:
            resp = self.http.get(url, params, headers={"Accept": "application/json"},
                                 ok=frozenset({404}) if missing_ok else frozenset())
            if resp.status_code == 404:
                return
            try:
                data = resp.json()
            except ValueError:
                raise SourceError(f"{self.name}: {url} sent something other than JSON") from None
            if not isinstance(data, list):
                raise SourceError(f"{self.name}: {url} did not send a list")
            yield from (x for x in data if isinstance(x, dict) and "id" in x)
            nxt = resp.links.get("next", {}).get("url")
            if not nxt or nxt in seen:
                break
            seen.add(nxt)
            url, params = nxt, None
