"""PII redaction: e-mail addresses, phone numbers, payment cards, IBANs and national IDs out of
customer text.

What counts is decided by maintained libraries: email-validator for addresses (internationalised
ones too), libphonenumber (`phonenumbers`) for phone numbers in the conversation's region or in
international form, python-stdnum for Luhn, IBANs and the Thai, Estonian and Chinese IDs, idnumbers
for Taiwan's ID. This module only finds candidate spans for them to judge.

Conservative on numbers: order numbers, prices, dates, times, years and postal codes stay because
agents and analytics need them. A number is PII only when a library says it is a valid phone number
or it carries a valid check digit, and never when an order or tracking word stands right before it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from babel.core import get_global
from email_validator import EmailNotValidError, validate_email
from idnumbers.nationalid import TWN
from stdnum import iban, luhn
from stdnum.cn import ric
from stdnum.ee import ik
from stdnum.th import pin


class PiiKind(StrEnum):
    """What was found; redaction writes it as the placeholder "[kind]"."""

    EMAIL = "email"
    PHONE = "phone"
    CARD = "card"
    IBAN = "iban"
    ID = "id"  # a national ID number


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    kind: PiiKind


DEFAULT_LANG = "en"
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
# Digit groups joined by single spaces, dots or dashes, as people type cards and IDs; a Chinese
# ID may end in X.
_DIGIT_RUN = re.compile(r"(?<![A-Za-z0-9+])(?<!\d[.,])\d+(?:[ .-]\d+)*(?:[ .-]?[Xx])?"
                        r"(?![A-Za-z0-9])(?![.,]\d)")
# Digit groups as people type phone numbers: "+66 (0) 81 234 5678", "(02) 2345-6789".
_PHONE_RUN = re.compile(r"(?<![A-Za-z0-9+])\+?(?:\(\d{1,5}\) ?)?\d+(?:(?:[ .-]| ?\(\d{1,5}\) ?)\d+)+"
                        r"(?![A-Za-z0-9])")
_MASK = "\u3000"
_PHONE_DIGITS_MIN = 7  # the shortest subscriber numbers (Estonia's landlines)
_PHONE_DIGITS_MAX = 17  # E.164's 15 digits, a trunk prefix and an extension digit or two
_TW_ID = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][12]\d{8}(?![A-Za-z0-9])")
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}")
_IBAN_MIN, _IBAN_MAX = 15, 34
_CARD_DIGITS = range(13, 20)
# Characters an address's local part may hold besides letters and digits (RFC 5322 atext, dots).
_LOCAL_PUNCT = set("!#$%&'*+-/=?^_`{|}~.")
# Words right before a number that make it a reference, not PII: "order 0812345678".
_REFERENCE = re.compile(
    r"(?:order|invoice|tracking|parcel|shipment|package|ticket|booking|receipt|ref|reference|sku|"
    r"tellimus\w*|arve\w*|saadetis\w*|pakk\w*|jälgimis\w*|viide|"
    r"คำสั่งซื้อ|ออเดอร์|พัสดุ|ใบแจ้งหนี้|ใบเสร็จ|การจอง|"
    r"订单|訂單|单号|單號|运单|運單|快递|快遞|物流|发票|發票|编号|編號|货号|貨號)"
    r"\s*(?:number|no\.?|nr\.?|num|id|code|kood|หมายเลข|เลขที่|号|號|号码|號碼)?\s*[#:：.]?\s*$"
    r"|#\s*$", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(r"^\s*(?:[$€£¥₩₽₹฿₪元円]|usd|eur|euro|thb|baht|บาท|twd|ntd|cny|rmb|gbp|dollar)",
                             re.IGNORECASE)
_MAX_SPAN_CONTEXT = 32


def region_for(lang: str | None) -> str:
    """The phone region a conversation in `lang` implies: the code's own territory (zh-TW → TW),
    else the one CLDR finds likeliest for the language (th → TH, et → EE, zh → CN, en → US)."""
    code = (lang or DEFAULT_LANG).replace("_", "-")
    parts = code.split("-")
    if len(parts) > 1 and parts[-1].upper() in phonenumbers.SUPPORTED_REGIONS:
        return parts[-1].upper()
    likely = get_global("likely_subtags").get(parts[0].lower(), "")
    region = likely.split("_")[-1] if likely else ""
    return region if region in phonenumbers.SUPPORTED_REGIONS else region_for(DEFAULT_LANG)


def find_pii(text: str, lang: str | None = None) -> list[tuple[str, str]]:
    """(kind, matched text) for every piece of PII in `text`, in order. `lang` is the
    conversation's language; it decides how phone numbers without a country code are read."""
    return [(f.kind.value, text[f.start:f.end]) for f in spans(text, lang)]


