"""The charts and new pages in a real browser (Debian's Chromium), at a phone's and a laptop's
width, with axe-core checking accessibility. Screenshots go to $DEALWATCH_SCREENSHOTS, or to the
test's temporary directory."""

import os

import pytest
from django.core.management import call_command

from tests.browser import no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTHS = (390, 1366)


@pytest.fixture
def demo():
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_a_deal_page_shows_one_lane_per_jurisdiction_at_390_and_1366_px(
    live_server, demo, browser, shots
):
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{live_server.url}/deals/microsoft-activision-blizzard/")
        chart = page.locator("svg.timeline-chart")
        assert chart.is_visible()
        lanes = chart.locator(".lane-name").evaluate_all("els => els.map(e => e.textContent)")
        assert lanes[0] == "Deal" and sorted(lanes[1:]) == ["CMA", "EC", "FTC"]
        box = chart.bounding_box()
        assert box["width"] <= width and box["height"] > 100
        # The chart sits above the event list, and nothing sticks out sideways.
        assert box["y"] < page.locator("#timeline-heading").bounding_box()["y"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # Labels keep their size: 12 px text at any width.
        size = chart.locator(".tick-label").first.evaluate("e => getComputedStyle(e).fontSize")
        assert size == "12px"
        page.locator(".chart-box").screenshot(path=shots / f"timeline-chart-{width}.png")
        page.get_by_text("The chart in words").click()
        assert page.locator(".chart-text table").is_visible()
        page.screenshot(path=shots / f"deal-{width}.png", full_page=True)
        no_axe_violations(page)
        page.close()


def test_the_front_page_deadlines_and_figures_pass_axe_at_both_widths(
    live_server, demo, browser, shots
):
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        for path, name in (("/", "home"), ("/deadlines/", "deadlines"), ("/stats/", "stats")):
            page.goto(f"{live_server.url}{path}")
            assert page.locator("h1").is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=shots / f"{name}-{width}.png", full_page=True)
            no_axe_violations(page)
        page.close()
