"""What may become a link: an absolute http or https address with a host, nothing else.

Addresses come from regulators' feeds and pages, from editors and from old data. A `javascript:`
or `data:` address written into `href` runs in the reader's browser, so every address is checked
where records enter (ingest, the admin's forms) and again where it is written out (the
`safe_href` template filter, emails, feeds), whatever is stored.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.validators import URLValidator

LINK_SCHEMES = ("http", "https")

# For forms: an editor gets "Enter a valid URL." for anything but http and https.
validate_http_url = URLValidator(schemes=list(LINK_SCHEMES))


def http_url(value: str | None) -> str:
    """`value` when it is an absolute http(s) address with a host; "" for anything else.

    Browsers ignore control characters, tabs and newlines inside a scheme ("java\\tscript:"),
    so an address holding any of them is refused outright rather than cleaned.
    """
    if not value or any(ord(char) < 0x21 or char == "\x7f" for char in value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:  # an unbalanced IPv6 bracket and the like
        return ""
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return ""
    return value


def http_url_on(value: str | None, hosts: frozenset[str]) -> str:
    """`value` when it is an http(s) address on one of `hosts`; "" for anything else."""
    url = http_url(value)
    return url if url and (urlsplit(url).hostname or "").lower() in hosts else ""
