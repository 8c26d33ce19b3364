"""The one helper that turns a template name into an email.

Each email is three templates in templates/emails/: <name>-subject.txt, <name>-body-text.txt and
<name>-body-html.html. The subject is squeezed to one line so nothing can add a header. The HTML
parts extend emails/base.html, whose stylesheet is inlined into style attributes (css-inline),
since many mail clients drop <style> blocks.

A digest's cards (one per deal) are their own templates, digest-card-body-html.html and
digest-card-body-text.txt, rendered by `digest_cards`: a deal's card is the same for every
subscriber who gets the same news of it, so a run renders it once and pastes it into each email.
Its HTML is inlined once too, on its own (`inlined_once`): each email inlines only the rest of
its document, the cards put in after (email_make's `inlined`).

`BatchConnection` sends a batch of emails over one SMTP connection.

`Email` is Django's EmailMultiAlternatives whose MIME headers the stdlib folds once per
distinct header: most of them (each part's Content-Type, MIME-Version and
Content-Transfer-Encoding, From, List-Unsubscribe-Post) are the same in every email. Its message
is written out by `Writer`: the stdlib's BytesGenerator, each part's lines written at once.
"""

from __future__ import annotations

import contextlib
import functools
import random
import re
import smtplib
import sys
from email.generator import NLCRE, BytesGenerator
from email.policy import Compat32
from io import BytesIO

import css_inline
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.message import SafeMIMEMultipart, SafeMIMEText
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe

from .digest import DigestGroup, one_line

# Nothing is fetched: the only stylesheet is the one in the template.
INLINER = css_inline.CSSInliner(load_remote_stylesheets=False)
# Cards a run keeps rendered (an HTML and a text part, a few kB each); past this the store starts
# again, which costs only renders.
CARDS_KEPT = 20_000


def digest_cards(
    groups: list[DigestGroup], *, kept: dict[str, tuple[str, str]] | None = None
) -> tuple[list[str], list[str]]:
    """Each group's card, as HTML (its styles inlined: email_make's `inlined`) and as text, for
    digest-body-html.html and -text.txt.

    `kept`: the cards already rendered this run (DigestShared.cards), added to here. A card is
    keyed by everything it shows (the group's repr: title, links, each change with its cause,
    each jurisdiction's line and whether it changed, each entry), so two subscribers share a
    card only when it says the same thing to both, byte for byte."""
    kept = {} if kept is None else kept
    html, text = [], []
    for group in groups:
        key = repr(group)
        card = kept.get(key)
        if card is None:
            if len(kept) >= CARDS_KEPT:
                kept.clear()
            context = {"group": group}
            card = kept[key] = (
                inlined_once(render_to_string("emails/digest-card-body-html.html", context)),
                render_to_string("emails/digest-card-body-text.txt", context),
            )
        html.append(card[0])
        text.append(card[1])
    return html, text


# Where a part inlined on its own goes in its document (email_make's `inlined`): an HTML
# comment, which the inliner writes out as it is and which no text of the document can be (the
# template escapes "<").
PART = "<!--dealwatch:inlined-part-->"


def inlined_once(part: str) -> str:
    """A part of an email's HTML (a digest's card) with the emails' stylesheet inlined into it,
    byte for byte as inlining its whole document writes it: each of the stylesheet's rules has
    one selector of one element (a tag, a class), so an element's style does not depend on
    where it stands, and the parser and the writer treat a part in a body as in the document."""
    return INLINER.inline_fragment(part, stylesheet())


def stylesheet() -> str:
    """The emails' stylesheet: the <style> of emails/base.html."""
    return _style_of(get_template("emails/base.html").template.source)


@functools.lru_cache(maxsize=4)
def _style_of(source: str) -> str:
    return re.search(r"<style>(.*?)</style>", source, re.DOTALL).group(1)


def _parts_put(html: str, parts: list[str]) -> str:
    """The document inlined with a PART for each of `parts`, each put in its place."""
    pieces = html.split(PART)
    if len(pieces) != len(parts) + 1:
        raise ValueError(f"{len(pieces) - 1} places for {len(parts)} parts inlined on their own")
    out = [pieces[0]]
    for part, piece in zip(parts, pieces[1:], strict=True):
        out += (part, piece)
    return "".join(out)


class FoldedOnce(Compat32):
    """The policy of Django's MIME messages (compat32), folding each distinct header once:
    the stdlib's own folding of a header, kept by name, value and how it was folded. Folding a
    header is most of what writing a message out costs.

    A header that is one line of printable ASCII, short enough, with no space at either end
    (an address, the date, the Message-ID) is not folded: compat32 writes it as it is, and so
    does this, without the stdlib's folding machinery or a place in the store."""

    KEPT = 1_000  # distinct headers kept; past this the store starts again

    folded: dict[tuple, bytes] = {}

    def fold_binary(self, name, value):
        if not isinstance(value, str):  # an email.header.Header: folded as ever
            return super().fold_binary(name, value)
        if self._one_line(name, value):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        key = (name, value, self.linesep, self.max_line_length, self.cte_type)
        folded = self.folded.get(key)
        if folded is None:
            if len(self.folded) >= self.KEPT:
                self.folded.clear()
            folded = self.folded[key] = super().fold_binary(name, value)
        return folded

    def _one_line(self, name: str, value: str) -> bool:
        """Whether compat32 writes `name: value` on one line as it is: printable ASCII (no line
        break, nothing to encode), no space at either end (its folding drops a last space),
        within the line length."""
        return (
            bool(value)
            and value.isascii()
            and value.isprintable()
            and value[0] != " "
            and value[-1] != " "
            and bool(self.max_line_length)
            and len(name) + 2 + len(value) <= self.max_line_length
        )


