"""The client's IP address, as the subscribe rate limits and the admin's lock-outs count it."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address our own proxies saw when the site runs behind them.

    Behind TRUSTED_PROXY_COUNT proxies the client is the Nth address from the right of
    X-Forwarded-For: the ones further left are whatever the client chose to send.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [ip.strip() for ip in request.headers.get("x-forwarded-for", "").split(",")]
    if proxies and len(forwarded) >= proxies and forwarded[-proxies]:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
