"""One mailbox identity: the per-address limits, the subscriber an address finds and the
address mail goes to all come from the address parsed as it is sent (subscriptions/addresses.py).
"""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.mail.message import sanitize_address

from subscriptions.addresses import (
    AddressLiteral,
    NotAMailbox,
    address_as_sent,
    mailbox,
    normalise_email,
)
from subscriptions.models import Subscriber
from subscriptions.services import manage_link_send, subscription_request
from subscriptions.tokens import confirm_token_make
from tests.factories import DealFactory, SubscriberFactory, SubscriptionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

QUOTED_VICTIM = r'"v\ictim4"@example.net'  # the quoted, escaped spelling of victim4@example.net
IDN, PUNYCODE = "victim@exämple.net", "victim@xn--exmple-cua.net"


def quoted_spellings_of_victim4() -> list[str]:
    """Twelve different quoted spellings of victim4@example.net: one escape moved along, then
    two; each is a new string, and used to be a new limit key."""
    local = "victim4"
    one = [f'"{local[:i]}\\{local[i:]}"@example.net' for i in range(len(local))]
    two = [f'"{local[:i]}\\{local[i]}\\{local[i + 1 :]}"@example.net' for i in range(4)]
    return ['"victim4"@example.net', *one, *two]


def subscribe(client, email: str, deal, ip: str):
    return client.post(
        "/subscriptions/subscribe/",
        {"email": email, "frequency": "daily", "target": "deal", "deal": deal.pk},
        REMOTE_ADDR=ip,
    )


def ask_for_manage_link(client, email: str, ip: str = "10.9.9.9"):
    return client.post("/subscriptions/manage/", {"email": email}, REMOTE_ADDR=ip)


def confirm_link_in(message) -> str:
    url = re.search(r"https?://\S+/subscriptions/confirm/\S+/", message.body)[0]
    return url[url.index("/subscriptions/") :]


def recipients() -> list[str]:
    return [address for message in mail.outbox for address in message.to]


# --- The finding: quoted local parts passed the per-address limit ---------------------------


def test_five_plain_and_twelve_quoted_requests_send_at_most_five_confirmations(client, settings):
    settings.SUBSCRIBE_LIMIT_PER_ADDRESS = 5
    deal = DealFactory()
    quoted = quoted_spellings_of_victim4()
    assert len(set(quoted)) == 12 and QUOTED_VICTIM in quoted
    spellings = ["victim4@example.net"] * 5 + quoted
    answers = [
        subscribe(client, email, deal, ip=f"10.4.{i}.1").status_code
        for i, email in enumerate(spellings)
    ]
    assert set(answers) == {302}  # the answer never tells the limit was reached
    assert len(mail.outbox) == 5
    assert set(recipients()) == {"victim4@example.net"}


def test_quotes_and_escapes_count_for_the_manage_link_form_too(client, settings):
    settings.SUBSCRIBE_LIMIT_PER_ADDRESS = 2
    SubscriptionFactory(subscriber__email="victim4@example.net")
    for i, email in enumerate(["victim4@example.net", QUOTED_VICTIM, '"victim4"@example.net']):
        ask_for_manage_link(client, email, ip=f"10.5.{i}.1")
    assert recipients() == ["victim4@example.net"] * 2


# --- IDN and punycode are one mailbox --------------------------------------------------------


def test_idn_and_punycode_spellings_share_the_limit(client, settings):
    settings.SUBSCRIBE_LIMIT_PER_ADDRESS = 2
    deal = DealFactory()
    for i, email in enumerate([IDN, PUNYCODE, "victim@EXÄMPLE.net", "Victim@XN--EXMPLE-CUA.NET"]):
        subscribe(client, email, deal, ip=f"10.6.{i}.1")
    assert recipients() == [PUNYCODE, PUNYCODE]


