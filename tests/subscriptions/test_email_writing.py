"""Emails are written out (subscriptions.emails: FoldedOnce's headers, Writer's parts) byte for
byte as the stdlib writes the same message under Django's compat32 policy."""

import email
from email.generator import BytesGenerator
from email.policy import compat32
from io import BytesIO

import pytest

from subscriptions.emails import FOLDED_ONCE, Email, Writer

HEADERS = [
    "reader1@example.org",
    "Mon, 07 Dec 2026 19:20:00 -0000",
    "<176512345678.12345.9876543210123456789@dealwatch.example>",
    "x" * 60,
    "x" * 70,  # too long with its name: folded by the stdlib (here, kept as it is)
    "a b" * 40,  # long with spaces: split over lines
    "ends with a space ",
    " starts with a space",
    "two  spaces  inside",
    "tab\tinside",
    "line\nbreak",
    "carriage\rreturn",
    "form\x0cfeed",
    "Adobe / Figma: CMA opened phase 1 → phase 2",
    "Ünïcödé",
    "",
    "<https://dealwatch.example/subscriptions/unsubscribe/eyJ1IjoiYWJjIn0:1vS2aB:abcdefghijklmnop/>",
    "a;b,c" * 30,
]


@pytest.mark.parametrize("value", HEADERS)
@pytest.mark.parametrize("name", ["To", "Subject", "List-Unsubscribe", "Message-ID"])
@pytest.mark.parametrize("linesep", ["\n", "\r\n"])
def test_each_header_is_folded_as_the_stdlib_folds_it(name, value, linesep):
    policy = FOLDED_ONCE.clone(linesep=linesep)
    FOLDED_ONCE.folded.clear()
    assert policy.fold_binary(name, value) == compat32.clone(linesep=linesep).fold_binary(
        name, value
    )


def test_a_short_header_is_written_as_it_is_and_a_long_one_folded():
    """The controls: what is compared above differs between the two kinds."""
    assert FOLDED_ONCE.fold_binary("To", "reader1@example.org") == b"To: reader1@example.org\n"
    assert b"\n " in FOLDED_ONCE.fold_binary("Subject", "a b" * 40)


def written(message, generator) -> bytes:
    out = BytesIO()
    generator(out, mangle_from_=False).flatten(message, linesep="\r\n")
    return out.getvalue()


@pytest.mark.parametrize(
    "text",
    [
        "Plain text.\nTwo lines.\n",
        "No last line break",
        "CRLF\r\nand CR\rand LF\n\n\nand blank lines\n",
        "Long " + "x" * 1200 + "\nquoted-printable, as Django makes a long line\n",
        "Ünïcödé → 8bit\n",
        "\n",
    ],
)
def test_each_message_is_written_as_the_stdlib_writes_it(text):
    message = Email(
        subject="A subject", body=text, from_email="a@example.org", to=["b@example.org"]
    )
    message.attach_alternative(f"<p>{text}</p>", "text/html")
    mime = message.message()
    ours = mime.as_bytes(linesep="\r\n")  # the boundary (random) is made by the first write
    boundary = email.message_from_bytes(ours).get_boundary()
    assert written(mime, BytesGenerator) == ours == written(mime, Writer)
    assert ours.count(f"--{boundary}".encode()) == 3
    # The control: the comparison sees a line ending changed.
    assert mime.as_bytes(linesep="\n") != ours
