"""A folder or .zip of exported HTML pages (Confluence, Notion, any static-site export).

Every .html/.htm file is one page; its main content is found like a crawled page's. Translations
are joined by their hreflang alternates when the export has them, and otherwise by file name
across language folders (`en/refunds.html`, `th/refunds.html`) when the pages declare languages.
Links relative to the export lead nowhere for a customer and are dropped (their text stays).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from kb.errors import KBError, LanguageCodeError
from kb.languages import normalize_lang
from kb.settings import Settings
from kb.sources.base import Failure, Fetched, Progress, SourceDoc, source_languages
from kb.sources.crawl import is_article
from kb.sources.page import extract_page

MAX_FILE = 20 * 2**20
MAX_TOTAL = 500 * 2**20  # uncompressed; a larger "export" is more likely a zip bomb
_HTML = (".html", ".htm")


class Export:
    def __init__(self, path: str | Path, settings: Settings) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise KBError(f"{self.path}: no such folder or .zip")
        if not (self.path.is_dir() or zipfile.is_zipfile(self.path)):
            raise KBError(f"{self.path}: not a folder or a .zip of HTML pages")
        self.name = f"export:{self.path.name}"
        self.default_lang = settings.default_lang

    def fetch(self, progress: Progress | None = None) -> Fetched:
        out = Fetched()
        files = list(self._files())
        if not files:
            raise KBError(f"{self.path}: no .html pages found")
        pages = []
        for n, (rel, data) in enumerate(files, 1):
            page = extract_page(data, "")
            if progress:
                progress(n, len(files))
            if not is_article(page):
                out.skipped["no article text"] += 1
                continue
            pages.append((rel, page))
        raw = {rel: page.lang or self.default_lang for rel, page in pages}
        langs = source_languages(set(raw.values()))
        seen: dict[tuple[str, str], str] = {}
        for rel, page in pages:
            lang = langs.get(raw[rel]) or self._fallback(raw[rel])
            stem = PurePosixPath(rel).with_suffix("").name
            # en/refunds.html and th/refunds.html: one article when the folder names the language.
            folder = PurePosixPath(rel).parent
            group = str(folder.parent / stem) if folder.name and self._is_lang(folder.name) else \
                str(PurePosixPath(rel).with_suffix(""))
            if (group, lang) in seen:
                out.failures.append(Failure(rel, f"{rel}: a second page in {lang} for "
                                                 f"{seen[group, lang]}; skipped"))
                continue
            seen[group, lang] = rel
            out.docs.append(SourceDoc(
                group=group, lang=lang, title=page.title, body=page.body, url=page.canonical,
                updated=page.updated, source_id=rel, slug=page.title or stem,
                primary=lang == self.default_lang, declared=f"lang attribute {raw[rel]}" if page.lang
                else "default_lang"))
        return out

    def _files(self) -> Iterator[tuple[str, bytes]]:
        """(path in the export, content); file dates are not article dates (a re-export touches all)."""
        total = 0
        if self.path.is_dir():
            for file in sorted(self.path.rglob("*")):
                rel = file.relative_to(self.path).as_posix()
                if file.suffix.lower() in _HTML and file.is_file() and not _hidden(rel):
                    size = file.stat().st_size
                    total += size
                    if size > MAX_FILE or total > MAX_TOTAL:
                        raise KBError(f"{file}: the export is too large (files over {MAX_FILE // 2**20} MB "
                                      f"or {MAX_TOTAL // 2**20} MB in all)")
                    yield rel, file.read_bytes()
            return
        with zipfile.ZipFile(self.path) as zf:
            for info in sorted(zf.infolist(), key=lambda i: i.filename):
                rel = info.filename
                if info.is_dir() or not rel.lower().endswith(_HTML) or _hidden(rel):
                    continue
                total += info.file_size
                if info.file_size > MAX_FILE or total > MAX_TOTAL:
                    raise KBError(f"{self.path}: {rel}: the export is too large (files over "
                                  f"{MAX_FILE // 2**20} MB or {MAX_TOTAL // 2**20} MB in all, uncompressed)")
                with zf.open(info) as f:
                    data = f.read(MAX_FILE + 1)
                yield rel, data

    def _fallback(self, code: str) -> str:
        try:
            return normalize_lang(code)
        except LanguageCodeError:
            return self.default_lang

    @staticmethod
    def _is_lang(name: str) -> bool:
        try:
            normalize_lang(name)
        except LanguageCodeError:
            return False
        return True


def _hidden(rel: str) -> bool:
    return any(part.startswith((".", "__MACOSX")) for part in PurePosixPath(rel).parts)

