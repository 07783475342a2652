"""Conversations in real Chromium, desktop 1280x800 and phone 360x740, against the real server:
small talk, passages with the question in view and the article inside the panel, choices that
work (sorted, visible, "None of these", echoed, clickable after a reload), "No" → next best, the
1-5 rating once, the offer of a person with its reply time in the browser's zone, the inline
email ask, withdrawing, and "Talk to a person" hidden while a person owns the conversation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page

from tests.web.browser import (
    DESKTOP,
    PHONE,
    HostSite,
    Server,
    ask,
    box,
    host_page,
    open_chat,
    session_id,
    store_page,
    transcript,
    widget,
)

VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])


def chat(context_factory: Any, server: Server, viewport: Any, **kw: Any) -> Page:
    page: Page = context_factory(viewport=viewport, **kw).new_page()
    store_page(page, server)
    open_chat(page)
    return page


def in_view(page: Page, el: Locator) -> bool:
    """Whether `el` is drawn wholly inside the chat log's visible area."""
    log, rect = box(widget(page).locator(".log")), box(el)
    return rect["y"] >= log["y"] - 1 and rect["y"] + rect["height"] <= log["y"] + log["height"] + 1


@VIEWPORTS
def test_small_talk_keeps_the_conversation_with_the_bot(context_factory: Any, demo_server: Server,
                                                       viewport: Any) -> None:
    page = chat(context_factory, demo_server, viewport)
    hi = ask(page, "hi")
    assert "What can I help you with?" in hi.inner_text()
    assert hi.locator(".chip").count() >= 3  # a greeting offers popular topics
    answer = ask(page, "wheres my parcel")
    assert answer.locator("h3").inner_text() == "Track your order"
    thanks = widget(page).locator(".msg.bot", has_text="You're welcome!")
    ask(page, "thanks!")
    thanks.wait_for()
    assert widget(page).get_by_role("button", name="Talk to a person").is_visible()
    turns = transcript(page, demo_server)
    assert turns["state"] == "bot" and turns["language"] == "en"
    decisions = [t["decision"] for t in turns["turns"] if t["role"] == "bot"]
    assert decisions == ["smalltalk", "answered", "smalltalk"]
    assert demo_server.store.open_escalation(session_id(page, demo_server)) is None


@VIEWPORTS
def test_an_answer_is_its_passage_under_the_question_and_the_article_opens_in_the_panel(
        context_factory: Any, demo_server: Server, viewport: Any) -> None:
    page = chat(context_factory, demo_server, viewport)
    for question in ("wheres my parcel", "do you ship to norway", "how do i reset my password"):
        ask(page, question)  # history above, so the panel has to scroll
    card = ask(page, "i signed up with google, how do i change my email")
    body = card.locator(".body").inner_text()
    assert "Apple ID or Google Account" in body and "spam folder" not in body  # one section, not all
    question = widget(page).locator(".msg.customer").last
    assert in_view(page, question)  # the customer's own question stays in view
    card.get_by_role("button", name="Read the full article").click()
    view = widget(page).locator(".article-view")
    view.wait_for(state="visible")
    assert "spam folder" in view.inner_text() and not widget(page).locator(".log").is_visible()
    assert view.get_by_role("link").count() >= 1  # the help center's own page, if wanted
    view.get_by_role("button", name="Back to the chat").click()
    assert widget(page).locator(".log").is_visible() and in_view(page, question)


@VIEWPORTS
def test_choices_are_sorted_visible_echoed_and_clickable_after_a_reload(
        context_factory: Any, demo_server: Server, viewport: Any) -> None:
    page = chat(context_factory, demo_server, viewport)
    with page.expect_response("**/v1/answer") as response:
        reply = ask(page, "account")
    sent = response.value.json()
    assert sent["decision"] == "suggest"
    expected = [s["title"] for s in sorted(sent["suggestions"], key=lambda s: -s["confidence"])]
    chips = reply.locator(".chip:not(.none)")
    assert chips.all_inner_texts() == expected
    for i in range(chips.count()):
        assert in_view(page, chips.nth(i)), f"choice {i} is clipped"
    none = reply.get_by_role("button", name="None of these")
    assert in_view(page, none)
    none.click()
    rephrase = widget(page).locator(".msg.bot", has_text="Could you say it in other words?")
    rephrase.wait_for()
    assert rephrase.get_by_role("button", name="Talk to a person").is_visible()
    page.reload()
    page.wait_for_selector("faqbot-widget[data-ready]", state="attached")
    open_chat(page)
    restored = widget(page).locator(".msg.bot", has_text="Did you mean one of these?").last
    restored.locator(".chip:not(.none)").first.wait_for()
    assert restored.locator(".chip:not(.none)").all_inner_texts() == expected
    restored.locator(".chip:not(.none)").first.click()
    widget(page).locator(".msg.answer").last.wait_for()
    assert widget(page).locator(".msg.customer").last.inner_text().endswith(expected[0])  # echoed
    assert widget(page).locator(".msg.answer h3").last.inner_text() == expected[0]


