"""The list rows and /stats/' figures, rendered by Jinja2 (deals/rows.py, deals/jinja2/deals/)
where the Django templates say `{% cachedfor ... using %}` or `{% cachedblock ... using %}`:
each row gets the values its fragment is keyed by, dates are written in the active language,
and a Jinja2 template is the whole body of the tag that uses it."""

import datetime

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

from deals import rows
from tests.factories import DealFactory, InquiryFactory, cma

pytestmark = pytest.mark.django_db


def test_an_inquiry_row_shows_its_deal_in_lists_and_its_phases_on_the_deal_page(client):
    deal = DealFactory(title="Adobe / Figma", is_published=True)
    InquiryFactory(
        deal=deal,
        regulator=cma(),
        reference="ME/7021/22",
        stage="phase_1",
        opened_on=datetime.date(2023, 6, 29),
    )
    listed = client.get("/inquiries/").text
    on_the_deal = client.get(deal.get_absolute_url()).text
    # show_deal: the list links the deal, the deal's own page does not repeat it in the row.
    assert f'<div><a href="{deal.get_absolute_url()}">Adobe / Figma</a></div>' in listed
    assert f'<div><a href="{deal.get_absolute_url()}">Adobe / Figma</a></div>' not in on_the_deal
    # with_clocks: the deal page shows the review's phases, the list does not.
    assert '<ol class="phases">' in on_the_deal
    assert "29 Jun 2023 – open" in on_the_deal
    assert '<ol class="phases">' not in listed
    assert "ME/7021/22" in listed and "ME/7021/22" in on_the_deal


def test_a_deal_row_escapes_what_it_shows(client):
    DealFactory(title="<b>Bold</b> & Co", sector='"quoted"', is_published=True)
    page = client.get("/deals/").text
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in page
    assert "<b>Bold</b>" not in page
    assert "&#34;quoted&#34;" in page


def test_a_day_is_written_in_the_language_in_force():
    day = datetime.date(2024, 2, 26)
    assert rows.date(day, "j M Y") == "26 Feb 2024"
    with translation.override("fr"):
        assert rows.date(day, "j M Y") == "26 Fév 2024"
    assert rows.date(day, "j M Y") == "26 Feb 2024"
    assert rows.date(day, "Y-m-d") == "2024-02-26"


def test_a_datetime_is_written_by_djangos_filter_in_the_current_time_zone(settings):
    settings.TIME_ZONE = "Europe/Brussels"
    moment = datetime.datetime(2024, 2, 26, 23, 30, tzinfo=datetime.UTC)
    with translation.override("en"):
        assert rows.date(moment, "j M Y H:i") == "27 Feb 2024 00:30"


def test_a_jinja2_template_is_the_whole_body_of_a_tag_that_uses_it():
    with pytest.raises(TemplateSyntaxError, match="the tag takes none"):
        Template(
            '{% load deal_tags %}{% cachedfor deal in deals "deal-row" using '
            '"deals/deal_row.html" %}<tr>{{ deal }}</tr>{% endcachedfor %}'
        )
    with pytest.raises(TemplateSyntaxError, match="the tag takes none"):
        Template(
            '{% load deal_tags %}{% cachedblock "stats" by key using "deals/stats_figures.html" %}'
            "<p>{{ stats }}</p>{% endcachedblock %}"
        )
    # The control: the same tag with no body of its own renders the template's rows.
    deal = DealFactory(title="Broadcom / VMware", is_published=True)
    rendered = Template(
        '{% load deal_tags %}{% cachedfor deal in deals "deal-row" using '
        '"deals/deal_row.html" %}\n  {% empty %}none{% endcachedfor %}'
    ).render(Context({"deals": [deal]}))
    assert "Broadcom / VMware" in rendered and "none" not in rendered
