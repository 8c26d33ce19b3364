"""List companies that are probably one company, with a score, for an editor to confirm.

    manage.py company_duplicates [--min-score 85]

100: the same name once case, punctuation and legal form are set aside ("Audi AG" / "Audi
Aktiengesellschaft"). Below: names that begin with the same word and are spelled alike
(difflib's ratio of the keys). Nothing is merged: an editor merges in the admin (select the
companies, action "Merge the selected companies").
"""

from __future__ import annotations

import difflib
from collections import defaultdict

from django.core.management.base import BaseCommand

from deals.models import Company


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
                if min_score <= score < 100:
                    found.append((score, [by_key[one][0], by_key[other][0]]))
    return sorted(found, key=lambda row: (-row[0], row[1][0].name))


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
