"""What the apps above deals may add to its pages, without deals importing them.

`deals` imports nothing from ingest, subscriptions or api. Where a page needs something only an
app above knows, deals asks through a hook here and that app registers its answer in its
`AppConfig.ready`:

- `imported_from`: where an unchecked deal was imported from ("FTC HSR early-termination
  notices"); ingest answers from its stored records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Deal

ImportedFrom = Callable[["Deal"], list[str]]

_imported_from: list[ImportedFrom] = []


def register_imported_from(answer: ImportedFrom) -> None:
    """Register a function giving the labels of the sources a deal was imported from."""
    if answer not in _imported_from:
        _imported_from.append(answer)


def imported_from(deal: Deal) -> list[str]:
    """Every registered answer's labels for `deal`, sorted, each once."""
    return sorted({label for answer in _imported_from for label in answer(deal)})
