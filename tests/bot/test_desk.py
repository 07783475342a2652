"""The conversation service on the real bot (tiny KB, real encoder) and a real SQLite store."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import Bot
from bot.agents import Agents
from bot.analytics import analytics
from bot.desk import Desk, check_contact, unhelpful_streak
from bot.records import BOT, HANDED_OFF, Contact, Turn
from bot.store import Store
from kb import Settings
from kb.errors import ConflictError, NotFoundError, RequestError

# Sunday 2026-11-22 12:00 UTC: a mon-fri queue is closed, an "always" queue is open.
SUNDAY_NOON = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC).timestamp()


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 1.0  # every event a second apart, so transcripts are strictly ordered
        return self.now


def make_desk(bot: Bot, store: Store, **overrides: object) -> Desk:
    settings = Settings(**overrides)  # type: ignore[arg-type]
    return Desk(Bot(bot.index, bot.encoder, settings), store, settings, clock=Clock(SUNDAY_NOON))


def test_answer_is_stored_with_its_turns(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store)
    reply = desk.ask("forgot my password, mail me at jane.doe@example.com", session_id="sess-answer")
    assert reply.decision == "answered" and reply.answer is not None
    assert reply.answer.article_id == "reset-password" and reply.state == BOT
    turns = store.transcript("sess-answer")
    assert [t.role for t in turns] == ["customer", "bot"]
    assert turns[1].turn_id == reply.turn_id and turns[1].article_id == "reset-password"
    assert "jane.doe@example.com" not in turns[0].text and "[email]" in turns[0].text
    assert turns[1].took_ms is not None and turns[1].confidence == reply.confidence


@pytest.mark.parametrize(("lang", "question", "stored"), [
    ("en", "refund to jürgen@müller.de, card 4111.1111.1111.1111, order 1234567890",
     "refund to [email], card [card], order 1234567890"),
    ("th", "คืนเงิน บัตรประชาชน 1-1014-00001-43-6 โทร 081-234-5678", "คืนเงิน บัตรประชาชน [id] โทร [phone]"),
    ("et", "raha tagasi, isikukood 37605030299, telefon 5123 4567",
     "raha tagasi, isikukood [id], telefon [phone]"),
])
def test_customer_text_is_stored_redacted_in_its_language(bot: Bot, store: Store, lang: str, question: str,
                                                          stored: str) -> None:
    """The probe's finding: these were stored in clear (and the dashed Thai ID became [phone])."""
    desk = make_desk(bot, store)
    desk.ask(question, lang, session_id=f"sess-pii-{lang}")
    assert store.transcript(f"sess-pii-{lang}")[0].text == stored


def test_new_session_id_when_none_given(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store)
    a, b = desk.ask("forgot my password"), desk.ask("forgot my password")
    assert len(a.session_id) == 32 and a.session_id != b.session_id


@pytest.mark.parametrize(("question", "lang"), [
    ("I want to talk to a person", "en"),
    ("ขอคุยกับเจ้าหน้าที่ค่ะ", "th"),
    ("轉真人客服", "zh-TW"),
])
def test_asking_for_a_human_hands_off(bot: Bot, store: Store, question: str, lang: str) -> None:
    desk = make_desk(bot, store)
    reply = desk.ask(question, session_id="sess-human")
    assert (reply.decision, reply.reason, reply.state) == ("escalated", "human_requested", HANDED_OFF)
    assert reply.language == lang and reply.notice
    esc = store.open_escalation("sess-human")
    assert esc is not None and esc.reason == "human_requested" and esc.language == lang
    assert [t.role for t in esc.transcript] == ["customer", "bot"]
    # The bot stays quiet until an agent hands the session back.
    again = desk.ask("forgot my password", session_id="sess-human")
    assert again.decision == "handed_off" and again.answer is None
    assert store.session("sess-human").state == HANDED_OFF  # type: ignore[union-attr]


def test_low_confidence_escalates_with_candidates_under_the_immediate_policy(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store, answer_threshold=0.99, suggest_threshold=0.99, handoff_policy="immediate")
    reply = desk.ask("best pizza recipe with pineapple", session_id="sess-low")
    assert reply.decision == "escalated" and reply.reason == "low_confidence"
    assert reply.escalation is not None and len(reply.escalation.candidates) == 3
    assert reply.escalation.candidates[0].confidence >= reply.escalation.candidates[1].confidence


