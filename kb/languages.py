"""Language codes: ISO 639-1 with an optional region (BCP 47 style), e.g. `en`, `zh-TW`."""

from __future__ import annotations

import re

from kb.errors import LanguageCodeError, shown

ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
    ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw
    ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv
    ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr
    ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
    yo za zh zu""".split()  # noqa: SIM905 - compact table
)

_CODE = re.compile(r"^([A-Za-z]{2})(?:[-_]([A-Za-z]{2}|[A-Za-z]{4}|\d{3}))?$")
# Scripts are folded into the regions customers and help centers actually use.
_ZH_ALIASES = {"hans": "CN", "hant": "TW", "sg": "CN", "hk": "TW", "mo": "TW"}


def normalize_lang(code: str) -> str:
    """Canonical form of a language code (`EN` → `en`, `zh_tw` → `zh-TW`); LanguageCodeError if
    unknown."""
    m = _CODE.match(code.strip())
    if not m or m.group(1).lower() not in ISO_639_1:
        raise LanguageCodeError(f"unknown language code {shown(code)} "
                                "(expected ISO 639-1 like 'en' or 'zh-TW')")
    base, region = m.group(1).lower(), m.group(2)
    if base == "zh":
        region = _ZH_ALIASES.get((region or "").lower(), (region or "CN").upper())
        return f"zh-{region}"
    return f"{base}-{region.upper()}" if region and len(region) == 2 else base


def base_lang(code: str) -> str:
    return code.split("-", 1)[0]
