"""PII redaction: what must go (emails, phones, cards, IBANs) and what must stay (orders, dates,
prices, years, the text around them)."""

from __future__ import annotations

import random

import pytest

from bot.pii import find_pii, iban_valid, luhn_valid, redact


@pytest.mark.parametrize(("text", "expected"), [
    # emails
    ("my email is john.doe+shop@example.co.uk thanks", "my email is [email] thanks"),
    ("Mail: MARI.TAMM@Example.EE.", "Mail: [email]."),
    ("อีเมลคือjohn@example.comค่ะ", "อีเมลคือ[email]ค่ะ"),
    ("我的信箱是wang_01@mail.tw，謝謝", "我的信箱是[email]，謝謝"),
    # phones
    ("call me at +66 81 234 5678", "call me at [phone]"),
    ("+66 (0) 81 234 5678", "[phone]"),
    ("เบอร์ 081-234-5678 ค่ะ", "เบอร์ [phone] ค่ะ"),
    ("เบอร์0812345678ค่ะ", "เบอร์[phone]ค่ะ"),
    ("กรุงเทพ 02 123 4567", "กรุงเทพ [phone]"),
    ("我的手机是13800138000", "我的手机是[phone]"),
    ("電話 0912-345-678 謝謝", "電話 [phone] 謝謝"),
    ("helista +372 5123 4567 palun", "helista [phone] palun"),
    ("mu number on 5123 4567", "mu number on [phone]"),
    ("(555) 123-4567 or 555.123.4567", "[phone] or [phone]"),
    ("+1-555-123-4567", "[phone]"),
    ("tel: 08 1234 5678", "tel: [phone]"),
    ("call 0812345678 about the 2026-10-15 delivery", "call [phone] about the 2026-10-15 delivery"),
    # cards (Luhn-valid test numbers)
    ("card 4111 1111 1111 1111 exp 12/27", "card [card] exp 12/27"),
    ("4111-1111-1111-1111", "[card]"),
    ("บัตร5555555555554444ค่ะ", "บัตร[card]ค่ะ"),
    ("amex 3782 822463 10005", "amex [card]"),
    ("卡號 4012 8888 8888 1881。", "卡號 [card]。"),
    # IBANs (valid check digits)
    ("IBAN EE38 2200 2210 2014 5685 please", "IBAN [iban] please"),
    ("iban ee382200221020145685", "iban [iban]"),
    ("DE89 3704 0044 0532 0130 00", "[iban]"),
    ("GB82WEST12345698765432 thanks", "[iban] thanks"),
    # several at once
    ("mail a@b.ee, phone +372 5123 4567, IBAN EE382200221020145685",
     "mail [email], phone [phone], IBAN [iban]"),
])
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "order 123456",
    "order 12345678901",
    "order #0812345678",
    "tellimus 10234567 on kadunud",
    "คำสั่งซื้อเลขที่ 0812345678",
    "订单号 13800138000",
    "delivered on 2026-10-15",
    "15.10.2026 or 10/15/2026 or 2026/10/15",
    "in 2025 2026 2027",
    "refund of $1,234.56",
    "1 200 000 บาท",
    "฿12,000 and 1.200,50 €",
    "5000元",
    "123 456 789 eur",
    "I paid 2 times for 3 items",
    "4111 1111 1111 1112",  # not Luhn-valid: not a card
    "EE38 2200 2210 2014 5686",  # wrong check digits: not an IBAN
    "see https://shop.example/orders/0812345678?mail=x ok",
    "version 2.13.0, room 1204, 10:30-11:45",
    "",
])
def test_keeps_what_is_not_pii(text: str) -> None:
    assert redact(text) == text
    assert find_pii(text) == []


def test_find_pii_lists_kinds_in_order() -> None:
    text = "card 4111111111111111, mail me at x@y.com or +66 81 234 5678; IBAN EE382200221020145685"
    assert find_pii(text) == [("card", "4111111111111111"), ("email", "x@y.com"),
                              ("phone", "+66 81 234 5678"), ("iban", "EE382200221020145685")]


@pytest.mark.parametrize(("digits", "valid"), [
    ("4111111111111111", True), ("5555555555554444", True), ("378282246310005", True),
    ("4111111111111112", False), ("1234567812345678", False), ("0", True),
])
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


def test_luhn_needs_digits() -> None:
    with pytest.raises(ValueError, match="digits only, got '4111-1111'"):
        luhn_valid("4111-1111")


@pytest.mark.parametrize(("iban", "valid"), [
    ("EE382200221020145685", True), ("ee38 2200 2210 2014 5685", True),
    ("DE89370400440532013000", True), ("GB82WEST12345698765432", True),
    ("EE382200221020145686", False), ("EE38220022102014568", False),  # check digits / length
    ("XX82WEST12345698765432", False), ("hello", False),
])
def test_iban(iban: str, valid: bool) -> None:
    assert iban_valid(iban) is valid


def test_redaction_is_idempotent_and_keeps_surrounding_text() -> None:
    rng = random.Random(7)
    pieces = ["ขอคืนเงินค่ะ", "退貨要怎麼寄回", "tellimus 123456", "x@y.com", "+66 81 234 5678",
              "4111 1111 1111 1111", "on 2026-10-15", "฿12,000", "EE382200221020145685"]
    for _ in range(200):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        once = redact(text)
        assert redact(once) == once
        for keep in ("ขอคืนเงินค่ะ", "退貨要怎麼寄回", "tellimus 123456", "on 2026-10-15", "฿12,000"):
            assert once.count(keep) == text.count(keep)
        assert "x@y.com" not in once and "4111" not in once and "EE38" not in once
