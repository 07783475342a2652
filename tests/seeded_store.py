"""A generator of a realistic conversation store: a few hundred conversations in five languages over
two weeks, run through the real Desk and Agents on the demo KB, with known content gaps.

Everything it writes goes through the code the API uses (Desk.ask, Desk.feedback, Desk.handoff,
Agents.claim/reply/resolve), so the store holds what production would. `GAPS` are needs the demo KB
has no article for, phrased in every language; the generator remembers the label of every question
it asked, so tests can measure how well the gap clusters match (purity).
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from bot.agents import Agents
from bot.desk import Desk
from bot.records import Contact
from kb import KnowledgeBase

LANGS = ("en", "th", "et", "zh-TW", "zh-CN")
START = 1_795_000_000.0  # 2026-11-18 (a Wednesday) 08:53 UTC
DAY = 86_400.0

# Needs no demo article answers; several phrasings per language.
GAPS: dict[str, dict[str, tuple[str, ...]]] = {
    "wishlist": {
        "en": ("how do i save items to a wishlist", "can i share my wishlist with my family",
               "where did my wish list go", "add a product to my wishlist for later"),
        "th": ("เพิ่มสินค้าลงวิชลิสต์ยังไง", "แชร์วิชลิสต์ให้ครอบครัวได้ไหม", "วิชลิสต์ของฉันหายไปไหน"),
        "et": ("kuidas lisada toode soovinimekirja", "kas saan oma soovinimekirja perega jagada",
               "kuhu kadus minu soovinimekiri"),
        "zh-TW": ("怎麼把商品加入願望清單", "可以把願望清單分享給家人嗎", "我的願望清單不見了"),
        "zh-CN": ("怎么把商品加入心愿单", "可以把心愿单分享给家人吗", "我的心愿单不见了"),
    },
    "student-discount": {
        "en": ("do you have a student discount", "is there a discount for students",
               "im a university student, do i get cheaper prices"),
        "th": ("มีส่วนลดสำหรับนักศึกษาไหม", "นักศึกษาได้ส่วนลดไหมคะ", "เป็นนักศึกษามหาวิทยาลัย ซื้อถูกลงได้ไหม"),
        "et": ("kas teil on tudengisoodustus", "kas üliõpilastele on allahindlus",
               "olen tudeng, kas saan soodsamalt"),
        "zh-TW": ("有學生優惠嗎", "學生可以打折嗎", "我是大學生，買東西可以便宜一點嗎"),
        "zh-CN": ("有学生优惠吗", "学生可以打折吗", "我是大学生，买东西可以便宜一点吗"),
    },
    "product-review": {
        "en": ("how do i write a review for a product", "can i leave a review on something i bought",
               "where do i post a product review"),
        "th": ("เขียนรีวิวสินค้ายังไง", "อยากรีวิวสินค้าที่ซื้อไป", "รีวิวสินค้าได้ที่ไหน"),
        "et": ("kuidas tootele arvustust kirjutada", "tahan ostetud tootele arvustuse jätta",
               "kus saab tootearvustust kirjutada"),
        "zh-TW": ("怎麼寫商品評論", "我想給買過的商品寫評論", "在哪裡可以留下商品評論"),
        "zh-CN": ("怎么写商品评论", "我想给买过的商品写评论", "在哪里可以留下商品评论"),
    },
    "site-language": {
        "en": ("how do i change the language of the website", "the app shows the wrong language",
               "can i switch the app to another language"),
        "th": ("เปลี่ยนภาษาของเว็บไซต์ยังไง", "แอปแสดงภาษาผิด", "เปลี่ยนภาษาในแอปได้ไหม"),
        "et": ("kuidas veebilehe keelt muuta", "äpp näitab vale keelt", "kas saan äpi keelt vahetada"),
        "zh-TW": ("怎麼更改網站的語言", "App 顯示的語言不對", "可以把 App 換成別的語言嗎"),
        "zh-CN": ("怎么更改网站的语言", "应用显示的语言不对", "可以把应用换成别的语言吗"),
    },
    "paper-catalogue": {
        "en": ("can i get a printed catalogue by mail", "do you send paper catalogues"),
        "th": ("ขอแคตตาล็อกสินค้าแบบกระดาษทางไปรษณีย์ได้ไหม", "มีแคตตาล็อกแบบพิมพ์ส่งให้ไหม"),
        "et": ("kas saan trükitud kataloogi posti teel", "kas saadate paberkataloogi"),
        "zh-TW": ("可以寄紙本型錄給我嗎", "有紙本的商品型錄嗎"),
        "zh-CN": ("可以寄纸质商品目录给我吗", "有纸质的商品目录吗"),
    },
}
HUMAN = {"en": "talk to a human", "th": "ขอคุยกับพนักงาน", "et": "tahan rääkida inimesega",
         "zh-TW": "我要找真人客服", "zh-CN": "我要找人工客服"}
AGENTS = ("Ann", "Bo", "Chai")


class Clock:
    """The generator's time: moves forward only when told to."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Seeded:
    """What the generator did: the label of every question asked (a GAPS key, "article:<id>" for
    a question the KB answers), and counts to check reports against."""

    labels: dict[tuple[str, str], str] = field(default_factory=dict)  # (text, lang) -> label
    conversations: int = 0
    gap_questions: int = 0
    since: float = START
    until: float = START + 14 * DAY


