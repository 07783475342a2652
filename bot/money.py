"""Money amounts in customer messages, in the ways customers write them: "$450", "450 eur",
"฿12,000", "1.200,50 €", "12k usd", "5000元", "五千元"."""

from __future__ import annotations

import re
import unicodedata

_NUM = r"\d{1,3}(?:[,.\u00a0\u202f' ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "tuhat": 1e3, "million": 1e6, "mln": 1e6, "千": 1e3,
                "万": 1e4, "萬": 1e4, "百万": 1e6, "百萬": 1e6, "亿": 1e8, "億": 1e8, "พัน": 1e3,
                "หมื่น": 1e4, "แสน": 1e5, "ล้าน": 1e6}
_CUR_BEFORE = (r"(?:us\$|nt\$|hk\$|s\$|a\$|c\$|\$|€|£|¥|₩|₽|₹|฿|₪|usd|eur|gbp|thb|twd|ntd|cny|rmb|"
               r"jpy|krw|rub|inr|chf|sek|nok|dkk|pln|ils|aed|sar)")
_CUR_AFTER = (r"(?:\$|€|£|¥|₩|₽|₹|฿|₪|usd|eur|euros?|eurot?|eurost|gbp|pounds?|dollars?|bucks|thb|"
              r"baht|บาท|twd|ntd|cny|rmb|yuan|jpy|yen|krw|won|rub|rubles?|рубл\w*|руб|chf|sek|nok|dkk|"
              r"kr|pln|zl|ils|shekels?|aed|sar|元|块|塊|圆|圓|台币|新台币|港币|美元|美金|欧元|日元|泰铢|円|원|"
              r"ريال|درهم|دولار|يورو|ש\"ח|שקל\w*)(?![a-z])")
_CUE = r"(?:\b(?:of|for|worth|total|amount|sum|summa|ulatuses)\s|จำนวน|ยอด|金额|共)"


def _amount(name: str) -> str:
    mults = "|".join(sorted(_MULTIPLIERS, key=len, reverse=True))
    return rf"(?P<n{name}>{_NUM})(?:\s?(?P<m{name}>{mults})(?![a-z]))?"


_MONEY = re.compile(rf"(?<![0-9A-Za-z.,])(?:{_CUR_BEFORE}\s?{_amount('a')}|{_amount('b')}\s?{_CUR_AFTER}"
                    rf"|{_CUE}\s?{_amount('c')}(?![\d.,]))", re.IGNORECASE)
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_MONEY = re.compile(r"(?<![\d零〇一二两兩三四五六七八九十百千万萬亿億])"
                       r"([零〇一二两兩三四五六七八九十][零〇一二两兩三四五六七八九十百千万萬亿億]*)(?:元|块|塊|圆|圓|美元|欧元|歐元|台币|台幣)")


def parse_number(text: str) -> float:
    """A number as customers write it: "12,000", "1.200,50", "1 200", "450.5" (ValueError if not)."""
    s = re.sub(r"[\s\u00a0\u202f']", "", text)
    if not re.fullmatch(r"\d[\d.,]*", s):
        raise ValueError(f"not a number: {text!r}")
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        s = s.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif "," in s or "." in s:
        sep = "," if "," in s else "."
        head, _, tail = s.rpartition(sep)
        # One separator followed by exactly three digits groups thousands ("12,000", "1.200").
        thousands = s.count(sep) > 1 or len(tail) == 3
        s = s.replace(sep, "") if thousands else head.replace(sep, "") + "." + tail
    return float(s)


def _zh_number(text: str) -> float:
    total, section, digit = 0.0, 0.0, 0.0
    for ch in text:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            section += (digit or 1) * _ZH_UNITS[ch]
            digit = 0
        elif ch in "万萬":
            total += (section + digit) * 1e4
            section = digit = 0
        else:  # 亿
            total = (total + section + digit) * 1e8
            section = digit = 0
    return total + section + digit


def money_amounts(text: str) -> list[float]:
    """Every money amount in `text`: "$450", "450 eur", "฿12,000", "1.200,50 €", "5000元", "五千元"."""
    text = unicodedata.normalize("NFKC", text)
    out = []
    for m in _MONEY.finditer(text):
        key = next(k for k in "abc" if m.group("n" + k))
        mult = m.group("m" + key)
        out.append(parse_number(m.group("n" + key)) * (_MULTIPLIERS[mult.lower()] if mult else 1.0))
    out.extend(_zh_number(m.group(1)) for m in _ZH_MONEY.finditer(text))
    return out
