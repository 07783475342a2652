"""The agent console in real Chromium against the real server: a Thai customer's escalation
reaches the inbox of an agent in another browser context without a reload, is claimed, answered
(the widget shows it), resolved and handed back (the bot answers again); sign-in redirects, the
admin pages' 403, a cross-site POST refused, hostile transcript text inert; axe on every page and
state at 1280×800 and 768 px, keyboard use, the UI in Thai."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import BrowserContext, Page, ViewportSize, expect

from bot.keys import create_key
from tests.web.browser import (
    DESKTOP,
    HostSite,
    NewContext,
    Server,
    ask,
    describe,
    open_chat,
    run_axe,
    session_id,
    store_page,
    widget,
)

TABLET: ViewportSize = {"width": 768, "height": 1024}
# Set FAQBOT_SCREENSHOTS=docs to refresh the README's pictures from these tests.
SHOTS = os.environ.get("FAQBOT_SCREENSHOTS", "")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / name), full_page=False)


def signed_in(ctx: BrowserContext, server: Server, role: str = "agent", name: str = "Ann") -> Page:
    key = create_key(server.store, role, name)[1]
    page = ctx.new_page()
    page.goto(f"{server.url}/console")
    assert "/console/sign-in" in page.url  # no session: the sign-in page
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/console(/inbox)?$"))
    # The key is nowhere a script could read it.
    assert page.evaluate("() => JSON.stringify(localStorage) + document.cookie").find("fqb_") < 0
    return page


def escalate_in_thai(page: Page, server: Server) -> str:
    store_page(page, server)
    open_chat(page)
    widget(page).get_by_role("button", name="คุยกับเจ้าหน้าที่").last.click()
    form = widget(page).locator("form.handoff")
    form.get_by_label("อีเมล").fill("somchai@example.com")
    form.get_by_label("ข้อความ").fill("พัสดุของฉันยังไม่มาส่งเลยค่ะ")
    form.get_by_role("button", name="ส่งถึงทีมงาน").click()
    widget(page).locator(".msg.sent").wait_for()
    return session_id(page, server)


def test_thai_escalation_claim_reply_resolve_hand_back(context_factory: NewContext,
                                                       demo_server: Server) -> None:
    agent = signed_in(context_factory(), demo_server, name="Ann")
    demo_server.store.set_display_name("Ann", "แอน")
    customer = context_factory(locale="th-TH").new_page()
    sid = escalate_in_thai(customer, demo_server)
    esc = demo_server.store.open_escalation(sid)
    assert esc is not None and esc.language == "th"
    # It appears in the agent's inbox without a reload, with a badge.
    row = agent.locator(f'#inbox-rows tr[data-id="{esc.escalation_id}"]')
    row.wait_for(timeout=20_000)
    expect(agent.locator("#inbox-new")).to_contain_text("new")
    expect(row).to_contain_text("Thai")
    shot(agent, "console-inbox.png")
    row.get_by_role("link").click()
    agent.wait_for_url(f"**/console/escalations/{esc.escalation_id}")
    main = agent.locator("main")
    expect(main).to_contain_text("somchai@example.com")
    expect(main).to_contain_text("พัสดุของฉันยังไม่มาส่งเลยค่ะ")
    expect(agent.locator(".transcript .turn[lang=th]").first).to_be_visible()
    agent.get_by_role("button", name="Claim").click()
    expect(agent.locator("#status")).to_contain_text("You have claimed this conversation.")
    agent.get_by_label("Reply to the customer").fill("สวัสดีค่ะ แอนจากทีมงานนะคะ จะตรวจสอบพัสดุให้ค่ะ")
    agent.get_by_role("button", name="Send reply").click()
    expect(agent.locator("#status")).to_contain_text("Reply sent.")
    # The customer's widget shows it, with the agent's display name.
    reply = widget(customer).locator(".msg.agent").last
    reply.wait_for(timeout=20_000)
    expect(reply).to_contain_text("แอนจากทีมงาน")
    expect(reply.locator(".who")).to_have_text("แอน (เจ้าหน้าที่)")
    shot(agent, "console-conversation.png")
    agent.get_by_role("button", name="Resolve").click()
    expect(agent.locator("#status")).to_contain_text("Resolved.")
    agent.get_by_role("button", name="Hand back to the bot").click()
    expect(agent.locator("#status")).to_contain_text("Handed back to the bot.")
    reasons = [t.reason for t in demo_server.store.transcript(sid) if t.role == "system"]
    assert reasons[-3:] == ["claimed", "resolved", "handed_back"]
    widget(customer).locator(".msg.system").last.wait_for(timeout=20_000)
    ask(customer, "ลืมรหัสผ่าน")
    last = [t for t in demo_server.store.transcript(sid) if t.role == "bot"][-1]
    assert last.decision in ("answered", "suggest")  # the bot answers again
    assert demo_server.store.session(sid).state == "bot"  # type: ignore[union-attr]


def test_a_second_agent_sees_who_has_it(context_factory: NewContext, demo_server: Server,
                                        axe_source: str) -> None:
    r = requests.post(f"{demo_server.url}/v1/sessions", timeout=10).json()
    headers = {"X-Session-Token": r["session_token"]}
    requests.post(f"{demo_server.url}/v1/handoff", json={"session_id": r["session_id"], "email": "a@b.ee"},
                  headers=headers, timeout=10).raise_for_status()
    esc = demo_server.store.open_escalation(r["session_id"])
    assert esc is not None
    ann = signed_in(context_factory(), demo_server, name="Ann2")
    bob = signed_in(context_factory(), demo_server, name="Bob")
    for page in (ann, bob):
        page.goto(f"{demo_server.url}/console/escalations/{esc.escalation_id}")
    ann.get_by_role("button", name="Claim").click()
    expect(ann.locator("#status")).to_contain_text("You have claimed")
    with bob.expect_response(lambda resp: resp.url.endswith("/claim")) as response:
        bob.get_by_role("button", name="Claim").click()
    assert response.value.status == 409
    expect(bob.get_by_role("alert")).to_have_text("Ann2 has already claimed this conversation.")
    result = run_axe(bob, axe_source)
    assert result["violations"] == [], describe(result["violations"])


def test_no_session_and_roles(context_factory: NewContext, demo_server: Server) -> None:
    page = context_factory().new_page()
    response = page.goto(f"{demo_server.url}/console/admin")
    assert response is not None and "/console/sign-in?next=/console/admin" in page.url
    agent = signed_in(context_factory(), demo_server, name="Agent Ari")
    for path in ("/console/admin", "/console/admin/audit"):
        response = agent.goto(f"{demo_server.url}{path}")
        assert response is not None and response.status == 403
        expect(agent.get_by_role("alert")).to_have_text("You do not have access to this page.")
    assert agent.get_by_role("link", name="Keys and queues").count() == 0
    agent.goto(f"{demo_server.url}/console/inbox")
    agent.get_by_role("button", name="Sign out").click()
    agent.wait_for_url("**/console/sign-in")
    response = agent.goto(f"{demo_server.url}/console/inbox")
    assert "/console/sign-in" in agent.url


def test_cross_site_post_is_refused(context_factory: NewContext, demo_server: Server,
                                    host_site: HostSite) -> None:
    r = requests.post(f"{demo_server.url}/v1/sessions", timeout=10).json()
    requests.post(f"{demo_server.url}/v1/handoff", json={"session_id": r["session_id"], "email": "x@y.ee"},
                  headers={"X-Session-Token": r["session_token"]}, timeout=10).raise_for_status()
    esc = demo_server.store.open_escalation(r["session_id"])
    assert esc is not None
    ctx = context_factory()
    signed_in(ctx, demo_server, name="Csrf Carl")
    evil = ctx.new_page()
    evil.goto(host_site.add(
        f'<!doctype html><html lang="en"><title>Win</title><form method="post" '
        f'action="{demo_server.url}/console/escalations/{esc.escalation_id}/claim">'
        '<input type="hidden" name="csrf" value="guess"><button>Win a prize</button></form></html>'))
    with evil.expect_response(lambda resp: resp.url.endswith("/claim")) as response:
        evil.get_by_role("button", name="Win a prize").click()
    assert response.value.status == 403
    assert demo_server.store.escalation(esc.escalation_id).status == "open"  # type: ignore[union-attr]


def test_hostile_transcript_text_is_inert(context_factory: NewContext, demo_server: Server) -> None:
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> I want a human'
    r = requests.post(f"{demo_server.url}/v1/sessions", timeout=10).json()
    headers = {"X-Session-Token": r["session_token"]}
    requests.post(f"{demo_server.url}/v1/handoff", json={
        "session_id": r["session_id"], "name": '<b onmouseover="window.__pwned=3">Eve</b>',
        "email": "eve@example.com", "message": hostile}, headers=headers, timeout=10).raise_for_status()
    requests.post(f"{demo_server.url}/v1/answer", json={"session_id": r["session_id"], "question": hostile},
                  headers=headers, timeout=10).raise_for_status()
    esc = demo_server.store.open_escalation(r["session_id"])
    assert esc is not None
    page = signed_in(context_factory(), demo_server, name="Ina")
    page.goto(f"{demo_server.url}/console/escalations/{esc.escalation_id}")
    expect(page.locator("main")).to_contain_text('<img src=x onerror="window.__pwned=1">')
    assert page.locator("main img, main b").count() == 0
    page.goto(f"{demo_server.url}/console/inbox")
    expect(page.locator("#inbox-rows")).to_contain_text("<b onmouseover")
    page.wait_for_timeout(6000)  # one polling round replaces the rows from JSON
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("#inbox-rows b").count() == 0


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1280x800", "768"])
def test_axe_on_every_page_and_state(context_factory: NewContext, demo_server: Server, axe_source: str,
                                     viewport: ViewportSize) -> None:
    ctx = context_factory(viewport=viewport)

    def clean(page: Page, what: str) -> None:
        result = run_axe(page, axe_source)
        assert result["violations"] == [], f"{what}: {describe(result['violations'])}"
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{what}: {width} px wide at {viewport['width']}"

    page = ctx.new_page()
    page.goto(f"{demo_server.url}/console/sign-in")
    clean(page, "sign-in")
    page.get_by_label("API key").fill("fqb_00000000_" + "x" * 40)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").wait_for()
    clean(page, "sign-in error")
    admin = signed_in(ctx, demo_server, "admin", f"Root {viewport['width']}")
    admin.goto(f"{demo_server.url}/console/inbox?status=resolved&queue=nope")
    clean(admin, "empty inbox")
    r = requests.post(f"{demo_server.url}/v1/sessions", timeout=10).json()
    requests.post(f"{demo_server.url}/v1/handoff", json={"session_id": r["session_id"], "name": "Mai",
                                                         "email": "mai@example.com", "message": "Need help"},
                  headers={"X-Session-Token": r["session_token"]}, timeout=10).raise_for_status()
    esc = demo_server.store.open_escalation(r["session_id"])
    assert esc is not None
    admin.goto(f"{demo_server.url}/console/inbox")
    clean(admin, "inbox")
    admin.goto(f"{demo_server.url}/console/escalations/{esc.escalation_id}")
    clean(admin, "conversation, open")
    admin.get_by_role("button", name="Claim").click()
    admin.locator("#status .done").wait_for()
    admin.locator("#kb-query").fill("return an item")
    admin.locator("#kb-go").click()
    admin.locator("#kb-hits li").first.wait_for()
    clean(admin, "conversation, claimed, KB hits")
    admin.get_by_role("button", name="Add note").click()  # empty: the browser's own check, no request
    admin.goto(f"{demo_server.url}/console/admin")
    admin.get_by_label("Name", exact=True).fill("Chai")
    admin.get_by_role("button", name="Create", exact=True).click()
    admin.locator("#new-key").wait_for()
    clean(admin, "admin with a new key")
    if viewport == DESKTOP:
        shot(admin, "console-admin.png")
    admin.goto(f"{demo_server.url}/console/admin/audit")
    clean(admin, "audit log")
    admin.goto(f"{demo_server.url}/console/inbox?lang=th")
    clean(admin, "inbox in Thai")
    expect(admin.locator("h1")).to_have_text("กล่องงาน")
    agent = signed_in(context_factory(viewport=viewport), demo_server, "agent", f"Agent {viewport['width']}")
    agent.goto(f"{demo_server.url}/console/admin")
    clean(agent, "403 page")


def test_keyboard_only(context_factory: NewContext, demo_server: Server) -> None:
    r = requests.post(f"{demo_server.url}/v1/sessions", timeout=10).json()
    requests.post(f"{demo_server.url}/v1/handoff", json={"session_id": r["session_id"], "email": "k@b.ee"},
                  headers={"X-Session-Token": r["session_token"]}, timeout=10).raise_for_status()
    esc = demo_server.store.open_escalation(r["session_id"])
    assert esc is not None
    key = create_key(demo_server.store, "agent", "Kim")[1]
    page = context_factory().new_page()
    page.goto(f"{demo_server.url}/console/sign-in")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.locator("#key").focus()
    page.keyboard.type(key)
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/inbox")
    page.goto(f"{demo_server.url}/console/escalations/{esc.escalation_id}")
    page.locator("#claim").focus()
    page.keyboard.press("Enter")
    page.locator("#status .done").wait_for()
    page.locator("#reply-text").focus()
    page.keyboard.type("Typed with the keyboard")
    page.keyboard.press("Tab")
    # Through the KB search to the send button, every step reachable by Tab.
    for _ in range(10):
        if page.evaluate("() => document.activeElement.id") == "reply-send":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "reply-send"
    page.keyboard.press("Enter")
    page.locator("#status .done").wait_for()
    assert any(t.text == "Typed with the keyboard" for t in demo_server.store.transcript(r["session_id"]))
