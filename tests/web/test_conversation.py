"""Customer flows in a real browser against the real server and the demo KB."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, Route

from bot.keys import create_key
from tests.web.browser import (
    HostSite,
    Server,
    ask,
    host_page,
    open_chat,
    session_id,
    store_page,
    transcript,
    widget,
)


def title(server: Server, article_id: str, lang: str) -> str:
    return server.kb.translations(article_id)[lang].title


@pytest.mark.parametrize(("question", "article", "lang"), [
    ("wheres my parcel", "order-status", "en"),
    ("ลืมรหัสผ่าน", "reset-password", "th"),  # the refund question is a suggestion at Thai's own threshold
    ("發票可以打統編嗎", "invoice-vat", "zh-TW"),
    ("优惠码用不了", "promo-codes", "zh-CN"),
])
def test_answers_in_the_customers_language(page: Page, demo_server: Server, question: str, article: str,
                                           lang: str) -> None:
    store_page(page, demo_server)
    open_chat(page)
    reply = ask(page, question)
    assert reply.locator("h3").inner_text() == title(demo_server, article, lang)
    assert reply.get_attribute("lang") == lang
    # The UI follows the language the API detected.
    strings = requests.get(f"{demo_server.url}/v1/widget/config", timeout=10).json()["strings"][lang]
    # The title opens the whole article inside the panel; back returns to the chat.
    reply.get_by_role("button", name=title(demo_server, article, lang)).click()
    view = widget(page).locator(".article-view")
    view.wait_for(state="visible")
    assert view.get_by_role("link").last.get_attribute("href") == \
        demo_server.kb.translations(article)[lang].url
    view.get_by_role("button", name=strings["back"]).click()
    reply.wait_for(state="visible")
    assert widget(page).locator("#fb-input").get_attribute("placeholder") == strings["placeholder"]
    assert widget(page).locator(".panel").get_attribute("lang") == lang
    customer = widget(page).locator(".msg.customer").last
    assert customer.get_attribute("lang") == lang


def test_typing_indicator_while_the_server_thinks(page: Page, demo_server: Server) -> None:
    store_page(page, demo_server)
    open_chat(page)
    held: list[Route] = []
    page.route("**/v1/answer", lambda route: held.append(route))  # held, then sent on to the server
    widget(page).locator("#fb-input").fill("wheres my parcel")
    widget(page).locator("#fb-input").press("Enter")
    typing = widget(page).locator(".msg.typing")
    typing.wait_for()
    assert typing.text_content() == "Assistant: Typing…"  # read out; the dots are aria-hidden
    while not held:
        page.wait_for_timeout(20)
    held[0].continue_()
    typing.wait_for(state="detached")
    assert widget(page).locator(".msg.answer h3").inner_text() == "Track your order"


def test_popular_question_opens_its_article(page: Page, demo_server: Server) -> None:
    store_page(page, demo_server)
    open_chat(page)
    chips = widget(page).locator(".msg.popular .chip")
    chips.first.wait_for()
    assert chips.count() == 5
    assert widget(page).locator(".msg.customer").count() == 0  # offered before the first question
    picked = chips.nth(1).inner_text()
    chips.nth(1).click()
    card = widget(page).locator(".msg.answer").last
    card.wait_for()
    assert card.locator("h3").inner_text() == picked
    assert card.get_by_role("button", name="Yes").is_visible()
    turns = transcript(page, demo_server)
    assert [(t["role"], t["decision"]) for t in turns["turns"]] == [("customer", None), ("bot", "answered")]


def test_did_you_mean_choice_answers(page: Page, demo_server: Server) -> None:
    store_page(page, demo_server)
    open_chat(page)
    reply = ask(page, "account")  # one word: several articles fit, none confidently
    assert "Did you mean one of these?" in reply.inner_text()
    buttons = reply.locator(".chips .chip:not(.none)")
    assert 2 <= buttons.count() <= 3, reply.inner_text()
    assert reply.get_by_role("button", name="None of these").is_visible()
    picked = buttons.first.inner_text()
    buttons.first.click()
    card = widget(page).locator(".msg.answer").last
    card.wait_for()
    assert card.locator("h3").inner_text() == picked
    turns = transcript(page, demo_server)
    assert [t["decision"] for t in turns["turns"] if t["role"] == "bot"] == ["suggest", "answered"]
    assert turns["turns"][-1]["article_id"] in ("delete-account", "create-account", "account-hacked")


def test_feedback_is_stored(page: Page, demo_server: Server) -> None:
    store_page(page, demo_server)
    open_chat(page)
    reply = ask(page, "how do i reset my password")
    reply.get_by_role("button", name="Yes").click()
    reply.get_by_text("Thanks for your feedback!").wait_for()
    sid = session_id(page, demo_server)
    bot_turn = [t for t in demo_server.store.transcript(sid) if t.role == "bot"][-1]
    rated = [(f.turn_id, f.helpful) for f in demo_server.store.feedback() if f.session_id == sid]
    assert rated == [(bot_turn.turn_id, True)]


def test_two_unhelpful_answers_offer_a_person(page: Page, demo_server: Server) -> None:
    store_page(page, demo_server)
    open_chat(page)
    for question in ("how do i reset my password", "what payment methods do you accept"):
        reply = ask(page, question)
        reply.get_by_role("button", name="No").click()
        reply.get_by_text("Thanks for your feedback!").wait_for()
    # The second "No" in a row hands over: one message says so, and the button goes away.
    widget(page).locator(".msg.bot", has_text="Sorry that didn't help.").wait_for()
    esc = demo_server.store.open_escalation(session_id(page, demo_server))
    assert esc is not None and esc.reason == "unhelpful"
    assert not widget(page).locator(".foot .linkbtn").is_visible()


def test_handoff_form_validates_email_and_records_the_escalation(page: Page, demo_server: Server) -> None:
    store_page(page, demo_server)
    open_chat(page)
    ask(page, "my sofa arrived with a broken leg")
    widget(page).get_by_role("button", name="Talk to a person").last.click()
    form = widget(page).locator("form.handoff")
    form.get_by_label("Name").fill("Mari Tamm")
    form.get_by_label("Email").fill("mari@example")
    form.get_by_label("Message").fill("Order 1234, please call me back")
    form.get_by_role("button", name="Send to our team").click()
    email = form.get_by_label("Email")
    assert email.get_attribute("aria-invalid") == "true"
    assert form.locator("#fb-email-err").inner_text() == "Please enter a valid email address."
    assert demo_server.store.open_escalation(session_id(page, demo_server)) is None
    email.fill("mari@example.com")
    form.get_by_role("button", name="Send to our team").click()
    widget(page).locator(".msg.sent").wait_for()
    assert not form.is_visible()
    sid = session_id(page, demo_server)
    esc = demo_server.store.open_escalation(sid)
    assert esc is not None and esc.status == "open"
    assert esc.contact.email == "mari@example.com" and esc.contact.name == "Mari Tamm"
    assert "1234" in esc.message
    session = demo_server.store.session(sid)
    assert session is not None and session.state == "handed_off"
    assert "our team has your request" in widget(page).locator(".msg.sent").inner_text().lower()


def test_agent_reply_reaches_the_widget_and_hands_back(host_site: HostSite, page: Page,
                                                      demo_server: Server) -> None:
    host_page(page, host_site, demo_server, poll_seconds="1")
    open_chat(page)
    ask(page, "I want to speak to a human")
    # A person replies within the hour, after this visit may end: the email is asked for inline.
    ask_email = widget(page).locator(".msg.email-ask")
    ask_email.get_by_label("Email").fill("kai@example.com")
    ask_email.get_by_role("button", name="Send").click()
    widget(page).locator(".msg.sent").wait_for()
    assert not widget(page).get_by_role("button", name="Talk to a person").is_visible()
    sid = session_id(page, demo_server)
    esc = demo_server.store.open_escalation(sid)
    assert esc is not None
    _, secret = create_key(demo_server.store, "agent", "Liis")
    auth = {"Authorization": f"Bearer {secret}"}
    agent_api = f"{demo_server.url}/v1/agent"
    r = requests.post(f"{agent_api}/escalations/{esc.escalation_id}/claim", headers=auth, timeout=10)
    assert r.status_code == 200, r.text
    r = requests.post(f"{agent_api}/sessions/{sid}/reply", headers=auth, timeout=10,
                      json={"text": "Hi Kai, Liis here. I'll sort this out for you."})
    assert r.status_code == 201, r.text
    agent = widget(page).locator(".msg.agent").last
    agent.wait_for()
    assert "Liis here" in agent.inner_text()
    assert agent.locator(".who").inner_text() == "Liis (Support agent)"  # the agent's name
    assert "Liis here" in widget(page).locator("[aria-live=polite]").inner_text()
    # Back to the bot: the widget stops waiting for a person and answers again.
    r = requests.post(f"{agent_api}/sessions/{sid}/release", headers=auth, timeout=10)
    assert r.status_code == 200, r.text
    widget(page).locator(".msg.system").last.wait_for()
    page.wait_for_function("() => !document.querySelector('faqbot-widget').shadowRoot"
                           ".querySelector('.log').lastElementChild.matches('.msg.agent')")
    reply = ask(page, "wheres my parcel")
    assert reply.locator("h3").inner_text() == "Track your order"


def test_out_of_hours_notice_after_the_form(host_site: HostSite, page: Page, content_server: Server) -> None:
    host_page(page, host_site, content_server)
    open_chat(page)
    widget(page).get_by_role("button", name="Talk to a person").click()  # before any question
    form = widget(page).locator("form.handoff")
    form.get_by_label("Email").fill("kai@example.com")
    form.get_by_label("Message").fill("Where is my order?")
    form.get_by_role("button", name="Send to our team").click()
    notice = widget(page).locator(".msg.sent")
    notice.wait_for()
    text = notice.inner_text()
    assert "Our team has your request. Our team is offline right now. A person will reply by" in text
    assert widget(page).locator(".msg.bot").count() == 3  # greeting, popular questions, one confirmation
    esc = content_server.store.open_escalation(session_id(page, content_server))
    assert esc is not None and esc.out_of_hours and esc.reason == "customer_form"


def test_transcript_survives_a_reload(page: Page, demo_server: Server) -> None:
    store_page(page, demo_server)
    open_chat(page)
    ask(page, "wheres my parcel")
    ask(page, "ลืมรหัสผ่าน")
    said = widget(page).locator(".msg.customer > p, .msg.answer h3")
    before = said.all_inner_texts()
    assert len(before) == 4
    sid = session_id(page, demo_server)
    page.reload()
    page.wait_for_selector("faqbot-widget[data-ready]", state="attached")
    open_chat(page)
    widget(page).locator(".msg.answer").nth(1).wait_for()
    assert session_id(page, demo_server) == sid
    assert said.all_inner_texts() == before
    assert widget(page).locator(".msg.popular").count() == 0
    assert widget(page).locator(".panel").get_attribute("lang") == "th"


def test_a_session_saved_before_tokens_restarts_cleanly(page: Page, demo_server: Server) -> None:
    """A visitor whose browser kept a session id from before session tokens (no token beside it)
    gets a fresh conversation: no error, popular questions offered, a new id with its token."""
    store_page(page, demo_server)
    key = f"faqbot:{demo_server.url}"
    page.evaluate("k => localStorage.setItem(k, JSON.stringify({id: 'old-widget-session-0001', lang: 'en'}))",
                  key)
    page.reload()
    page.wait_for_selector("faqbot-widget[data-ready]", state="attached")
    open_chat(page)
    widget(page).locator(".msg.popular .chip").first.wait_for()
    assert widget(page).locator(".msg.error, [role=alert]").count() == 0
    ask(page, "wheres my parcel")
    assert session_id(page, demo_server) != "old-widget-session-0001"
    assert [t["role"] for t in transcript(page, demo_server)["turns"]] == ["customer", "bot"]


def test_a_session_the_server_no_longer_recognises_restarts_cleanly(page: Page, demo_server: Server) -> None:
    """A token the server refuses (the signing secret was rotated): the widget starts afresh."""
    store_page(page, demo_server)
    key = f"faqbot:{demo_server.url}"
    page.evaluate("k => localStorage.setItem(k, JSON.stringify("
                  "{id: 'a'.repeat(32), token: 'forged', lang: 'en'}))", key)
    page.reload()
    page.wait_for_selector("faqbot-widget[data-ready]", state="attached")
    open_chat(page)
    widget(page).locator(".msg.popular .chip").first.wait_for()
    ask(page, "wheres my parcel")
    assert session_id(page, demo_server) != "a" * 32
