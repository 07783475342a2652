"""End to end on real components: a Zendesk import is indexed with the real encoder and answers a
customer; a scheduled sync re-indexes only what changed and switches the index."""

from __future__ import annotations

from pathlib import Path

from bot import Bot
from bot.kb_sync import sync_and_reindex
from indexer import build_index, load_index
from indexer.encoders import Encoder
from kb import Settings, load_kb
from kb.sources import import_source, open_source
from tests.kb.sources.vendors import Article, serve_desk


def test_import_index_answer_then_sync_reindex_reload(tmp_path: Path, encoder: Encoder) -> None:
    with serve_desk("zendesk") as desk:
        settings = Settings(zendesk_url=desk.base, zendesk_email="agent@acme.test",
                            zendesk_token="zd-secret",
                            kb_path=str(tmp_path / "kb"), index_dir=str(tmp_path / "index"),
                            sync_source="zendesk:acme", sync_every=3600, answer_threshold=0.5,
                            suggest_threshold=0.3)
        import_source(open_source("zendesk:acme", settings), settings.kb_path, first=True)
        index, _ = build_index(load_kb(settings.kb_path), settings.index_dir, encoder)
        bot = Bot(index, encoder, settings)
        answer = bot.answer("i forgot my password", "en")
        assert answer.hits[0].article_id == "reset-your-password"
        assert bot.answer("ลืมรหัสผ่าน", "th").hits[0].article_id == "reset-your-password"

        desk.articles.append(Article(106, {"en-us": (
            "Gift cards", "<p>Gift cards never expire. Redeem a gift card code at checkout.</p>", True)}))
        reloads: list[str] = []
        report = sync_and_reindex(settings, encoder, lambda: reloads.append("reload"))
        assert report.summary() == "0 updated, 1 new, 0 removed, 0 failed" and reloads == ["reload"]
        new = load_index(settings.index_dir, encoder.name)
        assert "gift-cards" in new.kb.ids and new.version != index.version
        assert Bot(new, encoder, settings).answer("can i redeem a gift card code", "en").hits[0].article_id \
            == "gift-cards"
        # nothing changed at the source: no index build, no reload
        assert sync_and_reindex(settings, encoder, lambda: reloads.append("reload")).changed == ()
        assert reloads == ["reload"]
        assert load_index(settings.index_dir, encoder.name).version == new.version

        # `faqbot index` after a sync embeds only the changed article's changed texts
        desk.articles[4].versions["en-us"] = ("Shipping times and costs", "<p>Standard delivery now "
                                              "takes 3-6 business days.</p>", True)
        desk.articles[4].updated = "2026-11-05T10:00:00Z"
        assert import_source(open_source("zendesk:acme", settings), settings.kb_path,
                             first=False).summary() == "1 updated, 0 new, 0 removed, 0 failed"
        _, stats = build_index(load_kb(settings.kb_path), settings.index_dir, encoder)
        assert stats.n_changed_articles == 1 and stats.n_embedded == 1  # its one body passage