def redact(text: str, lang: str | None = None) -> str:
    """`text` with PII replaced by "[email]", "[phone]", "[card]", "[iban]" or "[id]"."""
    out, last = [], 0
    for f in spans(text, lang):
        out.append(text[last:f.start])
        out.append(f"[{f.kind}]")
        last = f.end
    out.append(text[last:])
    return "".join(out)


def spans(text: str, lang: str | None = None) -> list[Found]:
    """Where the PII in `text` is, in order, never overlapping."""
    taken: list[tuple[int, int]] = []
    found: list[Found] = []

    def add(start: int, end: int, kind: PiiKind) -> None:
        if all(end <= a or start >= b for a, b in taken):
            found.append(Found(start, end, kind))
            taken.append((start, end))

    for start, end in _emails(text):
        add(start, end, PiiKind.EMAIL)
    taken.extend((m.start(), m.end()) for m in _URL.finditer(text))  # links keep their digits
    for start, end in _ibans(text):
        add(start, end, PiiKind.IBAN)
    for start, end, kind in _numbers(text):
        if not _is_reference(text, start):
            add(start, end, kind)
    for start, end in _phones(text, region_for(lang), taken):
        if not _is_reference(text, start):
            add(start, end, PiiKind.PHONE)
    return sorted(found, key=lambda f: f.start)


# --- e-mail addresses ---
def _emails(text: str) -> Iterator[tuple[int, int]]:
    for at in (i for i, ch in enumerate(text) if ch == "@"):
        start = _extend(text, at, -1, _local_char)
        end = _extend(text, at, 1, _domain_char)
        while start < at and text[start] in ".'`":
            start += 1
        while end > at + 1 and text[end - 1] in ".-":
            end -= 1
        if start == at or end == at + 1:
            continue
        try:
            validate_email(text[start:end], check_deliverability=False)
        except EmailNotValidError:
            continue
        yield start, end


def _extend(text: str, at: int, step: int, allowed: Callable[[str], bool]) -> int:
    """How far from the "@" at `at` an address reaches in direction `step`: over allowed characters,
    and within one script, so that "อีเมลคือjohn@example.comค่ะ" gives "john@example.com"."""
    script = ""
    i = at + step
    while 0 <= i < len(text) and allowed(text[i]):
        s = _script(text[i])
        if s and script and s != script:
            break
        script = script or s
        i += step
    return i + 1 if step < 0 else i


def _script(ch: str) -> str:
    """The script of a letter ("LATIN", "THAI", "CJK", ...); "" for digits, punctuation, marks."""
    if ch.isascii():
        return "LATIN" if ch.isalpha() else ""
    name = unicodedata.name(ch, "")
    return "" if not name or name.startswith("COMBINING") else name.split(" ")[0]


def _local_char(ch: str) -> bool:
    return ch.isalnum() or ch in _LOCAL_PUNCT or (not ch.isascii() and unicodedata.category(ch)[0] in "LMN")


def _domain_char(ch: str) -> bool:
    return ch.isalnum() or ch in ".-" or (not ch.isascii() and unicodedata.category(ch)[0] in "LMN")


# --- IBANs, cards and national IDs ---
def _ibans(text: str) -> Iterator[tuple[int, int]]:
    for m in _IBAN_START.finditer(text):
        # Where each of the IBAN's characters ends; it may be grouped by single spaces.
        ends: list[int] = []
        pos = m.start()
        while pos < len(text) and len(ends) < _IBAN_MAX:
            if text[pos].isascii() and text[pos].isalnum():
                ends.append(pos + 1)
            elif not (text[pos] == " " and ends and text[pos + 1:pos + 2].isascii()
                      and text[pos + 1:pos + 2].isalnum()):
                break
            pos += 1
        for n in range(len(ends), _IBAN_MIN - 1, -1):
            end = ends[n - 1]
            if end < len(text) and text[end].isascii() and text[end].isalnum():
                continue  # an IBAN ends where a group ends
            if iban.is_valid(text[m.start():end]):
                yield m.start(), end
                break


