"""In a real browser (Debian's Chromium driven by Playwright), as an analyst on a phone would."""

import os

import pytest

from deals.vocabulary import DealType, Outcome, PartyRole, Stage
from tests.browser import CHROMIUM  # noqa: F401  (skips this module without Chromium)
from tests.factories import (
    CompanyFactory,
    DealFactory,
    EventFactory,
    InquiryFactory,
    PartyFactory,
    RegulatorFactory,
    cma,
)

# serialized_rollback: the flush after a transactional test drops the seeded regulators.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# Tests ask for their data before `browser_page` (tests/browser.py says why).
@pytest.fixture
def browser_page(browser):
    return browser.new_page(viewport={"width": 390, "height": 844})


@pytest.fixture
def mistral():
    deal = DealFactory(title="Microsoft / Mistral AI", deal_type=DealType.PARTNERSHIP)
    PartyFactory(deal=deal, company=CompanyFactory(name="Microsoft"), role=PartyRole.INVESTOR)
    PartyFactory(deal=deal, company=CompanyFactory(name="Mistral AI"), role=PartyRole.PARTNER)
    InquiryFactory(deal=deal, regulator=RegulatorFactory(), stage=Stage.INFORMAL, reference="")
    decided = InquiryFactory(
        deal=deal, regulator=cma(), stage=Stage.PHASE_1, outcome=Outcome.NOT_QUALIFYING
    )
    EventFactory(deal=None, inquiry=decided, title="Does not qualify for investigation")
    DealFactory(title="Adobe / Figma")
    return deal


def test_an_analyst_on_a_phone_searches_and_opens_a_deal(live_server, mistral, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/deals/")
    assert page.get_by_role("link", name="Adobe / Figma").is_visible()

    # On a phone the filters are folded away until asked for.
    assert not page.get_by_label("Search", exact=True).is_visible()
    page.get_by_text("Filter deals").click()
    page.get_by_label("Search", exact=True).fill("mistral")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/deals/?q=mistral*")
    assert page.get_by_role("link", name="Adobe / Figma").count() == 0

    page.get_by_role("link", name="Microsoft / Mistral AI").click()
    page.wait_for_url(f"**{mistral.get_absolute_url()}")
    inquiries = page.locator("#inquiries-heading + table")
    assert inquiries.get_by_title("European Commission").is_visible()
    assert inquiries.get_by_title("Competition and Markets Authority").is_visible()
    assert page.get_by_text("Does not qualify for investigation").is_visible()
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_bad_date_shows_the_forms_error_in_the_browser(live_server, mistral, browser_page):
    browser_page.goto(f"{live_server.url}/deals/?announced_after=2024-13-45")
    assert browser_page.get_by_role("alert").is_visible()
    assert "Enter a valid date" in browser_page.get_by_role("alert").inner_text()


def test_the_content_security_policy_blocks_nothing_the_site_itself_needs(
    live_server, mistral, browser_page, django_user_model
):
    django_user_model.objects.create_superuser("root", "root@example.org", "pw-root-123")
    violations = []
    browser_page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page = browser_page
    for path in ["/deals/", mistral.get_absolute_url(), "/no-such-page/"]:
        page.goto(f"{live_server.url}{path}")
    # The filter script ran: on a phone it folds the filters away.
    page.goto(f"{live_server.url}/deals/")
    assert not page.get_by_label("Search", exact=True).is_visible()
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("pw-root-123")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/deals/deal/{mistral.pk}/change/")
    assert page.get_by_role("button", name="Save", exact=True).count() == 1
    assert violations == []


@pytest.fixture
def microsoft_deals():
    microsoft = CompanyFactory(name="Microsoft", slug="microsoft", ticker="MSFT")
    for title, outcome in (("Microsoft / Mistral AI", Outcome.NOT_QUALIFYING),
                           ("Microsoft / Inflection AI", Outcome.CLEARED)):  # fmt: skip
        deal = DealFactory(title=title, deal_type=DealType.PARTNERSHIP)
        PartyFactory(deal=deal, company=microsoft, role=PartyRole.INVESTOR)
        InquiryFactory(deal=deal, regulator=cma(), stage=Stage.CLOSED, outcome=outcome)
    DealFactory(title="Adobe / Figma")


SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")  # e.g. docs/screenshots, to keep them


@pytest.mark.parametrize("width", [390, 1366])
def test_every_active_filter_is_a_removable_chip_at_any_width(
    live_server, microsoft_deals, browser_page, width, tmp_path
):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/deals/?q=microsoft&status=cleared&regulator=cma&company=MSFT")
    chips = page.locator(".filter-chip")
    assert chips.count() == 4
    for n in range(4):
        assert chips.nth(n).is_visible()
    shown = [" ".join(chips.nth(n).inner_text().split()) for n in range(4)]
    assert [text.split(" ×")[0] for text in shown] == [
        "Search: “microsoft”",
        "Company: Microsoft",
        "Regulator: Competition and Markets Authority",
        "Status: Cleared",
    ]
    # On a phone the filter form is folded, and the chips still say what is filtered.
    assert page.get_by_label("Search", exact=True).is_visible() == (width > 760)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    folder = SCREENSHOTS or tmp_path
    page.screenshot(path=f"{folder}/chips-{width}.png", full_page=False)

    page.get_by_role("link", name="Status: Cleared").click()
    page.wait_for_url("**/deals/?q=microsoft&regulator=cma&company=MSFT")
    assert page.locator(".filter-chip").count() == 3
    assert page.get_by_role("link", name="Microsoft / Mistral AI").is_visible()


def test_the_company_box_suggests_names_and_takes_what_was_typed(
    live_server, microsoft_deals, browser_page
):
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/deals/")
    box = page.get_by_label("Company")
    box.press_sequentially("Micr", delay=50)
    # A locator wait, not wait_for_function: the page's CSP forbids evaluating strings.
    page.locator("#company-suggestions option").first.wait_for(state="attached", timeout=5000)
    assert page.locator("#company-suggestions option").first.get_attribute("value") == "Microsoft"
    box.fill("Microsoft")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**company=Microsoft*")
    assert page.get_by_role("link", name="Microsoft / Inflection AI").is_visible()
    assert page.get_by_role("link", name="Adobe / Figma").count() == 0


def test_a_column_heading_sorts_the_list(live_server, microsoft_deals, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/deals/?company=microsoft")
    heading = page.locator("table.deals thead a.sort").first
    heading.click()
    page.wait_for_url("**sort=name*")
    first = page.locator("table.deals tbody tr th a").first
    assert first.inner_text() == "Microsoft / Inflection AI"
    page.locator("table.deals thead a.sort").first.click()
    page.wait_for_url("**sort=-name*")
    assert page.locator("table.deals tbody tr th a").first.inner_text() == "Microsoft / Mistral AI"
