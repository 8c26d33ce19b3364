"""What an editor posts in the admin, for tests that save through it."""

# A deal's change form with none of its inline forms (parties, inquiries, events) filled in.
NO_INLINES = {
    "parties-TOTAL_FORMS": "0",
    "parties-INITIAL_FORMS": "0",
    "inquiries-TOTAL_FORMS": "0",
    "inquiries-INITIAL_FORMS": "0",
    "events-TOTAL_FORMS": "0",
    "events-INITIAL_FORMS": "0",
}


def inline_inquiry_closed(deal) -> dict:
    """The deal's change form with its one inquiry (a CMA review) closed as cleared."""
    inquiry = deal.inquiries.get()
    return {
        "title": deal.title,
        "slug": deal.slug,
        "deal_type": deal.deal_type,
        "sector": deal.sector,
        "announced_on": "2024-02-26",
        "is_published": "on",
        "parties-TOTAL_FORMS": "0",
        "parties-INITIAL_FORMS": "0",
        "inquiries-TOTAL_FORMS": "1",
        "inquiries-INITIAL_FORMS": "1",
        "inquiries-0-id": inquiry.pk,
        "inquiries-0-deal": deal.pk,
        "inquiries-0-regulator": inquiry.regulator.pk,
        "inquiries-0-reference": "ME/1/24",
        "inquiries-0-kind": "merger_review",
        "inquiries-0-stage": "closed",
        "inquiries-0-outcome": "cleared",
        "inquiries-0-decision_status": "in_force",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
