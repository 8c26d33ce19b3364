"""Subscribers' addresses are stored as mail is sent to them (subscriptions/addresses.py).

Before, an address was stored as typed, in lower case: `"victim"@example.net` and
`victim@exämple.net` were kept with their quotes and their Unicode domain, while lookups now use
the parsed form (`victim@example.net`, `victim@xn--exmple-cua.net`), so those subscribers would
no longer be found by the manage-link form or by their next confirmation, which would make a
second row for the same mailbox. Each such row is rewritten to the parsed form, unless another
row already has that form (both are kept as they are: each still gets its own subscriptions'
email and links). A row with an address literal (`victim@[127.0.0.1]`) is disabled with the
reason: it names a host, not a mailbox, and nothing is sent to it any more (an editor can enable
it again in the admin). A row whose local part needs quotes (`"john smith"@example.org`) stays as
it is: still a valid address, found and written to as before (addresses.stored_form).

Safe to run twice: a second run finds every row parsed, kept, or already disabled.
"""

from django.db import migrations, models
from django.utils import timezone

# Today's parse. If it changes, a re-run would apply the newer one, which is what we would want.
from subscriptions.addresses import AddressLiteral, NotAMailbox, normalise_email


def store_addresses_as_sent(apps, schema_editor):
    Subscriber = apps.get_model("subscriptions", "Subscriber")
    now = timezone.now()
    for pk, stored in list(Subscriber.objects.values_list("pk", "email")):
        try:
            email = normalise_email(stored)
        except AddressLiteral:
            Subscriber.objects.filter(pk=pk, disabled_at__isnull=True).update(
                disabled_at=now, disabled_reason="An address literal names a host, not a mailbox."
            )
            continue
        except NotAMailbox:
            continue
        if email != stored and not Subscriber.objects.filter(email=email).exists():
            Subscriber.objects.filter(pk=pk).update(email=email)


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0004_digest_run_parts_done"),
    ]

    operations = [
        migrations.AlterField(
            model_name="subscriber",
            name="email",
            field=models.EmailField(
                help_text="Stored as mail is sent to it, in lower case "
                "(subscriptions/addresses.py): quotes and escapes removed, the domain in "
                "punycode; one row per address.",
                max_length=254,
                unique=True,
            ),
        ),
        migrations.RunPython(store_addresses_as_sent, migrations.RunPython.noop),
    ]
