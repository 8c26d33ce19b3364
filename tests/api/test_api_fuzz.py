"""Schemathesis fuzzes the API from its own OpenAPI schema, through WSGI (no server, no network).

Schemathesis sends valid and invalid requests; any 5xx, a status code or content type the schema
does not list, or a body that does not match the schema fails the test. (An empty optional
parameter, `?announced_before=`, is accepted as "not set", as the pages' forms send it, so the
check that every schema-violating request is refused is not run.) FUZZ_EXAMPLES sets how many
requests per operation (`make fuzz` in CI asks for more).
"""

import datetime
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from deals.vocabulary import EventKind, PartyRole, Stage
from tests.factories import (
    CompanyAliasFactory,
    CompanyFactory,
    DealFactory,
    EventFactory,
    InquiryFactory,
    PartyFactory,
    RegulatorFactory,
    cma,
)
from tracker.wsgi import application

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Django closes the database connection after each WSGI request; inside a test's
    transaction it must not (Django's test client disconnects the same handlers)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_data(db, wsgi_keeps_the_test_connection):
    """A little of everything, so that responses have rows and nested objects to validate."""
    microsoft = CompanyFactory(name="Microsoft", slug="microsoft", ticker="MSFT")
    CompanyAliasFactory(company=microsoft, name="Microsoft Corporation")
    deal = DealFactory(title="Microsoft / Mistral AI", slug="microsoft-mistral-ai")
    PartyFactory(deal=deal, company=microsoft, role=PartyRole.INVESTOR)
    inquiry = InquiryFactory(
        deal=deal,
        regulator=cma(),
        reference="ME/7108/24",
        stage=Stage.PHASE_1,
        deadline_on=datetime.date.today() + datetime.timedelta(days=20),
    )
    InquiryFactory(deal=None, regulator=RegulatorFactory(), reference="AT.40099", title="Conduct")
    EventFactory(deal=None, inquiry=inquiry, kind=EventKind.PHASE_1_OPENED, title="Phase 1")
    EventFactory(deal=deal, kind=EventKind.ANNOUNCED, title="Announced")


# Loaded when the module is collected: making the schema reads no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_to_its_schema_whatever_it_is_sent(case, api_data):
    case.call_and_validate(checks=CHECKS)
