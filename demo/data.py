"""The demo deals: real deals, their regulators' inquiries and dated events, each with its source.

Plain data, no ORM: `demo.loader.demo_data_load` writes it to the database (`manage.py
load_demo`). Every fact comes from a row of the checked fact sheet (DEMO_FACTS.md, kept outside
this repository); the comment above each deal names its rows. What the sheet does not give is
left empty rather than guessed, and case numbers the sheet marks "unconfirmed" are not stored as
references (the inquiry's summary mentions them as unconfirmed).

Values are the strings of the model choices (`Stage`, `Outcome`, `EventKind`...); dates are ISO
strings. A date known only to the month is written "YYYY-MM" with `precision="month"` (an event)
or `closed_on_precision="month"` (an inquiry's closing date): it is stored as the month's last
day and shown as "May 2026", never given a made-up day. Natural keys, so that a correction here
updates the row it corrects on the next load: companies and deals by slug; inquiries by
regulator and case reference, else by deal, regulator and title (so keep titles stable); events
by deal or inquiry, date (as stored) and title.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class CompanyData:
    slug: str
    name: str
    country: str  # ISO 3166-1 alpha-2 code of the headquarters
    website: str
    description: str
    aliases: tuple[str, ...] = ()
    parent: str = ""  # slug of the group it belongs to
    ticker: str = ""  # stock ticker symbols, space-separated (NASDAQ listings of the groups)


@dataclass(frozen=True, kw_only=True)
class EventData:
    on: str  # the day it happened, YYYY-MM-DD; YYYY-MM when only the month is known
    kind: str  # EventKind
    title: str
    text: str
    source_url: str
    precision: str = "day"  # DatePrecision: "month" when the sources give no day
    deadline_on: str | None = None  # a phase deadline the regulator published with the event
    also_on_deal: bool = False  # an inquiry's event that is the deal's too (an abandonment)


@dataclass(frozen=True, kw_only=True)
class InquiryData:
    regulator: str  # Regulator slug, as seeded by deals/migrations/0002_regulators.py
    title: str  # unique per deal and regulator: part of the natural key
    kind: str  # InquiryKind
    stage: str  # Stage: where the inquiry is now ("closed" once it has an outcome)
    outcome: str = ""  # Outcome; empty while open
    reference: str = ""  # only when confirmed
    status_wording: str = ""  # the regulator's own words, when we have them
    opened_on: str | None = None
    deadline_on: str | None = None
    closed_on: str | None = None  # YYYY-MM when only the month is known
    closed_on_precision: str = "day"  # DatePrecision
    # A decision that lost force (annulled, withdrawn) or is under appeal, with when and why.
    decision_status: str = "in_force"  # DecisionStatus
    decision_status_on: str | None = None
    decision_status_note: str = ""
    # (regulator slug, title) of the inquiry of this deal that decides instead, and why.
    superseded_by: tuple[str, str] | None = None
    supersession: str = ""  # Supersession
    court_approval_pending: bool = False
    checked_on: str | None = None  # when the regulator's page was last checked for news
    source_url: str  # the official case page when known, else the source of the latest state
    summary: str = ""
    events: tuple[EventData, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DealData:
    slug: str
    title: str
    deal_type: str  # DealType
    sector: str
    summary: str
    parties: tuple[tuple[str, str], ...]  # (company slug, PartyRole)
    announced_on: str | None = None
    completed_on: str | None = None
    abandoned_on: str | None = None  # the parties terminated it
    unwound_on: str | None = None  # completed, then divested or dissolved by order
    value: str | None = None  # headline value, a decimal string
    currency: str = ""
    events: tuple[EventData, ...] = ()  # the deal's own events: announcement, completion
    inquiries: tuple[InquiryData, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DemoData:
    companies: tuple[CompanyData, ...]
    deals: tuple[DealData, ...]


# The Commission's merger data (case-data-M.json) as a third party's pipeline kept it: the
# notification dates (`caseNotificationDate`) of rows 6o and 12d were read there.
EC_MERGER_DUMP_COPY = (
    "https://github.com/eu-merger-cases-analytics/eu-merger-arbitration-pipeline/blob/"
    "5309adb3b0999255d663bb3856ef64d761d7d602/data/processed/arbitration_hits.jsonl"
)

# Row 21i's only source: a merger-arbitrage tool's stored timeline of the CADE case.
CADE_PARAMOUNT_SOURCE = (
    "https://github.com/AvsheshSavani7/flask-efiling/blob/"
    "4d28a79b74376bfa5b560aa36877b55cfeae760f/email_summeriser/intl_deal_state.json"
)


# --- Companies ----------------------------------------------------------------------------

COMPANIES = (
    CompanyData(
        slug="microsoft",
        name="Microsoft",
        ticker="MSFT",
        country="US",
        website="https://www.microsoft.com/",
        description="Software, cloud computing (Azure) and gaming (Xbox).",
        aliases=("Microsoft Corporation", "Microsoft Corp."),
    ),
    CompanyData(
        slug="mistral-ai",
        name="Mistral AI",
        country="FR",
        website="https://mistral.ai/",
        description="Paris-based developer of large language models.",
        aliases=("Mistral",),
    ),
    CompanyData(
        slug="openai",
        name="OpenAI",
        country="US",
        website="https://openai.com/",
        description="Developer of the GPT models and ChatGPT.",
        aliases=("OpenAI, Inc.",),
    ),
    CompanyData(
        slug="inflection-ai",
        name="Inflection AI",
        country="US",
        website="https://inflection.ai/",
        description="AI start-up, maker of the Pi chatbot.",
        aliases=("Inflection",),
    ),
    CompanyData(
        slug="amazon",
        name="Amazon",
        ticker="AMZN",
        country="US",
        website="https://www.amazon.com/",
        description="Online retail, devices and cloud computing (AWS).",
        aliases=("Amazon.com", "Amazon.com, Inc."),
    ),
    CompanyData(
        slug="anthropic",
        name="Anthropic",
        country="US",
        website="https://www.anthropic.com/",
        description="AI safety company, developer of the Claude models.",
        aliases=("Anthropic PBC",),
    ),
    CompanyData(
        slug="alphabet",
        name="Alphabet",
        ticker="GOOGL GOOG",
        country="US",
        website="https://abc.xyz/",
        description="Parent company of Google: search, advertising, Android and Google Cloud.",
        aliases=("Alphabet Inc.", "Google", "Google LLC"),
    ),
    CompanyData(
        slug="activision-blizzard",
        name="Activision Blizzard",
        country="US",
        website="https://www.activisionblizzard.com/",
        description="Video game publisher (Call of Duty, World of Warcraft, Candy Crush).",
        aliases=("Activision", "Activision Blizzard, Inc."),
        parent="microsoft",  # completed 13 October 2023 (row 6i)
    ),
    CompanyData(
        slug="adobe",
        name="Adobe",
        ticker="ADBE",
        country="US",
        website="https://www.adobe.com/",
        description="Creative and document software (Photoshop, Acrobat).",
        aliases=("Adobe Inc.",),
    ),
    CompanyData(
        slug="figma",
        name="Figma",
        country="US",
        website="https://www.figma.com/",
        description="Browser-based collaborative design software.",
        aliases=("Figma, Inc.",),
    ),
    CompanyData(
        slug="irobot",
        name="iRobot",
        country="US",
        website="https://www.irobot.com/",
        description="Maker of Roomba robot vacuum cleaners.",
        aliases=("iRobot Corporation",),
    ),
    CompanyData(
        slug="illumina",
        name="Illumina",
        ticker="ILMN",
        country="US",
        website="https://www.illumina.com/",
        description="Genetic sequencing systems.",
        aliases=("Illumina, Inc.",),
    ),
    CompanyData(
        slug="grail",
        name="GRAIL",
        country="US",
        website="https://grail.com/",
        description="Developer of blood tests for the early detection of cancer.",
        aliases=("GRAIL, Inc.",),
    ),
    CompanyData(
        slug="nvidia",
        name="NVIDIA",
        ticker="NVDA",
        country="US",
        website="https://www.nvidia.com/",
        description="Graphics processors and AI accelerators.",
        aliases=("NVIDIA Corporation",),
    ),
    CompanyData(
        slug="softbank-group",
        name="SoftBank Group",
        country="JP",
        website="https://group.softbank/en",
        description="Japanese technology investment group.",
        aliases=("SoftBank", "SoftBank Group Corp."),
    ),
    CompanyData(
        slug="arm",
        name="Arm",
        country="GB",
        website="https://www.arm.com/",
        description="Designer of processor architectures licensed to chip makers.",
        aliases=("Arm Limited", "Arm Holdings"),
        parent="softbank-group",  # NVIDIA was to buy Arm from SoftBank (row 10a)
    ),
    CompanyData(
        slug="broadcom",
        name="Broadcom",
        ticker="AVGO",
        country="US",
        website="https://www.broadcom.com/",
        description="Semiconductors and infrastructure software.",
        aliases=("Broadcom Inc.",),
    ),
    CompanyData(
        slug="vmware",
        name="VMware",
        country="US",
        website="https://www.vmware.com/",
        description="Virtualisation and cloud infrastructure software.",
        aliases=("VMware, Inc.",),
        parent="broadcom",  # completed 22 November 2023 (row 11e)
    ),
    CompanyData(
        slug="fitbit",
        name="Fitbit",
        country="US",
        website="https://www.fitbit.com/",
        description="Wearable fitness trackers and smartwatches.",
        aliases=("Fitbit, Inc.",),
    ),
    CompanyData(
        slug="hpe",
        name="Hewlett Packard Enterprise",
        country="US",
        website="https://www.hpe.com/",
        description="Servers, storage, networking and IT services.",
        aliases=("HPE", "Hewlett Packard Enterprise Company"),
    ),
    CompanyData(
        slug="juniper-networks",
        name="Juniper Networks",
        country="US",
        website="https://www.juniper.net/",
        description="Networking equipment and software, including Mist AI.",
        aliases=("Juniper", "Juniper Networks, Inc."),
        parent="hpe",  # completed 2 July 2025 (row 13g)
    ),
    CompanyData(
        slug="run-ai",
        name="Run:ai",
        country="IL",
        website="https://www.run.ai/",
        description="Software for orchestrating AI workloads on GPU clusters.",
        aliases=("Runai",),
        parent="nvidia",  # completed 30 December 2024 (row 13k)
    ),
    CompanyData(
        slug="wiz",
        name="Wiz",
        country="US",
        website="https://www.wiz.io/",
        description="Cloud security software.",
        aliases=("Wiz, Inc.",),
        parent="alphabet",  # completed 11 March 2026 (row 20e)
    ),
    CompanyData(
        slug="netflix",
        name="Netflix",
        country="US",
        website="https://www.netflix.com/",
        description="Subscription video streaming and film and series production.",
        aliases=("Netflix, Inc.",),
    ),
    CompanyData(
        slug="warner-bros-discovery",
        name="Warner Bros. Discovery",
        country="US",
        website="https://www.wbd.com/",
        description="Film studios (Warner Bros.), television networks and streaming (HBO Max).",
        aliases=("WBD", "Warner Bros. Discovery, Inc.", "Warner Bros Discovery"),
    ),
    CompanyData(
        slug="paramount",
        name="Paramount",
        country="US",
        website="https://www.paramount.com/",
        description="Film studio (Paramount Pictures), television networks and streaming "
        "(Paramount+).",
        aliases=("Paramount Skydance", "Paramount Skydance Corporation"),
    ),
    CompanyData(
        slug="getty-images",
        name="Getty Images",
        country="US",
        website="https://www.gettyimages.com/",
        description="Licensing of editorial and stock images and video.",
        aliases=("Getty Images Holdings", "Getty Images Holdings, Inc.", "Getty"),
    ),
    CompanyData(
        slug="shutterstock",
        name="Shutterstock",
        country="US",
        website="https://www.shutterstock.com/",
        description="Licensing of stock and editorial images, video and music.",
        aliases=("Shutterstock, Inc.",),
    ),
    CompanyData(
        slug="mars",
        name="Mars",
        country="US",
        website="https://www.mars.com/",
        description="Family-owned maker of confectionery, snacks, food and pet care products.",
        aliases=("Mars, Incorporated", "Mars Inc."),
    ),
    CompanyData(
        slug="kellanova",
        name="Kellanova",
        country="US",
        website="https://www.kellanova.com/",
        description="Snacks (Pringles, Cheez-It), international cereal and frozen foods.",
        aliases=("Kellanova Co.",),
        parent="mars",  # completed 11 December 2025 (row 23f)
    ),
)


# --- Shared pieces ------------------------------------------------------------------------

# The CMA's release of 24 April 2024 covered Mistral AI, Anthropic and Inflection AI (rows 1d,
# 3b, 4a); read through a mirror, dated by wired-gov.net.
CMA_AI_PARTNERSHIPS_RELEASE = (
    "https://www.gov.uk/government/news/cma-seeks-views-on-ai-partnerships-and-other-arrangements"
)

# Rows 2c and 2e: one FTC 6(b) study covering three partnerships. An inquiry belongs to one
# deal, so each partnership gets its own row for it.
FTC_6B_RELEASE = (
    "https://www.ftc.gov/news-events/news/press-releases/2024/01/"
    "ftc-launches-inquiry-generative-ai-investments-partnerships"
)
FTC_AI_STUDY = InquiryData(
    regulator="ftc",
    title="6(b) study of generative AI investments and partnerships",
    kind="market_study",
    stage="closed",
    outcome="closed_no_action",
    opened_on="2024-01-25",
    closed_on="2025-01-17",
    source_url=FTC_6B_RELEASE,
    summary=(
        "A market study under Section 6(b) of the FTC Act, not a merger review: orders went to "
        "Alphabet, Amazon, Anthropic, Microsoft and OpenAI on 25 January 2024, and the staff "
        "report was published on 17 January 2025. It covered the Microsoft / OpenAI, Amazon / "
        "Anthropic and Alphabet / Anthropic partnerships."
    ),
    events=(
        EventData(
            on="2024-01-25",
            kind="other",
            title="FTC orders five companies to report on AI investments and partnerships",
            text=(
                'The FTC "issued orders to five companies requiring them to provide information '
                "regarding recent investments and partnerships involving generative AI companies "
                'and major cloud service providers": Alphabet, Amazon, Anthropic, Microsoft and '
                "OpenAI."
            ),
            source_url=FTC_6B_RELEASE,
        ),
        EventData(
            on="2025-01-17",
            kind="other",
            title="FTC staff report on AI partnerships and investments published",
            text=(
                'Chair Lina Khan said the partnerships "can create lock-in, deprive startups of '
                'key AI inputs, and reveal sensitive information".'
            ),
            source_url="https://www.pymnts.com/artificial-intelligence-2/2025/ftc-openai-microsoft-pact-could-bring-competition-implications/",
        ),
    ),
)


# --- Deals --------------------------------------------------------------------------------

DEALS = (
    # Rows 1a-1e.
    DealData(
        slug="microsoft-mistral-ai",
        title="Microsoft / Mistral AI",
        deal_type="partnership",
        sector="Artificial intelligence",
        summary=(
            "A multi-year partnership announced on 26 February 2024. The next day Microsoft "
            "disclosed a EUR 15 million investment in Mistral AI, to convert into equity at its "
            "next funding round. The European Commission said it would analyse the agreement; "
            "the CMA found that it did not qualify for investigation."
        ),
        parties=(("microsoft", "investor"), ("mistral-ai", "partner")),
        announced_on="2024-02-26",
        value="15000000",
        currency="EUR",
        events=(
            EventData(
                on="2024-02-26",
                kind="announced",
                title="Microsoft announces a multi-year partnership with Mistral AI",
                text='Announced "without providing further financial details" (CNBC).',
                source_url="https://www.cnbc.com/2024/02/26/microsoft-invests-in-europes-mistral-ai-to-expand-beyond-openai.html",
            ),
            EventData(
                on="2024-02-27",
                kind="other",
                title="Microsoft discloses a EUR 15 million investment in Mistral AI",
                text=(
                    "A Microsoft spokesperson to Reuters: \"We've made a 15 million euro "
                    "investment in Mistral AI which would convert into equity in the company's "
                    'next funding round". The investment was not part of the 26 February '
                    "announcement."
                ),
                source_url="https://ttm.financial/m/news/2414824790",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="ec",
                title="Microsoft / Mistral AI agreement",
                kind="informal_review",
                stage="informal",
                status_wording=(
                    "The Commission is looking into agreements that have been concluded between "
                    "large digital market players and generative AI developers and providers. In "
                    "this context, we have received the mentioned agreement, which we will "
                    "analyze."
                ),
                opened_on="2024-02-27",
                source_url="https://politico.eu/article/european-commission-sets-its-sights-on-microsofts-ai-deal-with-frances-mistral",
                summary=(
                    "An informal look, with no case under the EU Merger Regulation. No statement "
                    "closing it is on record, so it is shown as open; its only event is the "
                    "statement of 27 February 2024, so it reads as dormant."
                ),
                events=(
                    EventData(
                        on="2024-02-27",
                        kind="press",
                        title="Commission says it will analyse the agreement",
                        text=(
                            'Commission spokesperson Lea Zuber: "The Commission is looking into '
                            "agreements that have been concluded between large digital market "
                            "players and generative AI developers and providers. In this "
                            "context, we have received the mentioned agreement, which we will "
                            'analyze."'
                        ),
                        source_url="https://politico.eu/article/european-commission-sets-its-sights-on-microsofts-ai-deal-with-frances-mistral",
                    ),
                ),
            ),
            InquiryData(
                regulator="cma",
                title="Microsoft / Mistral AI partnership merger inquiry",
                kind="merger_review",
                stage="closed",
                outcome="not_qualifying",
                status_wording=(
                    "does not qualify for investigation under the merger provisions of the "
                    "Enterprise Act 2002"
                ),
                opened_on="2024-04-24",
                closed_on="2024-05-17",
                source_url="https://www.nbclosangeles.com/news/business/money-report/microsofts-mistral-partnership-avoids-merger-probe-by-british-regulators/3414649/",
                summary=(
                    "Comments invited from 24 April to 9 May 2024; on 17 May 2024 the CMA found "
                    "that Microsoft had not acquired material influence over Mistral AI. The case "
                    "page address is unconfirmed (probably "
                    "gov.uk/cma-cases/microsoft-slash-mistral-ai-partnership-merger-inquiry)."
                ),
                events=(
                    EventData(
                        on="2024-04-24",
                        kind="comment_invited",
                        title="CMA invites comments on the partnership",
                        text=(
                            '"CMA invites comments on the partnerships between Microsoft / '
                            "Mistral AI and Amazon / Anthropic and Microsoft's hiring of former "
                            'employees and related arrangements with Inflection AI". Comments '
                            "closed on 9 May 2024."
                        ),
                        source_url=CMA_AI_PARTNERSHIPS_RELEASE,
                    ),
                    EventData(
                        on="2024-05-17",
                        kind="decision",
                        title="CMA finds the partnership does not qualify for investigation",
                        text=(
                            'The partnership "does not qualify for investigation under the merger '
                            'provisions of the Enterprise Act 2002". A spokesperson: the CMA "does '
                            "not believe that Microsoft has acquired material influence over "
                            'Mistral AI".'
                        ),
                        source_url="https://www.nbclosangeles.com/news/business/money-report/microsofts-mistral-partnership-avoids-merger-probe-by-british-regulators/3414649/",
                    ),
                ),
            ),
        ),
    ),
    # Rows 2a-2g, and the additions' row 2f (the recapitalisation of 28 October 2025).
    DealData(
        slug="microsoft-openai",
        title="Microsoft / OpenAI",
        deal_type="partnership",
        sector="Artificial intelligence",
        summary=(
            "Microsoft's investment in and partnership with OpenAI. The CMA found in March 2025 "
            "that it did not qualify for investigation (material influence, no change to control); "
            "the European Commission closed its look in June 2024; the FTC's 6(b) study covered "
            "it. OpenAI completed its recapitalisation on 28 October 2025, with Microsoft holding "
            "about 27% of OpenAI Group PBC."
        ),
        parties=(("microsoft", "investor"), ("openai", "partner")),
        events=(
            EventData(
                on="2025-10-28",
                kind="other",
                title="OpenAI completes its recapitalisation; Microsoft holds about 27%",
                text=(
                    "OpenAI completed its recapitalisation; under a new agreement Microsoft holds "
                    "about 27% of OpenAI Group PBC."
                ),
                source_url="https://www.nasdaq.com/articles/microsoft-openai-agree-new-profit-deal-openai-completes-restructure",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="cma",
                title="Microsoft / OpenAI partnership merger inquiry",
                kind="merger_review",
                stage="closed",
                outcome="not_qualifying",
                status_wording=(
                    "Microsoft's partnership with OpenAI does not qualify for investigation under "
                    "the merger provisions of the Enterprise Act 2002"
                ),
                opened_on="2023-12-08",
                closed_on="2025-03-05",
                source_url="https://www.gov.uk/cma-cases/microsoft-slash-openai-partnership-merger-inquiry",
                summary=(
                    "Invitation to comment on 8 December 2023 (until 3 January 2024); formal "
                    "phase 1 launched on 4 March 2025 and decided the next day. The full decision "
                    "was published on 15 April 2025."
                ),
                events=(
                    EventData(
                        on="2023-12-08",
                        kind="comment_invited",
                        title="CMA invites comments on the partnership",
                        text=(
                            'The CMA invited comments on whether the partnership "has resulted in '
                            'a relevant merger situation". Comments closed on 3 January 2024.'
                        ),
                        source_url="https://lbc.co.uk/tech/0ea340b572d64435978460ee3a309478",
                    ),
                    EventData(
                        on="2025-03-04",
                        kind="phase_1_opened",
                        title="CMA launches its formal phase 1 merger inquiry",
                        text="Formal phase 1 launched, one day before the decision.",
                        source_url="https://plantsneedco2.com/cma-drops-microsofts-openai-probe/",
                    ),
                    EventData(
                        on="2025-03-05",
                        kind="decision",
                        title="CMA finds the partnership does not qualify for investigation",
                        text=(
                            "\"Microsoft's partnership with OpenAI does not qualify for "
                            "investigation under the merger provisions of the Enterprise Act "
                            '2002". Joel Bamford: "there has not been a change of control by '
                            'Microsoft from material influence to de facto control". Full '
                            "decision published on 15 April 2025."
                        ),
                        source_url="https://www.channelnewsasia.com/business/uk-says-microsoftopenai-partnership-does-not-need-antitrust-investigation-4979326",
                    ),
                ),
            ),
            InquiryData(
                regulator="ec",
                title="Microsoft / OpenAI investment",
                kind="informal_review",
                stage="closed",
                outcome="closed_no_action",
                status_wording="So we are closing this chapter, but the story is not over",
                opened_on="2024-01-09",
                closed_on="2024-06-28",
                source_url="https://pymnts-com-develop.go-vip.net/big-tech/2024/european-commission-takes-closer-look-at-microsoft-openai-ties",
                summary=(
                    "A check of whether the investment was reviewable under the EU Merger "
                    "Regulation, with no case opened. On closing it the Commission sent a "
                    "follow-up antitrust request for information on exclusivity clauses."
                ),
                events=(
                    EventData(
                        on="2024-01-09",
                        kind="press",
                        title="Commission checks whether the investment is reviewable",
                        text=(
                            "\"The European Commission is checking whether Microsoft's investment "
                            'in OpenAI might be reviewable under the EU Merger Regulation." (In '
                            "the release launching calls for contributions on virtual worlds and "
                            "generative AI.)"
                        ),
                        source_url="https://inquisitiveminds.bristows.com/post/102iwu1/european-commission-joins-uk-competition-and-markets-authority-in-examining-appli",
                    ),
                    EventData(
                        on="2024-06-28",
                        kind="press",
                        title="Commission closes its look at the investment",
                        text=(
                            'Margrethe Vestager: "Microsoft had [not] acquired control on a '
                            "lasting basis over OpenAI … So we are closing this chapter, but the "
                            'story is not over". A follow-up antitrust request for information on '
                            "exclusivity clauses was sent."
                        ),
                        source_url="https://pymnts-com-develop.go-vip.net/big-tech/2024/european-commission-takes-closer-look-at-microsoft-openai-ties",
                    ),
                ),
            ),
            FTC_AI_STUDY,
        ),
    ),
    # Rows 3a-3e, and the additions' row 3f (the FTC's reported inquiry).
    DealData(
        slug="microsoft-inflection-ai",
        title="Microsoft / Inflection AI",
        deal_type="acqui_hire",
        sector="Artificial intelligence",
        summary=(
            "Microsoft hired Inflection AI's two co-founders and most of its staff, with a "
            "non-exclusive licence to its intellectual property. The CMA found a relevant merger "
            "situation and cleared it at phase 1; seven EU Member States withdrew their Article "
            "22 referral requests after the Illumina / Grail judgment. The FTC was reported in "
            "June 2024 to be looking into how the deal was structured."
        ),
        parties=(("microsoft", "acquirer"), ("inflection-ai", "target")),
        announced_on="2024-03-19",
        # No separate closing: on 19 March 2024 Microsoft announced hires already made (the
        # Commission's account, row 3a), and the CMA reviewed arrangements that "resulted in" a
        # relevant merger situation (rows 3c, 3d). The day the deal took effect is that one.
        completed_on="2024-03-19",
        events=(
            EventData(
                on="2024-03-19",
                kind="announced",
                title="Microsoft hires Inflection AI's co-founders and most of its staff",
                text=(
                    "Microsoft announced the hiring of Inflection's two co-founders and offered "
                    "jobs to most of its staff, together with a non-exclusive licence of "
                    "Inflection's intellectual property (the European Commission's account)."
                ),
                source_url="https://miragenews.com/commission-notes-withdrawal-of-inflection-1319492",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="cma",
                title="Microsoft / Inflection AI inquiry",
                kind="merger_review",
                stage="closed",
                outcome="cleared",
                status_wording=(
                    "does not give rise to a realistic prospect of a substantial lessening of "
                    "competition"
                ),
                opened_on="2024-04-24",
                deadline_on="2024-09-11",
                closed_on="2024-09-04",
                source_url="https://gov.uk/cma-cases/microsoft-slash-inflection-ai-inquiry",
                summary=(
                    "Comments invited from 24 April to 9 May 2024; phase 1 from 16 July 2024 "
                    "(deadline 11 September 2024); cleared on 4 September 2024."
                ),
                events=(
                    EventData(
                        on="2024-04-24",
                        kind="comment_invited",
                        title="CMA invites comments on the arrangements",
                        text=(
                            "Invitation to comment on Microsoft's hiring of former Inflection "
                            "employees and related arrangements, until 9 May 2024."
                        ),
                        source_url="https://gov.uk/cma-cases/microsoft-slash-inflection-ai-inquiry",
                    ),
                    EventData(
                        on="2024-07-16",
                        kind="phase_1_opened",
                        title="CMA launches its phase 1 merger inquiry",
                        text=(
                            '"The CMA announced the launch of its merger inquiry by notice to the '
                            'parties." Phase 1 deadline: 11 September 2024.'
                        ),
                        source_url="https://gov.uk/cma-cases/microsoft-slash-inflection-ai-inquiry",
                    ),
                    EventData(
                        on="2024-09-04",
                        kind="decision",
                        title="CMA clears the deal at phase 1",
                        text=(
                            'The CMA found a relevant merger situation, but the deal "does not '
                            "give rise to a realistic prospect of a substantial lessening of "
                            'competition". Joel Bamford: "On this basis, we cleared the '
                            'transaction."'
                        ),
                        source_url="https://www.bnnbloomberg.ca/business/technology/2024/09/04/microsoft-cleared-by-uk-watchdog-over-ex-inflection-staff-hires/",
                    ),
                ),
            ),
            InquiryData(
                regulator="ec",
                title="Microsoft / Inflection AI (Article 22 referral requests)",
                kind="referral",
                stage="closed",
                outcome="closed_no_action",
                status_wording="the Commission will take no decision in this matter",
                deadline_on="2024-09-19",
                closed_on="2024-09-18",
                source_url="https://miragenews.com/commission-notes-withdrawal-of-inflection-1319492",
                summary=(
                    "Seven Member States asked the Commission to review the deal under Article "
                    "22 and withdrew their requests after the Court of Justice's Illumina / Grail "
                    "judgment of 3 September 2024; the Commission's decision had been due on "
                    "19 September 2024. No case number."
                ),
                events=(
                    EventData(
                        on="2024-09-18",
                        kind="press",
                        title="Commission notes the withdrawal of the referral requests",
                        text=(
                            'The Commission "takes note of the withdrawal of the initial referral '
                            "requests by seven Member States to review under Article 22 … "
                            "Following the judgment … of 3 September 2024 in the Illumina/GRAIL "
                            "case … Therefore, the Commission will take no decision in this "
                            'matter."'
                        ),
                        source_url="https://miragenews.com/commission-notes-withdrawal-of-inflection-1319492",
                    ),
                ),
            ),
            InquiryData(
                regulator="ftc",
                title="FTC inquiry into the Microsoft / Inflection AI arrangements",
                kind="informal_review",
                stage="informal",
                opened_on="2024-06-06",
                source_url="https://www.engadget.com/ftc-launches-an-antitrust-probe-into-microsofts-deal-with-inflection-ai-130038896.html",
                summary=(
                    "Known only from press reports: the FTC was said to have opened an inquiry "
                    "into the deal's structure and sent civil investigative demands. The FTC has "
                    "published nothing on it, and nothing later is on record."
                ),
                events=(
                    EventData(
                        on="2024-06-06",
                        kind="press",
                        title="FTC reported to open an inquiry into the deal's structure",
                        text=(
                            "Reported: the FTC opened an inquiry into how the deal was structured "
                            "and sent civil investigative demands."
                        ),
                        source_url="https://www.engadget.com/ftc-launches-an-antitrust-probe-into-microsofts-deal-with-inflection-ai-130038896.html",
                    ),
                ),
            ),
        ),
    ),
    # Rows 2c, 2e (FTC study), 4a-4c.
    DealData(
        slug="amazon-anthropic",
        title="Amazon / Anthropic",
        deal_type="partnership",
        sector="Artificial intelligence",
        summary=(
            "Amazon's investment in and partnership with Anthropic. The CMA found in September "
            "2024 that it did not qualify for investigation; the FTC's 6(b) study covered it."
        ),
        parties=(("amazon", "investor"), ("anthropic", "partner")),
        inquiries=(
            InquiryData(
                regulator="cma",
                title="Amazon / Anthropic partnership merger inquiry",
                kind="merger_review",
                stage="closed",
                outcome="not_qualifying",
                status_wording="does not qualify for investigation",
                opened_on="2024-04-24",
                deadline_on="2024-10-04",
                closed_on="2024-09-27",
                source_url="https://www.pymnts.com/antitrust/2024/united-kingdom-cma-decides-amazon-anthropic-partnership-will-not-lessen-competition-ai/",
                summary=(
                    "Anthropic's UK turnover did not exceed GBP 70 million and the parties did "
                    "not together reach a 25% share of supply, so the CMA did not decide whether "
                    "Amazon had acquired material influence. Case page address not found."
                ),
                events=(
                    EventData(
                        on="2024-04-24",
                        kind="comment_invited",
                        title="CMA invites comments on the partnership",
                        text=(
                            "Invitation to comment, until 9 May 2024, in the same release as "
                            "Microsoft / Mistral AI and Microsoft / Inflection AI."
                        ),
                        source_url=CMA_AI_PARTNERSHIPS_RELEASE,
                    ),
                    EventData(
                        on="2024-08-08",
                        kind="phase_1_opened",
                        title="CMA launches its phase 1 merger inquiry",
                        text="Phase 1 deadline: 4 October 2024.",
                        source_url="https://www.upi.com/Top_News/World-News/2024/08/08/CMA-investigates-Amazon-Anthropic-deal/2061723121127/",
                    ),
                    EventData(
                        on="2024-09-27",
                        kind="decision",
                        title="CMA finds the partnership does not qualify for investigation",
                        text=(
                            'The partnership "does not qualify for investigation": Anthropic\'s '
                            "UK turnover does not exceed GBP 70 million and the parties do not "
                            "together reach a 25% share of supply."
                        ),
                        source_url="https://www.pymnts.com/antitrust/2024/united-kingdom-cma-decides-amazon-anthropic-partnership-will-not-lessen-competition-ai/",
                    ),
                ),
            ),
            FTC_AI_STUDY,
        ),
    ),
    # Rows 2c, 2e (FTC study), 5a-5c.
    DealData(
        slug="alphabet-anthropic",
        title="Alphabet / Anthropic",
        deal_type="partnership",
        sector="Artificial intelligence",
        summary=(
            "Alphabet's (Google's) investment in and partnership with Anthropic. The CMA found in "
            "November 2024 that it did not qualify for investigation; the FTC's 6(b) study "
            "covered it."
        ),
        parties=(("alphabet", "investor"), ("anthropic", "partner")),
        inquiries=(
            InquiryData(
                regulator="cma",
                title="Alphabet Inc. (Google LLC) / Anthropic merger inquiry",
                kind="merger_review",
                stage="closed",
                outcome="not_qualifying",
                status_wording=(
                    "The CMA has decided that Alphabet's partnership with Anthropic does not "
                    "qualify for investigation under the merger provisions of the Enterprise Act "
                    "2002."
                ),
                opened_on="2024-07-30",
                closed_on="2024-11-19",
                source_url="https://gov.uk/cma-cases/alphabet-inc-google-llc-slash-anthropic-merger-inquiry",
                summary=(
                    "Comments invited from 30 July to 13 August 2024; phase 1 from 24 October "
                    "2024. Reported grounds: no material influence, and Anthropic's UK turnover "
                    "below GBP 70 million."
                ),
                events=(
                    EventData(
                        on="2024-07-30",
                        kind="comment_invited",
                        title="CMA invites comments on the partnership",
                        text="Invitation to comment, until 13 August 2024.",
                        source_url="https://gov.uk/cma-cases/alphabet-inc-google-llc-slash-anthropic-merger-inquiry",
                    ),
                    EventData(
                        on="2024-10-24",
                        kind="phase_1_opened",
                        title="CMA launches its phase 1 merger inquiry",
                        text=(
                            '"The CMA announced the launch of its merger inquiry by notice to the '
                            'parties."'
                        ),
                        source_url="https://gov.uk/cma-cases/alphabet-inc-google-llc-slash-anthropic-merger-inquiry",
                    ),
                    EventData(
                        on="2024-11-19",
                        kind="decision",
                        title="CMA finds the partnership does not qualify for investigation",
                        text=(
                            "\"The CMA has decided that Alphabet's partnership with Anthropic "
                            "does not qualify for investigation under the merger provisions of "
                            'the Enterprise Act 2002." Reported grounds: no material influence, '
                            "and Anthropic's UK turnover below GBP 70 million."
                        ),
                        source_url="https://gov.uk/cma-cases/alphabet-inc-google-llc-slash-anthropic-merger-inquiry",
                    ),
                ),
            ),
            FTC_AI_STUDY,
        ),
    ),
    # Rows 6a-6j, the additions' rows 6k (the restructured deal reviewed anew) and 6l, and the
    # 2026-12-06 rows 6m, 6n (the CMA's phase 1 decision and reference) and 6o (EC notified).
    DealData(
        slug="microsoft-activision-blizzard",
        title="Microsoft / Activision Blizzard",
        deal_type="acquisition",
        sector="Video games",
        summary=(
            "An all-cash acquisition at USD 95 a share, about USD 68.7 billion. The CMA "
            "prohibited the deal as first proposed (April 2023), then cleared a restructured deal "
            "without Activision's cloud streaming rights outside the EEA, which went to Ubisoft; "
            "the European Commission cleared it with cloud-streaming licensing commitments; the "
            "FTC's bid for a preliminary injunction failed, and the FTC dismissed its case in May "
            "2025. Completed on 13 October 2023."
        ),
        parties=(("microsoft", "acquirer"), ("activision-blizzard", "target")),
        announced_on="2022-01-18",
        completed_on="2023-10-13",
        value="68700000000",
        currency="USD",
        events=(
            EventData(
                on="2022-01-18",
                kind="announced",
                title="Microsoft agrees to buy Activision Blizzard",
                text="USD 95 a share, all cash, about USD 68.7 billion.",
                source_url="https://www.benzinga.com/m-a/22/01/25085088/why-activision-blizzard-shares-are-rising-today",
            ),
            EventData(
                on="2023-10-13",
                kind="other",
                title="Microsoft completes the acquisition",
                text=(
                    'Microsoft "completed its previously announced acquisition of Activision '
                    'Blizzard, Inc." (SEC filing).'
                ),
                source_url="https://www.neowin.net/news/microsoft-officially-closes-its-deal-to-buy-activision-blizzard/",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="cma",
                title="Microsoft / Activision Blizzard merger inquiry",
                kind="merger_review",
                stage="closed",
                outcome="prohibited",
                status_wording=(
                    "The CMA decided to prohibit Microsoft's proposed purchase of Activision on "
                    "26 April 2023."
                ),
                opened_on="2022-07-06",
                closed_on="2023-04-26",
                superseded_by=(
                    "cma",
                    "Microsoft / Activision Blizzard (ex-cloud streaming rights) merger inquiry",
                ),
                supersession="restructured",
                checked_on="2026-12-06",  # rows 6b, 6m and 6n
                source_url="https://gov.uk/guidance/the-cma-investigation-into-the-microsoft-and-activision-blizzard-merger",
                summary=(
                    "The review of the deal as first proposed. Phase 1 from 6 July 2022 to its "
                    "decision of 1 September 2022 (the deadline day): the deal may substantially "
                    "lessen competition. Microsoft offered no undertakings, and the CMA referred "
                    "the deal to phase 2 on 15 September 2022; phase 2 ended with the "
                    "prohibition of 26 April 2023. Superseded by the inquiry into the "
                    "restructured deal, which the CMA assessed as a new merger from 22 August "
                    "2023. Case page slug reported as "
                    "microsoft-slash-activision-blizzard-merger-inquiry (unconfirmed)."
                ),
                events=(
                    # Row 6b: the deadline as the CMA published it at launch.
                    EventData(
                        on="2022-07-06",
                        kind="phase_1_opened",
                        title="CMA launches its phase 1 merger inquiry",
                        text="Phase 1 deadline: 1 September 2022.",
                        deadline_on="2022-09-01",
                        source_url="https://www.nasdaq.com/articles/cma-begins-merger-probe-into-activision-blizzard-microsoft-deal",
                    ),
                    # Row 6m.
                    EventData(
                        on="2022-09-01",
                        kind="decision",
                        title="CMA phase 1 decision: the deal may substantially lessen competition",
                        text=(
                            "The CMA found that the deal may substantially lessen competition in "
                            "consoles, multi-game subscriptions and cloud gaming; Microsoft had 5 "
                            "working days to offer undertakings."
                        ),
                        source_url="https://www.finanznachrichten.de/nachrichten-2022-09/56955921-u-k-cma-says-in-depth-probe-needed-for-microsoft-activision-blizzard-deal-020.htm",
                    ),
                    # Row 6n.
                    EventData(
                        on="2022-09-15",
                        kind="phase_2_opened",
                        title="CMA refers the deal to phase 2",
                        text=(
                            "Referred for a phase 2 investigation; Microsoft had told the CMA on "
                            "6 September 2022 that it would offer no undertakings."
                        ),
                        source_url="https://www.finanzen.at/nachrichten/aktien/cma-decides-to-refer-microsoft-activision-blizzard-deal-for-phase-2-investigation-1031745339",
                    ),
                    EventData(
                        on="2023-04-26",
                        kind="decision",
                        title="CMA prohibits the deal",
                        text=(
                            "\"The CMA decided to prohibit Microsoft's proposed purchase of "
                            'Activision on 26 April 2023."'
                        ),
                        source_url="https://gov.uk/guidance/the-cma-investigation-into-the-microsoft-and-activision-blizzard-merger",
                    ),
                ),
            ),
            InquiryData(
                regulator="cma",
                title="Microsoft / Activision Blizzard (ex-cloud streaming rights) merger inquiry",
                kind="merger_review",
                stage="closed",
                outcome="cleared_with_remedies",
                opened_on="2023-08-22",
                closed_on="2023-10-13",
                source_url="https://pledgetimes.com/acquisition-of-activision-blizzard-the-english-cma-gives-the-green-light-to-microsoft-xbox/",
                summary=(
                    "A new inquiry into the restructured deal, which excluded Activision's cloud "
                    "streaming rights outside the European Economic Area; those rights were sold "
                    "to Ubisoft before completion. The CMA said on 22 August 2023 that it would "
                    "assess the restructured deal as a new merger (18 October 2023 was the "
                    "parties' own outside date, not a CMA deadline). Case page slug reported as "
                    "microsoft-slash-activision-blizzard-ex-cloud-streaming-rights-merger-inquiry "
                    "(unconfirmed)."
                ),
                events=(
                    EventData(
                        on="2023-08-22",
                        kind="press",
                        title="CMA to assess the restructured deal as a new merger",
                        text=(
                            "The CMA said it would assess the restructured deal, with the cloud "
                            "streaming rights outside the EEA sold to Ubisoft, as a new merger: "
                            '"This is not a green light." (Reported on 23 August 2023.)'
                        ),
                        source_url="https://www.wionews.com/business-economy/uk-reopens-investigation-into-microsofts-proposed-acquisition-of-activision-628240",
                    ),
                    EventData(
                        on="2023-10-13",
                        kind="decision",
                        title="CMA clears the restructured deal",
                        text=(
                            "The CMA consented to a restructured deal \"excluding Activision's "
                            'cloud streaming rights outside the European Economic Area", with '
                            "those rights sold to Ubisoft before completion."
                        ),
                        source_url="https://pledgetimes.com/acquisition-of-activision-blizzard-the-english-cma-gives-the-green-light-to-microsoft-xbox/",
                    ),
                ),
            ),
            InquiryData(
                regulator="ec",
                title="Microsoft / Activision Blizzard",
                reference="M.10646",
                kind="merger_review",
                stage="closed",
                outcome="cleared_with_remedies",
                status_wording=(
                    "declaring a concentration to be compatible with the internal market"
                ),
                opened_on="2022-09-30",  # row 6o: the notification
                closed_on="2023-05-15",
                checked_on="2026-12-06",  # row 6o
                source_url="https://www.scribd.com/document/679824304/Microsoft-and-Blizzard-Games",
                summary=(
                    "Notified on 30 September 2022 (the Commission's merger data, as kept in a "
                    "third party's derived copy); in-depth investigation from 8 November 2022. "
                    "Cleared under Article 8(2), conditional on cloud-streaming licensing "
                    "commitments: decision C(2023) 3199 final according to the decision text "
                    "(the Official Journal summary lists C(2023) 3139)."
                ),
                events=(
                    # Row 6o: caseNotificationDate of M.10646 in the Commission's merger dump.
                    EventData(
                        on="2022-09-30",
                        kind="notified",
                        title="Deal notified to the Commission",
                        text=(
                            "Microsoft notified the deal to the Commission (notification date "
                            "in the Commission's merger data, read in a third party's derived "
                            "copy)."
                        ),
                        source_url=EC_MERGER_DUMP_COPY,
                    ),
                    EventData(
                        on="2022-11-08",
                        kind="phase_2_opened",
                        title="Commission opens an in-depth investigation",
                        text=(
                            'The Commission "opened an in-depth investigation to assess the '
                            'proposed acquisition of Activision Blizzard by Microsoft".'
                        ),
                        source_url="https://www.aninews.in/news/world/europe/eu-opens-probe-into-microsoft-activision-blizzard-merger-deal20221108232213/",
                    ),
                    EventData(
                        on="2023-05-15",
                        kind="decision",
                        title="Commission clears the deal with commitments",
                        text=(
                            'Decision "declaring a concentration to be compatible with the '
                            'internal market" under Article 8(2), conditional on cloud-streaming '
                            "licensing commitments."
                        ),
                        source_url="https://www.scribd.com/document/679824304/Microsoft-and-Blizzard-Games",
                    ),
                ),
            ),
            InquiryData(
                regulator="ftc",
                title="FTC challenge to Microsoft / Activision Blizzard",
                kind="merger_review",
                stage="closed",
                outcome="closed_no_action",
                status_wording=(
                    "the public interest is best served by dismissing the administrative litigation"
                ),
                opened_on="2022-12-08",
                closed_on="2025-05-22",
                source_url="https://www.ftc.gov/news-events/news/press-releases/2022/12/ftc-seeks-block-microsoft-corps-acquisition-activision-blizzard-inc",
                summary=(
                    "An administrative complaint (docket reported as Dkt. 9412, unconfirmed) and "
                    "a federal court bid for a preliminary injunction, denied on 11 July 2023 "
                    "and upheld on appeal on 7 May 2025 (9th Cir. No. 23-15992). The FTC "
                    "dismissed its administrative complaint on 22 May 2025."
                ),
                events=(
                    EventData(
                        on="2022-12-08",
                        kind="lawsuit",
                        title="FTC sues to block the acquisition",
                        text=(
                            "\"FTC Seeks to Block Microsoft Corp.'s Acquisition of Activision "
                            'Blizzard, Inc." (administrative complaint).'
                        ),
                        source_url="https://www.ftc.gov/news-events/news/press-releases/2022/12/ftc-seeks-block-microsoft-corps-acquisition-activision-blizzard-inc",
                    ),
                    EventData(
                        on="2023-07-11",
                        kind="decision",
                        title="Court denies the FTC a preliminary injunction",
                        text=(
                            "US District Court for the Northern District of California, FTC v. "
                            'Microsoft Corp., 681 F. Supp. 3d 1069: "The motion for a '
                            'preliminary injunction is therefore DENIED."'
                        ),
                        source_url="https://www.tweaktown.com/news/92294/ftc-microsoft-judge-corley-denies-preliminary-injunction-in-big-win-for-xbox/index.html",
                    ),
                    EventData(
                        on="2025-05-07",
                        kind="appeal",
                        title="Ninth Circuit upholds the denial of the preliminary injunction",
                        text=(
                            "The US Court of Appeals for the Ninth Circuit (No. 23-15992) "
                            "affirmed the denial of the preliminary injunction."
                        ),
                        source_url="https://law.justia.com/cases/federal/appellate-courts/ca9/23-15992/23-15992-2025-05-07.html",
                    ),
                    EventData(
                        on="2025-05-22",
                        kind="decision",
                        title="FTC dismisses its administrative complaint",
                        text=(
                            "The FTC dismissed its administrative complaint against the "
                            'acquisition: "the public interest is best served by dismissing the '
                            'administrative litigation".'
                        ),
                        source_url="https://www.vgchartz.com/article/464776/ftc-officially-drops-case-against-microsofts-activision-blizzard-acquisition/",
                    ),
                ),
            ),
        ),
    ),
    # Rows 7a-7f.
    DealData(
        slug="adobe-figma",
        title="Adobe / Figma",
        deal_type="acquisition",
        sector="Software",
        summary=(
            "A merger agreement worth about USD 20 billion in cash and stock. The European "
            "Commission (after Article 22 referrals) and the CMA both opened in-depth reviews and "
            "raised objections; the parties terminated the agreement on 18 December 2023."
        ),
        parties=(("adobe", "acquirer"), ("figma", "target")),
        announced_on="2022-09-15",
        abandoned_on="2023-12-18",  # row 7f
        value="20000000000",
        currency="USD",
        events=(
            EventData(
                on="2022-09-15",
                kind="announced",
                title="Adobe agrees to buy Figma",
                text="Merger agreement for about USD 20 billion in cash and stock.",
                source_url="https://www.dtnext.in/news/business/adobe-terminates-20-bn-deal-to-buy-rival-figma-amid-regulatory-headwinds-755398",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="ec",
                title="Adobe / Figma",
                kind="merger_review",
                stage="closed",
                outcome="abandoned",
                status_wording="This marks the end of the Commission's investigation.",
                opened_on="2023-02-15",
                closed_on="2023-12-18",
                source_url="https://ieu-monitoring.com/editorial/eu-statement-on-adobe-announcement-to-abandon-figma-acquisition/424427",
                summary=(
                    "Reviewed after the Commission accepted Article 22 referral requests from "
                    "Austria and 15 other EEA states; notified on 30 June 2023. Case number "
                    "reported as M.10881 (unconfirmed)."
                ),
                events=(
                    EventData(
                        on="2023-02-15",
                        kind="decision",
                        title="Commission accepts Article 22 referral requests",
                        text=(
                            "The Commission accepted referral requests from Austria and 15 other "
                            "EEA states to assess the deal."
                        ),
                        source_url="https://ieu-monitoring.com/editorial/mergers-eu-commission-to-assess-proposed-acquisition-of-figma-by-adobe/400561",
                    ),
                    EventData(
                        on="2023-06-30",
                        kind="notified",
                        title="Deal notified to the Commission",
                        text="Adobe notified the deal to the Commission.",
                        source_url="https://agenceurope.eu/en/bulletin/article/13234/18/european-commission-opens-an-in-depth-investigation-into-adobes-acquisition-of-figma",
                    ),
                    EventData(
                        on="2023-08-07",
                        kind="phase_2_opened",
                        title="Commission opens an in-depth investigation",
                        text='The Commission opened "an in-depth investigation".',
                        source_url="https://agenceurope.eu/en/bulletin/article/13234/18/european-commission-opens-an-in-depth-investigation-into-adobes-acquisition-of-figma",
                    ),
                    EventData(
                        on="2023-11-17",
                        kind="objections",
                        title="Commission sends a Statement of Objections",
                        text=(
                            "Statement of Objections, dated in the Commission's statement of 18 "
                            "December 2023."
                        ),
                        source_url="https://ieu-monitoring.com/editorial/eu-statement-on-adobe-announcement-to-abandon-figma-acquisition/424427",
                    ),
                    EventData(
                        on="2023-12-18",
                        kind="abandoned",
                        title="Adobe and Figma terminate the merger agreement",
                        text=(
                            'The parties cited "no clear path to receive necessary regulatory '
                            "approvals from the European Commission and the UK Competition and "
                            'Markets Authority". The Commission: "This marks the end of the '
                            "Commission's investigation.\""
                        ),
                        source_url="https://www.axios.com/2023/12/18/adobe-figma-deal-collapse",
                        also_on_deal=True,
                    ),
                ),
            ),
            InquiryData(
                regulator="cma",
                title="Adobe / Figma merger inquiry",
                kind="merger_review",
                stage="closed",
                outcome="abandoned",
                deadline_on="2024-02-25",
                closed_on="2023-12-18",
                source_url="https://www.uktech.news/news/government-and-policy/cma-adobe-figma-probe-20230714",
                summary=(
                    "Referred to phase 2 after the parties offered no undertakings (reported on "
                    "13 July 2023); phase 2 deadline 27 December 2023, extended to 25 February "
                    "2024. Ended when the parties abandoned the deal. The phase 1 opening date "
                    "is not in our sources."
                ),
                events=(
                    EventData(
                        on="2023-07-13",
                        kind="phase_2_opened",
                        title="CMA refers the deal to phase 2",
                        text=(
                            "Referred to an in-depth phase 2 investigation after the parties "
                            "offered no undertakings (reported on 13 July 2023). Phase 2 "
                            "deadline 27 December 2023, later extended to 25 February 2024."
                        ),
                        source_url="https://www.uktech.news/news/government-and-policy/cma-adobe-figma-probe-20230714",
                    ),
                    EventData(
                        on="2023-11-28",
                        kind="objections",
                        title="CMA publishes provisional findings",
                        text=(
                            "The CMA provisionally found that the merger could affect "
                            "competition in the digital design sector."
                        ),
                        source_url="https://complianceconcourse.willkie.com/articles/cma-provisionally-finds-that-adobe-figma-merger-could-affect-competition-in-the-digital-design-sector",
                    ),
                ),
            ),
        ),
    ),
    # Rows 8a-8e.
    DealData(
        slug="amazon-irobot",
        title="Amazon / iRobot",
        deal_type="acquisition",
        sector="Consumer electronics",
        summary=(
            "USD 61 a share, about USD 1.7 billion including net debt. The CMA cleared it at "
            "phase 1; the European Commission opened an in-depth investigation and sent a "
            "Statement of Objections; the parties terminated the agreement on 29 January 2024."
        ),
        parties=(("amazon", "acquirer"), ("irobot", "target")),
        announced_on="2022-08-05",
        abandoned_on="2024-01-29",  # row 8e
        value="1700000000",
        currency="USD",
        events=(
            EventData(
                on="2022-08-05",
                kind="announced",
                title="Amazon agrees to buy iRobot",
                text=(
                    "Definitive merger agreement: USD 61 a share, about USD 1.7 billion "
                    "including net debt."
                ),
                source_url="https://www.upi.com/Top_News/US/2022/08/05/amazon-acquires-irobot-roomba/9171659711785/",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="cma",
                title="Amazon / iRobot merger inquiry",
                kind="merger_review",
                stage="closed",
                outcome="cleared",
                status_wording="the deal would not lead to competition concerns in the UK",
                closed_on="2023-06-16",
                source_url="https://the-independent.com/business/competition-watchdog-approves-amazon-s-ps1-3bn-takeover-of-robotvacuum-maker-b2358859.html",
                summary="Cleared at phase 1; the opening date is not in our sources.",
                events=(
                    EventData(
                        on="2023-06-16",
                        kind="decision",
                        title="CMA clears the deal at phase 1",
                        text='"The deal would not lead to competition concerns in the UK."',
                        source_url="https://the-independent.com/business/competition-watchdog-approves-amazon-s-ps1-3bn-takeover-of-robotvacuum-maker-b2358859.html",
                    ),
                ),
            ),
            InquiryData(
                regulator="ec",
                title="Amazon / iRobot",
                kind="merger_review",
                stage="closed",
                outcome="abandoned",
                status_wording=(
                    "takes note of Amazon's and iRobot's decision to terminate their agreement"
                ),
                opened_on="2023-06-01",
                closed_on="2024-01-29",
                source_url="https://app.1848.nl/document/item/575125",
                summary=(
                    "Notified on 1 June 2023; in-depth investigation from 6 July 2023; Statement "
                    "of Objections on 27 November 2023. Case number reported as M.10920 "
                    "(unconfirmed)."
                ),
                events=(
                    EventData(
                        on="2023-06-01",
                        kind="notified",
                        title="Deal notified to the Commission",
                        text="Amazon notified the deal to the Commission.",
                        source_url="https://complianceconcourse.willkie.com/articles/eu-opens-phase-ii-investigation-into-amazons-proposed-acquisition-of-irobot/",
                    ),
                    EventData(
                        on="2023-07-06",
                        kind="phase_2_opened",
                        title="Commission opens an in-depth investigation",
                        text='The Commission "opened an in-depth investigation".',
                        source_url="https://complianceconcourse.willkie.com/articles/eu-opens-phase-ii-investigation-into-amazons-proposed-acquisition-of-irobot/",
                    ),
                    EventData(
                        on="2023-11-27",
                        kind="objections",
                        title="Commission sends a Statement of Objections",
                        text=(
                            "Statement of Objections, dated in the Commission's statement of 29 "
                            "January 2024."
                        ),
                        source_url="https://app.1848.nl/document/item/575125",
                    ),
                    EventData(
                        on="2024-01-29",
                        kind="abandoned",
                        title="Amazon and iRobot terminate the merger agreement",
                        text=(
                            'The parties "entered into a mutual agreement to terminate". The '
                            "Commission \"takes note of Amazon's and iRobot's decision to "
                            'terminate their agreement".'
                        ),
                        source_url="https://kvia.com/news/ap-national/2024/01/29/amazon-calls-off-bid-to-buy-robot-vacuum-cleaner-irobot-amid-scrutiny-in-the-us-and-europe/",
                        also_on_deal=True,
                    ),
                ),
            ),
        ),
    ),
    # Rows 9a-9d, and the additions' rows 9e-9h (completion, the FTC's order, unwinding).
    DealData(
        slug="illumina-grail",
        title="Illumina / Grail",
        deal_type="acquisition",
        sector="Healthcare",
        summary=(
            "Illumina completed its acquisition of GRAIL in August 2021 while the European "
            "Commission's review was pending. The Commission, reviewing it after accepting Article "
            "22 referral requests, prohibited it in September 2022; the FTC ordered Illumina to "
            "divest GRAIL in April 2023, and the Fifth Circuit largely upheld the order. GRAIL was "
            "spun off on 24 June 2024. On 3 September 2024 the Court of Justice annulled the "
            "decisions accepting the referrals, and the Commission withdrew its decisions in the "
            "case three days later."
        ),
        parties=(("illumina", "acquirer"), ("grail", "target")),
        completed_on="2021-08-18",
        unwound_on="2024-06-24",
        events=(
            EventData(
                on="2021-08-18",
                kind="other",
                title="Illumina completes the acquisition of GRAIL",
                text=(
                    "Illumina completed the acquisition while the European Commission's review "
                    "was pending."
                ),
                source_url="https://www.nasdaq.com/articles/illumina-committed-to-expeditious-divestiture-of-grail",
            ),
            EventData(
                on="2024-06-24",
                kind="other",
                title="GRAIL spun off from Illumina",
                text=(
                    "The spin-off took effect on 24 June 2024 and GRAIL began regular trading on "
                    "Nasdaq as an independent company on 25 June: the acquisition is unwound."
                ),
                source_url="https://www.diagnosticsworldnews.com/news/2024/06/25/grail-begins-independent-trading-on-nasdaq",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="ec",
                title="Illumina / Grail",
                reference="M.10188",
                kind="merger_review",
                stage="closed",
                outcome="prohibited",
                status_wording=(
                    "declaring a concentration to be incompatible with the internal market"
                ),
                opened_on="2021-04-19",
                closed_on="2022-09-06",
                # Row 9d: the prohibition no longer counts, but the page still shows it.
                decision_status="withdrawn",
                decision_status_on="2024-09-06",
                decision_status_note="after the Court of Justice's judgment",
                source_url="https://eur-lex.europa.eu/eli/C/2024/6049/oj/eng",
                summary=(
                    "Prohibition decision C(2022) 6454 final of 6 September 2022, withdrawn by "
                    "decision C(2024) 6433 together with the decisions in the related cases "
                    "M.10483, M.10493, M.10938 and M.10939, on 6 September 2024, after the Court "
                    "of Justice's judgment in Joined Cases C-611/22 P and C-625/22 P."
                ),
                events=(
                    EventData(
                        on="2021-04-19",
                        kind="decision",
                        title="Commission accepts France's Article 22 referral request",
                        text=(
                            "Decision C(2021) 2847 accepting France's referral request under "
                            "Article 22, and five further decisions accepting requests to join it."
                        ),
                        source_url="https://fra.europa.eu/el/caselaw-reference/cjeu-joined-cases-c-61122-p-and-c-62522-p-opinion",
                    ),
                    EventData(
                        on="2022-09-06",
                        kind="decision",
                        title="Commission prohibits the acquisition",
                        text=(
                            '"Decision C(2022) 6454 final of 6 September 2022 declaring a '
                            "concentration to be incompatible with the internal market … (Case "
                            'M.10188 – ILLUMINA / GRAIL)".'
                        ),
                        source_url="https://curia.europa.eu/juris/document/document.jsf?docid=287193",
                    ),
                    EventData(
                        on="2024-09-03",
                        kind="appeal",
                        title="Court of Justice annuls the decisions accepting the referrals",
                        text=(
                            "The Court of Justice (Grand Chamber), Joined Cases C-611/22 P and "
                            'C-625/22 P, "sets aside the judgment of the General Court and annuls '
                            "the decisions by which the Commission accepted requests from "
                            'national competition authorities".'
                        ),
                        source_url="https://www.pharmalive.com/illumina-wins-grail-battle-in-blow-to-eu-merger-power/",
                    ),
                    EventData(
                        on="2024-09-06",
                        kind="decision",
                        title="Commission withdraws its decisions in the case",
                        text=(
                            'Decision C(2024) 6433 "withdrawing decisions in cases M.10188 … '
                            '(Art. 6(1)(c) decision and prohibition decision under Article 8(3))" '
                            "and in the related cases M.10483, M.10493, M.10938 and M.10939."
                        ),
                        source_url="https://eur-lex.europa.eu/eli/C/2024/6049/oj/eng",
                    ),
                ),
            ),
            InquiryData(
                regulator="ftc",
                title="FTC challenge to Illumina / GRAIL",
                kind="merger_review",
                stage="closed",
                outcome="prohibited",
                closed_on="2023-04-03",
                source_url="https://www.sdbn.org/san-diego-biotech-news/2023/04/03/stat-ftc-tells-illumina-to-divest-grail-boosting-icahns-case/",
                summary=(
                    "An administrative case (docket reported as Dkt. 9401, unconfirmed). The "
                    "Commission reversed the administrative law judge's initial decision and "
                    "ordered Illumina to divest GRAIL; the Fifth Circuit (No. 23-60167, "
                    "unconfirmed) upheld most of the order on 15 December 2023 and remanded on "
                    "one point, and Illumina said it would divest rather than appeal further."
                ),
                events=(
                    EventData(
                        on="2023-04-03",
                        kind="decision",
                        title="FTC orders Illumina to divest GRAIL",
                        text=(
                            "The Commission ordered Illumina to divest GRAIL, reversing the "
                            "administrative law judge's initial decision."
                        ),
                        source_url="https://www.sdbn.org/san-diego-biotech-news/2023/04/03/stat-ftc-tells-illumina-to-divest-grail-boosting-icahns-case/",
                    ),
                    EventData(
                        on="2023-12-15",
                        kind="appeal",
                        title="Fifth Circuit upholds most of the FTC's order",
                        text=(
                            "The US Court of Appeals for the Fifth Circuit upheld most of the "
                            "FTC's order and remanded on one point. On 17 December 2023 Illumina "
                            "said it would divest GRAIL rather than appeal further."
                        ),
                        source_url="https://www.nasdaq.com/articles/illumina-committed-to-expeditious-divestiture-of-grail",
                    ),
                ),
            ),
        ),
    ),
    # Rows 10a-10d.
    DealData(
        slug="nvidia-arm",
        title="NVIDIA / Arm",
        deal_type="acquisition",
        sector="Semiconductors",
        summary=(
            "NVIDIA agreed to buy Arm from SoftBank Group for USD 40 billion. The European "
            "Commission opened an in-depth investigation, the FTC sued to block the deal and the "
            "CMA was reviewing it in depth when the parties terminated the agreement on 8 "
            "February 2022, citing significant regulatory challenges."
        ),
        parties=(("nvidia", "acquirer"), ("arm", "target"), ("softbank-group", "seller")),
        announced_on="2020-09-13",
        abandoned_on="2022-02-08",  # row 10d
        value="40000000000",
        currency="USD",
        events=(
            EventData(
                on="2020-09-13",
                kind="announced",
                title="NVIDIA agrees to buy Arm from SoftBank",
                text="Definitive agreement for NVIDIA to buy Arm from SoftBank for USD 40 billion.",
                source_url="https://www.tweaktown.com/news/75144/nvidia-seals-deal-to-acquire-arm-for-40-billion-age-of-ai-coming/index.html",
            ),
            EventData(
                on="2022-02-08",
                kind="abandoned",
                title="NVIDIA and SoftBank terminate the agreement",
                text='Terminated "because of significant regulatory challenges".',
                source_url="https://www.embeddedcomputing.com/technology/processing/nvidia-and-softbank-group-announce-termination-of-nvidias-acquisition-of-arm-limited",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="ec",
                title="NVIDIA / Arm",
                kind="merger_review",
                stage="closed",
                outcome="abandoned",
                opened_on="2021-09-08",
                deadline_on="2022-03-15",
                closed_on="2022-02-08",
                source_url="https://upnewsinfo.com/setback-for-nvidias-54-billion-arm-bid-as-eu-regulators-open-probe-by-reuters/",
                summary=(
                    "Notified on 8 September 2021; in-depth investigation from 27 October 2021, "
                    "decision due by 15 March 2022. Ended when the parties terminated the deal. "
                    "Case number reported as M.10054 (unconfirmed)."
                ),
                events=(
                    EventData(
                        on="2021-09-08",
                        kind="notified",
                        title="Deal notified to the Commission",
                        text="NVIDIA notified the deal to the Commission.",
                        source_url="https://www.anandtech.com/show/17038/european-union-regulators-open-probe-into-nvidiaarm-acquisition",
                    ),
                    EventData(
                        on="2021-10-27",
                        kind="phase_2_opened",
                        title="Commission opens an in-depth investigation",
                        text="In-depth investigation opened; decision deadline 15 March 2022.",
                        source_url="https://upnewsinfo.com/setback-for-nvidias-54-billion-arm-bid-as-eu-regulators-open-probe-by-reuters/",
                    ),
                ),
            ),
            InquiryData(
                regulator="ftc",
                title="FTC challenge to NVIDIA / Arm",
                kind="merger_review",
                stage="closed",
                outcome="abandoned",
                opened_on="2021-12-02",
                closed_on="2022-02-08",
                source_url="https://www.nasdaq.com/articles/ftc-to-block-nvidia-arm-deal-to-protect-critical-infrastructure-markets-from-illegal",
                summary=(
                    "An administrative complaint to block the deal, with trial set for 9 August "
                    "2022; docket number not found. Ended when the parties terminated the deal."
                ),
                events=(
                    EventData(
                        on="2021-12-02",
                        kind="lawsuit",
                        title="FTC sues to block the acquisition",
                        text=(
                            "Administrative complaint to block the deal; trial set for 9 August "
                            "2022."
                        ),
                        source_url="https://www.nasdaq.com/articles/ftc-to-block-nvidia-arm-deal-to-protect-critical-infrastructure-markets-from-illegal",
                    ),
                ),
            ),
            InquiryData(
                regulator="cma",
                title="NVIDIA / Arm merger inquiry",
                kind="merger_review",
                stage="closed",
                outcome="abandoned",
                closed_on="2022-02-08",
                source_url="https://www.wired-gov.net/wg/news.nsf/articles/statement+on+the+cmas+investigation+in+to+the+arm+takeover+by+nvidia+10022022161000?open",
                summary=(
                    "An in-depth (phase 2) review, cancelled after the parties terminated the "
                    "deal. Its opening dates are not in our sources."
                ),
                events=(
                    EventData(
                        on="2022-02-08",
                        kind="press",
                        title="CMA to cancel its investigation",
                        text=(
                            "The Department for Digital, Culture, Media and Sport said the CMA "
                            '"intends to cancel its investigation" after the parties terminated '
                            "the deal."
                        ),
                        source_url="https://www.wired-gov.net/wg/news.nsf/articles/statement+on+the+cmas+investigation+in+to+the+arm+takeover+by+nvidia+10022022161000?open",
                    ),
                ),
            ),
        ),
    ),
    # Rows 11a-11e, the additions' row 11f (the FTC's second request), and the 2026-12-06 row
    # 11g (the US waiting periods expired: a US clearance).
    DealData(
        slug="broadcom-vmware",
        title="Broadcom / VMware",
        deal_type="acquisition",
        sector="Software",
        summary=(
            "About USD 61 billion in cash and stock, with Broadcom also taking on USD 8 billion of "
            "VMware's net debt. Cleared with commitments by the European Commission, cleared after "
            "a phase 2 review by the CMA, cleared in the US when the HSR waiting periods expired "
            "(21 August 2023), and completed on 22 November 2023 after China's SAMR approved it "
            "with conditions."
        ),
        parties=(("broadcom", "acquirer"), ("vmware", "target")),
        announced_on="2022-05-26",
        completed_on="2023-11-22",
        value="61000000000",
        currency="USD",
        events=(
            EventData(
                on="2022-05-26",
                kind="announced",
                title="Broadcom agrees to buy VMware",
                text="About USD 61 billion in cash and stock, plus USD 8 billion of net debt.",
                source_url="https://betanews.com/2022/05/26/broadcom-to-acquire-vmware-for-61-billion/",
            ),
            EventData(
                on="2023-11-22",
                kind="other",
                title="Broadcom completes the acquisition",
                text="Completed after China's SAMR gave its conditional approval.",
                source_url="https://www.siliconrepublic.com/business/broadcom-vmware-acquisition-merger-regulatory-approval-china",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="ec",
                title="Broadcom / VMware",
                reference="M.10806",
                kind="merger_review",
                stage="closed",
                outcome="cleared_with_remedies",
                # The Commission's label for the decision, as its merger register has it
                # (tests/fixtures/ec_mergers): the same words ingest writes, so that loading the
                # demo after the samples (`make run`, twice) does not blank what ingest wrote.
                status_wording="Art. 8(2) with conditions & obligations",
                opened_on="2022-11-15",
                closed_on="2023-07-12",
                source_url="https://eur-lex.europa.eu/legal-content/DE/TXT/?uri=OJ%3AC_202502798",
                summary=(
                    "Notified on 15 November 2022; proceedings opened under Article 6(1)(c) on "
                    "20 December 2022; approved on 12 July 2023 subject to access and "
                    "interoperability commitments for Fibre Channel host bus adapters (for Marvell "
                    "and future entrants), in place for 10 years."
                ),
                events=(
                    EventData(
                        on="2022-11-15",
                        kind="notified",
                        title="Deal notified to the Commission",
                        text="Broadcom notified the deal to the Commission.",
                        source_url="https://eur-lex.europa.eu/legal-content/DE/TXT/?uri=OJ%3AC_202502798",
                    ),
                    EventData(
                        on="2022-12-20",
                        kind="phase_2_opened",
                        title="Commission opens an in-depth investigation",
                        text="Article 6(1)(c) decision opening proceedings.",
                        source_url="https://eur-lex.europa.eu/legal-content/DE/TXT/?uri=OJ%3AC_202502798",
                    ),
                    EventData(
                        on="2023-07-12",
                        kind="decision",
                        title="Commission clears the deal with commitments",
                        text=(
                            "Approved conditional on access and interoperability commitments for "
                            "Fibre Channel host bus adapters (for Marvell and future entrants), "
                            "in place for 10 years."
                        ),
                        source_url="https://businessglitz.com/broadcoms-61-billion-vmware-deal-wins-conditional-eu-antitrust-ok/",
                    ),
                ),
            ),
            InquiryData(
                regulator="cma",
                title="Broadcom / VMware merger inquiry",
                kind="merger_review",
                stage="closed",
                outcome="cleared",
                status_wording=(
                    "would not substantially reduce competition in the supply of server hardware "
                    "components in the UK"
                ),
                closed_on="2023-08-21",
                source_url="https://www.dtnext.in/news/business/uk-market-watchdog-clears-broadcoms-61-bn-deal-to-acquire-vmware-731394",
                summary=(
                    "Phase 2 final decision, reported on 21-22 August 2023. Opening dates and the "
                    "case page address are not in our sources."
                ),
                events=(
                    EventData(
                        on="2023-08-21",
                        kind="decision",
                        title="CMA clears the deal after phase 2",
                        text=(
                            'The deal "would not substantially reduce competition in the supply '
                            'of server hardware components in the UK" (reported 21-22 August '
                            "2023)."
                        ),
                        source_url="https://www.dtnext.in/news/business/uk-market-watchdog-clears-broadcoms-61-bn-deal-to-acquire-vmware-731394",
                    ),
                ),
            ),
            InquiryData(
                regulator="ftc",
                title="FTC review of Broadcom / VMware",
                kind="merger_review",
                # Row 11g: the FTC announced nothing, but Broadcom said the waiting periods had
                # expired; under the status rule that is a US clearance.
                stage="closed",
                outcome="cleared",
                status_wording=(
                    "the Hart-Scott-Rodino pre-merger waiting periods have expired, and there is "
                    "no legal impediment to closing under U.S. merger regulations"
                ),
                opened_on="2022-07-11",
                closed_on="2023-08-21",
                checked_on="2026-12-06",  # row 11g
                source_url="https://fierce-network.com/multi-cloud/broadcom-gets-uk-approval-61b-vmware-deal",
                summary=(
                    "A second request under the HSR Act on 11 July 2022 (in-depth review). On "
                    "21 August 2023 Broadcom said the HSR waiting periods had expired, with no "
                    "legal impediment to closing under US merger rules; the FTC announced "
                    "nothing. In the US the end of the waiting period is a clearance."
                ),
                events=(
                    EventData(
                        on="2022-07-11",
                        kind="phase_2_opened",
                        title="FTC issues a second request",
                        text="Second request issued under the HSR Act (in-depth review).",
                        source_url="https://www.channelweb.co.uk/news/4120542/cma-approves-landmark-broadcom-vmware-merger",
                    ),
                    # Row 11g.
                    EventData(
                        on="2023-08-21",
                        kind="decision",
                        title="HSR waiting periods expired: US review cleared",
                        text=(
                            'Broadcom: "the Hart-Scott-Rodino pre-merger waiting periods have '
                            "expired, and there is no legal impediment to closing under U.S. "
                            'merger regulations". The FTC announced nothing; in the US the '
                            "expiry is a clearance."
                        ),
                        source_url="https://fierce-network.com/multi-cloud/broadcom-gets-uk-approval-61b-vmware-deal",
                    ),
                ),
            ),
            InquiryData(
                regulator="samr",
                title="Broadcom / VMware",
                kind="merger_review",
                stage="closed",
                outcome="cleared_with_remedies",
                source_url="https://www.siliconrepublic.com/business/broadcom-vmware-acquisition-merger-regulatory-approval-china",
                summary=(
                    "China's State Administration for Market Regulation approved the deal with "
                    "conditions before its completion on 22 November 2023; the date of the "
                    "approval and the conditions are not in our sources."
                ),
            ),
        ),
    ),
    # Row 12a, the additions' rows 12b (phase II opened) and 12c (completion), and the
    # 2026-12-06 row 12d (notified).
    DealData(
        slug="google-fitbit",
        title="Google / Fitbit",
        deal_type="acquisition",
        sector="Consumer electronics",
        summary=(
            "Google's acquisition of Fitbit, cleared by the European Commission after an in-depth "
            "review, with commitments: no use of Fitbit data from the EEA for Google's ads, access "
            "to Fitbit's Web API, and licensing of Android APIs. Completed on 14 January 2021, "
            "while the US Department of Justice's investigation was still open."
        ),
        parties=(("alphabet", "acquirer"), ("fitbit", "target")),
        completed_on="2021-01-14",
        events=(
            EventData(
                on="2021-01-14",
                kind="other",
                title="Google completes the acquisition of Fitbit",
                text=(
                    "Google completed the acquisition while the US Department of Justice's "
                    "investigation was still open."
                ),
                source_url="https://www.axios.com/2021/01/14/google-completes-fitbit-acquisition",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="ec",
                title="Google / Fitbit",
                reference="M.9660",
                kind="merger_review",
                stage="closed",
                outcome="cleared_with_remedies",
                status_wording=(
                    "declaring a concentration to be compatible with the internal market"
                ),
                opened_on="2020-06-15",  # row 12d: the notification
                closed_on="2020-12-17",
                checked_on="2026-12-06",  # row 12d
                source_url="https://www.scribd.com/document/650396164/m9660-3314-3",
                summary=(
                    "Notified on 15 June 2020 (the Commission's merger data, as kept in a third "
                    "party's derived copy); in-depth investigation from 4 August 2020. Decision "
                    "C(2020) 9105 final of 17 December 2020 under Article 8(2), with "
                    "commitments: no Fitbit EEA data for ads, Web API access, and Android API "
                    "licensing."
                ),
                events=(
                    # Row 12d: caseNotificationDate of M.9660 in the Commission's merger dump.
                    EventData(
                        on="2020-06-15",
                        kind="notified",
                        title="Deal notified to the Commission",
                        text=(
                            "Google notified the deal to the Commission (notification date in "
                            "the Commission's merger data, read in a third party's derived copy)."
                        ),
                        source_url=EC_MERGER_DUMP_COPY,
                    ),
                    EventData(
                        on="2020-08-04",
                        kind="phase_2_opened",
                        title="Commission opens an in-depth investigation",
                        text="The Commission opened an in-depth (Phase II) investigation.",
                        source_url="https://www.medianama.com/2020/08/223-google-fitbit-eu-probe/",
                    ),
                    EventData(
                        on="2020-12-17",
                        kind="decision",
                        title="Commission clears the deal with commitments",
                        text=(
                            '"Commission decision of 17.12.2020 declaring a concentration to be '
                            'compatible with the internal market" under Article 8(2), with '
                            "commitments: no Fitbit EEA data for ads, Web API access, Android API "
                            "licensing."
                        ),
                        source_url="https://www.scribd.com/document/650396164/m9660-3314-3",
                    ),
                ),
            ),
        ),
    ),
    # Rows 13a-13g, and the additions' rows 13l, 13n and 13o (the Tunney Act review).
    DealData(
        slug="hpe-juniper-networks",
        title="HPE / Juniper Networks",
        deal_type="acquisition",
        sector="Networking",
        summary=(
            "An all-cash acquisition at USD 40 a share, about USD 14 billion. Cleared "
            "unconditionally by the European Commission and the CMA in 2024; the US Department of "
            "Justice sued to block it in January 2025 and settled in June 2025 on a divestiture "
            "and a source-code licence, subject to the court's approval under the Tunney Act. "
            "Completed on 2 July 2025. Thirteen states moved to intervene in the Tunney Act "
            "review in October 2025; the court had not approved the settlement when last checked."
        ),
        parties=(("hpe", "acquirer"), ("juniper-networks", "target")),
        announced_on="2024-01-09",
        completed_on="2025-07-02",
        value="14000000000",
        currency="USD",
        events=(
            EventData(
                on="2024-01-09",
                kind="announced",
                title="HPE agrees to buy Juniper Networks",
                text="USD 40 a share, all cash, about USD 14 billion.",
                source_url="https://www.dqindia.com/news/hpe-acquires-juniper-networks-in-a-usd-134b-deal-targets-ai-networking-9458515",
            ),
            EventData(
                on="2025-07-02",
                kind="other",
                title="HPE completes the acquisition",
                text="HPE completed the acquisition of Juniper Networks.",
                source_url="https://www.dqindia.com/news/hpe-acquires-juniper-networks-in-a-usd-134b-deal-targets-ai-networking-9458515",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="cma",
                title="Hewlett Packard Enterprise / Juniper Networks merger inquiry",
                kind="merger_review",
                stage="closed",
                outcome="cleared",
                status_wording=(
                    "approved the proposed acquisition of Juniper Networks by Hewlett Packard "
                    "Enterprise Company"
                ),
                opened_on="2024-06-19",
                deadline_on="2024-08-14",
                closed_on="2024-08-07",
                source_url="https://www.mobileworldlive.com/regulation/uk-competition-watchdog-clears-hpe-juniper-14b-deal/",
                summary=(
                    "Phase 1 from 19 June 2024 (deadline 14 August 2024); clearance reported on "
                    "7 August 2024. Case page address not found."
                ),
                events=(
                    EventData(
                        on="2024-06-19",
                        kind="phase_1_opened",
                        title="CMA launches its phase 1 merger inquiry",
                        text="Phase 1 decision deadline: 14 August 2024.",
                        source_url="https://www.bnnbloomberg.ca/hpe-s-14-billion-juniper-deal-attracts-uk-antitrust-scrutiny-1.2087030",
                    ),
                    EventData(
                        on="2024-08-07",
                        kind="decision",
                        title="CMA clears the deal at phase 1",
                        text=(
                            "The CMA's case page: it \"approved the proposed acquisition of "
                            'Juniper Networks by Hewlett Packard Enterprise Company" (reported on '
                            "7 August 2024)."
                        ),
                        source_url="https://www.mobileworldlive.com/regulation/uk-competition-watchdog-clears-hpe-juniper-14b-deal/",
                    ),
                ),
            ),
            InquiryData(
                regulator="ec",
                title="HPE / Juniper Networks",
                kind="merger_review",
                stage="closed",
                outcome="cleared",
                status_wording=(
                    "the transaction would raise no competition concerns in the European "
                    "Economic Area"
                ),
                closed_on="2024-08-01",
                source_url="https://www.swissinfo.ch/eng/eu-approves-hewlett-packard-enterprise%27s-%2414-billion-juniper-deal/85671125",
                summary="Approved unconditionally at phase 1. Case number not found.",
                events=(
                    EventData(
                        on="2024-08-01",
                        kind="decision",
                        title="Commission clears the deal unconditionally",
                        text=(
                            'The Commission "approved unconditionally … the transaction would '
                            'raise no competition concerns in the European Economic Area".'
                        ),
                        source_url="https://www.swissinfo.ch/eng/eu-approves-hewlett-packard-enterprise%27s-%2414-billion-juniper-deal/85671125",
                    ),
                ),
            ),
            InquiryData(
                regulator="doj",
                title="DOJ challenge to HPE / Juniper Networks",
                reference="5:25-cv-00951-PCP",  # rows 13l, 13n, 13o
                kind="merger_review",
                stage="closed",
                outcome="cleared_with_remedies",
                opened_on="2025-01-30",
                closed_on="2025-06-28",
                # Row 13l: the consent decree has not been entered; no ruling found (row 13o).
                court_approval_pending=True,
                checked_on="2026-11-27",
                source_url="https://siliconangle.com/2025/06/29/hpe-finally-gets-green-light-buy-juniper-take-cisco-ai-networking",
                summary=(
                    "A complaint under Section 7 of the Clayton Act in the Northern District of "
                    "California (enterprise wireless LAN), case 5:25-cv-00951-PCP. Settled: HPE "
                    "to divest its Instant On WLAN business within 180 days and to auction a "
                    "licence to the Mist AI Ops source code, subject to the court's approval "
                    "under the Tunney Act. Thirteen state attorneys general moved to intervene "
                    "in that review on 14 October 2025; the consent decree had not been entered "
                    "and no ruling on the settlement was found when last checked."
                ),
                events=(
                    EventData(
                        on="2025-01-30",
                        kind="lawsuit",
                        title="DOJ sues to block the acquisition",
                        text=(
                            "Complaint under Section 7 of the Clayton Act in the Northern "
                            "District of California, over enterprise wireless LAN."
                        ),
                        source_url="https://www.techtarget.com/searchnetworking/news/366618640/HPE-Juniper-deal-hits-DOJ-roadblock",
                    ),
                    EventData(
                        on="2025-06-28",
                        kind="decision",
                        title="DOJ settles with HPE and Juniper",
                        text=(
                            "Settlement filed on 27 June and announced on 28 June 2025: HPE to "
                            "divest its Instant On WLAN business within 180 days and to auction a "
                            "licence to the source code of Juniper's Mist AI Ops. Subject to the "
                            "court's approval under the Tunney Act."
                        ),
                        source_url="https://siliconangle.com/2025/06/29/hpe-finally-gets-green-light-buy-juniper-take-cisco-ai-networking",
                    ),
                    EventData(
                        on="2025-10-14",
                        kind="other",
                        title="Thirteen states move to intervene in the Tunney Act review",
                        text=(
                            "Thirteen state attorneys general moved to intervene in the court's "
                            "Tunney Act review of the DOJ settlement; the consent decree has not "
                            "been entered."
                        ),
                        source_url="https://www.duanemorris.com/alerts/13_state_attorneys_general_file_motion_intervene_federal_review_doj_settlement_allowing_1025.html",
                    ),
                    EventData(
                        on="2025-12-31",
                        kind="other",
                        title="Court gives the states part of the pretrial record",
                        text=(
                            "The intervening states get part of the pretrial record; an "
                            "evidentiary hearing, if needed, is set for 23-27 March 2026."
                        ),
                        source_url="https://www.livemint.com/companies/news/hpejuniper-deal-still-under-fire-by-states-after-doj-approval/amp-11767223737995.html",
                    ),
                    EventData(
                        on="2026-01-08",
                        kind="other",
                        title="Court denies the states' request to halt integration",
                        text=(
                            "The states' request to halt the integration of Juniper was denied "
                            "from the bench. No ruling on the settlement was found after this."
                        ),
                        source_url="https://industrialtouchnews.com/judge-lets-hpe-keep-merging-with-juniper-for-now-20260108",
                    ),
                ),
            ),
        ),
    ),
    # Rows 13h-13k, and the additions' row 13m (NVIDIA's action, Case T-15/25).
    DealData(
        slug="nvidia-run-ai",
        title="NVIDIA / Run:ai",
        deal_type="acquisition",
        sector="Artificial intelligence",
        summary=(
            "NVIDIA's acquisition of Run:ai, reported at about USD 700 million. Italy's "
            "competition authority used its national call-in powers and asked the European "
            "Commission to review the deal under Article 22(1); the Commission accepted and "
            "cleared it unconditionally on 20 December 2024. NVIDIA has challenged the acceptance "
            "of the referral before the General Court (Case T-15/25)."
        ),
        parties=(("nvidia", "acquirer"), ("run-ai", "target")),
        announced_on="2024-04-24",
        completed_on="2024-12-30",
        value="700000000",
        currency="USD",
        events=(
            EventData(
                on="2024-04-24",
                kind="announced",
                title="NVIDIA agrees to buy Run:ai",
                text="Acquisition announced, reported at about USD 700 million.",
                source_url="https://www.punto-informatico.it/acquisizione-runai-nvidia-serve-ok-ue/",
            ),
            EventData(
                on="2024-12-30",
                kind="other",
                title="NVIDIA completes the acquisition",
                text='Completed ("the startup said on Monday", Reuters).',
                source_url="https://english.aawsat.com/node/5096515",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="ec",
                title="NVIDIA / Run:ai",
                reference="M.11766",  # row 13m, from the Official Journal notice
                kind="merger_review",
                stage="closed",
                outcome="cleared",
                status_wording="the transaction would raise no competition concerns",
                opened_on="2024-10-31",
                closed_on="2024-12-20",
                # The clearance stays in force; the action is against the referral decision.
                decision_status="under_appeal",
                decision_status_on="2025-01-10",
                decision_status_note="NVIDIA's action against the referral, Case T-15/25",
                source_url="https://miragenews.com/nvidia-cleared-to-acquire-runai-by-eu-commission-1383203",
                summary=(
                    "Reviewed after the Commission accepted Italy's Article 22(1) referral "
                    "request; notified on 15 November 2024; approved unconditionally. On 10 "
                    "January 2025 NVIDIA brought an action before the General Court against the "
                    "acceptance of the referral (Case T-15/25); no judgment was found."
                ),
                events=(
                    EventData(
                        on="2024-10-31",
                        kind="decision",
                        title="Commission accepts Italy's Article 22 referral request",
                        text=(
                            "Italy had used national call-in powers to refer the deal. "
                            '"NVIDIA cannot implement the transaction before notifying and '
                            'obtaining clearance."'
                        ),
                        source_url="https://ieu-monitoring.com/editorial/eu-commission-to-assess-the-proposed-acquisition-of-runai-by-nvidia/446292",
                    ),
                    EventData(
                        on="2024-11-15",
                        kind="notified",
                        title="Deal notified to the Commission",
                        text="NVIDIA notified the deal to the Commission.",
                        source_url="https://miragenews.com/nvidia-cleared-to-acquire-runai-by-eu-commission-1383203",
                    ),
                    EventData(
                        on="2024-12-20",
                        kind="decision",
                        title="Commission clears the deal unconditionally",
                        text=(
                            'The Commission "approved unconditionally … the transaction would '
                            'raise no competition concerns".'
                        ),
                        source_url="https://miragenews.com/nvidia-cleared-to-acquire-runai-by-eu-commission-1383203",
                    ),
                    EventData(
                        on="2025-01-10",
                        kind="appeal",
                        title="NVIDIA challenges the referral before the General Court",
                        text=(
                            "NVIDIA brought an action against the Commission's acceptance of "
                            "Italy's referral request (Case T-15/25). No judgment was found."
                        ),
                        source_url="https://eur-lex.europa.eu/legal-content/IT/TXT/HTML/?uri=OJ%3AC_202501124",
                    ),
                ),
            ),
        ),
    ),
    # Rows 20a-20e.
    DealData(
        slug="google-wiz",
        title="Google / Wiz",
        deal_type="acquisition",
        sector="Cybersecurity",
        summary=(
            "Google's all-cash acquisition of the cloud security company Wiz for USD 32 billion. "
            "The US review ended with early termination of the waiting period in October 2025; "
            "the European Commission cleared the deal unconditionally on 10 February 2026. "
            "Completed on 11 March 2026."
        ),
        parties=(("alphabet", "acquirer"), ("wiz", "target")),
        announced_on="2025-03-18",
        completed_on="2026-03-11",
        value="32000000000",
        currency="USD",
        events=(
            EventData(
                on="2025-03-18",
                kind="announced",
                title="Google agrees to buy Wiz",
                text="USD 32 billion, all cash.",
                source_url="https://getaibook.com/news/what-googles-32b-wiz-acquisition-means-for-multicloud-and-ai-security",
            ),
            EventData(
                on="2026-03-11",
                kind="other",
                title="Google completes the acquisition of Wiz",
                text="Google completed the acquisition.",
                source_url="https://www.newsvot.com/google-completes-historic-32-billion-wiz-acquisition",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="doj",
                title="DOJ review of Google / Wiz",
                kind="merger_review",
                stage="closed",
                outcome="cleared",  # in the US, the end of the waiting period is a clearance
                status_wording="early termination of the waiting period",
                closed_on="2025-10-24",
                source_url="https://www.techzine.eu/news/privacy-compliance/136069/googles-32b-wiz-deal-gets-green-light-from-doj/",
                summary=(
                    "The review ended with early termination of the HSR waiting period, "
                    "according to FTC records reported by Bloomberg. One report of January 2026 "
                    "still called the US review open; the earlier, better-sourced report is "
                    "followed here."
                ),
                events=(
                    EventData(
                        on="2025-10-24",
                        kind="decision",
                        title="Waiting period ends early: US review cleared",
                        text=(
                            "Early termination of the waiting period, per FTC records (via "
                            "Bloomberg): in the US that is a clearance."
                        ),
                        source_url="https://www.techzine.eu/news/privacy-compliance/136069/googles-32b-wiz-deal-gets-green-light-from-doj/",
                    ),
                ),
            ),
            InquiryData(
                regulator="ec",
                title="Google / Wiz",
                kind="merger_review",
                stage="closed",
                outcome="cleared",
                status_wording=(
                    "will continue to have credible alternatives and the ability to switch "
                    "providers"
                ),
                deadline_on="2026-02-10",
                closed_on="2026-02-10",
                source_url="https://www.tradevae.com/news/stock-markets/eu-clears-googles-32-billion-acquisition-of-wiz-no-competition-concerns-found",
                summary=(
                    "Notified (reported on 8 January 2026; the notification day is not in our "
                    "sources) with a provisional deadline of 10 February 2026; approved "
                    "unconditionally at phase 1. Case number not found."
                ),
                events=(
                    EventData(
                        on="2026-01-08",
                        kind="notified",
                        title="Deal notified to the Commission (reported)",
                        text="Reported as notified; provisional deadline 10 February 2026.",
                        source_url="https://www.pymnts.com/acquisitions/2026/googles-32-billion-wiz-acquisition-faces-eu-decision",
                    ),
                    EventData(
                        on="2026-02-10",
                        kind="decision",
                        title="Commission clears the deal unconditionally",
                        text=(
                            'Approved unconditionally: customers "will continue to have credible '
                            'alternatives and the ability to switch providers".'
                        ),
                        source_url="https://www.tradevae.com/news/stock-markets/eu-clears-googles-32-billion-acquisition-of-wiz-no-competition-concerns-found",
                    ),
                ),
            ),
        ),
    ),
    # Rows 21a-21c.
    DealData(
        slug="netflix-warner-bros-discovery",
        title="Netflix / Warner Bros. Discovery",
        deal_type="acquisition",
        sector="Media and entertainment",
        summary=(
            "Netflix agreed to buy Warner Bros. Discovery's studios and streaming business for "
            "USD 82.7 billion. The US Department of Justice issued second requests in January "
            "2026; on 26 February 2026 Netflix declined to match Paramount's rival offer and "
            "walked away with a USD 2.8 billion termination fee."
        ),
        parties=(("netflix", "acquirer"), ("warner-bros-discovery", "target")),
        announced_on="2025-12-05",  # 4 December in one copy (row 21a)
        abandoned_on="2026-02-26",
        value="82700000000",
        currency="USD",
        events=(
            EventData(
                on="2025-12-05",
                kind="announced",
                title="Netflix agrees to buy Warner Bros. Discovery's studios and streaming",
                text="A USD 82.7 billion agreement for the studios and streaming business.",
                source_url="https://www.duanemorris.com/articles/netflix_caps_2025_m%26a_deals_that_test_antitrust_strategy_1225.html",
            ),
            EventData(
                on="2026-02-26",
                kind="abandoned",
                title="Netflix drops the deal rather than match Paramount's offer",
                text=(
                    "Netflix declined to match Paramount's offer; it receives a USD 2.8 billion "
                    "termination fee."
                ),
                source_url="https://www.livemint.com/companies/news/its-official-paramount-buys-warner-bros-discovery-in-historic-110-billion-deal-as-netflix-drops-out-of-race/amp-11772238957436.html",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="doj",
                title="DOJ review of Netflix / Warner Bros. Discovery",
                kind="merger_review",
                stage="closed",
                outcome="abandoned",
                opened_on="2026-01-16",
                closed_on="2026-02-26",
                source_url="https://usaherald.com/doj-opens-antitrust-review-into-netflixs-proposed-83-billion-warner-bros-acquisition",
                summary=(
                    "Second requests to both parties on 16 January 2026 (per Warner Bros. "
                    "Discovery's filing). The review ended when Netflix dropped the deal on 26 "
                    "February 2026; no DOJ statement on it is in our sources."
                ),
                events=(
                    EventData(
                        on="2026-01-16",
                        kind="phase_2_opened",
                        title="DOJ issues second requests",
                        text=(
                            "Second request to both parties (per Warner Bros. Discovery's filing)."
                        ),
                        source_url="https://usaherald.com/doj-opens-antitrust-review-into-netflixs-proposed-83-billion-warner-bros-acquisition",
                    ),
                ),
            ),
        ),
    ),
    # Rows 21d-21h, and the 2026-12-06 row 21i (CADE). Row 21f (the California Attorney
    # General's "open investigation") is left out: the tracker has no regulator for a US state's
    # attorney general.
    DealData(
        slug="paramount-warner-bros-discovery",
        title="Paramount / Warner Bros. Discovery",
        deal_type="acquisition",
        sector="Media and entertainment",
        summary=(
            "Paramount agreed to buy Warner Bros. Discovery at USD 31 a share, about USD 110 "
            "billion in enterprise value, after Netflix dropped its rival deal; completion was "
            "expected in the third quarter of 2026. The US Department of Justice closed its "
            "investigation on 12 June 2026, and Brazil's CADE was reported to have cleared the "
            "deal on 8 July 2026. The European Commission's phase 1 decision was due on 7 July "
            "2026; no decision has been recorded since."
        ),
        parties=(("paramount", "acquirer"), ("warner-bros-discovery", "target")),
        announced_on="2026-02-27",
        value="110000000000",
        currency="USD",
        events=(
            EventData(
                on="2026-02-27",
                kind="announced",
                title="Paramount signs an agreement to buy Warner Bros. Discovery",
                text=(
                    "USD 31 a share, about USD 110 billion in enterprise value; completion "
                    "expected in the third quarter of 2026."
                ),
                source_url="https://www.livemint.com/companies/news/its-official-paramount-buys-warner-bros-discovery-in-historic-110-billion-deal-as-netflix-drops-out-of-race/amp-11772238957436.html",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="doj",
                title="DOJ review of Paramount / Warner Bros. Discovery",
                kind="merger_review",
                stage="closed",
                outcome="cleared",  # the DOJ closed its investigation: a US clearance
                status_wording=(
                    "not likely to result in harm to competition or American consumers"
                ),
                closed_on="2026-06-12",
                source_url="https://antitrust.weil.com/a-merger-plot-twist-doj-credits-paramount-warner-bros-with-boosting-competition/",
                summary=(
                    "Paramount said on 20 February 2026 that its HSR waiting period had expired "
                    "(Netflix disputed that this was approval); the DOJ closed its investigation "
                    "on 12 June 2026."
                ),
                events=(
                    EventData(
                        on="2026-02-20",
                        kind="other",
                        title="Paramount says its HSR waiting period has expired",
                        text=(
                            'Paramount said there was "no statutory impediment in the U.S."; '
                            "Netflix disputed that this was an approval."
                        ),
                        source_url="https://cdn2.el-balad.com/328242",
                    ),
                    EventData(
                        on="2026-06-12",
                        kind="decision",
                        title="DOJ closes its investigation",
                        text=(
                            'The deal is "not likely to result in harm to competition or '
                            'American consumers".'
                        ),
                        source_url="https://antitrust.weil.com/a-merger-plot-twist-doj-credits-paramount-warner-bros-with-boosting-competition/",
                    ),
                ),
            ),
            # Row 21h: notified in June 2026 (the day is not stated), so no opening day is
            # stored; the deadline as published. The extension to 22 July 2026 rests on one weak
            # source: in the summary only.
            InquiryData(
                regulator="ec",
                title="Paramount / Warner Bros. Discovery",
                kind="merger_review",
                stage="phase_1",
                deadline_on="2026-07-07",
                checked_on="2026-12-06",
                source_url="https://hellotivvy.com/post/post-paramount-warner-bros-discovery-eu-antitrust-review-38f018da31",
                summary=(
                    "Notified in June 2026 (the day is not in our sources), with a phase 1 "
                    "decision due on 7 July 2026. One weak source reported the deadline extended "
                    "to 22 July 2026 after commitments were offered; no decision was found after "
                    "that. Case number not found."
                ),
                events=(
                    EventData(
                        on="2026-06",
                        precision="month",
                        kind="notified",
                        title="Deal notified to the Commission",
                        text=(
                            "Notified in June 2026 (the day is not stated); phase 1 decision due "
                            "on 7 July 2026."
                        ),
                        deadline_on="2026-07-07",
                        source_url="https://hellotivvy.com/post/post-paramount-warner-bros-discovery-eu-antitrust-review-38f018da31",
                    ),
                ),
            ),
            # Row 21i: a weak source (a private merger-arbitrage tool's stored timeline).
            InquiryData(
                regulator="cade",
                title="Paramount / Warner Bros. Discovery",
                kind="merger_review",
                stage="closed",
                outcome="cleared",
                closed_on="2026-07-08",
                checked_on="2026-12-06",
                source_url=CADE_PARAMOUNT_SOURCE,
                summary=(
                    "Reported cleared without conditions on 8 July 2026. The only source is a "
                    "weak one: the stored timeline of a private merger-arbitrage tool, not "
                    "CADE's own register."
                ),
                events=(
                    EventData(
                        on="2026-07-08",
                        kind="decision",
                        title="CADE clears the deal without conditions (reported)",
                        text=(
                            "Reported cleared without conditions, in a private merger-arbitrage "
                            "tool's stored timeline (a weak source)."
                        ),
                        source_url=CADE_PARAMOUNT_SOURCE,
                    ),
                ),
            ),
        ),
    ),
    # Rows 22a-22e, and the 2026-12-06 rows 22f-22h (the CMA's phase 1, its reference to phase 2
    # and the phase 2 outcome).
    DealData(
        slug="getty-images-shutterstock",
        title="Getty Images / Shutterstock",
        deal_type="merger",
        sector="Media and entertainment",
        summary=(
            "A merger of the two image licensing companies, announced on 6 January 2025. The US "
            "Department of Justice issued a second request and cleared the deal unconditionally "
            "in February 2026; the CMA referred it to an in-depth phase 2 investigation, which "
            "ended in May 2026 with conditions: the deal could go ahead only without "
            "Shutterstock's editorial business. On 30 June 2026 Getty's board resolved to "
            "terminate the merger once the extended long-stop date passed on 6 July 2026, "
            "rather than sell that business."
        ),
        parties=(("getty-images", "acquirer"), ("shutterstock", "target")),
        announced_on="2025-01-06",
        abandoned_on="2026-06-30",
        events=(
            EventData(
                on="2025-01-06",
                kind="announced",
                title="Getty Images and Shutterstock agree to merge",
                text="Merger announced.",
                source_url="https://antitrust-intelligence.com/cma-raises-competition-concerns-over-getty-images-planned-acquisition-of-shutterstock/",
            ),
            EventData(
                on="2026-06-30",
                kind="abandoned",
                title="Getty resolves to terminate the merger",
                text=(
                    "Getty's board resolved to terminate the merger agreement once the extended "
                    "long-stop date passed (6 July 2026), rather than sell Shutterstock's "
                    "editorial business as the CMA required."
                ),
                source_url="https://marketresearchmedia.com/getty-images-kills-the-3-7-billion-shutterstock-merger-rather-than-sell-the-editorial-business-the-uk-demanded/",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="doj",
                title="DOJ review of Getty Images / Shutterstock",
                kind="merger_review",
                stage="closed",
                outcome="cleared",
                opened_on="2025-02-28",
                closed_on="2026-02-23",
                source_url="https://www.thebrief.news/en/standard/article/3028/getty-images-and-shutterstock-abandon-merger-after-uk-regulators-dig-in",
                summary=(
                    "HSR filing on 28 February 2025; second request on 2 April 2025; "
                    "unconditional clearance on 23 February 2026."
                ),
                events=(
                    EventData(
                        on="2025-04-02",
                        kind="phase_2_opened",
                        title="DOJ issues a second request",
                        text=(
                            "Second request under the HSR Act; the filing was made on 28 "
                            "February 2025."
                        ),
                        source_url="https://marketsgonewild.com/stock-news/2025/04/02/getty-images-and-shutterstock-face-second-doj-request-a-detailed-look",
                    ),
                    EventData(
                        on="2026-02-23",
                        kind="decision",
                        title="DOJ clears the deal unconditionally",
                        text="Unconditional antitrust clearance.",
                        source_url="https://www.thebrief.news/en/standard/article/3028/getty-images-and-shutterstock-abandon-merger-after-uk-regulators-dig-in",
                    ),
                ),
            ),
            # Row 22h closes the review: phase 2 ended with conditions in May 2026 (the day is
            # not in the copies read), before Getty terminated the merger (row 22e).
            InquiryData(
                regulator="cma",
                title="Getty Images / Shutterstock merger inquiry",
                kind="merger_review",
                stage="closed",
                outcome="cleared_with_remedies",
                opened_on="2025-08-26",  # row 22f
                deadline_on="2026-04-19",  # row 22c: the phase 2 deadline as published
                closed_on="2026-05",
                closed_on_precision="month",
                checked_on="2026-12-06",  # rows 22f-22h
                source_url="https://the-executive-brief.web.app/news/getty-kills-3-7b-shutterstock-deal-after-uk-blocks-editorial-business-25e362",
                summary=(
                    "Phase 1 formally commenced on 26 August 2025 (deadline 20 October 2025) and "
                    "ended with its decision on 20 October 2025, the deadline day (inferred from "
                    "the 27 October end of the 5-working-day window for undertakings). The "
                    "undertakings offered in lieu were rejected and the deal referred to phase 2 "
                    "on 3 November 2025 (the reference decision published on 17 December 2025), "
                    "statutory deadline 19 April 2026. Phase 2 ended in May 2026 (the day is not "
                    "in our sources) with conditions: the deal could go ahead only without "
                    "Shutterstock's global editorial business (Backgrid and Splash included), to "
                    "be sold. Getty chose to terminate the merger instead. Case number reported "
                    "as ME/2252/25 (unconfirmed)."
                ),
                events=(
                    # Row 22f.
                    EventData(
                        on="2025-08-26",
                        kind="phase_1_opened",
                        title="CMA formally commences its phase 1 inquiry",
                        text="Phase 1 formally commenced; phase 1 deadline 20 October 2025.",
                        deadline_on="2025-10-20",
                        source_url="https://www.uktech.news/news/government-and-policy/cma-opens-investigation-into-shutterstock-getty-images-merger-20250822",
                    ),
                    # Row 22g: the decision's day inferred from the undertakings window.
                    EventData(
                        on="2025-10-20",
                        kind="decision",
                        title="CMA phase 1 decision",
                        text=(
                            "Phase 1 decision on its deadline day, inferred from the 27 October "
                            "2025 end of the 5-working-day window for offering undertakings in "
                            "lieu of a reference."
                        ),
                        source_url="https://www.osborneclarke.com/insights/what-does-getty-imagesshutterstock-decision-tell-business-about-how-cma-approaches-mergers",
                    ),
                    # Rows 22c and 22g.
                    EventData(
                        on="2025-11-03",
                        kind="phase_2_opened",
                        title="CMA refers the deal to phase 2",
                        text=(
                            'The deal "will move to an in-depth Phase 2 investigation"; '
                            "statutory deadline 19 April 2026. The undertakings offered in lieu "
                            "were rejected (the reference decision was published on 17 December "
                            "2025)."
                        ),
                        deadline_on="2026-04-19",
                        source_url="https://www.gov.uk/government/news/image-deal-to-move-to-in-depth-investigation",
                    ),
                    # Row 22h.
                    EventData(
                        on="2026-05",
                        precision="month",
                        kind="decision",
                        title="CMA phase 2 decision: cleared only without the editorial business",
                        text=(
                            "Phase 2 ended with conditions: the deal could go ahead only without "
                            "Shutterstock's global editorial business (Backgrid and Splash "
                            "included), to be sold. The day is not in the copies read."
                        ),
                        source_url="https://the-executive-brief.web.app/news/getty-kills-3-7b-shutterstock-deal-after-uk-blocks-editorial-business-25e362",
                    ),
                ),
            ),
        ),
    ),
    # Rows 23a-23f; row 23b's notification date as its own event (checked 2026-12-06).
    DealData(
        slug="mars-kellanova",
        title="Mars / Kellanova",
        deal_type="acquisition",
        sector="Food and consumer goods",
        summary=(
            "Mars's acquisition of Kellanova, the maker of Pringles. The FTC finished its review "
            "in June 2025 without conditions; the European Commission opened an in-depth "
            "investigation and approved the deal unconditionally on 8 December 2025. Completed "
            "on 11 December 2025."
        ),
        parties=(("mars", "acquirer"), ("kellanova", "target")),
        announced_on="2024-08-14",
        completed_on="2025-12-11",
        events=(
            EventData(
                on="2024-08-14",
                kind="announced",
                title="Mars agrees to buy Kellanova",
                text="Agreement announced.",
                source_url="https://www.sec.gov/Archives/edgar/data/55067/000119312525315130/d90636dex991.htm",
            ),
            EventData(
                on="2025-12-11",
                kind="other",
                title="Mars completes the acquisition of Kellanova",
                text="Completed.",
                source_url="https://www.sec.gov/Archives/edgar/data/55067/000119312525315130/d90636dex991.htm",
            ),
        ),
        inquiries=(
            InquiryData(
                regulator="ftc",
                title="FTC review of Mars / Kellanova",
                kind="merger_review",
                stage="closed",
                outcome="cleared",
                status_wording="without the imposition of any condition",
                closed_on="2025-06-25",
                source_url="https://progressivegrocer.com/mars-acquisition-kellanova-clears-us-regulatory-hurdles",
                summary=(
                    "The FTC finished its review without conditions; reported on 25-26 June 2025 "
                    "(the day is taken from the reports)."
                ),
                events=(
                    EventData(
                        on="2025-06-25",
                        kind="decision",
                        title="FTC finishes its review without conditions",
                        text=(
                            'The review was finished "without the imposition of any condition" '
                            "(reported around 25 June 2025)."
                        ),
                        source_url="https://progressivegrocer.com/mars-acquisition-kellanova-clears-us-regulatory-hurdles",
                    ),
                ),
            ),
            InquiryData(
                regulator="ec",
                title="Mars / Kellanova",
                kind="merger_review",
                stage="closed",
                outcome="cleared",
                status_wording="approved unconditionally… follows an in-depth investigation",
                opened_on="2025-05-16",
                deadline_on="2025-12-19",
                closed_on="2025-12-08",
                source_url="https://pubt.io/view/F60BC7EE8C665F4C2C261C8D4FAA231350199CF5",
                summary=(
                    "Notified on 16 May 2025; in-depth investigation from 25 June 2025 "
                    '("serious doubts"), first deadline 31 October 2025; the clock was stopped '
                    "and restarted on 15 September 2025 with a new deadline of 19 December 2025. "
                    "Approved unconditionally on 8 December 2025. Case number not found."
                ),
                events=(
                    # Row 23b: notified on 16 May 2025, so that phase I shows.
                    EventData(
                        on="2025-05-16",
                        kind="notified",
                        title="Deal notified to the Commission",
                        text="Mars notified the deal to the Commission.",
                        source_url="https://complianceconcourse.willkie.com/articles/european-commission-launches-phase-2-of-its-investigation-into-mars-kellanova-merger-amid-competition-concerns",
                    ),
                    EventData(
                        on="2025-06-25",
                        kind="phase_2_opened",
                        title="Commission opens an in-depth investigation",
                        text=(
                            'In-depth investigation opened ("serious doubts"); the deal was '
                            "notified on 16 May 2025. Deadline 31 October 2025."
                        ),
                        source_url="https://complianceconcourse.willkie.com/articles/european-commission-launches-phase-2-of-its-investigation-into-mars-kellanova-merger-amid-competition-concerns",
                    ),
                    EventData(
                        on="2025-09-15",
                        kind="other",
                        title="Commission restarts the clock",
                        text="The clock restarted after a stop; new deadline 19 December 2025.",
                        source_url="https://ctfn.news/articles-slug/kmars",
                    ),
                    EventData(
                        on="2025-12-08",
                        kind="decision",
                        title="Commission clears the deal unconditionally",
                        text='"Approved unconditionally… follows an in-depth investigation".',
                        source_url="https://pubt.io/view/F60BC7EE8C665F4C2C261C8D4FAA231350199CF5",
                    ),
                ),
            ),
        ),
    ),
)

DEMO = DemoData(companies=COMPANIES, deals=DEALS)
