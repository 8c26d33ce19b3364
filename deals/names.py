"""Company names: the one place that decides when two names are the same company.

- `fold` folds case, accents, punctuation and spacing ("S.à r.l." -> "s a r l").
- `name_key` is what companies and their alternative names are matched on: the folded name
  without its legal form at the end ("Volkswagen Aktiengesellschaft", "Volkswagen AG" and
  "VOLKSWAGEN A.G." all give "volkswagen"). The legal forms come from cleanco, a maintained
  library made for this (321 forms across ~60 countries), plus the long forms and spellings it
  lacks (EXTRA_FORMS). Forms that are also ordinary words in names ("EU", "UK", "Company"
  alone after "&"...) are left out (NOT_FORMS) so that "Amazon EU" stays a subsidiary's name.
- `split_name` takes history out of a name: "Deutsche Telekom AG (ex: Deutsche Bundespost
  Telekom)" is "Deutsche Telekom AG", formerly "Deutsche Bundespost Telekom" (an alias).
- `group_heads` gives the group names a name would belong to if it is a group's name plus a
  region or qualifier ("Microsoft Europe", "Amazon EU S.a r.l."): the parent an editor is
  offered when such a group is known.
- `group_parents` adds to `group_heads` the group-word names above them ("Credit Suisse AG"
  and "Credit Suisse International" -> "credit suisse group", "credit suisse holding"...):
  the parents ingest offers an editor, in that order.
- `group_key` is what the companies of one group have in common: the key without group words
  ("Group", "Holdings", "International"), regions and places ("Europe", "Taiwan", "(UK)",
  "(D)") at the end, so "Credit Suisse AG", "Credit Suisse Group AG" and "Credit Suisse
  International" all give "credit suisse". For proposals to an editor, never for merging.
- `possessive_owner`: "Apple's iTunes" is a product; the company is "Apple".
- `slug_base` and `unique_slug`: the address a name gets ("adobe-figma", "adobe-figma-2").

A key is never empty when the name has a letter or digit: a name that is only a legal form
("SE") keeps it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from cleanco.clean import prepare_default_terms
from django.utils.text import slugify

# Long forms and spellings cleanco does not have (folded, as word sequences).
EXTRA_FORMS = (
    "aktiengesellschaft",
    "gesellschaft mit beschrankter haftung",
    "gesellschaft mbh",
    "kommanditgesellschaft",
    "s a r l",
    "s a s",
    "s p a",
    "s r l",
    "s l",
    "s e",
    "societe anonyme",
    "sociedad anonima",
    "societa per azioni",
    "naamloze vennootschap",
    "besloten vennootschap",
    "public limited company",
    "limited liability company",
    "limited partnership",
    "l l c",
    "l l p",
    "l p",
    "n v",
    "b v",
    "a g",
    "s a",
    "p l c",
    "co ltd",
    "co inc",
    "corp",
    "inc",
)
# cleanco forms that are also words of real names: never stripped.
NOT_FORMS = frozenset({"eu", "uk", "private", "at", "et", "ec", "ok", "ent", "ca", "pt", "as"})

# A region or qualifier after a group's name that makes a subsidiary's name ("Microsoft Europe").
QUALIFIERS = frozenset(
    {
        "europe",
        "eu",
        "uk",
        "deutschland",
        "germany",
        "ireland",
        "france",
        "italia",
        "italy",
        "espana",
        "spain",
        "nederland",
        "netherlands",
        "belgium",
        "international",
        "emea",
        "europa",
        "luxembourg",
        "us",
        "usa",
        "america",
        "north america",
        "holdings",
        "services",
        "ireland operations",
        "european",
        "gb",
        "great britain",
        "australia",
        "japan",
        "china",
    }
)

_HISTORY = re.compile(
    r"\(\s*(?:ex|formerly|former|previously|prev|f/k/a|fka|anciennement|vormals)\b[\s.:\-]*"
    r"(?P<old>[^()]*)\)",
    re.IGNORECASE,
)


def fold(name: str) -> str:
    """Case, accents, punctuation and spacing folded: "Nestlé S.A." -> "nestle s a"."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    kept = "".join(ch if ch.isalnum() else " " for ch in folded.casefold())
    return " ".join(kept.split())


def normalise_name(name: str) -> str:
    """The form names and search words are matched on: case, accents, punctuation and spacing
    folded ("Autorité de la Concurrence" -> "autorite de la concurrence", "ME/7108/24" ->
    "me 7108 24"). Company names add legal forms on top (`name_key`)."""
    return fold(name)


@cache
def legal_forms() -> tuple[tuple[str, ...], ...]:
    """Every legal form as a tuple of folded words, longest first."""
    forms = {tuple(fold(" ".join(words)).split()) for _, words in prepare_default_terms()}
    forms |= {tuple(form.split()) for form in EXTRA_FORMS}
    forms = {form for form in forms if form and " ".join(form) not in NOT_FORMS}
    return tuple(sorted(forms, key=len, reverse=True))


