"""A generated EC merger dump (`case-data-M.json`) of N cases, for `make bench-ingest` (issue 21).

    python bench/merger_dump.py [--cases 10000] [--seed 21] [--out case-data-M-10000.json]

The Commission serves its merger register as one JSON object keyed by case number, pretty-printed
the way its exporter (Jackson) prints it: `"key" : [ "value" ]`, two-space indents, UTF-8 as is.
Every metadata value is a list of strings; codes and labels are JSON inside those strings
('{"code":"DecisionType20310","label":"Art. 6(1)(b)"}'), an empty structured value is
'{"items":[{}]}'. tests/fixtures/ec/case-data-AT.json is the antitrust dump in that encoding.

The shape follows tests/fixtures/ec_mergers/case-data-M_profile_DERIVED.txt (10,232 real cases,
about 39 MB) and the 161 real cases of case-data-M_arbitration-hits_DERIVED.jsonl:

- most cases have two decisions: the notification as published in the Official Journal (no
  adoption date, no decision type, a negative decision number) and the decision itself;
- the decision mix (`OUTCOMES`): nine in ten an Art. 6(1)(b) clearance, then clearances with
  commitments, Phase 2 (Art. 6(1)(c) then Art. 8), referrals (Art. 4(4), 9, 22), Art. 6(1)(a),
  a few with several Art. 9 referrals (the long tail of 4 to 15 decisions), the newest cases
  still open (a deadline ahead, no decision yet);
- caseSimplified in its six spellings, caseRegulation 4064/89 before May 2004 and 139/2004
  after, one to three NACE sectors, one attachment per decision mostly in English;
- titles "ACQUIRER / TARGET", some "A / B / C" and "A / B / JV", parties drawn from a pool with
  a long tail, so that a few companies appear in hundreds of cases and most in one or two;
  caseCompanies as the real dump has it: often the title itself, empty in about a third of
  cases, two entries in about one case in six.

Deterministic: the same --cases and --seed give the same bytes. Written case by case (memory
stays flat whatever N). The `ec-mergers` source reads it (tests/bench/test_merger_dump.py).
caseRegulation is a plain string, as in tests/fixtures/ec_mergers (its codes, if the dump has
any, are not known); sectors are coded as in the antitrust dump; the source reads both forms.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import itertools
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

CASES = 10_000
SEED = 21

# Decision labels (the brief's list, the profile's spellings) -> the Commission's codes. The
# codes of 6(1)(b) and 8(2) are the real ones (the 161 real cases); the others are made up in
# the same form, since no public sample shows them.
DECISION_CODES = {
    "Art. 6(1)(b)": ("DecisionType310", "DecisionType20310"),
    "Art. 6(1)(b) with conditions & obligations": ("DecisionType440", "DecisionType20212"),
    "Art. 6(1)(c)": ("DecisionType330", "DecisionType20330"),
    "Art. 8(1)": ("DecisionType580", "DecisionType20580"),
    "Art. 8(2)": ("DecisionType590", "DecisionType20590"),
    "Art. 8(2) with conditions & obligations": ("DecisionType600", "DecisionType20600"),
    "Art. 8(3)": ("DecisionType610", "DecisionType20610"),
    "Art. 6(1)(a)": ("DecisionType300", "DecisionType20300"),
    "Art. 4(4)": ("DecisionType20044", "DecisionType20044"),
    "Art. 9": ("DecisionType390", "DecisionType20390"),
    "Art. 22": ("DecisionType220", "DecisionType20220"),
}

# What happens to a case after its notification: decision labels with days after the
# notification, and how often (per 10,000 cases, after the profile). "open" cases get no
# decision; they are the newest.
OUTCOMES: list[tuple[int, tuple[tuple[str, int], ...]]] = [
    (8_760, (("Art. 6(1)(b)", 35),)),
    (360, (("Art. 6(1)(b) with conditions & obligations", 50),)),
    (150, (("Art. 6(1)(c)", 35), ("Art. 8(2) with conditions & obligations", 160))),
    (30, (("Art. 6(1)(c)", 35), ("Art. 8(2)", 150))),
    (60, (("Art. 6(1)(c)", 35), ("Art. 8(1)", 140))),
    (10, (("Art. 6(1)(c)", 35), ("Art. 8(3)", 170))),
    (50, (("Art. 6(1)(a)", 30),)),
    (60, (("Art. 4(4)", -25), ("Art. 6(1)(b)", 35))),
    (70, (("Art. 9", 35), ("Art. 6(1)(b)", 36))),
    (40, (("Art. 9", 35),)),
    (40, (("Art. 22", -40), ("Art. 6(1)(b)", 35))),
    (150, ()),  # withdrawn, or (the newest) still open
]
LONG_TAIL = 0.017  # cases with further Art. 9 referrals, one per Member State asking
NOTICE_SHARE = 0.97  # cases whose notification is in the dump as a decision entry

SIMPLIFIED = [
    ("Simplified procedure", 5279),
    ("Normal procedure", 3695),
    ("Super simplified procedure", 201),
    ("Normal", 191),
    ("Simplified", 142),
    ("Super-simplified", 50),
]
REGULATIONS = {"old": "Council Regulation 4064/89", "new": "Council Regulation 139/2004"}
NEW_REGULATION = datetime.date(2004, 5, 1)

# NACE divisions the profile counts most, with their counts.
SECTORS = [
    ("D_35", "D.35 - Electric power generation, transmission and distribution", 1009),
    ("G_46", "G.46 - Wholesale trade, except of motor vehicles and motorcycles", 891),
    ("G_47", "G.47 - Retail trade, except of motor vehicles and motorcycles", 751),
    ("C_20", "C.20 - Manufacture of chemicals and chemical products", 694),
    ("H_52", "H.52 - Warehousing and support activities for transportation", 594),
    ("K_64", "K.64 - Financial service activities, except insurance and pension funding", 577),
    ("K_65", "K.65 - Insurance, reinsurance and pension funding", 528),
    ("C_10", "C.10 - Manufacture of food products", 493),
    ("L_68", "L.68 - Real estate activities", 476),
    ("C_29", "C.29 - Manufacture of motor vehicles, trailers and semi-trailers", 454),
    ("J_61", "J.61 - Telecommunications", 446),
    ("J_62", "J.62 - Computer programming, consultancy and related activities", 445),
    ("C_28", "C.28 - Manufacture of machinery and equipment n.e.c.", 395),
    ("C_33", "C.33 - Repair and installation of machinery and equipment", 334),
    ("K_66", "K.66 - Activities auxiliary to financial services and insurance", 298),
    ("C_24", "C.24 - Manufacture of basic metals", 294),
    ("C_27", "C.27 - Manufacture of electrical equipment", 285),
    ("C_26", "C.26 - Manufacture of computer, electronic and optical products", 262),
    ("C_21", "C.21 - Manufacture of basic pharmaceutical products and preparations", 229),
    ("G_45", "G.45 - Wholesale and retail trade and repair of motor vehicles", 229),
    ("C_23", "C.23 - Manufacture of other non-metallic mineral products", 218),
    ("C_30", "C.30 - Manufacture of other transport equipment", 210),
    ("H_49", "H.49 - Land transport and transport via pipelines", 207),
    ("C_25", "C.25 - Manufacture of fabricated metal products", 206),
    ("J_58", "J.58 - Publishing activities", 187),
    ("C_17", "C.17 - Manufacture of paper and paper products", 185),
    ("C_22", "C.22 - Manufacture of rubber and plastic products", 175),
    ("J_63", "J.63 - Information service activities", 170),
    ("F_42", "F.42 - Civil engineering", 165),
    ("E_38", "E.38 - Waste collection, treatment and disposal activities", 148),
    ("N_77", "N.77 - Rental and leasing activities", 140),
    ("J_60", "J.60 - Programming and broadcasting activities", 137),
    ("C_19", "C.19 - Manufacture of coke and refined petroleum products", 133),
    ("Q_86", "Q.86 - Human health activities", 130),
    ("H_50", "H.50 - Water transport", 128),
    ("H_51", "H.51 - Air transport", 114),
    ("B_06", "B.06 - Extraction of crude petroleum and natural gas", 109),
    ("I_55", "I.55 - Accommodation", 118),
    ("M_73", "M.73 - Advertising and market research", 117),
    ("A_01", "A.01 - Crop and animal production, hunting and related service activities", 77),
]
LANGUAGES = [("EN", 8529), ("DE", 728), ("FR", 591), ("IT", 143), ("ES", 121), ("PT", 49)]

SYLLABLES = (
    "al",
    "ba",
    "bel",
    "bor",
    "bra",
    "ca",
    "cor",
    "da",
    "del",
    "dra",
    "el",
    "fer",
    "gal",
    "gen",
    "har",
    "in",
    "ka",
    "kor",
    "lan",
    "lex",
    "lu",
    "mar",
    "mer",
    "mon",
    "nor",
    "nova",
    "or",
    "pa",
    "per",
    "pol",
    "ra",
    "ren",
    "ri",
    "sa",
    "sel",
    "sol",
    "sta",
    "ta",
    "ter",
    "tor",
    "tra",
    "um",
    "va",
    "ven",
    "vi",
    "vo",
    "wal",
    "zen",
    "mü",
    "lé",
    "rö",
    "dä",
)
SUFFIXES = (
    "",
    "",
    "",
    " HOLDING",
    " GROUP",
    " CAPITAL",
    " PARTNERS",
    " INDUSTRIES",
    " ENERGY",
    " BANK",
    " INVESTMENTS",
    " INTERNATIONAL",
    " SE",
    " AG",
    " SA",
    " PLC",
)
FIRST_DAY = datetime.date(1990, 9, 21)  # M.1
LAST_DAY = datetime.date(2026, 11, 30)


def coded(code: str, label: str) -> str:
    return json.dumps({"code": code, "label": label}, separators=(",", ":"), ensure_ascii=False)


EMPTY = '{"items":[{}]}'


class Generator:
    """The dump's cases, one at a time, from one seeded random source."""

    def __init__(self, *, cases: int, seed: int):
        self.cases = cases
        self.rng = random.Random(seed)
        self.pool = self._company_pool(max(20, cases * 3 // 4))
        # Zipf-like weights: the first companies (the big acquirers, funds) recur in hundreds of
        # cases, the last ones in one.
        self.pool_weights = list(
            itertools.accumulate(1 / (rank + 20) for rank in range(len(self.pool)))
        )
        self.outcome_weights = list(itertools.accumulate(weight for weight, _ in OUTCOMES))
        self.simplified_weights = list(itertools.accumulate(w for _, w in SIMPLIFIED))
        self.sector_weights = list(itertools.accumulate(w for _, _, w in SECTORS))
        self.language_weights = list(itertools.accumulate(w for _, w in LANGUAGES))
        self.decision_number = 30_000
        self.attachment_number = 0

    def _company_pool(self, size: int) -> list[str]:
        names: dict[str, None] = {}
        while len(names) < size:
            word = "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 4)))
            name = word.upper() + self.rng.choice(SUFFIXES)
            if self.rng.random() < 0.15:
                name += " " + "".join(self.rng.choice(SYLLABLES) for _ in range(2)).upper()
            names.setdefault(name, None)
        return list(names)

    def company(self) -> str:
        return self.rng.choices(self.pool, cum_weights=self.pool_weights)[0]

    def parties(self) -> list[str]:
        count = self.rng.choices((2, 3, 4), weights=(85, 12, 3))[0]
        names: list[str] = []
        while len(names) < count:
            name = self.company()
            if name not in names:
                names.append(name)
        return names

    def title(self) -> str:
        names = self.parties()
        roll = self.rng.random()
        if roll < 0.15:
            return " / ".join(names[:2]) + " / JV"
        if roll < 0.20:
            return " / ".join(names) + " (certain assets)"
        return " / ".join(names)

    def items(self) -> Iterator[tuple[str, dict]]:
        for index in range(self.cases):
            number = f"M.{index + 1}"
            yield number, self.case(number, index)

    def case(self, number: str, index: int) -> dict:
        rng = self.rng
        span = (LAST_DAY - FIRST_DAY).days
        notified = FIRST_DAY + datetime.timedelta(
            days=round(span * index / max(1, self.cases - 1)) - rng.randint(0, 10)
        )
        notified = max(notified, FIRST_DAY)
        outcome = rng.choices(OUTCOMES, cum_weights=self.outcome_weights)[0][1]
        # The newest cases (a decision would fall after LAST_DAY) are under review today.
        newest = any(notified + datetime.timedelta(days) > LAST_DAY for _, days in outcome)
        newest = newest or index >= self.cases * 0.99
        if newest:
            outcome = ()
        steps = list(outcome)
        if outcome and rng.random() < LONG_TAIL:
            first_days = steps[0][1]
            steps[:0] = [("Art. 9", first_days - 1)] * min(13, 1 + int(rng.expovariate(0.7)))
        title = self.title()
        decisions = []
        if rng.random() < NOTICE_SHARE:
            decisions.append(self.notice(number, notified))
        for label, days in steps:
            decisions.append(self.decision(number, label, notified + datetime.timedelta(days)))
        last = max((days for _, days in steps), default=None)
        adopted = [] if last is None else [(notified + datetime.timedelta(last)).isoformat()]
        deadline = []
        if newest or (steps and rng.random() < 0.15):
            deadline = [(notified + datetime.timedelta(35)).isoformat()]
        regulation = REGULATIONS["new" if notified >= NEW_REGULATION else "old"]
        simplified = rng.choices(SIMPLIFIED, cum_weights=self.simplified_weights)[0][0]
        if len(steps) > 1 and "6(1)(c)" in steps[0][0]:
            simplified = "Normal procedure"
        roll = rng.random()
        if roll < 0.30:
            companies = []
        elif roll < 0.84:
            companies = [title]
        else:
            companies = [title, " / ".join(self.parties())]
        sectors = rng.choices(
            SECTORS,
            cum_weights=self.sector_weights,
            k=rng.choices((1, 2, 3), weights=(67, 22, 11))[0],
        )
        return {
            "metadata": {
                "caseLastDecisionDate": adopted,
                "caseExternalLinks": [EMPTY],
                "caseLinks": [],
                "caseInstrument": ["Merger"],
                "language": ["en"],
                "metadataReference": [number],
                "caseNumberPart": [number[2:]],
                "caseNumber": [number],
                "casePressReleases": [EMPTY],
                "caseTimelineEvents": [EMPTY],
                "caseInitiationDate": [notified.isoformat()],
                "caseNotificationDate": [notified.isoformat()],
                "caseDeadlineDate": deadline,
                "caseCourtCases": [],
                "caseOfficialJournalPublications": [EMPTY],
                "caseRegulation": [regulation],
                "caseSimplified": [simplified],
                "caseCompanies": companies,
                "caseTitle": [title],
                "caseDg": ["Competition DG"],
                "caseOfficialJournalPublicationsPublishedDates": [],
                "caseTimelineEventsDates": [],
                "casePressReleasesPublicationDates": [],
                "caseSectors": list(
                    dict.fromkeys(coded(f"NaceSectors{code}", label) for code, label, _ in sectors)
                ),
                "metadataType": ["METADATA_CASE"],
            },
            "caseAttachments": [],
            "decisions": decisions,
        }

    def notice(self, number: str, notified: datetime.date) -> dict:
        """The notification as the dump lists it: a decision with no date and no type."""
        ref = -self.rng.randint(2_000_000, 2_999_999)
        published = (notified + datetime.timedelta(self.rng.randint(5, 15))).isoformat()
        journal = {
            "reference": f"C:{published[:4]}:{self.rng.randint(1, 400):03d}:"
            f"{self.rng.randint(1, 40)}",
            "webDescription": "OJPriorNotification",
            "publishedDate": published,
        }
        return {
            "metadata": {
                "language": ["en"],
                "metadataReference": [f"{number}-DEC{ref}"],
                "decisionExternalLinks": [EMPTY],
                "decisionOfficialJournalPublications": [
                    json.dumps({"items": [journal]}, separators=(",", ":"))
                ],
                "decisionPressReleases": [EMPTY],
                "decisionPressReleasesPublicationDates": [],
                "decisionAdoptionDate": [],
                "decisionTypes": [],
                "decisionNumber": [str(ref)],
                "decisionOfficialJournalPublicationsPublishedDates": [published],
                "metadataType": ["METADATA_DECISION"],
            },
            "decisionAttachments": [],
        }

    def decision(self, number: str, label: str, adopted: datetime.date) -> dict:
        rng = self.rng
        self.decision_number += 1
        ref = f"{number}-DEC{self.decision_number}"
        old, new = DECISION_CODES[label]
        code = new if adopted >= NEW_REGULATION else old
        published = (adopted + datetime.timedelta(rng.randint(20, 90))).isoformat()
        languages = [rng.choices(LANGUAGES, cum_weights=self.language_weights)[0][0]]
        if "8(" in label:  # Phase 2 decisions come in every language of the parties
            languages = list(dict.fromkeys(["EN", "DE", "FR", *languages]))
        attachments = []
        for language in languages:
            self.attachment_number += 1
            name = (
                f"{label} -  - mtf-dec-m-{int(number[2:]):05d}-020-1-"
                f"{adopted:%Y%m%d}-{code[12:]}-pub-{language.lower()}"
            )
            attachments.append(
                {
                    "metadata": {
                        "attachmentCategory": [coded("DocumentCategory0310", "Decision")],
                        "attachmentLink": [
                            "https://ec.europa.eu/competition/mergers/cases/decisions/"
                            f"m{number[2:]}_{adopted:%Y%m%d}_{code[12:]}_{language.lower()}.pdf"
                        ],
                        "language": [language.lower()],
                        "metadataReference": [f"{ref}-ATT{self.attachment_number}"],
                        "attachmentLanguage": [language],
                        "attachmentName": [name],
                        "attachmentSentDate": [adopted.isoformat()],
                        "attachmentPublicationBusinessDate": [published],
                        "attachmentIdSequence": [str(self.attachment_number)],
                        "attachmentPublicationDescription": [],
                        "attachmentDocumentDate": [adopted.isoformat()],
                        "metadataType": ["METADATA_DECISION_ATTACHMENT"],
                    }
                }
            )
        journal = {
            "reference": f"C:{published[:4]}:{rng.randint(1, 400):03d}:{rng.randint(1, 40)}",
            "webDescription": "OJSummaryDecision",
            "publishedDate": published,
        }
        return {
            "metadata": {
                "language": ["en"],
                "metadataReference": [ref],
                "decisionExternalLinks": [EMPTY],
                "decisionOfficialJournalPublications": [
                    json.dumps({"items": [journal]}, separators=(",", ":"))
                ],
                "decisionPressReleases": [EMPTY],
                "decisionPressReleasesPublicationDates": [],
                "decisionAdoptionDate": [adopted.isoformat()],
                "decisionTypes": [coded(code, label)],
                "decisionNumber": [str(self.decision_number)],
                "decisionOfficialJournalPublicationsPublishedDates": [published],
                "metadataType": ["METADATA_DECISION"],
            },
            "decisionAttachments": attachments,
        }


def jackson(value: object, level: int = 0) -> str:
    """`value` as the Commission's exporter prints it: '"key" : [ "a", "b" ]', objects over
    lines with two-space indents, objects in a list on the list's own level, UTF-8 as is."""
    if isinstance(value, dict):
        if not value:
            return "{ }"
        pad = "  " * (level + 1)
        body = ",\n".join(
            f"{pad}{json.dumps(key, ensure_ascii=False)} : {jackson(item, level + 1)}"
            for key, item in value.items()
        )
        return "{\n" + body + "\n" + "  " * level + "}"
    if isinstance(value, list):
        if not value:
            return "[ ]"
        return "[ " + ", ".join(jackson(item, level) for item in value) + " ]"
    return json.dumps(value, ensure_ascii=False)


def dump_write(out: IO[bytes], *, cases: int = CASES, seed: int = SEED) -> int:
    """Write the dump to `out`, a case at a time; the number of bytes written."""
    written = out.write(b"{\n")
    for index, (number, case) in enumerate(Generator(cases=cases, seed=seed).items()):
        text = ("" if index == 0 else ",\n") + f"{json.dumps(number)} :{jackson(case)}"
        written += out.write(text.encode())
    return written + out.write(b"\n}\n")


def dump_file(path: Path, *, cases: int = CASES, seed: int = SEED) -> Path:
    """The dump at `path`, written unless it is there already (complete: it is written under
    another name, then renamed)."""
    if not path.exists():
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as out:
            dump_write(out, cases=cases, seed=seed)
        partial.replace(path)
    return path


def dump_path(directory: Path, *, cases: int, seed: int) -> Path:
    """Where `dump_file` keeps a dump: its name says the arguments and this module's version
    (a hash of its text), so a changed generator never reuses an older dump."""
    version = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8]
    return directory / f"case-data-M-{cases}-seed{seed}-{version}.json"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=CASES)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, help="the file to write (default: standard output)")
    args = parser.parse_args(argv)
    options = {"cases": args.cases, "seed": args.seed}
    if args.out:
        with args.out.open("wb") as out:
            size = dump_write(out, **options)
        print(f"{args.out}: {args.cases:,} cases, {size:,} bytes", file=sys.stderr)
    else:
        dump_write(sys.stdout.buffer, **options)


if __name__ == "__main__":
    main()
