"""What a digest says: per deal, what changed, where each jurisdiction stands, then the news.

Pure presentation over objects already loaded (plus one fixed set of queries for the deals'
jurisdictions and clocks); the same code builds the email, the admin preview and the dry run,
so what the admin previews is what the subscriber gets.

A deal's item leads with its status changes, netted over the digest's period: for each deal
and regulator the first old value against the last new one, and nothing when they are equal
(a correction flipped back is not news). Items are ordered by importance: final outcomes and
decisions first, press last. The subject names the most important change.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Prefetch
from django.utils import dateformat, timezone
from django.utils.text import capfirst

from deals.links import http_url
from deals.models import SEARCH_COLUMNS, Deal, Event, Inquiry, StatusChange
from deals.vocabulary import AntitrustStatus, ChangeCause, EventKind, Outcome, Stage
from deals.wording import change_cause

SUBJECT_NAMES = 3  # deals named in a subject at most; the rest are counted
SUBJECT_MAX_LENGTH = 89  # "under 90 characters": what mail clients show on a phone

# Overall statuses that end a review: the subject says "Adobe / Figma abandoned".
FINAL_STATUSES = {
    AntitrustStatus.ABANDONED,
    AntitrustStatus.UNWOUND,
    AntitrustStatus.BLOCKED,
    AntitrustStatus.CLEARED,
    AntitrustStatus.CLEARED_WITH_CONDITIONS,
}
# What a regulator did, for the subject: "CMA opened phase 1".
STAGE_VERBS = {
    Stage.INFORMAL: "took an informal look",
    Stage.PRENOTIFICATION: "is in pre-notification",
    Stage.PHASE_1: "opened phase 1",
    Stage.PHASE_2: "opened phase 2",
    Stage.REMEDIES: "is weighing remedies",
    Stage.INVESTIGATION: "opened an investigation",
    Stage.OBJECTIONS: "sent objections",
    Stage.COMMITMENTS: "is weighing commitments",
    Stage.LITIGATION: "went to court",
    Stage.CLOSED: "closed its case",
}
OUTCOME_VERBS = {
    Outcome.CLEARED: "cleared it",
    Outcome.CLEARED_WITH_REMEDIES: "cleared it with remedies",
    Outcome.PROHIBITED: "blocked it",
    Outcome.ABANDONED: "closed: abandoned",
    Outcome.NOT_QUALIFYING: "found it does not qualify",
    Outcome.REFERRED: "referred it",
    Outcome.INFRINGEMENT: "found an infringement",
    Outcome.COMMITMENTS: "accepted commitments",
    Outcome.SETTLED: "settled",
    Outcome.CLOSED_NO_ACTION: "closed it, no action",
}
# Importance, lower first: decisions and status changes lead, press comes last.
EVENT_RANKS = {
    EventKind.DECISION: 1,
    EventKind.ABANDONED: 1,
    EventKind.LAWSUIT: 1,
    EventKind.APPEAL: 2,
    EventKind.PHASE_2_OPENED: 2,
    EventKind.PHASE_1_OPENED: 3,
    EventKind.PROCEEDINGS_OPENED: 3,
    EventKind.OBJECTIONS: 3,
    EventKind.REMEDIES_OFFERED: 3,
    EventKind.NOTIFIED: 4,
    EventKind.COMMENT_INVITED: 4,
    EventKind.ANNOUNCED: 4,
    EventKind.OTHER: 5,
    EventKind.PRESS: 6,
}
NEW_DEAL_RANK = 4
NEWS_RANK = 3  # events up to this rank are named in the subject; the rest are counted

# Colour of a status or a jurisdiction's state; every coloured pill also says it in words.
TONES = {
    "red": {"blocked", "unwound", "prohibited", "infringement", "litigation"},
    "amber": {"in_depth_review", "phase_2", "remedies", "objections"},
    "blue": {
        "under_review",
        "informal_scrutiny",
        "phase_1",
        "prenotification",
        "informal",
        "investigation",
        "commitments",
    },
    "green": {"cleared", "cleared_with_conditions", "cleared_with_remedies", "not_qualifying"},
}


def tone(value: str) -> str:
    return next((name for name, values in TONES.items() if value in values), "grey")


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def deal_url(deal: Deal) -> str:
    """The deal's page, absolute (its path from deals.models.path_of: a run links thousands of
    deals, each without a reverse())."""
    return absolute(deal.get_absolute_url())


def one_line(text: str) -> str:
    """No line breaks can reach a header, whatever an editor or a source typed."""
    return " ".join(str(text).split())


def shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def link_host(url: str) -> str:
    """A short link text for a source: its host, without www."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


