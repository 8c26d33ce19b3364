import datetime

import factory
from factory.django import DjangoModelFactory

from deals.models import Company, CompanyAlias, Deal, Event, Inquiry, Party, Regulator
from deals.vocabulary import DealType, EventKind, InquiryKind, PartyRole, Stage


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    country = "US"


class CompanyAliasFactory(DjangoModelFactory):
    class Meta:
        model = CompanyAlias

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")


class RegulatorFactory(DjangoModelFactory):
    class Meta:
        model = Regulator
        django_get_or_create = ("slug",)

    name = "European Commission"
    short_name = "EC"
    slug = "ec"
    jurisdiction = "EU"
    website = "https://competition-policy.ec.europa.eu/"


def cma() -> Regulator:
    return RegulatorFactory(
        name="Competition and Markets Authority", short_name="CMA", slug="cma", jurisdiction="GB"
    )


def ftc() -> Regulator:
    return RegulatorFactory(
        name="Federal Trade Commission", short_name="FTC", slug="ftc", jurisdiction="US"
    )


class DealFactory(DjangoModelFactory):
    class Meta:
        model = Deal

    title = factory.Sequence(lambda n: f"Acquirer {n} / Target {n}")
    deal_type = DealType.ACQUISITION
    announced_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    sector = "Technology"


class PartyFactory(DjangoModelFactory):
    class Meta:
        model = Party

    deal = factory.SubFactory(DealFactory)
    company = factory.SubFactory(CompanyFactory)
    role = PartyRole.ACQUIRER


class InquiryFactory(DjangoModelFactory):
    class Meta:
        model = Inquiry

    regulator = factory.SubFactory(RegulatorFactory)
    deal = factory.SubFactory(DealFactory)
    kind = InquiryKind.MERGER_REVIEW
    stage = Stage.PHASE_1
    opened_on = datetime.date(2024, 3, 1)
    source_url = "https://example.org/case"


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    occurred_on = factory.LazyFunction(datetime.date.today)
    kind = EventKind.OTHER
    title = factory.Sequence(lambda n: f"Event {n}")
    source_url = "https://example.org/source"
    deal = factory.SubFactory(DealFactory)


# --- Subscriptions ------------------------------------------------------------------------

from django.utils import timezone  # noqa: E402

from subscriptions.models import Frequency, Subscriber, Subscription  # noqa: E402


class SubscriberFactory(DjangoModelFactory):
    """A subscriber who has confirmed their address."""

    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"analyst{n}@example.org")
    confirmed_at = factory.LazyFunction(timezone.now)


class SubscriptionFactory(DjangoModelFactory):
    """A confirmed, live subscription to a deal, daily, every kind of event."""

    class Meta:
        model = Subscription

    subscriber = factory.SubFactory(SubscriberFactory)
    kind = "deal"
    deal = factory.SubFactory(DealFactory)
    frequency = Frequency.DAILY
    started_at = factory.LazyFunction(timezone.now)
