"""Every public page tells the browser what it may do: a Content-Security-Policy without inline
script, a Permissions-Policy, and (with DEBUG=0) a year of HSTS over secure cookies."""

import json
import os
import re
import subprocess
import sys

import pytest

from tests import REPO_ROOT
from tests.factories import CompanyFactory, DealFactory, EventFactory, InquiryFactory
from tests.site.test_settings import GOOD_KEY

ROOT = REPO_ROOT


def production_settings(**env) -> dict:
    """Settings as `DEBUG=0` production computes them from the environment."""
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environment.update(
        {"DEBUG": "0", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "dealwatch.example", **env}
    )
    names = [
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        "CONTENT_SECURITY_POLICY",
        "PERMISSIONS_POLICY",
    ]
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "tracker.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production():
    return production_settings()


def test_production_sends_hsts_for_a_year_with_subdomains(production):
    assert production["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_cookies_stay_secure_when_a_proxy_ends_tls_and_redirects_for_us():
    proxied = production_settings(SECURE_SSL_REDIRECT="0")
    assert proxied["SECURE_SSL_REDIRECT"] is False
    assert proxied["SESSION_COOKIE_SECURE"] is True and proxied["CSRF_COOKIE_SECURE"] is True


@pytest.fixture
def public_pages(db):
    deal = DealFactory(title="Adobe / Figma")
    inquiry = InquiryFactory(deal=deal, reference="M.10506")
    company = CompanyFactory(name="Figma")
    EventFactory(deal=deal, inquiry=inquiry)
    return [
        "/deals/",
        "/deals/?q=figma",
        deal.get_absolute_url(),
        "/inquiries/",
        "/companies/",
        company.get_absolute_url(),
        "/regulators/",
        inquiry.regulator.get_absolute_url(),
        "/deadlines/",
        "/sources/",
        "/feed/",
        f"/deals/{deal.slug}/feed/",
        "/subscriptions/subscribe/check-your-email/",
        "/subscriptions/manage/not-a-token/",
        "/robots.txt",
        "/no-such-page/",
        "/admin/login/",
    ]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_every_public_page_carries_csp_hsts_and_permissions_policy(
    client, settings, production, public_pages
):
    # The production values, as DEBUG=0 computes them, on secure requests (HSTS is only ever
    # sent over HTTPS; behind the proxy the request says so in X-Forwarded-Proto).
    for name in ("SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS"):
        setattr(settings, name, production[name])
    for path in public_pages:
        response = client.get(path, secure=True)
        assert response.status_code in (200, 400, 404), path
        csp = directives(response["Content-Security-Policy"])
        assert csp["script-src"] == ["'self'"], path
        assert csp["style-src"] == ["'self'"], path
        assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"], path
        assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'self'"], path
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], path
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        policy = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "browsing-topics=()"):
            assert feature in policy, path


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)


def test_no_page_template_relies_on_inline_script_or_style_which_the_policy_blocks():
    # Emails are not pages: mail clients need inline styles and never apply the site's CSP.
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for directory in TEMPLATE_DIRS
        for path in directory.rglob("*.html")
        if "emails" not in path.parts
        for match in INLINE.finditer(path.read_text())
    ]
    assert offenders == []
