"""Jurisdictions by name: the codes regulators are stored under (ISO 3166-1, EU) and the words
people type for them ("UK" is GB, "Germany" is DE).

Used by the jurisdiction filter (which accepts any of these words and keeps the code in the
query string) and by the search document, so that "uk" or "germany" finds a deal reviewed there.
"""

from __future__ import annotations

from .names import normalise_name

# code: (name, other words for it). Codes are ISO 3166-1 alpha-2, and EU for the Union.
JURISDICTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "EU": ("European Union", ("EEA", "Europe")),
    "GB": ("United Kingdom", ("UK", "Great Britain", "Britain")),
    "US": ("United States", ("USA", "United States of America", "America")),
    "DE": ("Germany", ("Deutschland",)),
    "FR": ("France", ()),
    "AU": ("Australia", ()),
    "JP": ("Japan", ()),
    "CN": ("China", ("PRC",)),
    "KR": ("South Korea", ("Korea",)),
    "CA": ("Canada", ()),
    "BR": ("Brazil", ("Brasil",)),
    "IN": ("India", ()),
    "TR": ("Türkiye", ("Turkey",)),
    "ZA": ("South Africa", ()),
    "MX": ("Mexico", ()),
    "NL": ("Netherlands", ()),
    "IT": ("Italy", ()),
    "ES": ("Spain", ()),
    "AT": ("Austria", ()),
    "CH": ("Switzerland", ()),
    "NZ": ("New Zealand", ()),
    "SG": ("Singapore", ()),
}

_BY_WORD: dict[str, str] = {}
for _code, (_name, _others) in JURISDICTIONS.items():
    for _word in (_code, _name, *_others):
        _BY_WORD.setdefault(normalise_name(_word), _code)


def jurisdiction_code(text: str) -> str | None:
    """The code for what someone typed ("uk", "United Kingdom", "gb" -> "GB"), or None."""
    return _BY_WORD.get(normalise_name(text))


def jurisdiction_name(code: str) -> str:
    """ "United Kingdom" for GB; an unknown code is shown as it is."""
    entry = JURISDICTIONS.get(code.upper())
    return entry[0] if entry else code


def jurisdiction_words(code: str) -> list[str]:
    """Every word a jurisdiction is known by, for the search document."""
    name, others = JURISDICTIONS.get(code.upper(), (code, ()))
    return [code, name, *others]
