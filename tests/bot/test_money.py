"""Money amounts and numbers as customers write them, in any currency and digit grouping."""

from __future__ import annotations

import pytest

from bot.money import money_amounts, parse_number


@pytest.mark.parametrize(("text", "expected"), [
    ("refund of $450", [450.0]), ("450 eur", [450.0]), ("฿12,000", [12000.0]),
    ("1.200,50 €", [1200.5]), ("5000元", [5000.0]), ("五千元", [5000.0]), ("一万五千元", [15000.0]),
    ("5万元", [50000.0]), ("USD 300", [300.0]), ("300 บาท", [300.0]), ("NT$5,000", [5000.0]),
    ("450,50€", [450.5]), ("£99.99", [99.99]), ("12k usd", [12000.0]), ("2 พันบาท", [2000.0]),
    ("1 200 €", [1200.0]), ("refund of 450", [450.0]), ("300 eurot", [300.0]), ("退款三百塊", [300.0]),
    ("$1,234.56 and €20", [1234.56, 20.0]), ("¥3,000", [3000.0]), ("45.000 kr", [45000.0]),
    ("order 2026", []), ("refund for order 123456", []), ("version 2.13", []), ("", []),
])
def test_money_amounts(text: str, expected: list[float]) -> None:
    assert money_amounts(text) == pytest.approx(expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("12,000", 12000.0), ("1.200", 1200.0), ("1.200,50", 1200.5), ("1,200.50", 1200.5),
    ("1 200", 1200.0), ("450.5", 450.5), ("450,5", 450.5), ("1,234,567", 1234567.0), ("7", 7.0),
])
def test_parse_number(text: str, expected: float) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "-5", "1e5"])
def test_parse_number_rejects_non_numbers(text: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_number(text)
