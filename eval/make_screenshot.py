"""Re-make the README's screenshot (docs/screenshot.png) from the real app over the demo library.

    .venv/bin/python eval/make_screenshot.py [--index demo] [--out docs/screenshot.png]

Serves the chat on a free loopback port, asks in Debian's Chromium (through Playwright) what the Second
Circuit held about qualified immunity in Pena, opens the answer's first citation in the viewer, and
saves the page.
"""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHROMIUM = "/usr/bin/chromium"
QUESTIONS = ("What did the Second Circuit hold about qualified immunity for the officers in Pena?",)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="demo")
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"make_screenshot: {CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    from qa_bot.library import Library
    from qa_bot.web.app import build_app, launch_kwargs

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    lib = Library.open(args.index)
    app = build_app(lib)
    app.queue()
    app.launch(prevent_thread_lock=True, quiet=True, **launch_kwargs("127.0.0.1", port, 20, None))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                         "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("#qa-question textarea")
            for q in QUESTIONS:
                n = page.locator("#qa-chat .qa-bot").count()
                page.fill("#qa-question textarea", q)
                page.click("#qa-ask")
                page.wait_for_function(
                    "n => { const m = document.querySelectorAll('#qa-chat .qa-bot'); return m.length > n && "
                    "!m[m.length - 1].querySelector('.qa-pending'); }", arg=n, timeout=300_000)
            page.locator("#qa-chat .qa-bot").last.locator("a.qa-cite").first.click()
            page.wait_for_selector("#qa-viewer #qv-target")
            page.wait_for_timeout(800)
            page.screenshot(path=args.out)
            browser.close()
    finally:
        app.close()
        lib.close()
    print(f"screenshot written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