def _numbers(text: str) -> Iterator[tuple[int, int, PiiKind]]:
    for m in _TW_ID.finditer(text):
        if TWN.NationalID.validate(m.group(0).upper()):
            yield m.start(), m.end(), PiiKind.ID
    for m in _DIGIT_RUN.finditer(text):
        groups = [(m.start() + g.start(), m.start() + g.end())
                  for g in re.finditer(r"\d+[Xx]?|[Xx]", m.group(0))]
        i = 0
        while i < len(groups):
            # The longest run of whole groups from here that is an ID or a card.
            best: tuple[int, PiiKind] | None = None
            digits = ""
            for j in range(i, len(groups)):
                digits += text[groups[j][0]:groups[j][1]]
                if len(digits) > max(_CARD_DIGITS):
                    break
                kind = _number_kind(digits)
                if kind is not None:
                    best = (j, kind)
            if best is None:
                i += 1
                continue
            yield groups[i][0], groups[best[0]][1], best[1]
            i = best[0] + 1


def _number_kind(digits: str) -> PiiKind | None:
    """ID or card when `digits` (in one piece) carries the check digits of one."""
    digits = digits.upper()
    if "X" in digits[:-1]:
        return None
    if (len(digits) == 13 and pin.is_valid(digits)) or (len(digits) == 11 and ik.is_valid(digits)) \
            or (len(digits) == 18 and ric.is_valid(digits)):
        return PiiKind.ID
    if digits.isdigit() and len(digits) in _CARD_DIGITS and digits[0] != "0" and len(set(digits)) > 1 \
            and luhn.is_valid(digits):  # no card network's numbers start with 0
        return PiiKind.CARD
    return None


# --- phone numbers ---
def _phones(text: str, region: str, taken: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    # What is already PII (or a link) is hidden from the matcher, so "+66 81 234 5678 1101400001436"
    # is not read as one over-long number.
    masked = list(text)
    for a, b in taken:
        masked[a:b] = _MASK * (b - a)
    hidden = "".join(masked)
    # Runs as long as a card or an ID: a phone number inside one is a piece of a mistyped card.
    long_runs = [(m.start(), m.end()) for m in _DIGIT_RUN.finditer(hidden)
                 if sum(c.isdigit() for c in m.group(0)) in _CARD_DIGITS]
    for start, end in _matches(hidden, region):
        if _CURRENCY_AFTER.match(hidden[end:end + 8]):
            continue
        if any(a <= start and end <= b and (a, b) != (start, end) for a, b in long_runs):
            continue
        yield start, end


def _matches(text: str, region: str) -> list[tuple[int, int]]:
    """libphonenumber's matches; where it found none in a run of digit groups, the same matcher
    over pieces of the run that start and end at its groups, because it reads a phone number next
    to another number ("081 234 5678 2 times") as one number that is too long."""
    found = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, region)]
    for run in _PHONE_RUN.finditer(text):
        if any(a < run.end() and b > run.start() for a, b in found):
            continue
        groups = [(run.start() + g.start(), run.start() + g.end()) for g in re.finditer(r"\d+", run.group(0))]
        i = 0
        while i < len(groups):
            hit = _match_from(text, region, run.start() if i == 0 else groups[i][0], groups[i:],
                              whole=i == 0)
            if hit is None:
                i += 1
                continue
            found.append(hit)
            i = next((k for k, g in enumerate(groups) if g[0] >= hit[1]), len(groups))
    return sorted(found)


def _match_from(text: str, region: str, lo: int, groups: list[tuple[int, int]],
                whole: bool) -> tuple[int, int] | None:
    """The longest phone number the matcher finds from `lo` to the end of one of `groups`."""
    window = max(0, lo - _MAX_SPAN_CONTEXT)
    cuts, digits = [], 0
    for k, (a, b) in enumerate(groups):
        digits += b - a
        if digits > _PHONE_DIGITS_MAX or (whole and k == len(groups) - 1):
            break  # the whole run was the first thing the matcher tried
        if digits >= _PHONE_DIGITS_MIN:
            cuts.append(b)
    for cut in reversed(cuts):
        for m in phonenumbers.PhoneNumberMatcher(text[window:cut], region):
            if window + m.start >= lo:
                return window + m.start, window + m.end
    return None


def _is_reference(text: str, start: int) -> bool:
    return bool(_REFERENCE.search(text[max(0, start - _MAX_SPAN_CONTEXT):start]))