FOLDED_ONCE = FoldedOnce()


class Writer(BytesGenerator):
    """The stdlib's BytesGenerator, byte for byte, for less: a part's lines are written in one
    go (the stdlib writes each line and each line ending on its own), and the boundary between
    the parts is checked against them with a search for it instead of a regular expression
    compiled for each message (a boundary is random: any one absent from the parts will do)."""

    def _write_lines(self, lines):
        if lines:  # the stdlib's: each line ending made self._NL
            self.write(NLCRE.sub(self._NL, lines))

    DIGITS = len(repr(sys.maxsize - 1))  # the stdlib's width of a boundary's number

    @classmethod
    def _make_boundary(cls, text=None):
        while True:  # made as the stdlib makes one
            boundary = f"{'=' * 15}{random.randrange(sys.maxsize):0{cls.DIGITS}d}=="
            if text is None or b"--" + boundary.encode("ascii") not in text:
                return boundary


class WrittenByWriter:
    """A MIME message whose as_bytes (what the SMTP backend sends) is Writer's."""

    def as_bytes(self, unixfrom=False, linesep="\n"):
        out = BytesIO()
        Writer(out, mangle_from_=False).flatten(self, unixfrom=unixfrom, linesep=linesep)
        return out.getvalue()


class Multipart(WrittenByWriter, SafeMIMEMultipart):
    pass


class Text(WrittenByWriter, SafeMIMEText):
    pass


WRITTEN = {SafeMIMEMultipart: Multipart, SafeMIMEText: Text}


class Email(EmailMultiAlternatives):
    """Django's email with alternatives, its MIME message (and each part) under FoldedOnce and
    written out by Writer: byte for byte what EmailMultiAlternatives writes, for less."""

    def message(self):
        message = super().message()
        for part in message.walk():
            part.policy = FOLDED_ONCE
        # The same message, as_bytes by Writer (the class adds nothing else).
        message.__class__ = WRITTEN.get(type(message), type(message))
        return message


def email_make(
    name: str,
    context: dict,
    *,
    to: str,
    headers: dict[str, str] | None = None,
    inlined: tuple[str, list[str]] | None = None,
) -> Email:
    """`inlined`: (a name in the HTML template's context, a list of parts of the HTML already
    inlined: inlined_once). The template renders a PART for each; the document is inlined
    without them, then each put in its place."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = one_line(render_to_string(f"emails/{name}-subject.txt", context))
    text = render_to_string(f"emails/{name}-body-text.txt", context)
    if inlined is None:
        html = INLINER.inline(render_to_string(f"emails/{name}-body-html.html", context))
    else:
        key, parts = inlined
        html_context = {**context, key: [mark_safe(PART)] * len(parts)}
        html = INLINER.inline(render_to_string(f"emails/{name}-body-html.html", html_context))
        html = _parts_put(html, parts)
    message = Email(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message


def dropped(exc: Exception) -> bool:
    """Whether sending failed because the server closed the connection: its reply is missing
    (SMTPServerDisconnected), the socket is gone (reset, broken pipe), or it said so first with
    421 ("closing transmission channel", as servers do at their limit of messages per
    connection)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421
    return isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError)


class BatchConnection:
    """One SMTP connection for a batch of emails: opened for the first, kept for the rest
    (each email over a connection of its own would cost a TCP handshake, EHLO, STARTTLS and AUTH),
    closed at the end. A failure closes it; the next email opens a fresh one.

    `reused`: whether the open connection has already carried an email, so that a failure on
    it may just be the server having closed it meanwhile (an idle timeout, a limit of messages
    per connection) rather than anything about the email being sent."""

    def __init__(self):
        self.connection = get_connection()
        self.carried = 0  # emails the open connection has carried

    @property
    def reused(self) -> bool:
        return self.carried > 0

    def send(self, message: EmailMessage) -> None:
        """Send over the open connection, opening one if none is; raises what sending raised,
        with the connection closed."""
        try:
            self.connection.open()
            self.connection.send_messages([message])
        except BaseException:
            self.close()
            raise
        self.carried += 1

    def close(self) -> None:
        """Close the connection, quietly: a dropped one cannot say goodbye."""
        self.carried = 0
        with contextlib.suppress(Exception):
            self.connection.close()

    def __enter__(self) -> BatchConnection:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