def seed_store(desk: Desk, kb: KnowledgeBase, clock: Clock, *, seed: int = 22,
               conversations: int = 300) -> Seeded:
    """Fill the desk's store with `conversations` conversations spread over 14 days."""
    rng = random.Random(seed)
    agents = Agents(desk.store, clock)
    out = Seeded()
    answerable = [(a.id, a.lang, q) for aid in sorted(kb.ids)
                  for a in kb.translations(aid).values() for q in a.questions[:4]]
    gaps = [(label, lang, q) for label, by_lang in GAPS.items() for lang, qs in by_lang.items() for q in qs]
    for n in range(conversations):
        clock.now = START + (n / conversations) * 14 * DAY + rng.uniform(0, 3000)
        sid = f"seed-{n:04d}"
        out.conversations += 1
        kind = rng.random()
        if kind < 0.4:  # a gap: the bot cannot help, the customer says so or it escalates
            label, lang, question = gaps[n % len(gaps)] if n < 2 * len(gaps) else rng.choice(gaps)
            out.gap_questions += 1
            reply = desk.ask(question, lang, session_id=sid)
            _label(desk, sid, out, label)
            if reply.decision == "answered":
                clock.now += 40
                desk.feedback(sid, reply.turn_id, helpful=False)
        elif kind < 0.9:  # a question the KB answers
            aid, lang, question = rng.choice(answerable)
            reply = desk.ask(question, lang, session_id=sid)
            _label(desk, sid, out, f"article:{aid}")
            clock.now += 30
            if reply.decision == "answered" and rng.random() < 0.5:
                desk.feedback(sid, reply.turn_id, helpful=rng.random() < 0.85,
                              csat=rng.choice((3, 4, 5, 5)))
        else:  # asks for a person
            lang = rng.choice(LANGS)
            desk.ask(HUMAN[lang], lang, session_id=sid)
            clock.now += 20
            desk.handoff(sid, Contact(email=f"customer{n}@example.com"), "")
    _work_escalations(desk, agents, clock, rng)
    return out


def _label(desk: Desk, sid: str, out: Seeded, label: str) -> None:
    """Label the question as stored (normalised, PII-redacted, in the language the bot detected)."""
    asked = next(t for t in desk.store.transcript(sid) if t.role == "customer")
    out.labels[(asked.text, asked.lang)] = label


def _work_escalations(desk: Desk, agents: Agents, clock: Clock, rng: random.Random) -> None:
    """Agents claim, answer and resolve most escalations, minutes to hours after they came in."""
    for esc in sorted(desk.store.escalations(limit=100_000), key=lambda e: e.created_at):
        if rng.random() < 0.15:
            continue  # still waiting
        agent = AGENTS[rng.randrange(len(AGENTS))]
        clock.now = esc.created_at + rng.uniform(120, 5400)
        agents.claim(esc.escalation_id, agent)
        clock.now += rng.uniform(30, 600)
        agents.reply(esc.session_id, agent, "Thanks for waiting, here is what I found.")
        if rng.random() < 0.8:
            clock.now += rng.uniform(300, 7200)
            agents.resolve(esc.escalation_id, agent)


# A slice of the demo KB small enough to index in a test session (8 articles in five languages).
SUBSET = ("reset-password", "order-status", "refund-timing", "return-policy", "shipping-times-costs",
          "promo-codes", "gift-cards", "change-email", "_out-of-scope")


def copy_demo_subset(articles: Path, out: Path) -> Path:
    """The SUBSET articles of the demo KB folder `articles`, copied to `out` (writable)."""
    for lang in LANGS:
        (out / lang).mkdir(parents=True, exist_ok=True)
        for name in SUBSET:
            shutil.copyfile(articles / lang / f"{name}.md", out / lang / f"{name}.md")
    return out
