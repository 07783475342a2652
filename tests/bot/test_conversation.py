"""Conversations on the real bot (tiny KB, real encoder) and a real SQLite store: small talk, the
offer of a person, accepting, declining and withdrawing it, and answer passages."""

from __future__ import annotations

import pytest

from bot import Bot
from bot.agents import Agents
from bot.analytics import analytics
from bot.records import BOT, HANDED_OFF, RESOLVED
from bot.smalltalk import Act, SmallTalk
from bot.store import Store
from kb.errors import SettingsError
from kb.settings import Settings
from tests.bot.test_desk import make_desk

TALK = SmallTalk()


@pytest.mark.parametrize(("text", "act", "lang"), [
    ("hi", Act.GREETING, "en"), ("Hello!", Act.GREETING, "en"), ("hiii", Act.GREETING, "en"),
    ("helo", Act.GREETING, "en"), ("thanks", Act.THANKS, "en"), ("thnaks a lot", Act.THANKS, "en"),
    ("ok", Act.ACK, ""), ("OK!", Act.ACK, ""), ("👍", Act.ACK, ""), ("help", Act.HELP, "en"),
    ("สวัสดีค่ะ", Act.GREETING, "th"), ("ขอบคุณครับ", Act.THANKS, "th"), ("ค่ะ", Act.ACK, "th"),
    ("你好", Act.GREETING, "zh"), ("謝謝", Act.THANKS, "zh"), ("好的谢谢", Act.THANKS, "zh"),
    ("tere", Act.GREETING, "et"), ("Aitäh!", Act.THANKS, "et"), ("aitah", Act.THANKS, "et"),
    ("head aega", Act.GOODBYE, "et"), ("bye", Act.GOODBYE, "en"), ("再見", Act.GOODBYE, "zh"),
    ("yes please", Act.YES, "en"), ("jah", Act.YES, "et"), ("ใช่", Act.YES, "th"), ("是的", Act.YES, "zh"),
    ("no thanks", Act.NO, "en"), ("ei aitäh", Act.NO, "et"),
    ("never mind", Act.WITHDRAW, "en"), ("ไม่เป็นไรค่ะ", Act.WITHDRAW, "th"), ("算了", Act.WITHDRAW, "zh"),
    ("pole vaja", Act.NO, "et"), ("hi สวัสดีค่ะ", Act.GREETING, ""), ("ok 谢谢", Act.THANKS, "zh"),
    ("مرحبا", Act.GREETING, "ar"), ("תודה", Act.THANKS, "he"),
])
def test_acts_in_every_catalog_language(text: str, act: Act, lang: str) -> None:
    talk = TALK.detect(text)
    assert talk is not None and (talk.act, talk.lang) == (act, lang)


@pytest.mark.parametrize("text", [
    "hi, where is my parcel", "where is my order", "ok so how do I cancel", "可以退款吗", "取消订单",
    "cancel my order", "hit", "hill", "thanks but the refund never came", "ขอคืนเงิน", "tere, kus on mu pakk",
    "help me change my email",
])
def test_questions_are_not_small_talk(text: str) -> None:
    assert TALK.detect(text) is None


def test_small_talk_never_escalates_nor_switches_language(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store)
    hi = desk.ask("hi", session_id="talk-1")
    assert (hi.decision, hi.reason, hi.state, hi.language) == ("smalltalk", "greeting", BOT, "en")
    assert hi.notice and hi.suggestions  # a greeting offers popular topics
    answer = desk.ask("forgot my password", session_id="talk-1")
    assert answer.decision == "answered"
    for text in ("thanks", "ok", "สวัสดีค่ะ", "tere", "你好", "👍", "bye"):
        reply = desk.ask(text, session_id="talk-1")
        assert (reply.decision, reply.state, reply.language) == ("smalltalk", BOT, "en"), text
    assert store.session("talk-1").lang == "en"  # type: ignore[union-attr]
    assert store.escalations() == []
    report = analytics(store)
    assert report.top_unanswered == ()


def test_a_first_message_of_small_talk_replies_in_its_own_language(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store)
    assert desk.ask("สวัสดีค่ะ", session_id="talk-th").language == "th"
    assert desk.ask("ok", session_id="talk-ok").language == "en"  # "ok" is no language's own
    assert desk.ask("謝謝", session_id="talk-tw").language == "zh-TW"