@cache
def _legal_forms_by_length() -> tuple[tuple[int, frozenset[tuple[str, ...]]], ...]:
    """The legal forms by their number of words, longest first: a look-up per length instead
    of a walk through every form."""
    lengths = sorted({len(form) for form in legal_forms()}, reverse=True)
    return tuple((n, frozenset(form for form in legal_forms() if len(form) == n)) for n in lengths)


def strip_legal_form(words: list[str]) -> list[str]:
    """The words without legal forms at the end (the longest first); at least one word is kept."""
    changed = True
    while changed and len(words) > 1:
        changed = False
        for n, forms in _legal_forms_by_length():
            if n < len(words) and tuple(words[-n:]) in forms:
                words = words[:-n]
                changed = True
                break
    return words


# Ingest keys each name several times (locks, matching, the company's own key): a pure function
# worth remembering, and walking ~400 legal forms per name is most of its cost.
@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """What two names of one company have in common: folded, without history or legal form."""
    words = fold(split_name(name)[0]).split()
    return " ".join(strip_legal_form(words))


# A short form after the name: "UnitedHealth Group Incorporated (UHG)".
_SHORT_FORM = re.compile(r"\s*\((?P<short>[A-Z][A-Z0-9&.\-]{1,9})\)\s*$")


def split_name(name: str) -> tuple[str, list[str]]:
    """The name without its history or short form, and the other names these give."""
    former = [" ".join(m.group("old").split()) for m in _HISTORY.finditer(name)]
    current = " ".join(_HISTORY.sub(" ", name).split())
    short = _SHORT_FORM.search(current)
    if short and short.start() > 0:
        former.append(short.group("short"))
        current = current[: short.start()].strip()
    return current or " ".join(name.split()), [old for old in former if fold(old)]


def group_heads(name: str) -> list[str]:
    """Keys a group would have if `name` were one of its subsidiaries, longest first.

    Conservative: what follows the group's name must be only qualifiers ("Europe", "EU",
    "Deutschland"...), so "Microsoft Europe" -> ["microsoft"], but "Microsoft Mobile Oy" and
    "Amazonas Energia" -> []. The caller looks the keys up in one query.
    """
    words = name_key(name).split()
    return [
        " ".join(words[:cut])
        for cut in range(len(words) - 1, 0, -1)
        if _only_qualifiers(words[cut:])
    ]


# Words after a group's name that make the name of the group itself or of one of its companies
# ("Credit Suisse Group AG", "Barclays Group Holdings Limited", "Nomura International plc").
GROUP_WORDS = frozenset({"group", "groupe", "gruppe", "gruppo", "grupo", "holding", "holdings"})
# Legal forms cleanco lacks or NOT_FORMS keeps ("Lerøy Seafood AS", "Samsung SDI (Malaysia)
# Berhad", "Linpac Packaging Polska Sp z.o.o."): set aside here only, so that no stored key
# changes.
GROUP_FORMS = frozenset(
    {"as", "asa", "a s", "berhad", "bhd", "s a u", "sp z o o", "sp zo o", "s r o", "a e"}
)
# Places a group's companies are named after, beyond QUALIFIERS ("Sony Taiwan Limited",
# "Toyota Motor Poland"): only for `group_key`, so ingest's parents are unchanged.
PLACES = frozenset(
    {
        "taiwan",
        "poland",
        "polska",
        "korea",
        "malaysia",
        "hong kong",
        "singapore",
        "india",
        "canada",
        "brazil",
        "brasil",
        "mexico",
        "austria",
        "osterreich",
        "schweiz",
        "switzerland",
        "sweden",
        "sverige",
        "denmark",
        "danmark",
        "norway",
        "norge",
        "finland",
        "portugal",
        "hungary",
        "united kingdom",
        "czech republic",
        "czech",
        "norwegian",
        "asia",
        "asia pacific",
        "middle east",
        "africa",
        "jersey",
        "bermuda",
        "benelux",
        "nordic",
        "scandinavia",
        "iberica",
        "latin america",
        "south america",
        "belgique",
        "belgie",
    }
)
# Only in brackets: the short country marks of older EC cases ("Glaxo Wellcome (E)",
# "Canal Digital AS (N)", "CD-Linja (Fin)") and spellings of Hong Kong ("(H.K.)", "(H-Kong)").
BRACKET_PLACES = frozenset(
    {*"abdefiklnps", "fin", "esp", "h k", "h kong", "hk", "prc", "europe africa"}
)
# A group key that would end in one of these is not one: "Bank of America" / "Bank of China".
_LINKING = frozenset({"of", "de", "du", "des", "la", "le", "the", "and", "for", "et"})
# One word too common to name a group by itself: "Air France" / "Air Canada", "Telecom Italia".
GENERIC_HEADS = frozenset(
    {
        "air",
        "bank",
        "banco",
        "banque",
        "credit",
        "general",
        "national",
        "first",
        "united",
        "royal",
        "new",
        "telecom",
        "post",
        "global",
        "european",
        "international",
        "union",
        "france",
        "british",
        "deutsche",
    }
)
_BRACKETED = re.compile(r"\(([^()]*)\)")


