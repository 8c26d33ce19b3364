"""The subscribe and manage forms: what a visitor may follow and how often."""

from __future__ import annotations

from django import forms
from django.http import QueryDict

from deals.filters import DealFilter
from deals.models import Company, Deal, Regulator
from deals.vocabulary import EventKind

from .addresses import NotAMailbox, normalise_email
from .models import Frequency, SubscriptionKind
from .searches import canonical_search


def _mailbox_address(email: str) -> str:
    """The address as mail will be sent to it (subscriptions/addresses.py), or a form error:
    an address literal, or a local part that still needs quotes, is not taken."""
    try:
        return normalise_email(email)
    except NotAMailbox as exc:
        raise forms.ValidationError(str(exc), code="invalid") from exc


class EventKindsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Only these kinds of event")
        kwargs.setdefault("help_text", "Leave every box empty to hear about everything.")
        super().__init__(choices=EventKind.choices, required=False, **kwargs)


class SubscribeForm(forms.Form):
    """The "Get email updates" form; the target comes from hidden fields set by the page."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "required": True}),
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=Frequency.choices,
        initial=Frequency.DAILY,
        widget=forms.RadioSelect,
    )
    event_kinds = EventKindsField()
    target = forms.ChoiceField(choices=SubscriptionKind.choices, widget=forms.HiddenInput)
    deal = forms.ModelChoiceField(
        queryset=Deal.objects.published(), required=False, widget=forms.HiddenInput
    )
    company = forms.ModelChoiceField(
        queryset=Company.objects.all(), required=False, widget=forms.HiddenInput
    )
    regulator = forms.ModelChoiceField(
        queryset=Regulator.objects.all(), required=False, widget=forms.HiddenInput
    )
    search = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    # Left empty by people; bots that fill every field are answered as usual and ignored.
    website = forms.CharField(required=False, label="Leave this empty")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if any(ch in email for ch in "\r\n\0"):  # the validator already refuses; be explicit
            raise forms.ValidationError("Enter a valid email address.")
        return _mailbox_address(email)

    def clean_search(self) -> str:
        return canonical_search(self.cleaned_data.get("search", ""))

    def clean(self):
        data = super().clean()
        target = data.get("target")
        if target == SubscriptionKind.SEARCH:
            filterset = DealFilter(data=QueryDict(data.get("search", "")))
            if not filterset.is_valid():
                raise forms.ValidationError("This search is not valid; change it and try again.")
        elif target and not data.get(target):
            raise forms.ValidationError("There is nothing to follow here any more.")
        return data

    def request_kwargs(self) -> dict:
        """The arguments of services.subscription_request."""
        data = self.cleaned_data
        target = data["target"]
        return {
            "email": data["email"],
            "kind": target,
            "target_id": None if target == SubscriptionKind.SEARCH else data[target].pk,
            "search_query": data["search"] if target == SubscriptionKind.SEARCH else "",
            "frequency": data["frequency"],
            "event_kinds": data["event_kinds"],
        }


class ManageLinkForm(forms.Form):
    """Ask for a link to the manage page, sent to the address if it is a subscriber's."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "required": True}),
    )
    website = forms.CharField(required=False, label="Leave this empty")  # as SubscribeForm

    def clean_email(self) -> str:
        return _mailbox_address(self.cleaned_data["email"])


class SubscriptionChangeForm(forms.Form):
    frequency = forms.ChoiceField(
        label="How often", choices=Frequency.choices, widget=forms.RadioSelect
    )
    event_kinds = EventKindsField()
