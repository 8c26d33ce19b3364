"""Locked-out sign-ins, for editors: see who is locked out and lift a lock early."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages


class LockedOutAdmin(AccessAttemptAdmin):
    """django-axes's list of failed sign-ins, with an action that says what it does."""

    actions = ["unlock", *AccessAttemptAdmin.actions]

    @admin.action(description="Unlock: forget these failed sign-ins", permissions=["delete"])
    def unlock(self, request, queryset) -> None:
        count = len(queryset)
        queryset.delete()
        self.message_user(
            request,
            f"Unlocked: forgot {count} record(s) of failed sign-ins. The account or address "
            "can sign in again now.",
            messages.SUCCESS,
        )


admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, LockedOutAdmin)
