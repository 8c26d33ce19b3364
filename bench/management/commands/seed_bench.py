"""Seed a benchmark data set: `manage.py seed_bench --deals 100000`.

The proportions are those issue 9 plans for: per 100,000 deals, 150,000 companies, about
300,000 inquiries and 1,000,000 events. The data is made to look like the real thing where it
matters for speed: a few acquirers (Microsoft first) take part in thousands of deals, EC
references read M.1000 upwards, one deal has a 138-event timeline, most old reviews are closed
and recent ones open with deadlines around today.

Deterministic: the same --seed and --today give the same rows. Rows go in with COPY on
PostgreSQL (bulk_create elsewhere) in one transaction, with no history rows; the derived fields
(a deal's antitrust status and latest activity, an inquiry's latest activity) are computed by
the same status rule the models use (deals/status.py) while the rows are generated, so nothing
is refreshed afterwards. A database that already has as many deals is left alone.
"""

from __future__ import annotations

import datetime
import decimal
import json
import random
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from deals import names
from deals import phases as phase_rule
from deals import stats as figures
from deals import status as status_rule
from deals.derived import refresh_inquiries
from deals.jurisdictions import jurisdiction_words
from deals.models import Company, CompanyAlias, Deal, Event, Inquiry, Party, Regulator
from deals.search import search_document, weighted_vector
from deals.vocabulary import DealType, PartyRole, dormant_after

COMPANIES_PER_DEAL = 1.5
BIG_ACQUIRERS = 400  # the companies that buy again and again
BIG_ACQUIRER_SHARE = 0.12  # of deals; with Zipf weights the first takes about 1,800
CHUNK = 2_000  # deals generated (and written) at a time
BIG_TIMELINE_EVENTS = 138  # the first deal's timeline, as in the measurements

FAMOUS = [
    ("Microsoft", ["Microsoft Corporation"]),
    ("Alphabet", ["Google", "YouTube"]),
    ("Amazon", ["Amazon.com"]),
    ("Apple", ["Apple Inc."]),
    ("Meta Platforms", ["Facebook"]),
    ("NVIDIA", []),
    ("Broadcom", []),
    ("Oracle", []),
    ("Salesforce", []),
    ("Adobe", []),
    ("Intel", []),
    ("Cisco Systems", ["Cisco"]),
    ("IBM", ["International Business Machines"]),
    ("Qualcomm", []),
    ("Samsung Electronics", ["Samsung"]),
    ("Tencent", []),
    ("Alibaba Group", ["Alibaba"]),
    ("Sony Group", ["Sony"]),
    ("Siemens", []),
    ("Thermo Fisher Scientific", []),
]
# Generated names are syllables, sometimes a trade word, often a legal form: "Kormaso Labs AG".
SYLLABLES = "al ar be bri ca cel da de el en fa fi ga gen ha hel in io ka kor la lu ma mer na no or pa per qu ra ri sa sol ta tek ul va ver wa xen ya zo".split()  # noqa: E501, SIM905
WORDS = "Systems Networks Software Labs Foods Energy Pharma Logistics Media Robotics Bio Capital Semiconductors Telecom Materials Motors Analytics Retail Cloud Games".split()  # noqa: E501, SIM905
LEGAL = ["Inc", "Ltd", "GmbH", "SA", "AG", "plc", "BV", "SpA", "Holdings", "Corp", "AB", "KK"]
COUNTRIES = ["US", "GB", "DE", "FR", "NL", "JP", "CN", "KR", "CA", "AU", "SE", "IT", "IN"]
SECTORS = [
    "Software",
    "Semiconductors",
    "Cloud computing",
    "Artificial intelligence",
    "Online advertising",
    "E-commerce",
    "Video games",
    "Telecoms",
    "Media",
    "Payments",
    "Pharmaceuticals",
    "Medical devices",
    "Biotechnology",
    "Food and beverages",
    "Retail",
    "Chemicals",
    "Automotive",
    "Aerospace",
    "Energy",
    "Logistics",
    "Banking",
    "Insurance",
    "Agriculture",
    "Construction materials",
    "Cybersecurity",
    "Consumer electronics",
    "Music streaming",
    "Travel",
    "Healthcare IT",
    "Industrial machinery",
]
# Regulators and how often each reviews a deal.
REGULATOR_WEIGHTS = {
    "ec": 20,
    "cma": 15,
    "ftc": 14,
    "doj": 8,
    "bkarta": 8,
    "adlc": 5,
    "accc": 5,
    "jftc": 4,
    "samr": 6,
    "kftc": 4,
    "competition-bureau": 4,
    "cade": 4,
    "cci": 3,
}
INQUIRIES_PER_DEAL = ([0] * 10) + ([1] * 15) + ([2] * 20) + ([3] * 20) + ([4] * 15) + ([5] * 10)
INQUIRIES_PER_DEAL += ([6] * 5) + ([8] * 5)  # mean 2.95
DEAL_TYPES = (
    [DealType.ACQUISITION] * 60
    + [DealType.MERGER] * 10
    + [DealType.MINORITY_STAKE] * 10
    + [DealType.PARTNERSHIP] * 5
    + [DealType.JOINT_VENTURE] * 8
    + [DealType.ASSET_PURCHASE] * 5
    + [DealType.ACQUI_HIRE] * 2
)
MERGER_OUTCOMES = (
    ["cleared"] * 80
    + ["cleared_with_remedies"] * 10
    + ["abandoned"] * 3
    + ["not_qualifying"] * 3
    + ["prohibited"] * 1
    + ["referred"] * 1
    + ["closed_no_action"] * 2
)
CONDUCT_OUTCOMES = ["infringement", "commitments", "closed_no_action", "settled"]
OPEN_MERGER_STAGES = ["prenotification", "phase_1", "phase_1", "phase_1", "phase_2", "remedies"]
OPEN_CONDUCT_STAGES = ["investigation", "objections", "commitments"]
STEP_KINDS = ["notified", "phase_1_opened", "comment_invited", "remedies_offered", "other"]