@dataclass
class DigestEntry:
    date: object  # datetime.date
    what: str  # the kind of event, or "New deal"
    title: str
    text: str = ""
    regulator: str = ""
    url: str = ""  # the page on Dealwatch
    source_url: str = ""
    rank: int = 5
    when: str = ""  # the date in words, as precisely as known ("May 2026"); else from `date`

    @property
    def date_text(self) -> str:
        return self.when or dateformat.format(self.date, "j M Y")

    @property
    def source_host(self) -> str:
        return link_host(self.source_url)


@dataclass
class ChangeLine:
    """A net change over the period: the first old value, the last new one, the last cause."""

    regulator: str  # "" for the deal's overall status
    old_value: str
    new_value: str
    old_label: str
    new_label: str
    cause: str
    changed_at: datetime.datetime

    @property
    def is_overall(self) -> bool:
        return not self.regulator

    @property
    def old_tone(self) -> str:
        return tone(self.old_value)

    @property
    def new_tone(self) -> str:
        return tone(self.new_value)

    @property
    def rank(self) -> int:
        if self.is_overall:
            return 0 if self.new_value in FINAL_STATUSES else 2
        return 1 if self.new_value in Outcome.values else 2

    def headline(self, deal: str) -> str:
        if self.is_overall:
            label = self.new_label.lower()
            return f"{deal} {label}" if self.new_value in FINAL_STATUSES else f"{deal}: {label}"
        verb = OUTCOME_VERBS.get(self.new_value) or STAGE_VERBS.get(self.new_value)
        if not self.new_value:  # its inquiry was removed or moved to another deal
            verb = "review removed"
        return f"{deal}: {self.regulator} {verb or self.new_label.lower()}"


@dataclass
class JurisdictionState:
    regulator: str
    state: str
    value: str
    flags: list[str] = field(default_factory=list)
    deadline: str = ""  # "next decision due 4 Nov 2026 (computed)"
    changed: bool = False

    @property
    def tone(self) -> str:
        return tone(self.value)


@dataclass
class DigestGroup:
    title: str
    url: str
    is_new_deal: bool = False
    status: str = ""  # the deal's overall status now
    status_value: str = ""
    changes: list[ChangeLine] = field(default_factory=list)
    jurisdictions: list[JurisdictionState] = field(default_factory=list)
    entries: list[DigestEntry] = field(default_factory=list)

    @property
    def status_tone(self) -> str:
        return tone(self.status_value)

    @property
    def rank(self) -> int:
        return min([c.rank for c in self.changes] + [e.rank for e in self.entries] or [9])

    @property
    def latest(self) -> datetime.date:
        """The newest event's day (when it happened), else the newest change's."""
        days = [e.date for e in self.entries] or [
            timezone.localdate(c.changed_at) for c in self.changes
        ]
        return max(days) if days else datetime.date.min

    @property
    def headline(self) -> str:
        """The most important change in a few words: "Microsoft / Mistral AI: CMA opened
        phase 1", "Adobe / Figma abandoned"."""
        if self.changes:
            # Say what a regulator did, unless the deal's fate itself changed.
            first = min(self.changes, key=lambda c: (c.rank, c.is_overall))
            return first.headline(self.title)
        top = min(self.entries, key=lambda e: e.rank)
        if top.rank > NEWS_RANK:  # nothing worth naming: the deal's name says enough
            return self.title
        who = f"{top.regulator} " if top.regulator else ""
        return f"{self.title}: {who}{top.what.lower()}"

    @property
    def is_news(self) -> bool:
        """A change of status or a step of a review, which the subject names."""
        return self.rank <= NEWS_RANK

    def __bool__(self) -> bool:
        return bool(self.changes or self.entries)