def test_idn_and_punycode_spellings_are_one_subscriber(client, settings):
    first, second = DealFactory(), DealFactory()
    subscribe(client, IDN, first, ip="10.7.0.1")
    subscribe(client, PUNYCODE, second, ip="10.7.0.2")
    for message in mail.outbox:
        client.post(confirm_link_in(message))

    subscriber = Subscriber.objects.get()
    assert subscriber.email == PUNYCODE
    assert {s.deal_id for s in subscriber.subscriptions.active()} == {first.pk, second.pk}

    mail.outbox.clear()
    ask_for_manage_link(client, IDN)
    assert recipients() == [PUNYCODE]


# --- Address literals, and what still needs quotes, are refused -------------------------------


def test_an_address_literal_is_refused_with_a_message_and_nothing_is_sent(client):
    response = subscribe(client, "victim2@[127.0.0.1]", DealFactory(), ip="10.8.0.1")
    assert response.status_code == 400
    assert "not an IP address" in response.text

    response = ask_for_manage_link(client, "victim2@[127.0.0.1]")
    assert response.status_code == 400
    assert "not an IP address" in response.text
    assert mail.outbox == []


@pytest.mark.parametrize(
    "email", [r'"vic\ tim"@example.net', r'"vic\"tim"@example.net', '"vic..tim"@example.net']
)
def test_a_local_part_that_still_needs_quotes_is_refused(client, email):
    response = subscribe(client, email, DealFactory(), ip="10.8.1.1")
    assert response.status_code == 400
    assert "without quotes" in response.text
    assert mail.outbox == []


# --- Positive control ---------------------------------------------------------------------------


def test_two_different_mailboxes_each_get_their_confirmation(client, settings):
    settings.SUBSCRIBE_LIMIT_PER_ADDRESS = 1
    deal = DealFactory()
    for i, email in enumerate(["victim4@example.net", "victim5@example.net"]):
        subscribe(client, email, deal, ip=f"10.9.{i}.1")
    assert recipients() == ["victim4@example.net", "victim5@example.net"]


def test_a_quoted_spelling_of_another_mailbox_is_that_mailbox(client, settings):
    settings.SUBSCRIBE_LIMIT_PER_ADDRESS = 1
    deal = DealFactory()
    for i, email in enumerate(["victim4@example.net", '"victim6"@example.net']):
        subscribe(client, email, deal, ip=f"10.9.{i}.2")
    assert recipients() == ["victim4@example.net", "victim6@example.net"]


# --- The identity is the address as sent -----------------------------------------------------


@pytest.mark.parametrize(
    "typed, sent",
    [
        (QUOTED_VICTIM, "victim4@example.net"),
        ('"a.b"@Example.NET', "a.b@example.net"),
        (IDN, PUNYCODE),
        ("Victim@EXÄMPLE.net", "Victim@xn--exmple-cua.net"),
        ("a@straße.de", "a@strasse.de"),  # IDNA 2003, as Django encodes the domain it sends to
    ],
)
def test_the_identity_is_what_django_sends_to(typed, sent):
    assert address_as_sent(typed) == sent
    # Django parses the To address the same way (but keeps the domain's case, which does not
    # matter); our form of it goes out unchanged.
    local, _, domain = sanitize_address(typed, "utf-8").rpartition("@")
    assert f"{local}@{domain.lower()}" == sent
    assert sanitize_address(sent, "utf-8") == sent
    assert normalise_email(typed) == sent.lower()


@pytest.mark.parametrize(
    "email",
    [
        "victim@[127.0.0.1]",
        "victim@[IPv6:::1]",
        '"a b"@example.net',
        '""@example.net',
        "Vïctim@example.net",
        "a@b@c",
    ],
)
def test_what_is_not_a_plain_mailbox_raises(email):
    with pytest.raises(NotAMailbox):
        normalise_email(email)


def test_the_limit_key_still_drops_tags_and_gmail_dots():
    assert mailbox('"V.ictim+news"@GoogleMail.com') == "victim@gmail.com"
    assert mailbox("victim+1@exämple.net") == PUNYCODE


# --- Subscribers and links from before ---------------------------------------------------------


def run_the_migration():
    migration = importlib.import_module("subscriptions.migrations.0005_subscriber_email_as_sent")
    migration.store_addresses_as_sent(django_apps, None)


