"""Case numbers a press release may name, in the forms the tracker stores them."""

from __future__ import annotations

import re

PATTERNS = [
    re.compile(r"\b(?:M|AT|SA)\.\d{4,6}\b"),  # European Commission: M.11357, AT.40153
    re.compile(r"\bME/\d{4}/\d{2}\b"),  # CMA merger case numbers
]


def case_references(text: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for pattern in PATTERNS:
        for match in pattern.finditer(text):
            found[match.group(0)] = None
    return tuple(found)
