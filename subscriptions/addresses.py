"""One mailbox identity: an email address as we send to it, and the inbox it reaches.

Owns what the forms accept as an address, what is stored on a Subscriber, what a confirmation or
manage link is sent to, and the key the per-address rate limits count. All three start from the
same parse, the one the mail is sent with (RFC 5322 by the standard library, as Django's
`sanitize_address` does), so two spellings that reach one inbox cannot count as two:

- the local part is unquoted and unescaped: `"v\\ictim"@example.net` is `victim@example.net`;
  one that still needs quotes after that (spaces, `..`, `@`…), or that is not ASCII, is refused;
- the domain is lower-cased and an IDN is written in punycode (`idna` codec, as Django sends it):
  `victim@exämple.net` is `victim@xn--exmple-cua.net`;
- an address literal (`victim@[127.0.0.1]`) is refused: we write to names, not to hosts.

The forms take only such plain addresses. Services given an address by code (a task queued
earlier, a stored subscriber) use `stored_form`, which also finds and writes to an address
stored before this parse existed, except an address literal, which nothing writes to.

Case of the local part: RFC 5321 lets a server tell `Victim@` from `victim@`, but no provider we
know of does, and we have always stored addresses in lower case; `normalise_email` keeps doing
so. The limit key (`mailbox`) is lower case too, and drops `+tags` and Gmail's dots.
"""

from __future__ import annotations

import re
from email.errors import HeaderParseError, NonASCIILocalPartDefect
from email.headerregistry import Address

__all__ = [
    "DOTS_IGNORED",
    "AddressLiteral",
    "NotAMailbox",
    "address_as_sent",
    "mailbox",
    "normalise_email",
    "stored_form",
]

# RFC 5322 dot-atom of printable ASCII: a local part that needs no quotes.
DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
LOCAL_PART_MAX = 64  # RFC 5321 4.5.3.1.1
ADDRESS_MAX = 254  # RFC 5321 4.5.3.1.3 less the angle brackets; Subscriber.email's max_length

INVALID = "Enter a valid email address."
LITERAL = "Enter an address with a domain name (…@example.org), not an IP address."
QUOTED = (
    "Enter the address without quotes, spaces or accents before the @ (most addresses look "
    "like name@example.org)."
)


class NotAMailbox(ValueError):
    """Not a plain `local@domain` address; the message says why, in words for a form."""


class AddressLiteral(NotAMailbox):
    """`local@[127.0.0.1]`: names a host, not a mailbox; never written to."""


def address_as_sent(email: str) -> str:
    """`email` as it goes into the To header: unquoted local part, punycode domain in lower case.

    Raises NotAMailbox for anything that is not a plain `local@domain`: a display name or a
    second address, an address literal, a local part that needs quotes or is not ASCII, a
    domain the `idna` codec cannot encode, or a result longer than the RFC allows.
    """
    try:
        address = Address(addr_spec=email.strip())
    except NonASCIILocalPartDefect as exc:
        raise NotAMailbox(QUOTED) from exc
    except (HeaderParseError, ValueError, IndexError, TypeError) as exc:
        # ValueError covers the parser's defects (MessageDefect) and text after the address.
        raise NotAMailbox(INVALID) from exc
    local, domain = address.username, address.domain
    if not local or not domain:
        raise NotAMailbox(INVALID)
    if domain.startswith("["):
        raise AddressLiteral(LITERAL)
    if not DOT_ATOM.match(local):
        raise NotAMailbox(QUOTED)
    try:
        domain = domain.lower().encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise NotAMailbox(INVALID) from exc
    if not domain or domain.startswith(".") or ".." in domain or domain.endswith("."):
        raise NotAMailbox(INVALID)
    sent = f"{local}@{domain}"
    if len(local) > LOCAL_PART_MAX or len(sent) > ADDRESS_MAX:
        raise NotAMailbox(f"Ensure this value has at most {ADDRESS_MAX} characters.")
    return sent


def normalise_email(email: str) -> str:
    """The address a Subscriber is stored and found under: as sent, in lower case.

    Raises NotAMailbox as address_as_sent. Addresses stored before this parse existed were
    rewritten by migration 0005 (subscriptions/migrations)."""
    return address_as_sent(email).lower()


def stored_form(email: str) -> str:
    """The form to find and write to an address that may have been stored before this parse.

    normalise_email when the address parses. One that does not, but was a valid address before
    (a local part that needs quotes, such as `"john smith"@example.org`), keeps the old
    normalisation, stripped and in lower case, so its subscriber is still found and written to
    as before; the forms no longer take such addresses. An address literal raises AddressLiteral
    whatever its age: it is never written to."""
    try:
        return normalise_email(email)
    except AddressLiteral:
        raise
    except NotAMailbox:
        old = email.strip().lower()
        if "[" in old.rpartition("@")[2]:  # a literal the parse did not get as far as
            raise AddressLiteral(LITERAL) from None
        return old


# Providers that deliver every spelling of a mailbox to the same inbox.
DOTS_IGNORED = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox(email: str) -> str:
    """The inbox an address reaches, for counting requests: the address as sent, in lower case,
    with any +tag dropped (victim+1@example.org is victim@example.org) and, at Gmail, without
    dots (v.ictim@googlemail.com is victim@gmail.com). Only for limits: the address is stored
    and written to as normalise_email gives it. Raises NotAMailbox as address_as_sent."""
    local, _, domain = normalise_email(email).rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTS_IGNORED:
        local, domain = local.replace(".", ""), DOTS_IGNORED[domain]
    return f"{local}@{domain}"
