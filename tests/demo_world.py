"""The demo world: the demo deals (demo/data.py) loaded once per test module, as djangoproject's
`setUpTestData` builds a class's data once.

`manage.py load_demo` runs when the first test of a module asks for `demo_world`, inside a
transaction that is rolled back when the module ends, so the next module starts empty. Each test
still runs in its own savepoint (the `django_db` mark), rolled back after it: a test that changes
the demo leaves the world as loaded for the next one.

Ask for it by name (`def test_x(demo_world)`, or `pytestmark = pytest.mark.usefixtures(
"demo_world")`); a module must then not also need an empty database, since the world stays
loaded until the module ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

__all__ = ["DemoWorld", "demo_world"]


@dataclass(frozen=True)
class DemoWorld:
    """What loading the demo printed: the summary line of a first load."""

    output: str


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo data, loaded by `manage.py load_demo` once for the module, rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield DemoWorld(output=out.getvalue())
        transaction.set_rollback(True)