def test_sensitive_topic_is_routed_with_priority(bot: Bot, store: Store) -> None:
    desk = make_desk(
        bot, store,
        queues=[{"name": "general"}, {"name": "legal-team"}],
        routes=[{"queue": "legal-team", "reasons": ["sensitive"], "priority": "urgent"}],
        sensitive_topics=[{"name": "legal", "keywords": ["lawyer", "sue"]}])
    reply = desk.ask("my lawyer will contact you about the refund", session_id="sess-legal")
    assert reply.decision == "escalated" and reply.reason == "sensitive:legal"
    assert reply.escalation is not None
    assert (reply.escalation.queue, reply.escalation.priority) == ("legal-team", "urgent")


def test_routing_by_language_and_out_of_hours(bot: Bot, store: Store) -> None:
    desk = make_desk(
        bot, store,
        queues=[{"name": "general"},
                {"name": "thai", "timezone": "Asia/Bangkok", "hours": "mon-fri 09:00-18:00"}],
        routes=[{"queue": "thai", "langs": ["th"]}])
    reply = desk.ask("ขอคุยกับเจ้าหน้าที่", session_id="sess-thai")
    esc = reply.escalation
    assert esc is not None and esc.queue == "thai" and esc.out_of_hours
    # Sunday 19:00 in Bangkok → Monday 09:00 + 60 minutes.
    expected = dt.datetime(2026, 11, 23, 10, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert esc.expected_reply_at == expected.timestamp()
    english = make_desk(bot, store, queues=[{"name": "general"}]).ask("talk to a human",
                                                                      session_id="sess-en")
    assert english.escalation is not None and not english.escalation.out_of_hours


def test_handoff_form_creates_or_completes_the_escalation(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store, webhooks=[{"name": "desk", "url": "http://127.0.0.1:9/hook"}],
                     handoff_grace_seconds=120)
    reply = desk.ask("talk to a human", session_id="sess-form")
    delivery = store.deliveries(escalation_id=reply.escalation.escalation_id)[0]  # type: ignore[union-attr]
    # No contact yet: the ticket waits for the form before it goes out.
    assert delivery.next_at >= reply.escalation.created_at + 120  # type: ignore[union-attr]
    form = desk.handoff("sess-form", Contact("Jane", "jane@example.com"), "Order 1234 never came")
    assert form.escalation is not None
    assert form.escalation.escalation_id == reply.escalation.escalation_id  # type: ignore[union-attr]
    assert form.escalation.contact.email == "jane@example.com"
    assert form.escalation.message == "Order 1234 never came"
    fresh = desk.handoff("sess-form-2", Contact(email="li@example.com"), "", lang="zh-TW")
    assert fresh.escalation is not None and fresh.escalation.reason == "customer_form"
    assert fresh.language == "zh-TW" and store.session("sess-form-2").state == HANDED_OFF  # type: ignore[union-attr]


def test_two_unhelpful_answers_in_a_row_escalate(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store)
    first = desk.ask("forgot my password", session_id="sess-unhelpful")
    assert desk.feedback("sess-unhelpful", first.turn_id, helpful=False).escalation is None
    second = desk.ask("how long does a refund take", session_id="sess-unhelpful")
    assert second.decision == "answered"
    result = desk.feedback("sess-unhelpful", second.turn_id, helpful=False, csat=1)
    assert result.escalation is not None and result.escalation.reason == "unhelpful"
    assert result.state == HANDED_OFF


def test_asking_the_same_thing_again_counts_as_unhelpful(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store)
    decisions = [desk.ask(q, session_id="sess-repeat").decision for q in
                 ("forgot my password", "i forgot my password", "forgot password help")]
    assert decisions == ["answered", "answered", "escalated"]
    assert store.open_escalation("sess-repeat").reason == "unhelpful"  # type: ignore[union-attr]


def test_unhelpful_streak_rules() -> None:
    def bot_turn(turn_id: int, article: str) -> Turn:
        return Turn("s", "bot", "t", float(turn_id), "en", "answered", article, turn_id=turn_id)

    def rejected(turn_id: int) -> Turn:
        return Turn("s", "system", "x", 99.0, "en", reason=f"unhelpful:{turn_id}")

    assert unhelpful_streak([bot_turn(1, "a"), bot_turn(2, "b")]) == 0
    assert unhelpful_streak([bot_turn(1, "a"), bot_turn(2, "b")], "b") == 1
    assert unhelpful_streak([bot_turn(1, "a"), rejected(1), bot_turn(2, "b"), rejected(2)]) == 2
    assert unhelpful_streak([bot_turn(1, "a"), rejected(1)], "a") == 2
    assert unhelpful_streak([bot_turn(1, "a"), rejected(1), bot_turn(2, "b")]) == 0


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"turn_id": 2}, "at least one of helpful, csat or comment"),
    ({"turn_id": 2, "comment": "  "}, "at least one of helpful, csat or comment"),
])
def test_bad_feedback(bot: Bot, store: Store, kwargs: dict[str, object], match: str) -> None:
    desk = make_desk(bot, store)
    desk.ask("forgot my password", session_id="sess-fb")
    with pytest.raises(RequestError, match=match):
        desk.feedback("sess-fb", **kwargs)  # type: ignore[arg-type]


