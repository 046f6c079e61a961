"""Every service's OpenAPI document declares each path parameter its routes take, so a
client generated from it (or a fuzzer) can call every route."""
import importlib
import re

import pytest
from nameko.containers import ServiceContainer

from otg import installation
from shared import openapi


def document(name):
    module = importlib.import_module(f"services.{name}.service")
    service_cls = next(cls for cls in vars(module).values()
                       if isinstance(cls, type) and getattr(cls, "name", None) == name)
    container = ServiceContainer(service_cls, {"AMQP_URI": "memory://"})
    return openapi.build(name, container.entrypoints)


@pytest.mark.parametrize("name", installation.services())
def test_every_path_parameter_is_declared(name):
    undeclared = []
    for path, operations in document(name)["paths"].items():
        for method, operation in operations.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "path"}
            undeclared += [(method, path, param) for param in re.findall(r"{(\w+)}", path)
                           if param not in declared]
    assert undeclared == []


def test_the_evidence_download_names_its_sha256():
    [parameter] = document("inspection")["paths"]["/evidence/{sha256}"]["get"]["parameters"]
    assert parameter["name"] == "sha256" and parameter["required"] is True