def test_unanswerable_offers_a_person_and_yes_accepts(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store, answer_threshold=0.99, suggest_threshold=0.99)
    offer = desk.ask("best pizza recipe with pineapple", session_id="offer-1")
    assert (offer.decision, offer.reason, offer.state) == ("offered", "low_confidence", BOT)
    assert offer.escalation is None and store.escalations() == []
    assert offer.reply_time is not None and offer.reply_time.notice in offer.notice
    assert offer.notice.startswith("I don't know")
    accepted = desk.ask("yes please", session_id="offer-1")
    assert (accepted.decision, accepted.reason, accepted.state) == ("escalated", "offer_accepted", HANDED_OFF)
    assert accepted.escalation is not None and accepted.reply_time is not None


def test_no_declines_the_offer(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store, answer_threshold=0.99, suggest_threshold=0.99)
    desk.ask("best pizza recipe with pineapple", session_id="offer-2")
    declined = desk.ask("no thanks", session_id="offer-2")
    assert (declined.decision, declined.reason, declined.state) == ("smalltalk", "offer_declined", BOT)
    assert store.escalations() == []


def test_never_mind_withdraws_while_nobody_has_claimed(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store)
    asked = desk.ask("I want to talk to a human", session_id="wd-1")
    assert (asked.decision, asked.state) == ("escalated", HANDED_OFF)
    back = desk.ask("never mind", session_id="wd-1")
    assert (back.decision, back.reason, back.state) == ("withdrawn", "withdraw", BOT)
    assert store.escalation(asked.escalation.escalation_id).status == RESOLVED  # type: ignore[union-attr]
    assert desk.ask("forgot my password", session_id="wd-1").decision == "answered"


def test_never_mind_does_not_take_a_claimed_conversation_away(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store)
    asked = desk.ask("I want to talk to a human", session_id="wd-2")
    Agents(store).claim(asked.escalation.escalation_id, "maria")  # type: ignore[union-attr]
    reply = desk.ask("never mind", session_id="wd-2")
    assert (reply.decision, reply.state) == ("handed_off", HANDED_OFF)


def test_rules_hand_over_unless_configured_off(bot: Bot, store: Store) -> None:
    legal = "I will take you to court over this"
    assert make_desk(bot, store).ask(legal, session_id="rule-1").decision == "escalated"
    relaxed = make_desk(bot, store, handoff_rules=["angry", "urgent", "unhelpful"])
    offer = relaxed.ask(legal, session_id="rule-2")
    assert (offer.decision, offer.reason) == ("offered", "sensitive:legal")


def test_settings_refuse_an_unknown_policy_or_rule() -> None:
    with pytest.raises(SettingsError, match="handoff_policy must be one of offer, immediate, got 'later'"):
        Settings(handoff_policy="later")
    with pytest.raises(SettingsError, match="unknown rule 'rude'"):
        Settings(handoff_rules=("rude",))


def test_an_answer_carries_its_passage(bot: Bot, store: Store) -> None:
    reply = make_desk(bot, store).ask("forgot my password", session_id="passage-1")
    assert reply.answer is not None and reply.answer.passage
    assert reply.answer.passage.replace("**", "") in reply.answer.body.replace("**", "") \
        or len(reply.answer.passage) <= len(reply.answer.body) + 20


def test_suggestions_come_most_likely_first(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store, answer_threshold=0.99, suggest_threshold=0.01)
    reply = desk.ask("refund shipping password", session_id="sorted-1")
    assert reply.decision == "suggest" and len(reply.suggestions) >= 2
    confidences = [s.confidence for s in reply.suggestions]
    assert confidences == sorted(confidences, reverse=True)


def test_choosing_an_article_while_handed_off_says_so(bot: Bot, store: Store) -> None:
    desk = make_desk(bot, store)
    desk.ask("I want to talk to a human", session_id="chip-1")
    reply = desk.choose("chip-1", "shipping-costs")
    assert (reply.decision, reply.reason, reply.state) == ("handed_off", "chosen", HANDED_OFF)
    assert reply.answer is not None and "support team" in reply.notice
    assert desk.ask("how much is shipping", session_id="chip-1").decision == "handed_off"  # consistent


def test_small_talk_keeps_no_customer_words() -> None:
    talk = SmallTalk()
    assert talk.detect("thnaks") is not None and talk.detect("thnaks Zyxwvutska") is None
    memo = talk._fixes._entries
    assert memo and all(isinstance(k, bytes) for k in memo)
    assert not any("zyxw" in v for v in memo.values()) and "thanks" in memo.values()
