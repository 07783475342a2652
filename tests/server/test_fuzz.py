"""schemathesis against the live server: generated requests from /openapi.json, valid and invalid,
must never give a 5xx and every response must match the document (status, content type, body)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance
from waitress.server import create_server

from api import create_app
from bot import Bot
from bot.keys import create_key
from bot.store import open_store
from kb import Settings

EXAMPLES = 100  # per operation and mode: 15 operations x 2 modes + 6 = 3,100 requests at most
SID = "fuzz-session-00000001"


@pytest.fixture(scope="module")
def live(bot: Bot, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The real app under waitress on a free port, a real SQLite store, an agent key."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('fuzz')}/fuzz.db")
    settings = Settings(store_url=store.url)
    app = create_app(settings, bot=Bot(bot.index, bot.encoder, settings), store=store)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.effective_port}"
    _, secret = create_key(store, "agent", "Fuzz")
    # One real conversation (a help desk's, with its own id), so generated ids sometimes meet an
    # existing session.
    _, helpdesk = create_key(store, "helpdesk", "Fuzz desk")
    requests.post(f"{base}/v1/answer", json={"question": "forgot my password", "session_id": SID},
                  headers={"Authorization": f"Bearer {helpdesk}"}, timeout=30).raise_for_status()
    yield base, {"Authorization": f"Bearer {secret}"}
    server.close()
    thread.join(timeout=10)
    store.close()


def _fuzz(operation: Any, mode: GenerationMode, base: str, http: requests.Session,
          auth: dict[str, str], sent: Counter[str]) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    # derandomize: the same requests on every run (hypothesis derives the seed from the test
    # function), so a failure here is reproducible.
    @hypothesis.settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink])
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def call(case: schemathesis.Case) -> None:
        sent[label] += 1
        # A valid request may still be refused for reasons no schema states (an unknown language
        # code, a session that does not exist): that is a documented 4xx, not a failure.
        # A real key, unless this case is about leaving the key out.
        headers = dict(auth) if "Authorization" in (case.headers or {}) else None
        case.call_and_validate(base_url=base, session=http, headers=headers,
                               excluded_checks=[positive_data_acceptance])

    try:
        call()
    except hypothesis.errors.Unsatisfiable:
        # Every value of an unconstrained string (a file name) is valid: no negative case exists.
        if mode is not GenerationMode.NEGATIVE or sent[label] > EXAMPLES:
            raise


def test_generated_requests_never_break_the_server_or_the_document(
        live: tuple[str, dict[str, str]]) -> None:
    base, auth = live
    # from_dict, not from_url: from_url leaves out the operation that served the document.
    document = requests.get(f"{base}/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(document)
    sent: Counter[str] = Counter()
    with requests.Session() as http:
        for result in schema.get_all_operations():
            if not isinstance(result, Ok):
                raise AssertionError(f"the document has an unusable operation: {result.err()}")
            operation = result.ok()
            raw = operation.definition.raw
            # Nothing to get wrong in a request without parameters or body: no negative cases.
            negative = "parameters" in raw or "requestBody" in raw
            for mode in (GenerationMode.POSITIVE, *((GenerationMode.NEGATIVE,) if negative else ())):
                _fuzz(operation, mode, base, http, auth, sent)
    print(f"{sum(sent.values())} generated requests over {len(sent)} operations")
    assert sum(sent.values()) >= 2000, sent
    assert set(sent) == {f"{m.upper()} {p}" for p, item in document["paths"].items() for m in item}