@dataclass
class Digest:
    groups: list[DigestGroup]

    @property
    def count(self) -> int:
        return sum(len(group.entries) + len(group.changes) for group in self.groups)

    def __bool__(self) -> bool:
        return self.count > 0

    @cached_property
    def subject(self) -> str:
        """The most important change, under 90 characters: "Microsoft / Mistral AI: CMA opened
        phase 1", "3 deals changed: Adobe / Figma abandoned, … and 1 more". Worked out once: the
        email's subject, its text part's first line and the delivery's record all say it."""
        n = len(self.groups)
        if not any(group.is_news for group in self.groups):
            count = self.count
            prefix = f"{count} update{'' if count == 1 else 's'}: "
        elif n == 1:
            return shorten(one_line(self.groups[0].headline), SUBJECT_MAX_LENGTH)
        else:
            changed = sum(1 for group in self.groups if group.changes)
            prefix = f"{changed} deals changed: " if changed > 1 else f"{n} deals updated: "
        return prefix + self._listed(SUBJECT_MAX_LENGTH - len(prefix))

    def _listed(self, room: int) -> str:
        """'A, B and 2 more', as many as fit in `room` characters."""
        headlines = [one_line(group.headline) for group in self.groups]
        n = len(headlines)
        listed, shown = headlines[0], 1
        for headline in headlines[1:SUBJECT_NAMES]:
            rest = n - shown - 1
            tail = f" and {rest} more" if rest else ""
            if len(listed + ", " + headline + tail) > room:
                break
            listed += ", " + headline
            shown += 1
        more = f" and {n - shown} more" if n > shown else ""
        return shorten(listed, room - len(more)) + more


@dataclass
class DigestShared:
    """What the digests of one run have in common, worked out once per worker and run instead of
    once per subscriber: many subscribers follow the same deal.

    `deals`: the deals read with their jurisdiction lines (deals_for_digest), as read at their
    first digest of the run; `heads`: each deal's title and link, keyed by what they are made
    of; `cards`: each deal's card rendered (emails.digest_cards; its HTML inlined), keyed by
    all it shows."""

    deals: dict[int, Deal] = field(default_factory=dict)
    heads: dict[tuple, tuple[str, str]] = field(default_factory=dict)
    cards: dict[str, tuple[str, str]] = field(default_factory=dict)


def cause(change: StatusChange) -> str:
    """What changed it, in the deal page's and the feed's words (deals.wording.change_cause),
    on one line and capitalised: the event's title, an editor's correction, or the review's
    update."""
    return one_line(capfirst(change_cause(change)))


def net_changes(changes: Iterable[StatusChange]) -> dict[int, list[ChangeLine]]:
    """Per deal, each status's net change over the changes given: first old value against the
    last new one; a change undone within them is dropped. Overall status first."""
    runs: dict[tuple[int, int | None], list[StatusChange]] = {}
    for change in sorted(changes, key=lambda c: (c.changed_at, c.pk)):
        runs.setdefault((change.deal_id, change.regulator_id), []).append(change)
    lines: dict[int, list[ChangeLine]] = {}
    for (deal_id, _), run in runs.items():
        first, last = run[0], run[-1]
        if first.old_value == last.new_value:
            continue
        lines.setdefault(deal_id, []).append(
            ChangeLine(
                regulator=last.regulator.short_name if last.regulator_id else "",
                old_value=first.old_value,
                new_value=last.new_value,
                old_label=first.old_label,
                new_label=last.new_label,
                cause=cause(last),
                changed_at=last.changed_at,
            )
        )
    for deal_lines in lines.values():
        deal_lines.sort(key=lambda line: (not line.is_overall, line.regulator))
    return lines


def jurisdiction_states(deal: Deal, changed: set[str]) -> list[JurisdictionState]:
    """Each regulator's line on the deal now, with the next deadline (published or computed).
    Reads the inquiries with their clock data: prefetch them (see deals_for_digest).

    Worked out once per Deal object: a batch of digests shares its deals (deals_for_digest),
    and a deal followed by many subscribers would otherwise run its clocks for each. The lines
    marked changed are made once per Deal object and set of changed regulators too, and shared
    by the digests that say the same (nothing changes a line once made): most subscribers of a
    deal get the same news of it."""
    if not hasattr(deal, "_digest_states"):
        deal._digest_states = _jurisdiction_states(deal)
        deal._digest_states_marked = {}
    names = frozenset(changed)
    marked = deal._digest_states_marked.get(names)
    if marked is None:
        marked = deal._digest_states_marked[names] = [
            replace(state, changed=state.regulator in names) for state in deal._digest_states
        ]
    return list(marked)