def test_feedback_on_unknown_session_or_turn(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store)
    with pytest.raises(NotFoundError):
        desk.feedback("nobody-here", 1, helpful=True)
    reply = desk.ask("forgot my password", session_id="sess-fb2")
    with pytest.raises(NotFoundError):
        desk.feedback("sess-fb2", reply.turn_id - 1, helpful=True)  # the customer's own turn


def test_choose_a_suggested_article(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store)
    reply = desk.choose("sess-choose", "shipping-costs", "zh-TW")
    assert reply.answer is not None and reply.answer.lang == "zh-TW" and reply.reason == "chosen"
    assert desk.feedback("sess-choose", reply.turn_id, helpful=True).escalation is None
    only_en = desk.choose("sess-choose", "refund-timing", "th")
    assert only_en.answer is not None and only_en.answer.lang == "en" and only_en.notice
    with pytest.raises(NotFoundError, match="no article"):
        desk.choose("sess-choose", "no-such-article")


def test_agents_claim_reply_release(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store)
    agents = Agents(store, clock=Clock(SUNDAY_NOON + 100))
    esc = desk.ask("talk to a human", session_id="sess-agent").escalation
    assert esc is not None
    desk.ask("forgot my password", session_id="sess-bot-only")
    with pytest.raises(ConflictError, match="is with the bot"):
        agents.reply("sess-bot-only", "ann", "hi")
    with pytest.raises(ConflictError, match="already with the bot"):
        agents.release("sess-bot-only", "ann")
    assert agents.claim(esc.escalation_id, "ann").agent == "ann"
    with pytest.raises(ConflictError):
        agents.claim(esc.escalation_id, "bob")
    agents.reply("sess-agent", "ann", "Hi, I'm Ann. Let me check that for you.")
    session = agents.release("sess-agent", "ann")
    assert session.state == BOT
    # Handing back is not resolving (bot/agents.py): the escalation stays the agent's to resolve.
    assert store.escalation(esc.escalation_id).status == "claimed"  # type: ignore[union-attr]
    assert desk.ask("forgot my password", session_id="sess-agent").decision == "answered"
    roles = [t.role for t in store.transcript("sess-agent")]
    assert roles.count("agent") == 1 and "system" in roles


def test_transcript_read_back(bot: Bot, store: Store) -> None:
    # Whose transcript it is, the edge checks (session tokens, tests/server/test_sessions.py).
    desk = make_desk(bot, store)
    reply = desk.ask("forgot my password")
    session, turns = desk.transcript(reply.session_id, after=0)
    assert session.session_id == reply.session_id and len(turns) == 2
    assert desk.transcript(reply.session_id, after=reply.turn_id)[1] == []
    with pytest.raises(NotFoundError, match="no session"):
        desk.transcript("never-seen")


def test_privacy_delete_erases_everything(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store)
    reply = desk.ask("talk to a human", session_id="sess-erase")
    desk.handoff("sess-erase", Contact(email="erase@example.com"), "call me")
    counts = store.delete_session("sess-erase")
    assert counts and all(n >= 0 for n in counts.values()) and sum(counts.values()) >= 3
    assert store.session("sess-erase") is None and store.transcript("sess-erase") == []
    assert store.escalation(reply.escalation.escalation_id) is None  # type: ignore[union-attr]


