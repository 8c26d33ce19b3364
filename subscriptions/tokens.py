"""Signed links stand in for a login: whoever holds one acts for the address it was sent to.

Modelled on GOV.UK's email-alert services:

- A **confirmation** link carries the whole request and works for 7 days (CONFIRM_MAX_AGE).
- A **manage** link works for SUBSCRIPTION_MANAGE_LINK_DAYS (30) and stops working when the
  subscriber unsubscribes from everything; every email carries a fresh one, and anyone can ask
  for a new one by email (it goes to the subscriber's own address).
- An **unsubscribe** link can only stop email, so it keeps working: a person must always be
  able to get out from any email we sent, and a mail client may post it again (RFC 8058).

Links name the subscriber by a random uuid, never the sequential id: even with the signing key,
nobody can make a link for a subscriber whose email they have not seen. The three kinds are
signed with different salts, so one is never accepted as another.
"""

from __future__ import annotations

import datetime
import time
import uuid

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "subscriptions.confirm"
MANAGE_SALT = "subscriptions.manage.v2"
UNSUBSCRIBE_SALT = "subscriptions.unsubscribe.v2"
CONFIRM_MAX_AGE = datetime.timedelta(days=7)


class InvalidToken(Exception):
    """The link was altered, cut short, is too old, or was overtaken by an unsubscribe."""


def manage_link_max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.SUBSCRIPTION_MANAGE_LINK_DAYS)


def issued_at(token_data: dict) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(token_data["at"], tz=datetime.UTC)


def confirm_token_make(request: dict) -> str:
    """A confirmation token carrying the whole request, so nothing is stored before it."""
    return signing.dumps({**request, "at": time.time()}, salt=CONFIRM_SALT, compress=True)


def confirm_token_read(token: str) -> dict:
    try:
        return signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise InvalidToken(str(exc)) from exc


def manage_token_make(subscriber_uuid: uuid.UUID) -> str:
    return signing.dumps({"s": str(subscriber_uuid), "at": time.time()}, salt=MANAGE_SALT)


def manage_token_read(token: str) -> tuple[uuid.UUID, datetime.datetime]:
    """The subscriber's uuid and when the link was made; InvalidToken if it is bad or expired."""
    data = _read(token, MANAGE_SALT)
    if not isinstance(data.get("at"), int | float):
        raise InvalidToken("no date")
    if time.time() - data["at"] > manage_link_max_age().total_seconds():
        raise InvalidToken("expired")
    return _uuid(data), issued_at(data)


def unsubscribe_token_make(subscriber_uuid: uuid.UUID) -> str:
    return signing.dumps({"s": str(subscriber_uuid)}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token_read(token: str) -> uuid.UUID:
    return _uuid(_read(token, UNSUBSCRIBE_SALT))


def _read(token: str, salt: str) -> dict:
    try:
        data = signing.loads(token, salt=salt)
    except signing.BadSignature as exc:
        raise InvalidToken(str(exc)) from exc
    if not isinstance(data, dict):
        raise InvalidToken("not a link of ours")
    return data


def _uuid(data: dict) -> uuid.UUID:
    try:
        return uuid.UUID(str(data["s"]))
    except (KeyError, ValueError) as exc:
        raise InvalidToken("names no subscriber") from exc
