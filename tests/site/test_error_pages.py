"""What a visitor sees when something is missing or broken, and what a browser or a crawler
asks for on every site: the page in the site's layout, a favicon, robots.txt."""

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def assert_in_the_sites_layout(page):
    assert '<nav aria-label="Main">' in page and 'href="/deals/"' in page and "Sources" in page


def test_a_missing_page_is_a_404_in_the_sites_layout_with_a_way_on(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert_in_the_sites_layout(response.text)


def test_a_missing_deal_says_so_in_the_sites_layout(client):
    response = client.get("/deals/no-such-deal/")
    assert response.status_code == 404 and "Page not found" in response.text


def test_a_failure_is_a_500_in_the_sites_layout_without_internal_details(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.urls_that_fail"
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "database said" not in response.text and "RuntimeError" not in response.text
    assert_in_the_sites_layout(response.text)


def test_every_page_names_a_favicon_that_exists_and_favicon_ico_leads_to_it(client):
    page = client.get("/deals/").text
    assert 'rel="icon"' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.ico")
    assert finders.find("favicon.ico") and finders.find("favicon.svg")


def test_robots_txt_keeps_crawlers_out_of_the_admin_and_personal_links(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    for path in ("/admin/", "/subscriptions/", "/deals/export.csv"):
        assert f"Disallow: {path}" in lines
