"""One module per regulator source, all with the interface described in `base`."""

from types import ModuleType

from . import accc, cma, doj, ec, ftc_hsr, ftc_press

SOURCES: dict[str, ModuleType] = {
    module.NAME: module for module in (ec, cma, ftc_hsr, ftc_press, doj, accc)
}


def get_source(name: str) -> ModuleType:
    try:
        return SOURCES[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; known: {', '.join(SOURCES)}") from None
