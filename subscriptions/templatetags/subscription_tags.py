"""{% load subscription_tags %}{% subscribe_form deal=deal %}: the "Get email updates" form.

Also company=, regulator=, or search=request.GET for the current /deals/ search.
"""

from __future__ import annotations

from django import template
from django.utils.http import urlencode

from ..forms import SubscribeForm
from ..models import SubscriptionKind
from ..searches import canonical_search, search_label

register = template.Library()


@register.inclusion_tag("subscriptions/subscribe_form.html", takes_context=True)
def subscribe_form(context, *, deal=None, company=None, regulator=None, search=None) -> dict:
    initial = {}
    if deal is not None:
        initial.update(target=SubscriptionKind.DEAL, deal=deal.pk)
        about = f"Email me when something happens in {deal.title}."
    elif company is not None:
        initial.update(target=SubscriptionKind.COMPANY, company=company.pk)
        about = f"Email me about new deals and inquiries involving {company.name}."
    elif regulator is not None:
        initial.update(target=SubscriptionKind.REGULATOR, regulator=regulator.pk)
        about = f"Email me when the {regulator.name} does something in a case we track."
    else:
        query = canonical_search(search)
        initial.update(target=SubscriptionKind.SEARCH, search=query)
        about = (
            f"Email me when something new matches this search ({search_label(query)})."
            if query
            else "Email me about every new deal and every new event."
        )
    request = context.get("request")
    if request is not None:
        initial["next"] = request.get_full_path()
    return {
        "form": SubscribeForm(initial=initial, auto_id="subscribe-%s"),
        "about": about,
        # All the form's markup depends on (the rest is code): its fragment is keyed by it,
        # whatever else is written.
        "key": urlencode(
            sorted([("about", about), *((name, str(value)) for name, value in initial.items())])
        ),
    }
