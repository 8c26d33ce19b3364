"""Signed links: the confirmation link (expires) and the manage/unsubscribe link (does not).

No login: whoever holds the link acts for the address it was sent to, which is the point.
"""

from __future__ import annotations

import datetime
import time

from django.core import signing

CONFIRM_SALT = "subscriptions.confirm"
MANAGE_SALT = "subscriptions.manage"
CONFIRM_MAX_AGE = datetime.timedelta(days=7)


class InvalidToken(Exception):
    """The link was altered, cut short, or (for a confirmation) is more than 7 days old."""


def confirm_token_make(request: dict) -> str:
    """A confirmation token carrying the whole request, so nothing is stored before it."""
    return signing.dumps({**request, "at": time.time()}, salt=CONFIRM_SALT, compress=True)


def confirm_token_read(token: str) -> dict:
    try:
        return signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise InvalidToken(str(exc)) from exc


def manage_token_make(subscriber_id: int) -> str:
    return signing.Signer(salt=MANAGE_SALT).sign(str(subscriber_id))


def manage_token_read(token: str) -> int:
    try:
        return int(signing.Signer(salt=MANAGE_SALT).unsign(token))
    except (signing.BadSignature, ValueError) as exc:
        raise InvalidToken(str(exc)) from exc
