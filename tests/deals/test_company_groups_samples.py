"""Issue 21's precision check: after the demo and every real sample, the "same group"
proposals of `company_duplicates` against the groups found by eye.

TRUTH was made so: every sample ingested into a scratch database (2,712 companies), the
companies clustered by `group_key` and, to find what it misses, by the first words of their
names; each cluster read by eye. A group is two or more companies of one corporate group whose
names say so: the same name apart from group words, a region or place (bracketed or not) or a
legal form. Dropped as wrong: "MOL (Europe Africa) Ltd." (Mitsui O.S.K. Lines, not the
Hungarian MOL Nyrt) and "Orange Austria" (Mid Europa's in the 2012 case, Orange only by its
brand). Kept though the rule misses them (the recall below): Bank of America, National
Association (a legal form cleanco lacks), "Company Norway Utenlandsk Aktieselskap", "Shanghai",
"NLD", "Norsk", "Spol S.r.o." and a history in nested brackets. Companies with the same name
key are duplicates, not a group (`likely_duplicates`), and none are left (issue 10).
"""

import io
from itertools import combinations

import pytest
from django.core.management import call_command
from django.db import transaction

from deals.management.commands.company_duplicates import likely_same_group
from deals.models import Company
from tests.ingest_samples import samples

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TRUTH = [
    ("ABN-AMRO", "ABN-AMRO Services Company"),
    ("AGC Automotive Europe SA", "AGC Automotive Germany GmbH"),
    ("Agility Logistics Limited", "Agility Logistics Limited (Hong Kong)"),
    ("AIR Products", "Air Products Europe Inc", "Air Products Nederland"),
    ("Akzo Nobel Chemicals BV", "Akzo Nobel Chemicals Holding AB"),
    ("Akzo Nobel NV", "Akzo Nobel Nederland BV"),
    ("Alchem International (H.K.) Limited", "Alchem International Pvt. Ltd."),
    ("Amazon", "Amazon EU S.a.r.l."),
    ("Arcelor", "Arcelor International SA", "Arcelor Luxembourg SA"),
    ("ArcelorMittal Espana SA", "ArcelorMittal SA"),
    ("AREVA T&D Holding SA", "AREVA T&D SA"),
    ("Arkema France", "Arkema SA"),
    ("Autoliv Inc.", "Autoliv Japan Ltd."),
    ("Baerlocher GmbH", "Baerlocher Italia SpA", "Baerlocher UK Ltd"),
    ("Bank of America Corporation", "Bank of America, National Association"),
    ("Barclays Capital Inc", "Barclays Capital Services Limited"),
    (
        "Barclays Group Holdings Limited",
        "Barclays PLC",
        "Barclays Services Jersey Limited",
        "Barclays Services Limited",
    ),
    ("Bischof + Klein France SAS", "Bischof + Klein GmbH & Co. KG"),
    ("Blades Technology International Inc.", "Blades Technology Limited"),
    ("BMG Music Publishing", "BMG Music Publishing International Limited"),
    ("Bong AB", "Bong Belgium SA", "Bong Sverige AB"),
    ("BP España SA", "BP Nederland BV", "BP p.l.c."),
    ("Carpenter Belgium NV", "Carpenter GmbH"),
    ("Celanese Corporation", "Celanese Europe B.V.", "Celanese Services Germany GmbH"),
    ("Cermaq Group AS", "Cermaq Norway AS"),
    ("CEVA Freight (UK) Limited", "CEVA Freight Shanghai Limited"),
    ("Chiquita International Ltd", "Chiquita International Services Group NV"),
    ("Chunghwa Picture Tubes (Malaysia) Sdn. Bhd.", "Chunghwa Picture Tubes Ltd"),
    ("City Electrical Factors NLD", "City Electrical Factors UK"),
    ("Clariant AG", "Clariant International AG"),
    ("Coats Deutschland GmbH", "Coats Holdings Ltd", "Coats UK Ltd"),
    ("Credit Suisse AG", "Credit Suisse Group AG", "Credit Suisse International"),
    ("DAF Trucks Deutschland GmbH", "DAF Trucks N.V."),
    ("Danone", "Danone Asia Pte Ltd", "Danone Groupe"),
    ("DB Group Services (UK) Limited", "DB UK"),
    ("Degussa GmbH", "Degussa UK Holdings Ltd"),
    ("Denso Corporation", "Denso Europe BV"),
    ("Deutsche Bank AG", "Deutsche Bank Services (Jersey) Limited"),
    (
        "DHL Global Forwarding (China) Co., Ltd",
        "DHL Global Forwarding (Hong Kong) Limited",
        "DHL Global Forwarding (UK) Limited",
    ),
    ("DOW Deutschland Inc", "Dow Europe GmbH"),
    ("DU Pont", "Du Pont Deutschland Holding GmbH"),
    ("Eberspaecher GmbH", "Eberspaecher Gruppe GmbH & Co KG"),
    ("ELECTROLUX HOME PRODUCTS France", "Electrolux Home Products Corporation N.V."),
    ("Elpida Memory (Europe) GmbH", "Elpida Memory Inc"),
    ("Entaco Group Ltd", "Entaco Ltd"),
    ("Enterprise Oil Norge Ltd", "Enterprise Oil Norwegian AS", "Enterprise Oil plc"),
    ("ESSO Deutschland GmbH", "Esso Norge AS"),
    ("Eurofoam GmbH", "Eurofoam Hungary Kft", "Eurofoam Polska Sp z.oo"),
    ("Exel Group Holdings (Nederland) B.V.", "Exel Limited"),
    ("Flamco GmbH", "Flamco Holding BV"),
    ("Fujifilm Corporation", "Fujifilm Holdings Corporation"),
    ("GALP Energia Espana S.A.U.", "Galp Energia SGPS S.A."),
    ("General Motors (Europe)", "General Motors Company"),
    ("Glaverbel France SA", "Glaverbel Italy Srl"),
    ("Glaxo Wellcome (E)", "Glaxo-Wellcome"),
    ("Heineken", "Heineken Nederland"),
    ("Heiploeg BV", "Heiploeg Holding BV"),
    ("Hellmann Worldwide Logistics GmbH & Co. KG", "Hellmann Worldwide Logistics Ltd. Hong Kong"),
    ("Hitachi Europe Ltd", "Hitachi Ltd"),
    ("Hitachi-LG Data Storage Korea, Inc.", "Hitachi-LG Data Storage, Inc."),
    ("Honda Motor Co Ltd", "Honda Motor Europe Limited"),
    ("HSBC France", "HSBC Holdings PLC"),
    ("Hutchison 3G Austria", "Hutchison 3G Italy"),
    (
        "Hynix Semiconductor Deutschland GmbH",
        "Hynix Semiconductor Europe Holding Ltd",
        "Hynix Semiconductor Inc",
        "Hynix Semiconductor United Kingdom Ltd",
    ),
    ("Hyundai Motor Company", "Hyundai Motor Europe GmbH"),
    ("IMS Belgium", "IMS International"),
    ("InBev", "InBev Nederland"),
    ("INEOS Europe AG", "INEOS Limited"),
    ("International Building Products France SA", "International Building Products GmbH"),
    ("J.P. Morgan Europe Limited", "J.P. Morgan Limited", "J.P. Morgan Services LLP"),
    ("Jaguar Land Rover Holdings Limited", "Jaguar Land Rover Limited"),
    ("Johnson Controls Inc.", "Johnson Controls International PLC"),
    ("Jungbunzlauer AG", "Jungbunzlauer Austria AG", "Jungbunzlauer Holding AG"),
    ("Kellen Company", "Kellen Holdings Europe N.V."),
    ("Kia Corporation", "Kia Europe GmbH"),
    ("Klaas Puul BV", "Klaas Puul Holding BV"),
    ("KONE Corporation", "KONE Luxembourg Sarl", "Kone Belgium SA"),
    ("Koyo Deutschland GmbH", "Koyo France SA"),
    ("Kuehne + Nagel A.E.", "Kuehne + Nagel International AG", "Kuehne + Nagel Ltd"),
    (
        "Kuwait Petroleum (Nederland) B.V.",
        "Kuwait Petroleum Corporation",
        "Kuwait Petroleum International Ltd",
    ),
    ("Lerøy Seafood AS", "Lerøy Seafood Group ASA"),
    ("LG Display Co Ltd", "LG Display Taiwan Co Ltd"),
    ("LINEAS Group NV", "LINEAS NV"),
    ("Linpac France SAS", "Linpac Group Ltd."),
    (
        "Linpac Packaging Holdings S.L.",
        "Linpac Packaging Kft",
        "Linpac Packaging Polska Sp zo.o",
        "Linpac Packaging S.r.o.",
        "Linpac Packaging Spol S.r.o.",
    ),
    ("Lucite International Ltd", "Lucite International UK"),
    ("Lutece B.V.", "Lutece Holding BV"),
    ("Magna International Europe GmbH", "Magna International Inc."),
    ("MAN TRUCK & BUS ITALIA", "MAN Truck & Bus AG", "MAN Truck & Bus Deutschland GmbH"),
    (
        "Marathon Petroleum Company",
        "Marathon Petroleum Company Norway Utenlandsk Aktieselskap",
        "Marathon Petroleum Norge A/S",
    ),
    ("MasterCard International Incorporated", "Mastercard"),
    ("Mechanical Copyright Protection Society Ireland", "Mechanical-Copyright Protection Society"),
    (
        "Mercedes-Benz AG",
        "Mercedes-Benz Belgium",
        "Mercedes-Benz España SA",
        "Mercedes-Benz Group AG",
    ),
    ("Microsoft", "Microsoft Europe"),
    ("Mitsubishi Electric Corporation", "Mitsubishi Electric Europe BV"),
    ("Mitsubishi Motors Corporation", "Mitsubishi Motors Europe B.V."),
    ("National Grid Company", "National Grid Holdings Limited"),
    ("Nexans", "Nexans France SAS"),
    ("NGK Spark Plug Co., Ltd.", "NGK Spark Plug Europe GmbH"),
    ("Nintendo Co. Ltd", "Nintendo Netherlands"),
    ("Nomura Holdings, Inc.", "Nomura International plc"),
    ("NSK Deutschland GmbH", "NSK Europe Ltd.", "NSK Ltd."),
    ("NTL France", "NTL Inc."),
    ("Orange", "Orange France"),
    ("Orient Overseas Container Line Inc (H-Kong)", "Orient Overseas Container Line Ltd (H-Kong)"),
    ("Petro-Canada", "Petro-Canada Norge AS", "Petro-Canada Norway AS"),
    ("Petruzalek Kft", "Petruzalek s.r.o."),
    (
        "Philips & Lite-On Digital Solutions Corporation",
        "Philips & Lite-On Digital Solutions USA, Inc.",
    ),
    ("Philips Petroleum Company Norway", "Philips Petroleum Norsk AS"),
    ("Pilkington Automotive Deutschland GmbH", "Pilkington Automotive Ltd"),
    (
        "Pilkington Deutschland AG",
        "Pilkington Group Limited",
        "Pilkington Holding GmbH",
        "Pilkington Italia Spa",
        "Pilkington plc",
    ),
    ("Procter & Gamble Company", "Procter & Gamble International Sarl"),
    ("Renault (France)", "Renault S.A.S."),
    (
        "Renesas Electronics Corporation",
        "Renesas Electronics Europe GmbH (formerly NEC Electronics (Europe) GmbH)",
        "Renesas Electronics Europe Limited",
    ),
    ("Rubycon Corporation", "Rubycon Holdings Co., Ltd"),
    ("RWE-DEA Norge AS", "RWE-Dea AG"),
    ("S-Y Systems Technologies Europe GmbH", "S-Y Systems Technologies France SAS"),
    ("Saint-Gobain Sekurit Deutschland GmbH", "Saint-Gobain Sekurit France SA"),
    ("SAlMar ASA", "SalMar AS"),
    ("Samsung Electronics Co.", "Samsung Electronics Taiwan Co Ltd"),
    ("Samsung SDI (Malaysia) Berhad", "Samsung SDI Co., Ltd.", "Samsung SDI Germany GmbH"),
    ("Samsung Semiconductor Europe GmbH", "Samsung Semiconductor France Sarl"),
    ("Sanden Holdings Corporation", "Sanden International (Europe) Ltd"),
    ("Sasol Wax GmbH", "Sasol Wax International AG"),
    ("Scania AB", "Scania Deutschland GmbH"),
    ("Schaeffler AG", "Schaeffler Holding GmbH & Co. KG"),
    (
        "SCHENKER A.E.",
        "Schenker & Co. AG",
        "Schenker China Ltd",
        "Schenker International (H.K.) Ltd.",
    ),
    ("Schindler Deutschland Holding GmbH", "Schindler Holding Ltd", "Schindler Sarl"),
    ("Scovill Fasteners Europe SA", "Scovill Fasteners Inc."),
    ("Shell", "Shell Nederland BV"),
    ("Siemens AG", "Siemens AG Österreich"),
    ("Silgan Holdings Austria GmbH", "Silgan Holdings Inc.", "Silgan International Holdings B.V."),
    ("SKW Stahl-Metallurgie GmbH", "SKW Stahl-Metallurgie Holding AG"),
    ("Solvay Deutschland", "Solvay NV"),
    ("SONY Europe Holding BV", "SONY France SA", "Sony Corporation", "Sony Taiwan Limited"),
    ("Sony Music Entertainment", "Sony Music Entertainment (UK) Ltd"),
    ("Sony Optiarc America Inc.", "Sony Optiarc Inc."),
    ("Splintex France Sarl", "Splintex UK Limited"),
    ("Synthomer (UK) Limited", "Synthomer Deutschland GmbH", "Synthomer plc"),
    ("T-Mobile", "T-Mobile Czech Republic a.s.", "T-Mobile Deutschland GmbH"),
    ("The Royal Bank of Scotland Group plc", "The Royal Bank of Scotland plc"),
    ("Time Warner", "Time Warner Europe (B)"),
    ("Toll Global Forwarding (Hong Kong) Limited", "Toll Global Forwarding Limited"),
    ("Tompla France SARL", "Tompla Scandinavia AB"),
    (
        "Toshiba Samsung Storage Technology Corporation",
        "Toshiba Samsung Storage Technology Korea Corp.",
    ),
    ("Tosoh Corporation", "Tosoh Europe BV"),
    ("Total France SA", "Total Nederland NV", "Total Norge AS", "Total SA"),
    ("Toyota Motor Corporation", "Toyota Motor Europe NV/SA", "Toyota Motor Poland"),
    ("Trinseo Europe GmbH", "Trinseo PLC"),
    ("Télécom Développement", "Télécom Développement Services"),
    ("UBS AG", "UBS Group AG"),
    (
        "Union des Associations Européennes de Football",
        "Union des Associations Européennes de Football (F)",
    ),
    ("Unisource", "Unisource International"),
    ("UTi Worldwide (UK) Ltd", "UTi Worldwide, Inc."),
    ("VAG", "VAG France"),
    ("Valeo Japan Co., Ltd.", "Valeo S.A."),
    ("Vinnolit GmbH & Co KG", "Vinnolit Holdings GmbH"),
    ("Vitembal España, S.L.", "Vitembal Holding SAS"),
    ("Vodafone", "Vodafone Italia"),
    ("Wallenius Wilhelmsen Logistics AS", "Wallenius Wilhelmsen Logistics ASA"),
    ("WHIRLPOOL France SA", "Whirlpool Europe B.V.", "Whirlpool S.A."),
    ("Wienerberger AG", "Wienerberger Nederland B.V."),
    ("Winoa Holding SAS", "Winoa SA"),
    ("Yamaha Corporation Japan", "Yamaha Europe GmbH", "Yamaha Scandinavia AB"),
    ("Yamaha Music Belgium", "Yamaha Music France"),
    ("Yazaki Corporation", "Yazaki Europe Ltd"),
    ("YKK Corporation Japan", "YKK Holding Europe B.V."),
    ("Zeon Corporation", "Zeon Europe GmbH"),
    ("Zoetis Belgium SA", "Zoetis Inc."),
    ("Österreichische Bundesbahnen", "Österreichische Bundesbahnen-Holding AG"),
]

