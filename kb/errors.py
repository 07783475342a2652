"""One error hierarchy for the whole product; the API maps each class to an HTTP status.

Anything a user can cause (a request, a settings file, a KB, an index, a CLI option) raises a
`FaqbotError` subclass whose message quotes the bad value through `shown`; `ValueError` is left for
programming errors (a caller breaking a function's contract).
"""

_SHOWN = 80  # characters of a bad value quoted in a message


def shown(value: object, limit: int = _SHOWN) -> str:
    """`value` as a message quotes it: its repr, cut to `limit` characters with an ellipsis, so a
    megabyte of hostile input never becomes a megabyte of error message (or log line)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class FaqbotError(Exception):
    """Base class of every error faqbot raises on purpose."""

    status = 500
    code = "internal_error"


class KBError(FaqbotError):
    """The knowledge base could not be loaded; the message names the file and line."""

    status = 422
    code = "invalid_kb"


class CalibrationError(FaqbotError):
    """Labelled queries from which no threshold reaches the target precision."""

    status = 422
    code = "no_threshold"


class SettingsError(FaqbotError):
    """A settings file or FAQBOT_* variable has a bad value."""

    status = 500
    code = "invalid_settings"


class EncoderError(FaqbotError):
    """An embedding model could not be loaded or used."""

    status = 500
    code = "encoder_error"


class IndexUnavailableError(FaqbotError):
    """An index directory is missing, corrupt, or was built with an incompatible encoder."""

    status = 503
    code = "index_unavailable"


class RequestError(FaqbotError):
    """A caller sent a value faqbot cannot take: an API request (empty question, bad k, ...) or a
    command-line option."""

    status = 400
    code = "bad_request"


class LanguageCodeError(RequestError):
    """Not a language code faqbot knows (ISO 639-1 with an optional region)."""

    code = "unknown_language"


class NotFoundError(FaqbotError):
    """A session, escalation, turn or key that does not exist."""

    status = 404
    code = "not_found"


class ConflictError(FaqbotError):
    """The request clashes with the current state (e.g. claiming a resolved escalation)."""

    status = 409
    code = "conflict"


class AuthError(FaqbotError):
    """Missing or invalid credentials for an endpoint that needs a key."""

    status = 401
    code = "unauthorized"


class ForbiddenError(FaqbotError):
    """A valid key whose role may not do this."""

    status = 403
    code = "forbidden"


class StoreError(FaqbotError):
    """The conversation store cannot be opened or used (bad URL, database down)."""

    status = 503
    code = "store_unavailable"


class MailboxError(FaqbotError):
    """The email channel's mailbox cannot be read (host, login, folder)."""

    status = 503
    code = "mailbox_unavailable"
