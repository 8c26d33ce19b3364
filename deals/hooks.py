"""What the apps above deals may add to its pages, without deals importing them.

`deals` imports nothing from ingest, subscriptions or api. Where a page needs something only an
app above knows, deals asks through a hook here and that app registers its answer in its
`AppConfig.ready`:

- `imported_from`: where an unchecked deal was imported from ("FTC HSR early-termination
  notices"); ingest answers from its stored records.
- `last_checked_on`: the day an inquiry's source was last read successfully ("last checked
  <date>" beside a review whose deadline passed); ingest answers from its runs. Pages use
  `inquiry.checked_on` (an editor's) or this.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Deal, Inquiry

ImportedFrom = Callable[["Deal"], list[str]]
LastCheckedOn = Callable[["Inquiry"], "datetime.date | None"]

_imported_from: list[ImportedFrom] = []
_last_checked_on: list[LastCheckedOn] = []


def register_imported_from(answer: ImportedFrom) -> None:
    """Register a function giving the labels of the sources a deal was imported from."""
    if answer not in _imported_from:
        _imported_from.append(answer)


def imported_from(deal: Deal) -> list[str]:
    """Every registered answer's labels for `deal`, sorted, each once."""
    return sorted({label for answer in _imported_from for label in answer(deal)})


def register_last_checked_on(answer: LastCheckedOn) -> None:
    """Register a function giving the day an inquiry's source was last read successfully."""
    if answer not in _last_checked_on:
        _last_checked_on.append(answer)


def last_checked_on(inquiry: Inquiry) -> datetime.date | None:
    """The latest day any registered answer gives for `inquiry`; None when none knows."""
    days = [day for answer in _last_checked_on if (day := answer(inquiry)) is not None]
    return max(days, default=None)
