"""The admin's sign-in resists guessing: failures lock the account and the address, the person
locked out is told so, and an editor can lift a lock before it ends."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"
ELSEWHERE = "198.51.100.7"


def sign_in(client: Client, username: str, password: str, ip: str):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def accounts():
    User.objects.create_superuser("root", "root@example.org", "right-password-123")
    editor = User.objects.create_user("eddie", password="pw-eddie-123", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    return editor


def burst(username="root", ip=ATTACKER, n=50):
    client = Client()
    return [sign_in(client, username, f"guess-{i}", ip) for i in range(n)][-1]


def test_a_burst_of_wrong_passwords_locks_the_account_and_the_address(accounts):
    last = burst()

    assert last.status_code == 429
    assert "Too many failed sign-ins" in last.text and "for 60 minutes" in last.text
    # The right password no longer opens the account, from the address or from anywhere.
    assert sign_in(Client(), "root", "right-password-123", ATTACKER).status_code == 429
    assert sign_in(Client(), "root", "right-password-123", ELSEWHERE).status_code == 429
    # Nor can the address try another account.
    assert sign_in(Client(), "eddie", "pw-eddie-123", ATTACKER).status_code == 429
    # Another account from another address signs in as usual.
    assert sign_in(Client(), "eddie", "pw-eddie-123", ELSEWHERE).status_code == 302


def test_a_few_mistakes_do_not_lock_anyone_out(accounts, settings):
    burst(n=settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(Client(), "root", "right-password-123", ATTACKER).status_code == 302


def test_the_lock_ends_by_itself_after_the_cool_off(accounts):
    from axes.models import AccessAttempt

    burst()
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(hours=2))
    assert sign_in(Client(), "root", "right-password-123", ELSEWHERE).status_code == 302


def test_an_editor_sees_the_lock_and_lifts_it(accounts, client):
    from axes.models import AccessAttempt

    burst()
    client.force_login(accounts)
    listing = client.get("/admin/axes/accessattempt/?locked_out=yes")
    assert listing.status_code == 200 and "root" in listing.text and ATTACKER in listing.text

    locked = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock", "_selected_action": locked},
        follow=True,
    )

    assert "Unlocked" in response.text
    assert sign_in(Client(), "root", "right-password-123", ATTACKER).status_code == 302