# Measured on 2026-12-07: 269 pairs proposed, 278 true, 266 right: precision 0.989 (the
# three wrong pairs of MOL and Orange above), recall 0.957 (the misses above).
PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.95


def pairs(groups) -> set[frozenset[str]]:
    return {frozenset(pair) for group in groups for pair in combinations(group, 2)}


@pytest.fixture(scope="module")
def ingested(django_db_setup, django_db_blocker):
    """The demo and every sample, ingested once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        for source, path in samples():
            call_command("ingest", source, "--from-file", str(path), stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_the_truth_set_names_companies_the_samples_have(ingested):
    names = {name for group in TRUTH for name in group}
    assert len(TRUTH) == 170 and len(names) == 388
    assert names <= set(Company.objects.values_list("name", flat=True))


def test_same_group_proposals_are_precise_on_every_sample(ingested, capsys):
    proposed = pairs([c.name for c in row.companies] for row in likely_same_group())
    truth = pairs(TRUTH)
    right = proposed & truth
    precision, recall = len(right) / len(proposed), len(right) / len(truth)
    with capsys.disabled():
        print(
            f"\nsame group: {len(proposed)} pairs proposed, {len(truth)} true, {len(right)} right;"
            f" precision {precision:.3f}, recall {recall:.3f}"
        )
    assert precision >= PRECISION_FLOOR, sorted(map(sorted, proposed - truth))
    assert recall >= RECALL_FLOOR, sorted(map(sorted, truth - proposed))


def test_the_wrong_and_the_missed_are_the_known_ones(ingested):
    proposed = pairs([c.name for c in row.companies] for row in likely_same_group())
    wrong = {name for pair in proposed - pairs(TRUTH) for name in pair}
    assert wrong == {
        "MOL (Europe Africa) Ltd.",
        "MOL Nyrt",
        "Orange Austria",
        "Orange",
        "Orange France",
    }


def test_hard_negatives_in_the_samples_are_not_one_group(ingested):
    """Pairs the samples hold (absent ones are in test_company_groups_names.py)."""
    together = pairs([c.name for c in row.companies] for row in likely_same_group())
    names = set(Company.objects.values_list("name", flat=True))
    for one, other in [
        ("Deutsche Bank AG", "Deutsche Telekom AG"),
        ("Air France", "Air Canada"),
        ("Telecom Italia SpA", "Telecom Eireann"),
        ("Bank of America Corporation", "Bank Austria AG"),
        ("Microsoft", "Microsoft Europe"),  # the positive control
    ]:
        assert {one, other} <= names
        assert (frozenset((one, other)) in together) == (one == "Microsoft")


def test_a_subsidiary_and_its_group_stay_two_companies(ingested):
    assert (
        Company.objects.filter(name__in=["Credit Suisse AG", "Credit Suisse Group AG"]).count() == 2
    )
    assert Company.objects.filter(name_key__startswith="dhl global forwarding").count() == 3