def test_subscribers_stored_under_the_old_normalisation_are_found_after_the_migration(client):
    # Stored as typed, in lower case, as before: the form took these spellings.
    idn = SubscriberFactory(email=IDN, confirmed_at="2026-01-01T00:00Z")
    quoted = SubscriberFactory(email='"victim4"@example.net', confirmed_at="2026-01-01T00:00Z")
    plain = SubscriberFactory(email="analyst@example.org")
    literal = SubscriberFactory(email="victim2@[127.0.0.1]")
    for subscriber in (idn, quoted, plain, literal):
        SubscriptionFactory(subscriber=subscriber)

    run_the_migration()
    run_the_migration()  # safe to run twice

    stored = dict(Subscriber.objects.values_list("pk", "email"))
    assert stored == {
        idn.pk: PUNYCODE,
        quoted.pk: "victim4@example.net",
        plain.pk: "analyst@example.org",
        literal.pk: "victim2@[127.0.0.1]",
    }
    literal.refresh_from_db()
    assert literal.is_disabled and "address literal" in literal.disabled_reason
    assert not Subscriber.objects.get(pk=idn.pk).is_disabled

    ask_for_manage_link(client, IDN, ip="10.10.0.1")
    ask_for_manage_link(client, QUOTED_VICTIM, ip="10.10.0.2")
    assert recipients() == [PUNYCODE, "victim4@example.net"]


def test_a_stored_address_that_needs_quotes_is_kept_found_and_written_to_as_before():
    # The forms no longer take it, but it was a valid address: its subscriber keeps working.
    legacy = SubscriberFactory(email='"john smith"@example.org')
    run_the_migration()
    legacy.refresh_from_db()
    assert legacy.email == '"john smith"@example.org' and not legacy.is_disabled

    assert manage_link_send(email='"John Smith"@example.org')
    assert recipients() == ['"john smith"@example.org']


def test_code_that_asks_to_write_to_an_address_literal_sends_nothing():
    with pytest.raises(AddressLiteral):
        subscription_request(
            email="victim2@[127.0.0.1]",
            kind="deal",
            target_id=DealFactory().pk,
            frequency="daily",
            event_kinds=[],
        )
    SubscriberFactory(email="victim2@[127.0.0.1]")
    assert not manage_link_send(email="victim2@[127.0.0.1]")
    assert not manage_link_send(email="Victim <victim2@[127.0.0.1]>")
    assert mail.outbox == []


def test_the_migration_keeps_both_rows_when_the_parsed_spelling_is_already_taken():
    old = SubscriberFactory(email='"victim4"@example.net')
    new = SubscriberFactory(email="victim4@example.net")
    run_the_migration()
    assert Subscriber.objects.get(pk=old.pk).email == '"victim4"@example.net'
    assert Subscriber.objects.get(pk=new.pk).email == "victim4@example.net"


def test_a_confirmation_link_sent_with_an_old_spelling_confirms_the_one_subscriber(client):
    deal = DealFactory()
    subscriber = SubscriberFactory(email=PUNYCODE)
    token = confirm_token_make(
        {"e": IDN, "k": "deal", "t": deal.pk, "q": "", "f": "daily", "ek": []}
    )
    response = client.post(f"/subscriptions/confirm/{token}/")
    assert response.status_code == 302
    assert Subscriber.objects.get() == subscriber
    assert subscriber.subscriptions.get().deal == deal


def test_a_confirmation_link_for_an_address_literal_is_refused(client):
    deal = DealFactory()
    token = confirm_token_make(
        {"e": "victim2@[127.0.0.1]", "k": "deal", "t": deal.pk, "q": "", "f": "daily", "ek": []}
    )
    assert client.post(f"/subscriptions/confirm/{token}/").status_code == 400
    assert not Subscriber.objects.exists()


def test_the_service_sends_to_the_parsed_address():
    subscription_request(
        email=QUOTED_VICTIM,
        kind="deal",
        target_id=DealFactory().pk,
        frequency="daily",
        event_kinds=[],
    )
    assert recipients() == ["victim4@example.net"]