@lru_cache(maxsize=65536)
def group_key(name: str) -> str:
    """What the companies of one group have in common ("Credit Suisse Group AG", "Credit Suisse
    AG" -> "credit suisse"; "DHL Global Forwarding (China) Co., Ltd" -> "dhl global forwarding").

    The name's key without, at the end, group words (GROUP_WORDS), regions and qualifiers
    (QUALIFIERS, PLACES) and the legal forms these uncover, and without bracketed places.
    Conservative: a key that would end in "of", "de"... or be one common word ("Air", "Bank")
    stays the name's key, so "Bank of America" and "Bank of China", "Air France" and "Air
    Canada" are no group. Two names with one group key are a proposal for an editor, never a
    merge: "X AG" and "X Group AG" are two companies.
    """
    current = split_name(name)[0]
    kept = _BRACKETED.sub(
        lambda m: " " if _is_place(fold(m.group(1)), brackets=True) else m[0], current
    )
    words = strip_legal_form(fold(kept).split())
    while len(words) > 1:
        shorter = next(
            (
                strip_legal_form(words[:-n])
                for n in (4, 3, 2, 1)
                if n < len(words) and _is_group_tail(" ".join(words[-n:]))
            ),
            None,
        )
        if shorter is None or not _names_a_group(shorter):
            break
        words = shorter
    return " ".join(words) if _names_a_group(words) else name_key(current)


def _is_group_tail(words: str) -> bool:
    return words in GROUP_WORDS or words in GROUP_FORMS or _is_place(words)


def _names_a_group(words: list[str]) -> bool:
    """Not "bank of" (from "Bank of America") nor one common word ("Air" from "Air France")."""
    if not words or words[-1] in _LINKING:
        return False
    return not (len(words) == 1 and words[0] in GENERIC_HEADS)


def _is_place(folded: str, *, brackets: bool = False) -> bool:
    if folded in QUALIFIERS or folded in PLACES:
        return True
    return brackets and (folded in BRACKET_PLACES or _only_qualifiers(folded.split()))


# The ends of a group's own name, above a company of it ("Credit Suisse Group AG" above
# "Credit Suisse AG"; "Fujifilm Holdings" above "Fujifilm Corporation").
GROUP_ENDINGS = ("group", "holding", "holdings", "group holdings", "groupe")


def group_parents(name: str) -> list[str]:
    """The keys of the companies a new company called `name` would be offered as its parent,
    the first one known wins: the group's name with a group word ("Credit Suisse Group" for
    "Credit Suisse AG" and "Credit Suisse International"), then its bare name ("Microsoft" for
    "Microsoft Europe", `group_heads`), so that "Credit Suisse International" goes under
    "Credit Suisse Group AG" rather than under "Credit Suisse AG". A parent for an editor to
    confirm, never a merge; the direction is a guess ("Barclays PLC" heads "Barclays Group
    Holdings Limited").
    """
    own = name_key(name)
    heads = group_heads(name)
    named = [f"{base} {end}" for base in [own, *heads] for end in GROUP_ENDINGS]
    if set(own.split()) & GROUP_WORDS:
        named = []  # a group's own name ("X Group AG") is not put under another group's
    found = [*named, *heads]
    return [key for n, key in enumerate(found) if key != own and key not in found[:n]]


_POSSESSIVE = re.compile(r"^(?P<owner>[^'’]{2,})['’]s\s+\S")


def possessive_owner(name: str) -> str | None:
    """ "Apple's iTunes" names a product of Apple: the owner's name, or None."""
    match = _POSSESSIVE.match(name.strip())
    return match.group("owner").strip() if match else None


def _only_qualifiers(words: list[str]) -> bool:
    if not words:
        return False
    i = 0
    while i < len(words):
        two = " ".join(words[i : i + 2])
        if len(words) > i + 1 and two in QUALIFIERS:
            i += 2
        elif words[i] in QUALIFIERS:
            i += 1
        else:
            return False
    return True


def slug_base(text: str, *, max_length: int = 80) -> str:
    """The slug `text` gets when it is free."""
    return slugify(text)[:max_length].strip("-") or "item"


def unique_slug(model, text: str, *, max_length: int = 80) -> str:
    """A slug for `text` not yet taken in `model` ("adobe-figma", then "adobe-figma-2")."""
    base = slug_base(text, max_length=max_length)
    slug, n = base, 2
    while model._default_manager.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    return slug
