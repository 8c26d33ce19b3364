"""The source registry: every regulator source, one module each, and all that is known of them.

A source is a module in this package with the interface described in `base` and these names:

    NAME = "xyz"                          its slug, stored on every record and run
    LABEL = "XYZ merger register"         how /sources/ and the admin name it
    EVERY = 360                           default minutes between scheduled runs (0: never)
    PAGES = 4                             default list pages a run reads (1 where it does not page)

The registry finds the modules by itself (any module here with a NAME), so a new source is its
module, its test and its fixture. From this one table come:

- the choices of the `source` fields (`source_choices`, a callable: no migration per source);
- the Celery beat entries (`beat_schedule`), all running the one task `ingest.tasks.ingest_source`;
- the environment settings, read by name: INGEST_<NAME>_EVERY and INGEST_<NAME>_PAGES
  (`source_every`, `source_pages`; the older INGEST_EVERY_<NAME> still read, deprecated).

Importing this package touches no model, so the Celery app can read the schedule before Django
is set up.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pkgutil
from collections.abc import Iterator
from types import ModuleType

from django.core.exceptions import ImproperlyConfigured

# Modules of this package that are not sources: the shared interface and helpers.
NOT_SOURCES = frozenset({"base", "references"})

SOURCES: dict[str, ModuleType] = {}


def _discover() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if info.name in NOT_SOURCES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "NAME"):
            register(module)


def register(module: ModuleType) -> None:
    """Add a source module to the registry (discovery does it for the modules of this package;
    a test may register a throw-away one)."""
    for name in ("NAME", "LABEL", "EVERY", "REGULATOR", "MAPPING_VERSION", "HOSTS", "fetch"):
        if not hasattr(module, name):
            raise TypeError(f"source module {module.__name__} has no {name}")
    if len(module.NAME) > 20:  # the width of the `source` columns
        raise TypeError(f"source name {module.NAME!r} is longer than 20 characters")
    SOURCES[module.NAME] = module


def unregister(name: str) -> None:
    SOURCES.pop(name, None)


@contextlib.contextmanager
def registered(module: ModuleType) -> Iterator[ModuleType]:
    """`module` registered for the duration of the block (tests)."""
    register(module)
    try:
        yield module
    finally:
        unregister(module.NAME)


def get_source(name: str) -> ModuleType:
    try:
        return SOURCES[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; known: {', '.join(SOURCES)}") from None


def source_choices() -> list[tuple[str, str]]:
    """(name, label) of every source: the choices of the `source` model fields."""
    return [(name, module.LABEL) for name, module in SOURCES.items()]


def source_label(name: str) -> str:
    module = SOURCES.get(name)
    return module.LABEL if module is not None else name


# --- Settings, read from the environment by name ---------------------------------------------


def env_name(source: str, setting: str) -> str:
    """INGEST_FTC_HSR_EVERY for ("ftc-hsr", "EVERY")."""
    return f"INGEST_{source.upper().replace('-', '_')}_{setting}"


def deprecated_env_name(source: str, setting: str) -> str | None:
    """The older spelling still read when the new one is not set: INGEST_EVERY_FTC_HSR."""
    if setting == "EVERY":
        return f"INGEST_EVERY_{source.upper().replace('-', '_')}"
    return None


def _env_int(source: str, setting: str, default: int) -> int:
    names = [env_name(source, setting), deprecated_env_name(source, setting)]
    for name in filter(None, names):
        value = os.environ.get(name, "").strip()
        if value:
            if not value.isdigit():
                raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number, 0 or more")
            return int(value)
    return default


def source_every(name: str) -> int:
    """Minutes between scheduled runs of source `name`; 0 leaves it unscheduled."""
    return _env_int(name, "EVERY", get_source(name).EVERY)


def source_pages(name: str) -> int:
    """List pages a run of source `name` reads (1 for a source that does not page)."""
    return _env_int(name, "PAGES", getattr(get_source(name), "PAGES", 1))


def beat_schedule() -> dict[str, dict]:
    """The Celery beat entries: each scheduled source runs `ingest_source(name)`."""
    schedule = {}
    for name in SOURCES:
        minutes = source_every(name)
        if minutes > 0:
            schedule[f"ingest-{name}"] = {
                "task": "ingest.tasks.ingest_source",
                "schedule": minutes * 60.0,
                "args": (name,),
            }
    return schedule


def settings_check() -> None:
    """Read every source's settings once, so that a value that is not a number fails at
    start-up (`IngestConfig.ready`) rather than at the first run."""
    for name in SOURCES:
        source_every(name)
        source_pages(name)


def settings_table() -> list[tuple[str, str, int]]:
    """(environment variable, what it sets, value now) for every source, as `manage.py ingest
    --settings` prints them."""
    rows = []
    for name, module in SOURCES.items():
        every = source_every(name)
        rows.append((env_name(name, "EVERY"), f"minutes between runs of {name}", every))
        if hasattr(module, "PAGES"):
            pages = source_pages(name)
            rows.append((env_name(name, "PAGES"), f"list pages a run of {name} reads", pages))
    return rows


_discover()