def _jurisdiction_states(deal: Deal) -> list[JurisdictionState]:
    today = timezone.localdate()
    states = []
    for line in deal.jurisdiction_lines():
        lead = line.lead
        if lead is None:
            continue
        deadline = lead.deadline if lead.is_open else None
        due = ""
        if deadline is not None and deadline.on >= today:
            kind = "computed" if deadline.is_computed else "published"
            due = f"next decision due {dateformat.format(deadline.on, 'j M Y')} ({kind})"
        name = line.regulator.short_name
        states.append(
            JurisdictionState(
                regulator=name,
                state=lead.state_text(),
                value=lead.outcome or lead.stage,
                flags=lead.flags(),
                deadline=due,
            )
        )
    return states


def deals_for_digest(deal_ids: Iterable[int]) -> dict[int, Deal]:
    """The deals of a digest with what their jurisdiction lines read (their inquiries as a list
    reads them: a line's next deadline is stored, no event or phase is needed), without the
    search columns, in a fixed number of queries whatever the number of deals."""
    # As Inquiry.objects.with_list_data() reads them, but for their deal: the prefetch gives each
    # inquiry the deal it was read for, which select_related would read again, row by row.
    inquiries = Inquiry.objects.select_related("regulator", "superseded_by__regulator").defer(
        *without_search_columns("", "superseded_by")
    )
    deals = (
        Deal.objects.filter(pk__in=set(deal_ids))
        .defer(*SEARCH_COLUMNS)
        .prefetch_related(Prefetch("inquiries", queryset=inquiries))
    )
    return {deal.pk: deal for deal in deals}


def digest_build(
    *,
    events: Iterable[Event],
    new_deals: Iterable[Deal],
    status_changes: Iterable[StatusChange] = (),
    deals: dict[int, Deal] | None = None,
    heads: dict[tuple, tuple[str, str]] | None = None,
) -> Digest:
    """Group by deal (or, for an inquiry without a deal, by the inquiry): the deal's net status
    changes, its jurisdictions now, then its new events.

    `deals`: the deals_for_digest of a whole batch of digests, read once (any superset of the
    deals this digest names); read here when not given. `heads`: DigestShared.heads."""
    groups: dict[tuple[str, int], DigestGroup] = {}
    heads = {} if heads is None else heads
    changes = list(
        status_changes.select_related("regulator", "event", "inquiry__regulator", "inquiry__deal")
        if hasattr(status_changes, "select_related")
        else status_changes
    )
    nets = net_changes(changes)
    _add_new_deals(groups, new_deals, heads)
    events_seen = _add_events(groups, events, heads)

    deal_ids = [pk for kind, pk in groups if kind == "deal"] + list(nets)
    if deals is None:
        deals = deals_for_digest(deal_ids) if deal_ids else {}
    _explain_changes_by_news(nets, changes, events_seen)
    for deal_id, lines in nets.items():
        if deal_id in deals:
            _deal_group(groups, deals[deal_id], heads).changes = lines
    _complete_groups(groups, deals)
    # The most important news first; among equals, the newest.
    ordered = sorted(
        (group for group in groups.values() if group),
        key=lambda g: (g.rank, -g.latest.toordinal()),
    )
    return Digest(groups=ordered)


def _add_new_deals(
    groups: dict[tuple[str, int], DigestGroup], new_deals: Iterable[Deal], heads: dict
) -> None:
    for deal in new_deals:
        group = _deal_group(groups, deal, heads)
        group.is_new_deal = True
        group.entries.append(
            DigestEntry(
                date=deal.announced_on or deal.created_at.date(),
                what="New deal",
                title=deal.title,
                text=deal.summary,
                url=deal_url(deal),
                rank=NEW_DEAL_RANK,
            )
        )


def _add_events(
    groups: dict[tuple[str, int], DigestGroup], events: Iterable[Event], heads: dict
) -> list[Event]:
    """Each event (once) as an entry of its deal's group, or of its inquiry's when it has no
    deal; returns the events added, in their order."""
    seen: set[int] = set()
    events_seen: list[Event] = []
    for event in events:
        if event.pk in seen:
            continue
        seen.add(event.pk)
        events_seen.append(event)
        deal = event.timeline_deal
        if deal is not None:
            group = _deal_group(groups, deal, heads)
            url = group.url
        else:
            inquiry = event.inquiry
            url = absolute(inquiry.get_absolute_url())
            group = groups.setdefault(
                ("inquiry", inquiry.pk), DigestGroup(title=one_line(str(inquiry)), url=url)
            )
        regulator = event.regulator
        group.entries.append(
            DigestEntry(
                date=event.occurred_on,
                when=event.when,
                what=event.get_kind_display(),
                title=event.title,
                text=event.text,
                regulator=regulator.short_name if regulator else "",
                url=url,
                source_url=http_url(event.source_url),  # both parts: never a javascript: link
                rank=EVENT_RANKS.get(event.kind, 5),
            )
        )
    return events_seen


