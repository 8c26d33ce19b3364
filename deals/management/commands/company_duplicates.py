"""List companies that are probably one company, with a score, for an editor to confirm.

    manage.py company_duplicates [--min-score 85]

100: the same name once case, punctuation and legal form are set aside ("Audi AG" / "Audi
Aktiengesellschaft"). Below: names that begin with the same word and are spelled alike
(difflib's ratio of the keys), unless they are one group's (below). Nothing is merged: an
editor merges in the admin (select the companies, action "Merge the selected companies").

Then companies that are probably one group's, not one company ("same group", `group_key`):
"Credit Suisse AG", "Credit Suisse Group AG" and "Credit Suisse International"; "DHL Global
Forwarding (China)" and "(UK)". 90 when one name is the group's ("X Group AG", "X Holdings"),
80 when one is the bare name the others add a region to ("Microsoft" / "Microsoft Europe"), 70
for companies side by side. These are not to be merged: an editor sets the subsidiaries'
parent in the admin.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass

from django.core.management.base import BaseCommand

from deals.models import Company
from deals.names import GROUP_WORDS, group_key


def likely_duplicates(*, min_score: int = 85) -> list[tuple[int, list[Company]]]:
    """Groups of companies with their score, highest first. One query."""
    companies = list(Company.objects.only("pk", "name", "name_key", "slug").order_by("pk"))
    by_key: dict[str, list[Company]] = defaultdict(list)
    for company in companies:
        by_key[company.name_key].append(company)
    found = [(100, group) for group in by_key.values() if len(group) > 1]
    by_first: dict[str, list[str]] = defaultdict(list)
    for key in by_key:
        by_first[key.split(" ")[0]].append(key)
    for keys in by_first.values():
        for i, one in enumerate(keys):
            for other in keys[i + 1 :]:
                score = round(100 * difflib.SequenceMatcher(None, one, other).ratio())
                if min_score <= score < 100 and not _one_group(by_key[one][0], by_key[other][0]):
                    found.append((score, [by_key[one][0], by_key[other][0]]))
    return sorted(found, key=lambda row: (-row[0], row[1][0].name))


def _one_group(one: Company, other: Company) -> bool:
    """Spelled alike because they are one group's ("DHL Global Forwarding (China)" / "(UK)"):
    proposed as such by `likely_same_group`, not as one company."""
    return group_key(one.name) == group_key(other.name)


@dataclass(frozen=True)
class SameGroup:
    """Companies of one group, for an editor: `head` is the one that names the group, if any."""

    score: int
    companies: list[Company]
    head: Company | None

    @property
    def label(self) -> str:
        if self.head is None:
            return "same group: " + " and ".join(c.name for c in self.companies)
        others = ", ".join(c.name for c in self.companies if c != self.head)
        return f"same group: {self.head.name} is the group of {others}"


def likely_same_group() -> list[SameGroup]:
    """Companies whose names differ by group words, regions or places only (one `group_key`,
    several name keys), highest score first. One query. Not duplicates: nothing to merge."""
    companies = list(
        Company.objects.only("pk", "name", "name_key", "slug", "parent").order_by("name", "pk")
    )
    by_group: dict[str, list[Company]] = defaultdict(list)
    for company in companies:
        by_group[group_key(company.name)].append(company)
    found = []
    for key, group in by_group.items():
        if len({c.name_key for c in group}) < 2:
            continue  # one name key: a duplicate (likely_duplicates), or one company
        named = [c for c in group if set(c.name_key.split()[len(key.split()) :]) & GROUP_WORDS]
        bare = [c for c in group if c.name_key == key]
        head = next(iter(named or bare), None)
        score = 90 if named else 80 if bare else 70
        found.append(SameGroup(score=score, companies=group, head=head))
    return sorted(found, key=lambda row: (-row.score, row.companies[0].name))


class Command(BaseCommand):
    help = "List likely duplicate companies with a score; an editor merges them in the admin."

    def add_arguments(self, parser):
        parser.add_argument("--min-score", type=int, default=85)

    def handle(self, *args, min_score: int, **options):
        rows = likely_duplicates(min_score=min_score)
        for score, group in rows:
            names = " | ".join(f"{c.name} (/companies/{c.slug}/)" for c in group)
            self.stdout.write(f"{score:3d}  {names}")
        self.stdout.write(f"{len(rows)} likely duplicate group(s)")
        groups = likely_same_group()
        for row in groups:
            slugs = " ".join(f"/companies/{c.slug}/" for c in row.companies)
            self.stdout.write(f"{row.score:3d}  {row.label} ({slugs})")
        self.stdout.write(f"{len(groups)} likely group(s) of companies (not duplicates)")
