"""The widget's static files as browsers should get them: gzip-compressed when the request accepts
it (with `Vary: Accept-Encoding`, so caches keep both forms), an ETag that is the content's hash
(a revalidation answers 304), and `?v=<hash>` URLs cached for a year as immutable.

Files are read, hashed and compressed once per process (they only change with a release); a
file edited on disk is picked up by its modification time.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Request, Response

from kb.errors import NotFoundError, shown

__all__ = ["Assets"]

_TYPES = {".js": "application/javascript", ".html": "text/html", ".css": "text/css",
          ".svg": "image/svg+xml", ".json": "application/json", ".png": "image/png"}
_COMPRESSIBLE = frozenset({".js", ".html", ".css", ".svg", ".json"})
_SHORT, _LONG = 300, 365 * 86400  # seconds: a plain URL may change; a hashed one never does


@dataclass(frozen=True)
class _Asset:
    mtime: float
    body: bytes
    gzipped: bytes | None
    digest: str  # sha256 of `body`, hex, first 16 characters


class Assets:
    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self._cache: dict[str, _Asset] = {}

    def _load(self, name: str) -> tuple[Path, _Asset]:
        path = (self.folder / name).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            raise NotFoundError(f"no file {shown(name)}")
        mtime = path.stat().st_mtime
        cached = self._cache.get(name)
        if cached is None or cached.mtime != mtime:
            body = path.read_bytes()
            # mtime=0: the same bytes give the same compressed bytes, in every process.
            packed = gzip.compress(body, 9, mtime=0) if path.suffix in _COMPRESSIBLE else None
            cached = _Asset(mtime, body, packed if packed and len(packed) < len(body) else None,
                            hashlib.sha256(body).hexdigest()[:16])
            self._cache[name] = cached
        return path, cached

    def digest(self, name: str) -> str:
        """The content hash a `?v=` URL of `name` carries."""
        return self._load(name)[1].digest

    def response(self, name: str, request: Request, mimetype: str | None = None) -> Response:
        path, asset = self._load(name)
        gzip_ok = asset.gzipped is not None and _accepts_gzip(request.headers.get("Accept-Encoding", ""))
        etag = asset.digest + ("-gz" if gzip_ok else "")
        hashed = request.args.get("v") == asset.digest
        cache = f"public, max-age={_LONG}, immutable" if hashed else f"public, max-age={_SHORT}"
        if request.if_none_match.contains(etag):
            out = Response(status=304)
        else:
            out = Response(asset.gzipped if gzip_ok else asset.body,
                           mimetype=mimetype or _TYPES.get(path.suffix, "application/octet-stream"))
            if gzip_ok:
                out.headers["Content-Encoding"] = "gzip"
        out.set_etag(etag)
        out.headers["Cache-Control"] = cache
        if asset.gzipped is not None:
            out.headers["Vary"] = "Accept-Encoding"
        return out


def _accepts_gzip(header: str) -> bool:
    """Whether Accept-Encoding allows gzip (a q=0 refuses it; "*" allows it)."""
    allowed: dict[str, float] = {}
    for part in header.split(","):
        token, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if token.strip():
            allowed[token.strip().lower()] = q
    return allowed.get("gzip", allowed.get("*", 0.0)) > 0
