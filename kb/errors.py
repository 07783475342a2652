"""One error hierarchy for the whole product; the API maps each class to an HTTP status."""


class FaqbotError(Exception):
    """Base class of every error faqbot raises on purpose."""

    status = 500
    code = "internal_error"


class KBError(FaqbotError):
    """The knowledge base could not be loaded; the message names the file and line."""

    status = 422
    code = "invalid_kb"


class SettingsError(FaqbotError):
    """A settings file or FAQBOT_* variable has a bad value."""

    status = 500
    code = "invalid_settings"


class EncoderError(FaqbotError):
    """An embedding model could not be loaded or used."""

    status = 500
    code = "encoder_error"


class IndexError_(FaqbotError):  # noqa: N801 - the builtin IndexError means something else
    """An index directory is missing, corrupt, or was built with an incompatible encoder."""

    status = 503
    code = "index_unavailable"


class RequestError(FaqbotError):
    """A caller sent a request the bot cannot take (empty question, bad k, ...)."""

    status = 400
    code = "bad_request"


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
