"""The contact details a customer gives for a person to reply: checked by maintained libraries."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from bot.pii import region_for
from bot.records import Contact
from kb.errors import RequestError, shown

__all__ = ["check_contact"]


def check_contact(name: str = "", email: str = "", phone: str = "", lang: str | None = None) -> Contact:
    """The contact details a customer typed, tidied, or RequestError naming the one that is wrong.
    The address is checked by email-validator (syntax only: no DNS) and kept in its normalized form;
    the phone number by libphonenumber, read in the country `lang` implies unless it starts with
    +country code, and kept in international form ("+66 81 234 5678")."""
    email, phone = email.strip(), phone.strip()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as e:
            raise RequestError(f"email is not a valid address: {shown(email)} ({e})") from None
    if phone:
        phone = _phone_number(phone, lang)
    return Contact(" ".join(name.split()), email, phone)


def _phone_number(phone: str, lang: str | None) -> str:
    region = region_for(lang)
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        number = None
    # Valid, not merely possible: "081 234 5678" read as a US number has a possible length but is
    # a Thai number without its country code, which an agent could not call back.
    if number is None or not phonenumbers.is_valid_number(number):
        raise RequestError(f"phone is not a valid number: {shown(phone)} (read as a number in {region}; "
                           "write it with its country code, like +66 81 234 5678)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
