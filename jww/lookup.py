"""A service's classes, found by its name: its nameko service and its event-sourced
application. Found by looking, not listed, so a new service needs no entry here."""
from __future__ import annotations

import importlib
import inspect


def _find(module_name: str, predicate):
    module = importlib.import_module(module_name)
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if obj.__module__ == module_name and predicate(obj):
            return obj
    raise LookupError(f"nothing suitable in {module_name}")


def service_class(service: str):
    """The nameko service class of ``services/<service>/service.py``."""
    return _find(f"services.{service}.service", lambda c: getattr(c, "name", None) == service)


def application_class(service: str):
    """The ``ServiceApplication`` of ``services/<service>/application.py``."""
    from shared.store import ServiceApplication

    return _find(f"services.{service}.application",
                 lambda c: issubclass(c, ServiceApplication) and c.service_name == service)
