"""Charts drawn on the server as SVG: no chart JavaScript, readable on a phone.

Horizontal positions are percentages of the chart's width and text keeps its pixel size, so a
chart stretches to its container without shrinking its labels (no viewBox scaling): the same
markup reads at 390 px and at 1366 px. Every chart has a text equivalent beside it (a table in
the template) and an accessible name; colour is never the only carrier of meaning.

- `deal_timeline`: one lane per jurisdiction (regulator), each review's phases as bars from
  opening to decision, or to today and then dashed to the deadline; decisions and key events
  as marks.
- `bar_chart`: labelled horizontal bars (stacked when a row has several parts), for /stats/.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from . import wording
from .markup import escaped
from .models import Inquiry
from .vocabulary import EventKind, InquiryKind, Outcome

LANE_LABEL = 20  # px: the lane's heading line
ROW = 22  # px: one review's bar row
BAR = 12  # px: a bar's height
AXIS = 30  # px: the axis at the bottom
LEFT, RIGHT = 1.0, 99.0  # % of the width the dates span

OUTCOME_CLASSES = {
    Outcome.CLEARED: "cleared",
    Outcome.NOT_QUALIFYING: "cleared",
    Outcome.CLEARED_WITH_REMEDIES: "remedies",
    Outcome.PROHIBITED: "prohibited",
    Outcome.ABANDONED: "abandoned",
}
KEY_EVENTS = {
    EventKind.DECISION,
    EventKind.ABANDONED,
    EventKind.LAWSUIT,
    EventKind.OBJECTIONS,
    EventKind.REMEDIES_OFFERED,
    EventKind.APPEAL,
    EventKind.PHASE_2_OPENED,
    EventKind.NOTIFIED,
    EventKind.PHASE_1_OPENED,
    EventKind.ANNOUNCED,
    EventKind.COMMENT_INVITED,
    EventKind.PROCEEDINGS_OPENED,
}


@dataclass
class Bar:
    start: datetime.date
    end: datetime.date
    css: str  # phase_1, phase_2, other; plus "deadline" for the dashed part
    label: str
    dashed: bool = False
    deadline: datetime.date | None = None  # a decided phase's statutory deadline, as a tick
    start_text: str = ""  # the dates in words, as precise as known ("May 2026")
    end_text: str = ""

    def __post_init__(self):
        self.start_text = self.start_text or wording.day(self.start)
        self.end_text = self.end_text or wording.day(self.end)


@dataclass
class Mark:
    day: datetime.date
    css: str  # decision-<outcome>, event
    label: str
    diamond: bool = False


@dataclass(frozen=True)
class PhaseLine:
    label: str
    started: str  # "6 Jul 2022"; "" when not published
    ended: str  # "26 Apr 2023", "May 2026"; "" while it runs
    deadline: datetime.date | None
    source: str  # "published" or "computed"


@dataclass
class Row:
    """One review (or the deal's own events) in a lane."""

    label: str
    bars: list[Bar] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    # For the text equivalent: each phase, from, to (in words, as precise as known), deadline
    phases: list[PhaseLine] = field(default_factory=list)


@dataclass
class Lane:
    title: str
    subtitle: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Timeline:
    lanes: list[Lane]
    start: datetime.date
    end: datetime.date
    today: datetime.date

    @property
    def height(self) -> int:
        return sum(LANE_LABEL + ROW * len(lane.rows) + 8 for lane in self.lanes) + AXIS

    def x(self, day: datetime.date) -> float:
        span = max((self.end - self.start).days, 1)
        return round(LEFT + (RIGHT - LEFT) * (day - self.start).days / span, 2)

    def svg(self, *, title: str) -> SafeString:
        return _timeline_svg(self, title=title)


PHASE_BAR_CLASS = {"phase_1": "phase_1", "phase_2": "phase_2", "remedies": "phase_2"}


def _inquiry_row(inquiry: Inquiry, today: datetime.date) -> Row | None:
    """One review's row: its stored phases (deals/phases.py) as bars, the running one dashed to
    its deadline; a review without phases (an informal look, a referral, a conduct case) as one
    bar from its opening to its last activity while open, to its closing once closed."""
    label = inquiry.reference or inquiry.get_kind_display()
    if inquiry.superseded_by_id:
        label += " (superseded)"
    row = Row(label=label)
    events = sorted(inquiry.events.all(), key=lambda e: (e.occurred_on, e.pk))
    for phase in inquiry.phases.all():
        row.phases.append(
            PhaseLine(
                phase.label,
                wording.day_as_known(phase.started_on, phase.started_precision),
                wording.day_as_known(phase.ended_on, phase.ended_precision)
                or ("" if phase.is_running else "date not published"),
                phase.deadline_on,
                phase.deadline_source,
            )
        )
        if phase.started_on is None:
            continue  # in the table, not drawn: no day to draw it from
        css = PHASE_BAR_CLASS.get(phase.kind, "other")
        end = phase.ended_on or (today if phase.is_running else phase.started_on)
        end = max(end, phase.started_on)
        ticked = phase.deadline_on if not phase.is_running else None
        row.bars.append(
            Bar(
                phase.started_on,
                end,
                css,
                phase.label,
                deadline=ticked,
                start_text=wording.day_as_known(phase.started_on, phase.started_precision),
                end_text=wording.day_as_known(phase.ended_on, phase.ended_precision)
                if phase.ended_on
                else "",
            )
        )
        if phase.is_running and phase.deadline_on and phase.deadline_on > end:
            row.bars.append(
                Bar(end, phase.deadline_on, css, f"{phase.label} to the deadline", dashed=True)
            )
    if not row.phases:
        start = inquiry.opened_on or (events[0].occurred_on if events else None)
        if start is None:
            return None
        # Open: up to its last known activity, not to today (a dormant look is not ongoing).
        end = inquiry.closed_on or (inquiry.last_activity_on if inquiry.is_open else None)
        end = end or (events[-1].occurred_on if events else start)
        css = "other"
        if inquiry.kind in (InquiryKind.INFORMAL_REVIEW, InquiryKind.MARKET_STUDY):
            css = "informal"
        name = inquiry.get_kind_display()
        row.bars.append(Bar(start, max(end, start), css, name))
        deadline = inquiry.deadline
        if deadline and deadline.on > end:
            row.bars.append(Bar(end, deadline.on, css, f"{name} to the deadline", dashed=True))
        row.phases.append(
            PhaseLine(
                name,
                wording.day(start),
                "" if inquiry.is_open else wording.day_as_known(end, inquiry.closed_on_precision),
                deadline.on if deadline else None,
                deadline.source if deadline else "",
            )
        )
    for event in events:
        if event.kind not in KEY_EVENTS:
            continue
        if event.kind in (EventKind.DECISION, EventKind.ABANDONED):
            outcome = OUTCOME_CLASSES.get(inquiry.outcome, "other")
            if event.kind == EventKind.ABANDONED:
                outcome = "abandoned"
            css, diamond = f"decision decision-{outcome}", True
        else:
            css, diamond = "event", False
        text = f"{event.when}: {event.get_kind_display()}: {event.title}"
        row.marks.append(Mark(event.occurred_on, css, text, diamond))
    if not row.bars and not row.marks:
        return None  # nothing dated to draw
    return row


def _row_start(row: Row) -> datetime.date:
    return min([bar.start for bar in row.bars] + [mark.day for mark in row.marks])


def deal_timeline(deal, *, today: datetime.date, inquiries=None) -> Timeline | None:
    """The deal's reviews side by side: reads its inquiries (`inquiries`, else
    `deal.inquiries.all()`) with their events and stored phases (`with_clock_data`), and the
    deal's own events."""
    lanes: dict[int, Lane] = {}
    for inquiry in deal.inquiries.all() if inquiries is None else inquiries:
        row = _inquiry_row(inquiry, today)
        if row is None:
            continue
        regulator = inquiry.regulator
        lane = lanes.setdefault(
            regulator.pk, Lane(title=regulator.short_name, subtitle=regulator.name)
        )
        lane.rows.append(row)
    ordered = sorted(lanes.values(), key=lambda lane: (_row_start(lane.rows[0]), lane.title))
    deal_row = Row(label="The deal")
    for day, label in (
        (deal.announced_on, "Announced"),
        (deal.completed_on, "Completed"),
        (deal.abandoned_on, "Abandoned"),
        (deal.unwound_on, "Unwound"),
    ):
        if day:
            deal_row.marks.append(
                Mark(
                    day,
                    f"deal-mark deal-{label.lower()}",
                    f"{day:%-d %b %Y}: {label}",
                    label != "Announced",
                )
            )
    if not ordered:
        return None
    if deal_row.marks:
        ordered.insert(0, Lane(title="Deal", subtitle=deal.get_life_display(), rows=[deal_row]))
    days = [
        day
        for lane in ordered
        for row in lane.rows
        for bar in row.bars
        for day in (bar.start, bar.end)
    ]
    days += [mark.day for lane in ordered for row in lane.rows for mark in row.marks]
    start, end = min(days), max(days)
    pad = datetime.timedelta(days=max(7, (end - start).days // 40))
    return Timeline(ordered, start - pad, end + pad, today)


def _ticks(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, str]]:
    """At most seven dated ticks: years, half-years or months, as the span asks."""
    span = (end - start).days
    if span > 3 * 365:
        step = 1 + span // (6 * 365)
        years = range(start.year + 1, end.year + 1, step)
        return [(datetime.date(year, 1, 1), str(year)) for year in years]
    months_step = 6 if span > 365 else (3 if span > 180 else (2 if span > 90 else 1))
    ticks, day = [], datetime.date(start.year, start.month, 1)
    while day <= end:
        if day > start and (day.month - 1) % months_step == 0:
            label = f"{day:%b %Y}" if day.month == 1 or not ticks else f"{day:%b}"
            ticks.append((day, label))
        day = datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return ticks


def _timeline_svg(chart: Timeline, *, title: str) -> SafeString:
    parts: list[str] = []
    y = 0
    for lane in chart.lanes:
        parts.append(
            format_html(
                '<text class="lane-title" x="0" y="{}"><tspan class="lane-name">{}</tspan>'
                '<tspan class="lane-subtitle" dx="6">{}</tspan></text>',
                y + 14,
                lane.title,
                lane.subtitle,
            )
        )
        y += LANE_LABEL
        for row in lane.rows:
            middle = y + ROW // 2
            parts.append(
                format_html(
                    '<line class="lane-rule" x1="{}%" x2="{}%" y1="{}" y2="{}"/>',
                    LEFT,
                    RIGHT,
                    middle,
                    middle,
                )
            )
            for bar in row.bars:
                x0, x1 = chart.x(bar.start), chart.x(bar.end)
                width = max(x1 - x0, 0.6)
                css = f"bar bar-{bar.css}" + (" bar-deadline" if bar.dashed else "")
                parts.append(
                    format_html(
                        '<rect class="{}" x="{}%" y="{}" width="{}%" height="{}" rx="2">'
                        "<title>{}: {} to {}</title></rect>",
                        css,
                        x0,
                        middle - BAR // 2,
                        round(width, 2),
                        BAR,
                        bar.label,
                        bar.start_text,
                        bar.end_text,
                    )
                )
            for bar in row.bars:
                if bar.deadline:
                    x = chart.x(bar.deadline)
                    parts.append(
                        format_html(
                            '<line class="deadline-tick" x1="{}%" x2="{}%" y1="{}" y2="{}">'
                            "<title>{} statutory deadline: {}</title></line>",
                            x,
                            x,
                            middle - 9,
                            middle + 9,
                            bar.label,
                            f"{bar.deadline:%-d %b %Y}",
                        )
                    )
            for mark in row.marks:
                shape = '<path d="M0 -7 L7 0 L0 7 L-7 0 Z"/>' if mark.diamond else '<circle r="4"/>'
                parts.append(
                    format_html(
                        '<svg class="mark {}" x="{}%" y="{}" overflow="visible">'
                        "<title>{}</title>{}</svg>",
                        mark.css,
                        chart.x(mark.day),
                        middle,
                        mark.label,
                        mark_safe(shape),
                    )
                )
            y += ROW
        y += 8
    if chart.start <= chart.today <= chart.end:
        x = chart.x(chart.today)
        parts.append(
            format_html(
                '<line class="today" x1="{}%" x2="{}%" y1="0" y2="{}"/>'
                '<text class="today-label" x="{}%" y="{}" text-anchor="end" dx="-3">today</text>',
                x,
                x,
                y,
                x,
                y + AXIS - 4,
            )
        )
    parts.append(
        format_html('<line class="axis" x1="{}%" x2="{}%" y1="{}" y2="{}"/>', LEFT, RIGHT, y, y)
    )
    for day, label in _ticks(chart.start, chart.end):
        x = chart.x(day)
        anchor = "start" if x < 6 else ("end" if x > 94 else "middle")
        parts.append(
            format_html(
                '<line class="tick" x1="{}%" x2="{}%" y1="{}" y2="{}"/>'
                '<text class="tick-label" x="{}%" y="{}" text-anchor="{}">{}</text>',
                x,
                x,
                y,
                y + 5,
                x,
                y + 18,
                anchor,
                label,
            )
        )
    return format_html(
        '<svg class="timeline-chart" width="100%" height="{}" role="img" '
        'aria-labelledby="timeline-chart-title" xmlns="http://www.w3.org/2000/svg">'
        '<title id="timeline-chart-title">{}</title>{}</svg>',
        chart.height,
        title,
        mark_safe("".join(parts)),
    )


# --- Bar charts for /stats/ ---------------------------------------------------------------


@dataclass
class BarRow:
    label: str
    parts: list[tuple[str, float, str]]  # (css class, value, words for the tooltip)
    note: str = ""  # shown after the bar: the number(s)
    marker: float | None = None  # a reference value drawn as a tick (statutory length)


def bar_chart(rows: list[BarRow], *, title: str, unit: str = "") -> SafeString:
    """Horizontal bars, one per row, the label above each: fits a phone.

    Written with f-strings, each text escaped as format_html escapes it (deals/markup.py) and
    each number as str() writes it: /stats/ draws about 3,500 shapes, and format_html escaping
    every number was a third of the page's time."""
    if not rows:
        return SafeString("")
    top = max(max(sum(v for _, v, _ in row.parts), row.marker or 0) for row in rows) or 1
    scale = 98.0 / top  # % of the width for the largest bar
    parts, y = [], 0
    for row in rows:
        parts.append(
            f'<text x="0" y="{y + 13}">'
            f'<tspan class="bar-label">{escaped(row.label)}</tspan>'
            f'<tspan class="bar-value" dx="6">{escaped(row.note)}</tspan></text>'
        )
        y += 18
        x = 0.0
        for css, value, words in row.parts:
            width = value * scale
            if width > 0:
                parts.append(
                    f'<rect class="{escaped(css)}" x="{round(x, 2)}%" y="{y}" '
                    f'width="{round(width, 2)}%" height="14" rx="2">'
                    f"<title>{escaped(words)}</title></rect>"
                )
            x += width
        if row.marker is not None:
            mx = round(row.marker * scale, 2)
            marker = escaped(f"statutory length: {row.marker:g} {unit}".strip())
            parts.append(
                f'<line class="marker" x1="{mx}%" x2="{mx}%" y1="{y - 3}" y2="{y + 17}">'
                f"<title>{marker}</title></line>"
            )
        y += 24
    return format_html(
        '<svg class="bar-chart" width="100%" height="{}" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg">{}</svg>',
        y,
        title,
        mark_safe("".join(parts)),
    )