def _explain_changes_by_news(
    nets: dict[int, list[ChangeLine]], changes: list[StatusChange], events: list[Event]
) -> None:
    """A change saved with its review (an editor moving the stage) is explained by the review's
    most important news in the same digest, when there is some: "Commission opens phase 2"."""
    news = {}
    for event in sorted(events, key=lambda e: EVENT_RANKS.get(e.kind, 5), reverse=True):
        if event.inquiry_id and EVENT_RANKS.get(event.kind, 5) <= NEWS_RANK:
            news[event.inquiry_id] = event.title
    for change in changes:
        # Only a plain update of the review: a new inquiry or an event already says itself.
        plain_update = change.cause in ("", ChangeCause.UPDATE)
        if (
            plain_update
            and not change.event_id
            and not change.changed_by_id
            and (change.inquiry_id in news)
        ):
            for line in nets.get(change.deal_id, []):
                if line.cause == cause(change):
                    line.cause = news[change.inquiry_id]


def _complete_groups(groups: dict[tuple[str, int], DigestGroup], deals: dict[int, Deal]) -> None:
    """Each deal's group gets its status and jurisdictions now; every group's entries by date."""
    for (kind, pk), group in groups.items():
        if kind == "deal" and pk in deals:
            deal = deals[pk]
            group.status = deal.get_antitrust_status_display()
            group.status_value = deal.antitrust_status
            changed = {line.regulator for line in group.changes if line.regulator}
            group.jurisdictions = jurisdiction_states(deal, changed)
        group.entries.sort(key=lambda entry: (entry.date, entry.what != "New deal"))


def _deal_group(
    groups: dict[tuple[str, int], DigestGroup], deal: Deal, heads: dict[tuple, tuple[str, str]]
) -> DigestGroup:
    """The deal's group in `groups`, added empty when it has none yet: its title and link,
    worked out once per run (reversing the URL is the dear part) and keyed by what they are made
    of."""
    if ("deal", deal.pk) not in groups:
        key = (deal.pk, deal.title, deal.slug)
        if key not in heads:
            heads[key] = (one_line(deal.title), deal_url(deal))
        title, url = heads[key]
        groups["deal", deal.pk] = DigestGroup(title=title, url=url)
    return groups["deal", deal.pk]


# What a digest reads of an event's relations: the deal whose timeline shows it (its group) and,
# for an event of an inquiry without a deal, the inquiry and its regulator. Not the event's own
# `deal` (the timeline deal is that deal, or its inquiry's), nor the inquiry's deal (an inquiry
# with a deal makes its events' timeline deal, so its events are grouped by that deal): reading
# them made two more model objects an event that nothing looked at.
EVENT_RELATED = ("timeline_deal", "inquiry__regulator")


def without_search_columns(*relations: str) -> list[str]:
    """The search columns (a text and its tsvector: most of a deal's or an inquiry's row) of
    the deals and inquiries a query reads through `relations`, for .defer(): a digest shows
    none of them. "" for the queried model itself."""
    return [
        f"{relation}__{column}" if relation else column
        for relation in relations
        for column in SEARCH_COLUMNS
    ]


def deal_only_named(*relations: str) -> list[str]:
    """All but the id, title and slug of the deals a query reads through `relations`, for
    .defer(): what a digest shows of an event's deal (its title and link) is the deal's name;
    the rest of the deal comes from deals_for_digest."""
    named = {"id", "title", "slug"}
    return [
        f"{relation}__{field.attname}"
        for relation in relations
        for field in Deal._meta.concrete_fields
        if field.attname not in named
    ]


# An event's deals and inquiry, as EVENT_RELATED reads them: of the deals, their name; of the
# inquiry, all but its search columns.
EVENT_DEFERRED = [
    *deal_only_named("timeline_deal"),
    *without_search_columns("inquiry"),
]
