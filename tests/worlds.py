"""The Microsoft/Alphabet world: a handful of real deals, small enough to reason about, that the
page, API, feed and search tests share (one definition; they used to build five variants).

- Microsoft / Mistral AI: a partnership the EC looked at informally and the CMA found not
  qualifying (status: not reviewable), with a dated timeline and sources.
- Microsoft / Activision Blizzard: in-depth at the CMA (deadline in 30 days), at the EC (12
  days) and at the FTC's first phase (10 days): in-depth review, deadlines ahead.
- Google / Fitbit: Alphabet's acquisition the EC cleared with remedies.
- Adobe / Figma: abandoned at the CMA.
- Undated / Deal: a merger with no announcement date. Hidden / Deal: unpublished.

`microsoft_alphabet_world()` builds it; tests ask for the `world` fixture (tests/conftest.py),
which builds it once per module. `microsoft()` and `alphabet()` are the two groups alone.
"""

import datetime
from dataclasses import dataclass

from deals.models import Company, Deal, Inquiry
from deals.vocabulary import DealType, EventKind, InquiryKind, Outcome, PartyRole, Stage
from tests.factories import (
    CompanyAliasFactory,
    CompanyFactory,
    DealFactory,
    EventFactory,
    InquiryFactory,
    PartyFactory,
    RegulatorFactory,
    cma,
    ftc,
)

TODAY = datetime.date.today()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@dataclass
class World:
    microsoft: Company
    alphabet: Company
    mistral: Deal
    activision: Deal
    fitbit: Deal
    figma: Deal
    undated: Deal
    hidden: Deal
    cma_mistral: Inquiry
    cma_activision: Inquiry


def microsoft() -> Company:
    """Microsoft, also known as Microsoft Corporation, ticker MSFT."""
    company = CompanyFactory(name="Microsoft", slug="microsoft", ticker="MSFT")
    CompanyAliasFactory(company=company, name="Microsoft Corporation")
    return company


def alphabet() -> Company:
    """Alphabet, also known as Google, tickers GOOGL and GOOG."""
    company = CompanyFactory(name="Alphabet", slug="alphabet", ticker="GOOGL GOOG")
    CompanyAliasFactory(company=company, name="Google")
    return company


def microsoft_alphabet_world() -> World:
    msft, googl = microsoft(), alphabet()

    mistral = DealFactory(
        title="Microsoft / Mistral AI",
        deal_type=DealType.PARTNERSHIP,
        announced_on=datetime.date(2024, 2, 26),
        sector="Artificial intelligence",
    )
    PartyFactory(deal=mistral, company=msft, role=PartyRole.INVESTOR)
    PartyFactory(
        deal=mistral,
        company=CompanyFactory(name="Mistral AI", slug="mistral-ai"),
        role=PartyRole.PARTNER,
    )
    ec_look = InquiryFactory(
        deal=mistral,
        regulator=RegulatorFactory(),
        kind=InquiryKind.INFORMAL_REVIEW,
        stage=Stage.INFORMAL,
        reference="",
        status_wording="we will analyze",
        opened_on=datetime.date(2024, 2, 27),
        source_url="https://politico.eu/mistral",
    )
    cma_mistral = InquiryFactory(
        deal=mistral,
        regulator=cma(),
        reference="ME/7108/24",
        stage=Stage.CLOSED,
        outcome=Outcome.NOT_QUALIFYING,
        opened_on=datetime.date(2024, 4, 24),
        closed_on=datetime.date(2024, 5, 17),
        source_url="https://www.gov.uk/cma-cases/microsoft-mistral",
    )
    EventFactory(
        deal=mistral,
        occurred_on=datetime.date(2024, 2, 26),
        kind=EventKind.ANNOUNCED,
        title="Partnership announced",
        source_url="https://www.cnbc.com/mistral",
    )
    EventFactory(
        deal=None,
        inquiry=cma_mistral,
        occurred_on=datetime.date(2024, 5, 17),
        kind=EventKind.DECISION,
        title="Does not qualify for investigation",
        source_url="https://www.nbclosangeles.com/cma-mistral",
    )
    EventFactory(
        deal=None,
        inquiry=ec_look,
        occurred_on=datetime.date(2024, 2, 27),
        kind=EventKind.PRESS,
        title="The Commission will analyse the agreement",
        source_url="https://politico.eu/mistral",
    )

    activision = DealFactory(
        title="Microsoft / Activision Blizzard", announced_on=datetime.date(2022, 1, 18)
    )
    PartyFactory(deal=activision, company=msft, role=PartyRole.ACQUIRER)
    cma_activision = InquiryFactory(
        deal=activision,
        regulator=cma(),
        reference="ME/6999/22",
        stage=Stage.PHASE_2,
        deadline_on=days(30),
        source_url="https://www.gov.uk/cma-cases/microsoft-activision",
    )
    InquiryFactory(
        deal=activision,
        regulator=RegulatorFactory(),
        reference="M.10646",
        stage=Stage.PHASE_2,
        deadline_on=days(12),
    )
    InquiryFactory(
        deal=activision, regulator=ftc(), reference="D-9412", stage=Stage.PHASE_1,
        deadline_on=days(10),
    )  # fmt: skip
    # Recorded today, it happened in 2022: feeds date it 2022.
    EventFactory(
        deal=None,
        inquiry=cma_activision,
        occurred_on=datetime.date(2022, 9, 1),
        kind=EventKind.PHASE_2_OPENED,
        title="Phase 2 opened",
    )
    EventFactory(deal=activision, occurred_on=datetime.date(2022, 1, 18), title="Announced")

    fitbit = DealFactory(title="Google / Fitbit", announced_on=datetime.date(2019, 11, 1))
    PartyFactory(deal=fitbit, company=googl, role=PartyRole.ACQUIRER)
    PartyFactory(deal=fitbit, company=CompanyFactory(name="Fitbit"), role=PartyRole.TARGET)
    InquiryFactory(
        deal=fitbit, regulator=RegulatorFactory(), reference="M.9660", stage=Stage.CLOSED,
        outcome=Outcome.CLEARED_WITH_REMEDIES,
    )  # fmt: skip

    figma = DealFactory(
        title="Adobe / Figma", announced_on=datetime.date(2022, 9, 15), sector="Software"
    )
    PartyFactory(deal=figma, company=CompanyFactory(name="Adobe"), role=PartyRole.ACQUIRER)
    InquiryFactory(
        deal=figma, regulator=cma(), reference="ME/7011/22", stage=Stage.CLOSED,
        outcome=Outcome.ABANDONED,
    )  # fmt: skip
    EventFactory(deal=figma, occurred_on=datetime.date(2023, 12, 18), title="Terminated")

    undated = DealFactory(title="Undated / Deal", announced_on=None, deal_type=DealType.MERGER)
    hidden = DealFactory(title="Hidden / Deal", is_published=False)
    for deal in (mistral, activision, fitbit, figma):  # their status, as the inquiries left it
        deal.refresh_from_db()
    return World(
        microsoft=msft,
        alphabet=googl,
        mistral=mistral,
        activision=activision,
        fitbit=fitbit,
        figma=figma,
        undated=undated,
        hidden=hidden,
        cma_mistral=cma_mistral,
        cma_activision=cma_activision,
    )


@dataclass(frozen=True)
class DemoWorld:
    """The demo deals as `manage.py load_demo` loaded them: `output` is what it printed."""

    output: str


def demo_loaded() -> DemoWorld:
    """Load the demo deals (demo/data.py) with the command an operator runs."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_demo", stdout=out)
    return DemoWorld(output=out.getvalue())
