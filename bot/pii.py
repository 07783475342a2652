"""PII redaction: emails, phone numbers, payment cards and IBANs out of customer text.

Conservative on numbers: order numbers, dates, prices and years stay, because agents and
analytics need them; a number counts as a phone only when its shape says so.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@"
                    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}")
# Groups of digits joined by single spaces or dashes (card numbers as people type them).
_DIGIT_GROUPS = re.compile(r"(?<![\d.,])\d+(?:[ -]\d+)*(?![\d]|[.,]\d)")
# Digit runs joined by one separator each (never two digit runs back to back, so matching stays
# linear); which of them is really a phone number is decided by `_is_phone`.
_PHONE = re.compile(r"(?<![A-Za-z0-9+])(?:\+\s?)?(?:\(\d{1,5}\)\s?)?\d+"
                    r"(?:(?:[ .\-/]|\s?\(\d{1,5}\)\s?)\d+)*(?![A-Za-z0-9]|,\d)")
_MAX_PHONE_GROUPS = 7
_CARD_SHAPE = re.compile(r"^\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,4})?$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_DATE = re.compile(r"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$")
_NANP = re.compile(r"^\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}$")
_CN_MOBILE = re.compile(r"^1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}$")
_EE_MOBILE = re.compile(r"^5\d{2,3}[\s-]\d{4}$")
_SEPARATED = re.compile(r"[\s.\-/()]")
# Words just before a number that make it a reference, not a phone: "order 0812345678".
_REFERENCE = re.compile(r"(?:order|invoice|tracking|ticket|ref|reference|no|nr|number|tellimus\w*|"
                        r"arve\w*|คำสั่งซื้อ|เลขที่|พัสดุ|订单|訂單|单号|單號|编号|編號)\s*[#:.]?\s*$"
                        r"|#\s*$", re.IGNORECASE)
_CURRENCY = re.compile(r"^\s*(?:[$€£¥₩₽₹฿₪元円]|usd|eur|euro|thb|baht|บาท|twd|ntd|cny|rmb|gbp|dollar)",
                       re.IGNORECASE)
_CURRENCY_BEFORE = re.compile(r"(?:[$€£¥₩₽₹฿₪]|usd|eur|thb|twd|nt\$|cny|rmb|gbp)\s*$", re.IGNORECASE)
_IBAN_LENGTH = {
    "AD": 24, "AE": 23, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27,
    "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SA": 24, "SE": 24, "SI": 19,
    "SK": 24, "SM": 27, "TR": 26, "UA": 29,
}

Span = tuple[int, int, str]


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number carries."""
    if not digits.isdigit():
        raise ValueError(f"luhn_valid needs digits only, got {digits!r}")
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def iban_valid(text: str) -> bool:
    """ISO 13616: known country length (when listed) and the mod-97 check."""
    iban = text.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban):
        return False
    if _IBAN_LENGTH.get(iban[:2], len(iban)) != len(iban):
        return False
    number = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    return int(number) % 97 == 1


def _cards(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _DIGIT_GROUPS.finditer(text):
        groups = list(re.finditer(r"\d+", m.group(0)))
        i = 0
        while i < len(groups):
            # The longest run of whole groups from here that is a Luhn-valid 13-19 digit number.
            best = None
            digits = ""
            for j in range(i, len(groups)):
                digits += groups[j].group(0)
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and len(set(digits)) > 1 and luhn_valid(digits):
                    best = j
            if best is None:
                i += 1
                continue
            start, end = m.start() + groups[i].start(), m.start() + groups[best].end()
            out.append((start, end, "card"))
            i = best + 1
    return out


def _is_phone(text: str, match: str, start: int, end: int) -> bool:
    digits = re.sub(r"\D", "", match)
    if not 7 <= len(digits) <= 15 or _DATE.match(match):
        return False
    if _REFERENCE.search(text[max(0, start - 24):start]) or _CURRENCY.match(text[end:end + 8]) \
            or _CURRENCY_BEFORE.search(text[max(0, start - 4):start]):
        return False
    separated = bool(_SEPARATED.search(match))
    if all(_YEAR.match(g) for g in re.findall(r"\d+", match)):
        return False
    if match.startswith("+"):
        return len(digits) >= 8
    if match.startswith("("):
        return len(digits) >= 8
    if _NANP.match(match) or _CN_MOBILE.match(match) or _EE_MOBILE.match(match):
        return True
    if digits.startswith("0"):
        # Trunk prefix: Thai 0812345678 / 02-123-4567, Taiwanese 0912-345-678.
        return 9 <= len(digits) <= 11
    return separated and len(digits) >= 9 and len(_SEPARATED.findall(match)) >= 2


def _phones(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _PHONE.finditer(text):
        if _CARD_SHAPE.match(m.group(0)):
            continue  # a mistyped card number (Luhn-invalid) is no phone either
        # Chunks between spaces; the longest run of them that is a phone wins, so a phone next
        # to a date or a quantity is still found.
        chunks = [(m.start() + c.start(), m.start() + c.end())
                  for c in re.finditer(r"\S+(?: ?\(\d{1,5}\) ?\S+)*", m.group(0))]
        i = 0
        while i < len(chunks):
            for j in range(min(len(chunks), i + _MAX_PHONE_GROUPS) - 1, i - 1, -1):
                a, b = chunks[i][0], chunks[j][1]
                if _is_phone(text, text[a:b], a, b):
                    out.append((a, b, "phone"))
                    i = j
                    break
            i += 1
    return out


def _ibans(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _IBAN_START.finditer(text):
        # Positions of the IBAN's characters, which may be grouped by single spaces.
        ends: list[int] = []
        pos = m.start()
        while pos < len(text) and len(ends) < 34:
            if text[pos].isascii() and text[pos].isalnum():
                ends.append(pos + 1)
            elif not (text[pos] == " " and pos + 1 < len(text) and text[pos + 1].isascii()
                      and text[pos + 1].isalnum() and ends):
                break
            pos += 1
        expected = _IBAN_LENGTH.get(text[m.start():m.start() + 2].upper())
        for n in [expected] if expected else range(len(ends), 14, -1):
            if n is None or n > len(ends):
                continue
            end = ends[n - 1]
            if end < len(text) and text[end].isascii() and text[end].isalnum():
                continue
            if iban_valid(text[m.start():end]):
                out.append((m.start(), end, "iban"))
                break
    return out


def _spans(text: str) -> list[Span]:
    blocked = [(m.start(), m.end()) for m in _URL.finditer(text)]
    found: list[Span] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in blocked)

    # Earlier kinds win where matches overlap (an email's digits are not a phone).
    for finder in (
        lambda t: [(m.start(), m.end(), "email") for m in _EMAIL.finditer(t)],
        _ibans,
        _cards,
        _phones,
    ):
        for a, b, kind in finder(text):
            if kind != "email" and not free(a, b):
                continue
            found.append((a, b, kind))
            blocked.append((a, b))
    return sorted(found)


def find_pii(text: str) -> list[tuple[str, str]]:
    """(kind, matched text) for every email, phone, card and IBAN in `text`, in order."""
    return [(kind, text[a:b]) for a, b, kind in _spans(text)]


def redact(text: str) -> str:
    """`text` with PII replaced by "[email]", "[phone]", "[card]" or "[iban]"."""
    out, last = [], 0
    for a, b, kind in _spans(text):
        out.append(text[last:a])
        out.append(f"[{kind}]")
        last = b
    out.append(text[last:])
    return "".join(out)