@VIEWPORTS
def test_no_offers_the_next_best_article_or_a_person(context_factory: Any, demo_server: Server,
                                                     viewport: Any) -> None:
    page = chat(context_factory, demo_server, viewport)
    reply = ask(page, "how do i reset my password")
    reply.get_by_role("button", name="No").click()
    nxt = widget(page).locator(".msg.bot", has_text="Maybe this one helps")
    nxt.wait_for()
    assert nxt.locator(".chip:not(.person)").count() >= 1
    assert nxt.get_by_role("button", name="Talk to a person").is_visible()
    assert in_view(page, nxt)


@VIEWPORTS
def test_the_rating_is_asked_once_after_an_answered_conversation(context_factory: Any, demo_server: Server,
                                                               viewport: Any) -> None:
    page = chat(context_factory, demo_server, viewport)
    reply = ask(page, "how do i reset my password")
    reply.get_by_role("button", name="Yes").click()
    rating = widget(page).locator(".msg.csat")
    rating.wait_for()
    assert "How would you rate this conversation?" in rating.inner_text()
    assert rating.get_by_role("button").count() == 6  # 1-5 and "Not now"
    rating.get_by_role("button", name="4/5").click()
    rating.get_by_text("Thanks for rating us!").wait_for()
    sid = session_id(page, demo_server)
    assert [f.csat for f in demo_server.store.feedback() if f.session_id == sid and f.csat] == [4]
    ask(page, "thanks")
    assert widget(page).locator(".msg.csat").count() == 1  # once


@VIEWPORTS
def test_the_offer_of_a_person_says_when_in_the_browsers_time_zone(
        context_factory: Any, host_site: HostSite, content_server: Server, viewport: Any) -> None:
    page: Page = context_factory(viewport=viewport, timezone_id="Asia/Bangkok").new_page()
    host_page(page, host_site, content_server)
    open_chat(page)
    with page.expect_response("**/v1/answer") as response:
        offer = ask(page, "best pizza recipe with pineapple")
    sent = response.value.json()
    assert sent["decision"] == "offered" and sent["state"] == "bot"
    assert sent["reply_time"]["timezone"] == "UTC"  # the queue's zone, in the API
    text = offer.inner_text()
    assert "I don't know the answer to that." in text and "Would you like me to pass your question" in text
    assert "GMT+7" in text and "(UTC)" not in text  # the customer's own zone in the widget
    offer.get_by_role("button", name="No, thanks").click()
    declined = "All right. I'm here if you want to ask something else."
    widget(page).locator(".msg.bot", has_text=declined).wait_for()
    assert content_server.store.open_escalation(session_id(page, content_server)) is None
    ask(page, "best pizza recipe with pineapple")
    ask(page, "yes please")
    # One message says a person will reply, then the email is asked for inline (out of hours).
    ask_email = widget(page).locator(".msg.email-ask")
    ask_email.wait_for()
    # No button offers a person any more: not the footer's, not the two offers' (hidden, so they
    # are out of the accessibility tree too).
    assert widget(page).locator("button.chip.person").count() >= 2
    assert widget(page).get_by_role("button", name="Talk to a person").count() == 0
    ask_email.get_by_label("Email").fill("mari@example.com")
    ask_email.get_by_role("button", name="Send").click()
    widget(page).locator(".msg.sent").wait_for()
    esc = content_server.store.open_escalation(session_id(page, content_server))
    assert esc is not None and esc.reason == "offer_accepted" and esc.contact.email == "mari@example.com"
    # Never mind: the customer takes it back before anyone claimed it, and the bot answers again.
    back = ask(page, "never mind")
    assert "cancelled your request for a person" in back.inner_text()
    assert widget(page).locator(".foot .linkbtn").is_visible()
    assert content_server.store.open_escalation(session_id(page, content_server)) is None
