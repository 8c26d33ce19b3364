"""Take the README screenshots from a running site (make run), in Debian's Chromium.

    .venv/bin/python scripts/screenshot.py [http://127.0.0.1:8000] [out-dir]

Writes deal-list.png (desktop, search "mistral"), deal.png (the Microsoft / Mistral AI page),
phone.png (the deal page 390 px wide), screenshot.png (the top of the deal page, for the
README), and finder-1366.png and finder-390.png (a filtered list with its chips).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "docs")
FINDER = "/deals/?company=Microsoft&jurisdiction=UK&status=cleared&status=not_reviewable&sort=name"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        desktop = browser.new_page(viewport={"width": 1280, "height": 800})
        desktop.goto(f"{BASE}/deals/?q=mistral")
        desktop.screenshot(path=OUT / "deal-list.png")
        desktop.get_by_role("link", name="Microsoft / Mistral AI").first.click()
        desktop.wait_for_load_state()
        desktop.screenshot(path=OUT / "deal.png", full_page=True)
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.goto(desktop.url)
        phone.screenshot(path=OUT / "phone.png", full_page=True)
        desktop.set_viewport_size({"width": 1280, "height": 1000})
        desktop.screenshot(path=OUT / "screenshot.png")
        for width in (1366, 390):
            finder = browser.new_page(viewport={"width": width, "height": 900})
            finder.goto(f"{BASE}{FINDER}")
            finder.screenshot(path=OUT / f"finder-{width}.png")
        browser.close()
    print(f"screenshots written to {OUT}/")


if __name__ == "__main__":
    main()