def test_analytics_counts(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store, answer_threshold=0.99, suggest_threshold=0.99, handoff_policy="immediate")
    ok = make_desk(bot, store)
    a = ok.ask("forgot my password", session_id="sess-a1")
    ok.feedback("sess-a1", a.turn_id, helpful=True, csat=5)
    ok.ask("how much is delivery", session_id="sess-a2")
    desk.ask("best pizza recipe with pineapple", session_id="sess-a3")
    ok.ask("ขอคุยกับเจ้าหน้าที่", session_id="sess-a4")
    report = analytics(store)
    t = report.totals
    assert (t.conversations, t.auto_resolved, t.escalations) == (4, 2, 2)
    assert t.auto_resolution_rate == 0.5 and t.csat_avg == 5.0 and t.helpful_yes == 1
    assert t.escalations_by_reason == {"human_requested": 1, "low_confidence": 1}
    assert t.response_ms_p50 is not None and t.response_ms_p95 is not None
    assert {s.lang for s in report.by_day_lang} == {"en", "th"}
    assert report.top_unanswered[0][0] == "best pizza recipe with pineapple"


def test_customers_do_not_see_notes_for_agents(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store)
    agents = Agents(store, clock=Clock(SUNDAY_NOON + 100))
    sid = "customer-view-0001"
    first = desk.ask("forgot my password", session_id=sid)
    desk.feedback(sid, first.turn_id, helpful=False)  # an internal note for the agent
    esc = desk.ask("talk to a human", session_id=sid).escalation
    agents.claim(esc.escalation_id, "ann")  # type: ignore[union-attr]
    agents.release(sid, "ann")
    _, visible = desk.transcript(sid)
    notes = [t.reason for t in visible if t.role == "system"]
    assert notes == ["handed_back"]
    assert {t.reason for t in store.transcript(sid) if t.role == "system"} >= {
        f"unhelpful:{first.turn_id}", "claimed", "handed_back"}


@pytest.mark.parametrize(("given", "kept"), [
    ({"name": "  Jane   Doe ", "email": " jane@example.com "}, Contact("Jane Doe", "jane@example.com", "")),
    ({"email": "jürgen@müller.de"}, Contact("", "jürgen@müller.de", "")),
    ({"email": "MARI.TAMM@Example.EE"}, Contact("", "MARI.TAMM@example.ee", "")),  # domains are case-free
    ({"phone": "081-234-5678", "lang": "th"}, Contact("", "", "+66 81 234 5678")),
    ({"phone": "5123 4567", "lang": "et"}, Contact("", "", "+372 5123 4567")),
    ({"phone": "0912 345 678", "lang": "zh-TW"}, Contact("", "", "+886 912 345 678")),
    ({"phone": "138 0013 8000", "lang": "zh-CN"}, Contact("", "", "+86 138 0013 8000")),
    ({"phone": "(202) 555-0143", "lang": "en"}, Contact("", "", "+1 202-555-0143")),
    ({"phone": "+66 81 234 5678", "lang": "et"}, Contact("", "", "+66 81 234 5678")),
])
def test_check_contact_tidies_what_customers_type(given: dict[str, str], kept: Contact) -> None:
    assert check_contact(**given) == kept


@pytest.mark.parametrize(("given", "match"), [
    ({"email": 'eve"<img>@example.com'}, r"email is not a valid address: 'eve\"<img>@example.com'"),
    ({"email": "not-an-email"}, "email is not a valid address: 'not-an-email' .*@-sign"),
    ({"email": "a..b@example.com"}, "two periods in a row"),
    ({"email": "eve@exa mple.com"}, "invalid characters"),
    ({"email": "x@localhost"}, "should have a period"),
    ({"phone": "call me"}, "phone is not a valid number: 'call me'"),
    ({"phone": "12"}, "phone is not a valid number: '12'"),
    ({"phone": "081 234 5678", "lang": "en"}, r"read as a number in US; write it with its country code"),
    ({"phone": "+66 81 234 5678 12345 6789"}, "phone is not a valid number"),
])
def test_check_contact_refuses_bad_details(given: dict[str, str], match: str) -> None:
    with pytest.raises(RequestError, match=match):
        check_contact(**given)


@pytest.mark.parametrize("first", ["hi", "what is the meaning of life"])
def test_a_new_sessions_first_message_may_carry_contact_details(bot: Bot, store: Store, first: str) -> None:
    # A messaging channel's first message comes with the platform's contact (a Telegram name).
    reply = make_desk(bot, store).ask(first, session_id="new-one", contact=Contact(name="Mari"))
    assert store.session("new-one").contact == Contact(name="Mari")  # type: ignore[union-attr]
    assert reply.decision in ("smalltalk", "offered", "suggest")
