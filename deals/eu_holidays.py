"""The European Commission's public holidays, 2020-2027: the calendar its merger clocks run on.

The EU Merger Regulation counts in working days, and the Implementing Regulation (EC)
No 802/2004, Art. 24, defines a working day as every day other than Saturdays, Sundays and the
Commission's holidays, as the Commission designates and publishes them in the Official Journal
before each year begins. No maintained library carries this list, so it is kept here as data,
one row per year with where it was read.

The Commission's decisions (adopted under Art. 61 of the Staff Regulations and the joint rules
on public holidays of the institutions) list, for staff in Brussels: 1 and 2 January, Maundy
Thursday, Good Friday, Easter Monday, 1 May, 9 May, Ascension Thursday and the Friday after,
Whit Monday, 21 July (Belgian national day), 15 August, 1 and 2 November, and the end-of-year
days from 24 to 31 December. A holiday that falls on a Saturday or Sunday is not listed and not
replaced. Only weekdays are stored: a weekend day is never a working day anyway.

`checked` says how each year was confirmed: "OJ" when the Official Journal text was read, a
secondary copy otherwise, and "pattern" where no copy was found and the list is the standing
pattern above (it held for every year that could be checked). Correct a year from the Official
Journal as soon as its text is at hand.
"""

import datetime

OJ_2023 = "https://eur-lex.europa.eu/legal-content/EN/TXT/HTML/?uri=CELEX:32021D0528(01)"
OJ_2024 = "https://eur-lex.europa.eu/legal-content/IT/TXT/HTML/?uri=CELEX:32022D1121(01)"
WIKIPEDIA = "https://en.wikipedia.org/wiki/Public_holidays_in_the_European_Union"

# fmt: off
# year: (source address, how it was checked, the holidays that fall on weekdays, "MM-DD")
EU_INSTITUTION_HOLIDAYS: dict[int, tuple[str, str, tuple[str, ...]]] = {
    2020: (
        WIKIPEDIA,
        "secondary (the Commission's list for 2020 as quoted there)",
        ("01-01", "01-02", "04-09", "04-10", "04-13", "05-01", "05-21", "05-22", "06-01",
         "07-21", "11-02", "12-24", "12-25", "12-28", "12-29", "12-30", "12-31"),
    ),
    2021: (
        WIKIPEDIA,
        "pattern",
        ("01-01", "04-01", "04-02", "04-05", "05-13", "05-14", "05-24", "07-21", "11-01",
         "11-02", "12-24", "12-27", "12-28", "12-29", "12-30", "12-31"),
    ),
    2022: (
        WIKIPEDIA,
        "pattern",
        ("04-14", "04-15", "04-18", "05-09", "05-26", "05-27", "06-06", "07-21", "08-15",
         "11-01", "11-02", "12-26", "12-27", "12-28", "12-29", "12-30"),
    ),
    2023: (
        OJ_2023,
        "OJ (Commission Decision of 25 May 2021, OJ C 201 I, 28.5.2021, p. 2)",
        ("01-02", "04-06", "04-07", "04-10", "05-01", "05-09", "05-18", "05-19", "05-29",
         "07-21", "08-15", "11-01", "11-02", "12-25", "12-26", "12-27", "12-28", "12-29"),
    ),
    2024: (
        OJ_2024,
        "OJ up to 15 August (Commission Decision of 17 November 2022, OJ C 440, 21.11.2022, "
        "p. 15); the rest by the pattern",
        ("01-01", "01-02", "03-28", "03-29", "04-01", "05-01", "05-09", "05-10", "05-20",
         "08-15", "11-01", "12-24", "12-25", "12-26", "12-27", "12-30", "12-31"),
    ),
    2025: (
        WIKIPEDIA,
        "secondary (the Commission's list for 2025 as quoted there)",
        ("01-01", "01-02", "04-17", "04-18", "04-21", "05-01", "05-09", "05-29", "05-30",
         "06-09", "07-21", "08-15", "12-24", "12-25", "12-26", "12-29", "12-30", "12-31"),
    ),
    2026: (
        WIKIPEDIA,
        "pattern",
        ("01-01", "01-02", "04-02", "04-03", "04-06", "05-01", "05-14", "05-15", "05-25",
         "07-21", "11-02", "12-24", "12-25", "12-28", "12-29", "12-30", "12-31"),
    ),
    2027: (
        WIKIPEDIA,
        "pattern",
        ("01-01", "03-25", "03-26", "03-29", "05-06", "05-07", "05-17", "07-21", "11-01",
         "11-02", "12-24", "12-27", "12-28", "12-29", "12-30", "12-31"),
    ),
}
# fmt: on

FIRST_YEAR, LAST_YEAR = min(EU_INSTITUTION_HOLIDAYS), max(EU_INSTITUTION_HOLIDAYS)


def eu_institution_holidays() -> frozenset[datetime.date]:
    return frozenset(
        datetime.date(year, int(day[:2]), int(day[3:]))
        for year, (_source, _checked, days) in EU_INSTITUTION_HOLIDAYS.items()
        for day in days
    )
