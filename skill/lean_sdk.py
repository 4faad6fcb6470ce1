"""ask-sdk-core without the Alexa service clients it imports and this skill never uses.

`ask_sdk_core.skill` and `ask_sdk_core.serialize` import names from the package
`ask_sdk_model.services`, whose `__init__` imports `ServiceClientFactory`, and with it the
generated client and models of every Alexa service API (lists, reminders, monetization,
proactive events, ...): about 15 ms of a cold start (bench/import_costs.py). The SDK uses the
factory only for a skill built with an API client (CustomSkillBuilder(api_client=...));
Stagewise is built without one (it calls the Alexa APIs it needs itself, skill/alexa_api.py).

`install()` registers that package with the same `__path__` but without running its
`__init__`: each of the names the `__init__` would export is imported from its own module on
first use, and `ServiceClientFactory` is a stand-in that imports the real factory when a
skill with an API client first makes one. Submodules (`ask_sdk_model.services.ups`, ...)
import as before. It is a no-op if the package is already imported.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

SERVICES = "ask_sdk_model.services"
# What ask_sdk_model/services/__init__.py exports, and the module each name lives in.
EXPORTS = {
    "BaseServiceClient": "base_service_client",
    "ApiConfiguration": "api_configuration",
    "ApiResponse": "api_response",
    "ServiceClientResponse": "service_client_response",
    "ApiClient": "api_client",
    "ApiClientResponse": "api_client_response",
    "ServiceException": "service_exception",
    "Serializer": "serializer",
    "ApiClientMessage": "api_client_message",
    "AuthenticationConfiguration": "authentication_configuration",
    "ApiClientRequest": "api_client_request",
}


class ServiceClientFactory:
    """Stands in for ask_sdk_model's ServiceClientFactory; makes the real one when called."""

    def __new__(cls, api_configuration: Any) -> Any:
        from ask_sdk_model.services.service_client_factory import (
            ServiceClientFactory as Factory,
        )

        return Factory(api_configuration)


def _export(name: str) -> Any:
    """An export of the package, imported from its own module on first use."""
    if name not in EXPORTS:
        raise AttributeError(f"module {SERVICES!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{SERVICES}.{EXPORTS[name]}"), name)
    setattr(sys.modules[SERVICES], name, value)
    return value


def install() -> None:
    """Register a lean `ask_sdk_model.services` before the SDK imports the real one."""
    if SERVICES in sys.modules:
        return
    spec = importlib.util.find_spec(SERVICES)
    if spec is None or spec.submodule_search_locations is None:
        return  # not the package this was written for: let the SDK import it as it is
    package: ModuleType = importlib.util.module_from_spec(spec)  # __path__ set, not executed
    # PEP 562: a module's __getattr__ is consulted for the names it does not have.
    vars(package).update(__getattr__=_export, ServiceClientFactory=ServiceClientFactory)
    sys.modules[SERVICES] = package
    setattr(importlib.import_module("ask_sdk_model"), "services", package)  # noqa: B010