class Command(BaseCommand):
    help = "Seed a deterministic benchmark data set (deals, companies, inquiries, events)."

    def add_arguments(self, parser):
        parser.add_argument("--deals", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=9)
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="The day the data is built around (YYYY-MM-DD); today by default.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, deals: int, seed: int, today, no_progress: bool, **options):
        if deals < 1:
            raise CommandError("--deals must be at least 1")
        existing = Deal.objects.count()
        if existing >= deals:
            self.stdout.write(f"seed_bench: {existing} deals already, nothing to do")
            return
        if existing:
            raise CommandError(
                f"The database has {existing} deals, fewer than {deals}: seed an empty one."
            )
        builder = Builder(
            deals=deals,
            seed=seed,
            today=today or timezone.localdate(),
            progress=not no_progress,
        )
        began = timezone.now()
        with transaction.atomic():
            counts = builder.build()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        figures.aggregates_rebuild()  # the stored /stats/ rows, as beat's refresh would build
        seconds = (timezone.now() - began).total_seconds()
        summary = " ".join(f"{name}={count}" for name, count in counts.items())
        self.stdout.write(f"seed_bench: {summary} seconds={seconds:.0f}")


class Writer:
    """Buffers rows per model and writes them in batches: COPY on PostgreSQL."""

    def __init__(self):
        self.rows: dict[type[models.Model], list[dict]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.order: list[type[models.Model]] = []

    def add(self, model: type[models.Model], **values) -> None:
        if model not in self.order:
            self.order.append(model)
        self.rows[model].append(values)

    def flush(self) -> None:
        # In the order models were first added, so that referenced rows go in first.
        for model in self.order:
            rows = self.rows[model]
            if rows:
                self._write(model, rows)
                self.counts[model._meta.db_table] += len(rows)
                self.rows[model] = []

    def _write(self, model: type[models.Model], rows: list[dict]) -> None:
        # A primary key the rows do not give (an m2m table's) is left to the database.
        fields = [
            f
            for f in model._meta.concrete_fields
            if not (f.primary_key and f.attname not in rows[0])
        ]
        if connection.vendor != "postgresql":
            model.objects.bulk_create([model(**row) for row in rows], batch_size=500)
            return
        defaults = {f.attname: f.get_default() for f in fields}
        now = timezone.now()
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults[f.attname] = now
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        names = [f.attname for f in fields]
        # COPY's text format takes JSON as its text.
        as_json = {f.attname for f in fields if isinstance(f, models.JSONField)}
        table = connection.ops.quote_name(model._meta.db_table)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                values = [row[name] if name in row else defaults[name] for name in names]
                copy.write_row(
                    [
                        json.dumps(value) if name in as_json and value is not None else value
                        for name, value in zip(names, values, strict=True)
                    ]
                )


class Builder:
    def __init__(self, *, deals: int, seed: int, today: datetime.date, progress: bool):
        self.n_deals = deals
        self.rng = random.Random(seed)
        self.today = today
        self.progress = progress
        self.writer = Writer()
        self.regulators = {r.slug: r for r in Regulator.objects.all()}
        self.reg_slugs = [slug for slug in REGULATOR_WEIGHTS if slug in self.regulators]
        self.reg_weights = [REGULATOR_WEIGHTS[slug] for slug in self.reg_slugs]
        self.references: dict[str, int] = defaultdict(lambda: 1000)
        self.ids = {
            model: (model.objects.aggregate(top=models.Max("pk"))["top"] or 0)
            for model in (Company, CompanyAlias, Deal, Party, Inquiry, Event)
        }
        self.dormant_after = dormant_after()
        self.regulator_words = {
            slug: [r.short_name, r.name, *jurisdiction_words(r.jurisdiction)]
            for slug, r in self.regulators.items()
        }

    def next_id(self, model) -> int:
        self.ids[model] += 1
        return self.ids[model]

    # --- Companies ------------------------------------------------------------------------

    def company_name(self) -> str:
        rng = self.rng
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize()
        if rng.random() < 0.6:
            stem = f"{stem} {rng.choice(WORDS)}"
        return f"{stem} {rng.choice(LEGAL)}" if rng.random() < 0.7 else stem

    def build_companies(self) -> None:
        n = max(int(self.n_deals * COMPANIES_PER_DEAL), len(FAMOUS) + 2)
        self.company_ids: list[int] = []
        self.company_names: dict[int, str] = {}
        self.company_words: dict[int, list[str]] = {}
        for i in range(n):
            aliases: list[str] = []
            if i < len(FAMOUS):
                name, aliases = FAMOUS[i]
            else:
                name = self.company_name()
                if self.rng.random() < 0.1:
                    aliases = [f"{name.split()[0]} Group"]
            pk = self.next_id(Company)
            self.writer.add(
                Company,
                id=pk,
                name=name,
                name_key=names.name_key(name),
                slug=f"{slugify(name)[:60]}-{pk}",
                country=self.rng.choice(COUNTRIES),
                needs_review=self.rng.random() < 0.05,
            )
            for alias in aliases:
                self.writer.add(
                    CompanyAlias,
                    id=self.next_id(CompanyAlias),
                    company_id=pk,
                    name=alias,
                    name_key=names.name_key(alias),
                )
            self.company_ids.append(pk)
            self.company_names[pk] = name
            self.company_words[pk] = [name, *aliases]
        self.writer.flush()
        big = self.company_ids[:BIG_ACQUIRERS]
        self.big_acquirers = big
        self.big_weights = [1 / (rank + 1) for rank in range(len(big))]

    def acquirer(self) -> int:
        if self.rng.random() < BIG_ACQUIRER_SHARE:
            return self.rng.choices(self.big_acquirers, self.big_weights)[0]
        return self.rng.choice(self.company_ids)

    # --- Deals ----------------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        self.build_companies()
        chunks = range(0, self.n_deals, CHUNK)
        bar = tqdm(total=self.n_deals, unit="deal", disable=not self.progress, mininterval=1)
        for start in chunks:
            for index in range(start, min(start + CHUNK, self.n_deals)):
                self.build_deal(index)
            self.writer.flush()
            bar.update(min(CHUNK, self.n_deals - start))
        # Conduct cases with no deal: 2 % of inquiries.
        for _ in range(max(1, self.n_deals * 6 // 100)):
            self.build_standalone_inquiry()
        self.writer.flush()
        bar.close()
        if connection.vendor == "postgresql":
            # The weighted vectors the database derives from the documents (deals/search.py).
            for model in (Deal, Inquiry):
                model.objects.update(search_vector=weighted_vector())
        # Each inquiry's phases and next deadline, as the signals derive them on a save.
        refresh_inquiries(*Inquiry.objects.values_list("pk", flat=True))
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [Company, CompanyAlias, Deal, Party, Inquiry, Event]
            ):
                cursor.execute(sql)
        return dict(self.writer.counts)

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        span = max((last - first).days, 0)
        return first + datetime.timedelta(days=self.rng.randint(0, span))

    def build_deal(self, index: int) -> None:
        rng = self.rng
        pk = self.next_id(Deal)
        acquirer = self.company_ids[0] if index == 0 else self.acquirer()
        target = rng.choice(self.company_ids)
        while target == acquirer:
            target = rng.choice(self.company_ids)
        title = f"{self.company_names[acquirer]} / {self.company_names[target]}"
        announced, completed, abandoned, unwound = self.deal_days()

        inquiries = []
        count = 8 if index == 0 else rng.choice(INQUIRIES_PER_DEAL)
        slugs = self.pick_regulators(count)
        for slug in slugs:
            inquiries.append(self.build_inquiry(deal_id=pk, regulator=slug, announced=announced))

        # Events straight on the deal: its announcement, sometimes press.
        deal_events = []
        if announced:
            deal_events.append(("announced", announced, f"{title} announced"))
        extra_press = 18 if index == 0 else (1 if rng.random() < 0.1 else 0)
        for _ in range(extra_press):
            day = self.day_between(announced or datetime.date(2015, 1, 1), self.today)
            deal_events.append(("press", day, f"Press: {title}"))
        if index == 0:  # 8 inquiries x 15 events + 18 press; the announcement counts too
            for inquiry in inquiries:
                self.set_events(inquiry, self.inquiry_events(inquiry, count=15))
            deal_events = deal_events[: BIG_TIMELINE_EVENTS - 15 * len(inquiries)]

        status = self.deal_status(
            inquiries, completed=completed, abandoned=abandoned, unwound=unwound
        )
        days = [day for _, day, _ in deal_events]
        days += [e["occurred_on"] for i in inquiries for e in i["events"]]
        parties = self.deal_parties(acquirer, target)
        for inquiry in inquiries:
            inquiry["deal_title"] = title
            inquiry["concerned"] = [company for company, _ in parties]
        value = self.deal_value()
        self.writer.add(
            Deal,
            id=pk,
            title=title[:255],
            slug=f"{slugify(title)[:60]}-{pk}",
            deal_type=rng.choice(DEAL_TYPES),
            announced_on=announced,
            completed_on=completed,
            abandoned_on=abandoned,
            unwound_on=unwound,
            value=value,
            currency=rng.choice(("USD", "USD", "EUR", "GBP")) if value else "",
            sector="" if rng.random() < 0.1 else rng.choice(SECTORS),
            summary=f"{self.company_names[acquirer]} agreed to buy {self.company_names[target]}.",
            is_published=rng.random() >= 0.02,
            antitrust_status=status,
            last_activity_on=max(days) if days else None,
            first_known_on=announced or (min(days) if days else None),
            # One inquiry per regulator here, so each is its regulator's line.
            stored_states={str(i["regulator_id"]): i["outcome"] or i["stage"] for i in inquiries},
            search_document=search_document(
                [title],
                [word for company, _ in parties for word in self.company_words[company]],
                [i["reference"] for i in inquiries],
                [word for i in inquiries for word in self.regulator_words[i["regulator"]]],
            ),
            needs_review=rng.random() < 0.05,
        )
        for company, role in parties:
            self.writer.add(
                Party, id=self.next_id(Party), deal_id=pk, company_id=company, role=role
            )
        for inquiry in inquiries:
            self.write_inquiry(inquiry)
        for kind, day, event_title in deal_events:
            self.write_event(deal_id=pk, inquiry_id=None, kind=kind, day=day, title=event_title)

    # The steps of build_deal, each drawing from the generator in the order it always has (the
    # same --seed gives the same rows).

    def deal_days(self) -> tuple[datetime.date | None, ...]:
        """(announced, completed, abandoned, unwound): announcements spread over 2000 to today,
        more of them recent; most old deals completed, a few abandoned or unwound."""
        rng = self.rng
        years_ago = min(rng.expovariate(1 / 6), 26.5)
        announced = self.today - datetime.timedelta(days=int(years_ago * 365))
        if rng.random() < 0.02:
            announced = None
        age = (self.today - announced).days if announced else 2000
        completed = abandoned = unwound = None
        if announced and age > 120 and rng.random() < 0.75:
            completed = announced + datetime.timedelta(days=rng.randint(60, min(age, 500)))
        elif announced and rng.random() < 0.03:
            abandoned = self.day_between(announced, self.today)
        if completed and rng.random() < 0.003:
            unwound = self.day_between(completed, self.today)
        return announced, completed, abandoned, unwound

    def deal_status(self, inquiries: list[dict], *, completed, abandoned, unwound) -> str:
        """The deal's antitrust status, by the rule the models use (deals/status.py)."""
        facts = [
            status_rule.InquiryFacts(
                kind=i["kind"],
                stage=i["stage"],
                outcome=i["outcome"],
                decision_status=i["decision_status"],
                last_activity_on=i["last_activity_on"],
                closed_on=i["closed_on"],
                ended_before_completion=phase_rule.ended_before_completion(
                    phase_rule.PhaseFacts(
                        regulator=i["regulator"],
                        kind=i["kind"],
                        stage=i["stage"],
                        outcome=i["outcome"],
                        opened_on=i["opened_on"],
                        deal_completed_on=completed,
                    ),
                    None,
                ),
            )
            for i in inquiries
        ]
        return status_rule.overall_status(
            status_rule.DealFacts(
                completed_on=completed, abandoned_on=abandoned, unwound_on=unwound
            ),
            facts,
            today=self.today,
            dormant_after=self.dormant_after,
        )

    def deal_parties(self, acquirer: int, target: int) -> list[tuple[int, str]]:
        """The acquirer and the target; one deal in ten has a third party."""
        rng = self.rng
        parties = [(acquirer, PartyRole.ACQUIRER), (target, PartyRole.TARGET)]
        if rng.random() < 0.1:
            other = rng.choice(self.company_ids)
            if other not in (acquirer, target):
                role = rng.choice((PartyRole.INVESTOR, PartyRole.SELLER, PartyRole.PARTNER))
                parties.append((other, role))
        return parties

    def deal_value(self) -> decimal.Decimal | None:
        """A headline value for seven deals in ten, log-normally spread."""
        rng = self.rng
        if rng.random() >= 0.7:
            return None
        value = decimal.Decimal(int(rng.lognormvariate(19, 2.0))).quantize(decimal.Decimal(1))
        return min(value, decimal.Decimal("99999999999999"))

    def pick_regulators(self, count: int) -> list[str]:
        chosen: list[str] = []
        while len(chosen) < min(count, len(self.reg_slugs)):
            slug = self.rng.choices(self.reg_slugs, self.reg_weights)[0]
            if slug not in chosen:
                chosen.append(slug)
        return chosen

    def reference(self, slug: str, year: int) -> str:
        self.references[slug] += 1
        n = self.references[slug]
        if slug == "ec":
            return f"M.{n}"
        if slug == "cma":
            return f"ME/{n}/{year % 100:02d}"
        if slug == "ftc":
            return f"{year}{n:05d}"
        return f"{self.regulators[slug].short_name}-{year}-{n}"

    # --- Inquiries and events -------------------------------------------------------------

    def build_inquiry(
        self, *, deal_id: int | None, regulator: str, announced: datetime.date | None
    ) -> dict:
        rng = self.rng
        roll = rng.random()
        if deal_id is None or roll < 0.06:
            kind = "conduct"
        elif roll < 0.14:
            kind = "informal_review"
        elif roll < 0.16:
            kind = "market_study"
        elif roll < 0.18:
            kind = "referral"
        else:
            kind = "merger_review"
        start = announced or (self.today - datetime.timedelta(days=rng.randint(0, 4000)))
        opened = start + datetime.timedelta(days=rng.randint(5, 200))
        if opened > self.today:
            opened = self.today - datetime.timedelta(days=rng.randint(0, 30))
        age = (self.today - opened).days
        stage, outcome, closed, deadline = "closed", "", None, None
        open_now = age < 240 and rng.random() < 0.7 or rng.random() < 0.03
        if kind in ("informal_review", "market_study"):
            stage = "informal"
            if not open_now:
                stage, outcome = "closed", "closed_no_action"
        elif kind == "conduct":
            if open_now:
                stage = rng.choice(OPEN_CONDUCT_STAGES)
            else:
                outcome = rng.choice(CONDUCT_OUTCOMES)
        elif open_now:
            stage = rng.choice(OPEN_MERGER_STAGES)
            if stage in ("phase_1", "phase_2", "remedies"):
                deadline = self.today + datetime.timedelta(days=rng.randint(-20, 150))
        else:
            outcome = rng.choice(MERGER_OUTCOMES)
        if outcome:
            closed = opened + datetime.timedelta(days=rng.randint(20, 400))
            closed = min(closed, self.today)
        decision_status = "in_force"
        if outcome and rng.random() < 0.01:
            decision_status = "under_appeal"
        year = opened.year
        reference = "" if kind == "informal_review" else self.reference(regulator, year)
        inquiry = {
            "id": self.next_id(Inquiry),
            "deal_id": deal_id,
            "regulator_id": self.regulators[regulator].pk,
            "regulator": regulator,
            "kind": kind,
            "stage": stage,
            "outcome": outcome,
            "decision_status": decision_status,
            "opened_on": opened,
            "closed_on": closed,
            "deadline_on": deadline,
            "reference": reference,
            "deal_title": "",
            "concerned": [],
        }
        self.set_events(inquiry, self.inquiry_events(inquiry))
        return inquiry

    @staticmethod
    def set_events(inquiry: dict, events: list[dict]) -> None:
        inquiry["events"] = events
        days = [event["occurred_on"] for event in events]
        inquiry["last_activity_on"] = max([inquiry["opened_on"], *days])

    def inquiry_events(self, inquiry: dict, count: int | None = None) -> list[dict]:
        rng = self.rng
        opened = inquiry["opened_on"]
        last = inquiry["closed_on"] or self.today
        count = count if count is not None else rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5))
        events = [{"kind": "notified", "occurred_on": opened}]
        for _ in range(count - 1):
            events.append(
                {"kind": rng.choice(STEP_KINDS), "occurred_on": self.day_between(opened, last)}
            )
        if inquiry["stage"] in ("phase_2", "remedies"):
            events.append({"kind": "phase_2_opened", "occurred_on": self.day_between(opened, last)})
        if inquiry["outcome"]:
            events[-1] = {"kind": "decision", "occurred_on": last}
        return events

    def write_inquiry(self, inquiry: dict) -> None:
        regulator = self.regulators[inquiry["regulator"]]
        reference = inquiry["reference"]
        stage = inquiry["stage"].replace("_", " ").capitalize()
        title = "" if inquiry["deal_id"] else f"{regulator.short_name} conduct case {reference}"
        self.writer.add(
            Inquiry,
            id=inquiry["id"],
            deal_id=inquiry["deal_id"],
            regulator_id=inquiry["regulator_id"],
            title=title,
            reference=reference,
            kind=inquiry["kind"],
            stage=inquiry["stage"],
            outcome=inquiry["outcome"],
            decision_status=inquiry["decision_status"],
            status_wording=f"{stage} as of {inquiry['last_activity_on']:%d %B %Y}",
            opened_on=inquiry["opened_on"],
            deadline_on=inquiry["deadline_on"],
            closed_on=inquiry["closed_on"],
            last_activity_on=inquiry["last_activity_on"],
            source_url=f"https://example.org/{inquiry['regulator']}/{inquiry['id']}",
            search_document=search_document(
                [reference, title],
                [inquiry["deal_title"]],
                [word for company in inquiry["concerned"] for word in self.company_words[company]],
                self.regulator_words[inquiry["regulator"]],
            ),
        )
        for event in inquiry["events"]:
            title = f"{regulator.short_name} {reference}: {event['kind'].replace('_', ' ')}"
            self.write_event(
                deal_id=None,
                inquiry_id=inquiry["id"],
                kind=event["kind"],
                day=event["occurred_on"],
                title=title,
                timeline_deal_id=inquiry["deal_id"],
            )

    def build_standalone_inquiry(self) -> None:
        slug = self.pick_regulators(1)[0]
        inquiry = self.build_inquiry(deal_id=None, regulator=slug, announced=None)
        inquiry["concerned"] = list(
            dict.fromkeys([self.acquirer(), self.rng.choice(self.company_ids)])
        )
        self.write_inquiry(inquiry)
        for company in inquiry["concerned"]:
            self.writer.add(Inquiry.companies.through, inquiry_id=inquiry["id"], company_id=company)

    def write_event(
        self,
        *,
        deal_id: int | None,
        inquiry_id: int | None,
        kind: str,
        day,
        title: str,
        timeline_deal_id: int | None = None,
    ) -> None:
        recorded = datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)
        self.writer.add(
            Event,
            id=self.next_id(Event),
            deal_id=deal_id,
            inquiry_id=inquiry_id,
            timeline_deal_id=deal_id or timeline_deal_id,
            kind=kind,
            occurred_on=day,
            recorded_at=recorded + datetime.timedelta(minutes=self.rng.randint(0, 600)),
            title=title[:300],
            text="" if self.rng.random() < 0.7 else "The regulator published a notice.",
            source_url="https://example.org/notice",
        )
