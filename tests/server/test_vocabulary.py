"""Closed sets and limits have one home in the domain; the OpenAPI document reads them from there."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest

from bot.limits import SESSION_ID_MAX, SESSION_ID_PATTERN, text_limits
from bot.records import EscalationStatus, Priority, Role, SessionState
from bot.types import SENSITIVE, Decision, Reason
from kb import Settings
from server.openapi import openapi_document

DOC = openapi_document(Settings())
SCHEMAS = DOC["components"]["schemas"]


def _values(schema: dict[str, Any]) -> list[Any]:
    return [v for v in schema["enum"] if v is not None]


@pytest.mark.parametrize(("schema", "field", "domain"), [
    ("Reply", "decision", Decision), ("Reply", "state", SessionState), ("Turn", "role", Role),
    ("Turn", "decision", Decision), ("Escalation", "status", EscalationStatus),
    ("Escalation", "priority", Priority), ("EscalationDetail", "status", EscalationStatus),
])
def test_document_enums_are_the_domain_values(schema: str, field: str, domain: type[StrEnum]) -> None:
    assert _values(SCHEMAS[schema]["properties"][field]) == [v.value for v in domain]


@pytest.mark.parametrize("schema", ["Reply", "Escalation"])
def test_reasons_are_the_domain_reasons_or_a_sensitive_topic(schema: str) -> None:
    closed, topic = SCHEMAS[schema]["properties"]["reason"]["anyOf"]
    assert closed["enum"] == [r.value for r in Reason]
    assert topic["pattern"].startswith(f"^{SENSITIVE}:")


def test_status_filter_and_path_ids_come_from_the_domain() -> None:
    status = next(p for p in DOC["paths"]["/v1/agent/escalations"]["get"]["parameters"]
                  if p["name"] == "status")
    assert status["schema"]["enum"] == [s.value for s in EscalationStatus]
    session = SCHEMAS["ChooseRequest"]["properties"]["session_id"]
    assert (session["pattern"], session["maxLength"]) == (SESSION_ID_PATTERN, SESSION_ID_MAX)


@pytest.mark.parametrize("max_question_chars", [40, 1000])
def test_every_documented_text_limit_is_the_domains(max_question_chars: int) -> None:
    settings = Settings(max_question_chars=max_question_chars)
    limits = text_limits(settings)
    schemas = openapi_document(settings)["components"]["schemas"]
    seen = 0
    for name, schema in schemas.items():
        if not name.endswith("Request"):
            continue
        for field, prop in schema["properties"].items():
            if "maxLength" in prop and field in limits:
                assert prop["maxLength"] == limits[field], (name, field)
                seen += 1
    assert seen >= 10


def test_query_keys_follow_the_document(client: Any, agent: dict[str, str]) -> None:
    """Each operation takes exactly the query keys the document lists for it (not a table keyed
    by route function names): a documented key is accepted, any other is refused."""
    cases = [("/v1/articles/popular", {"k": "2"}, {}), ("/v1/agent/escalations", {"limit": "5"}, agent),
             ("/v1/analytics", {"since": "2026-11-01"}, agent)]
    for path, good, headers in cases:
        assert client.get(path, query_string=good, headers=headers).status_code == 200, path
        r = client.get(path, query_string={**good, "utm_source": "x"}, headers=headers)
        assert r.status_code == 400 and "unknown query parameter" in r.get_json()["error"]["message"]
    assert client.get("/widget.js?v=123&utm_source=x").status_code == 200  # pages take any query
