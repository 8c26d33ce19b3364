"""What counts as text: the one definition of the characters that are not, and their cleaning.

Not text, wherever text enters or leaves the tracker (docs/security-parts/text.md):

- the C0 controls U+0000 to U+001F except tab, newline and carriage return (a textarea sends
  its lines as CR LF, and XML 1.0 allows all three);
- the surrogates U+D800 to U+DFFF (a JSON source can hold a lone one as an escape; it cannot be
  encoded as UTF-8, so no database would store it);
- the non-characters U+FFFE and U+FFFF.

That is exactly what XML 1.0 forbids (its production `Char`), so text free of them can be
written into every feed, calendar and page. Text enters cleaned: the admin refuses it
(`text_validate`, deals/admin.py), ingest removes it and says so per record
(ingest/pipeline/records.py); and what was stored before, or written straight through the
ORM, is removed again on the way out (`text_clean` in deals/feeds.py, calendars.py, exports.py).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text_clean(value: str) -> str:
    """`value` without the characters that are not text."""
    return NOT_TEXT.sub("", value)


def not_text_in(value: str) -> list[str]:
    """The characters of `value` that are not text, each once, as "U+0002", in order."""
    return list(dict.fromkeys(f"U+{ord(char):04X}" for char in NOT_TEXT.findall(value)))


def data_clean(value: Any) -> Any:
    """Every string inside JSON-like data (dicts, lists, tuples) cleaned, keys too."""
    if isinstance(value, str):
        return text_clean(value)
    if isinstance(value, dict):
        return {data_clean(key): data_clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(data_clean(item) for item in value)
    return value


@deconstructible
class TextValidator:
    """Refuses a value holding characters that are not text, naming the field and them.

    Refused rather than removed: an editor who pasted a title from a PDF sees what was wrong
    and where, instead of a save that quietly changed what they typed.
    """

    def __init__(self, label: str = "") -> None:
        self.label = label

    def __call__(self, value: Any) -> None:
        found = not_text_in(value) if isinstance(value, str) else []
        if found:
            what = f"{self.label} holds" if self.label else "This holds"
            raise ValidationError(
                "%(what)s characters that are not text (%(found)s): control characters or "
                "non-characters, often pasted from a PDF or a terminal. Remove them and save "
                "again.",
                code="not_text",
                params={"what": what, "found": ", ".join(found)},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextValidator) and other.label == self.label


text_validate = TextValidator()
