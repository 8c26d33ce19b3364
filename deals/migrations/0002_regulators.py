"""The regulators the tracker knows from the start; ingest and demo data refer to them by slug."""

from django.db import migrations

REGULATORS = [
    ("European Commission (DG Competition)", "EC", "ec", "EU", "https://competition-policy.ec.europa.eu/"),
    ("Competition and Markets Authority", "CMA", "cma", "GB", "https://www.gov.uk/government/organisations/competition-and-markets-authority"),
    ("Federal Trade Commission", "FTC", "ftc", "US", "https://www.ftc.gov/"),
    ("US Department of Justice, Antitrust Division", "DOJ", "doj", "US", "https://www.justice.gov/atr"),
    ("Bundeskartellamt", "BKartA", "bkarta", "DE", "https://www.bundeskartellamt.de/"),
    ("Autorité de la concurrence", "AdlC", "adlc", "FR", "https://www.autoritedelaconcurrence.fr/"),
    ("Australian Competition and Consumer Commission", "ACCC", "accc", "AU", "https://www.accc.gov.au/"),
    ("Japan Fair Trade Commission", "JFTC", "jftc", "JP", "https://www.jftc.go.jp/en/"),
    ("State Administration for Market Regulation", "SAMR", "samr", "CN", "https://www.samr.gov.cn/"),
    ("Korea Fair Trade Commission", "KFTC", "kftc", "KR", "https://www.ftc.go.kr/eng/"),
    ("Competition Bureau Canada", "CB", "competition-bureau", "CA", "https://competition-bureau.canada.ca/"),
    ("Administrative Council for Economic Defense", "CADE", "cade", "BR", "https://www.gov.br/cade/"),
    ("Competition Commission of India", "CCI", "cci", "IN", "https://www.cci.gov.in/"),
]


def add_regulators(apps, schema_editor):
    Regulator = apps.get_model("deals", "Regulator")
    for name, short_name, slug, jurisdiction, website in REGULATORS:
        Regulator.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "short_name": short_name,
                "jurisdiction": jurisdiction,
                "website": website,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial")]

    operations = [migrations.RunPython(add_regulators, migrations.RunPython.noop)]
