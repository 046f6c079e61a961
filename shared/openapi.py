"""The OpenAPI document of a service, generated from its `@api` entrypoints."""
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

ERROR = {"type": "object", "properties": {
    "error": {"type": "string"},
    "fields": {"type": "object", "additionalProperties": True}}}
_CHOICES = re.compile(r"<any\(([^)]*)\):([a-z_][a-z0-9_]*)>")
# werkzeug's <int:batch_no> and <any(json, xml):fmt>: (converter, name)
_PARAM = re.compile(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_][a-z0-9_]*)>")


def build(service_name, entrypoints):
    from shared.web import Api
    spec = APISpec(title=f"otg {service_name}", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "bearerFormat": "JWT"})
    spec.components.schema("Error", ERROR)
    paths = {}
    for entrypoint in sorted((e for e in entrypoints if isinstance(e, Api)), key=lambda e: e.url):
        path = _PARAM.sub(r"{\2}", entrypoint.url)
        for method in entrypoint.method.split(","):
            paths.setdefault(path, {})[method.lower()] = _operation(entrypoint, path)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _operation(entrypoint, path):
    operation = {"summary": entrypoint.summary or entrypoint.method_name.replace("_", " "),
                 "operationId": entrypoint.method_name, "responses": {}}
    choices = {name: [c.strip() for c in values.split(",")]
               for values, name in _CHOICES.findall(entrypoint.url)}
    parameters = [_path_parameter(name, converter, choices.get(name))
                  for converter, name in _PARAM.findall(entrypoint.url)]
    if entrypoint.query is not None:
        parameters.append({"in": "query", "schema": entrypoint.query})
    if parameters:
        operation["parameters"] = parameters
    if entrypoint.body is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": entrypoint.body}}}
    ok = {"description": "success"}
    if entrypoint.response is not None:
        ok["content"] = {"application/json": {"schema": entrypoint.response}}
    status = "201" if entrypoint.method == "POST" else "200"
    operation["responses"][status] = ok
    # an entrypoint with its own error format (Open311's) declares it as `error_schema`
    schema = getattr(entrypoint, "error_schema", None) or {"$ref": "#/components/schemas/Error"}
    error = {"content": {"application/json": {"schema": schema}}}
    operation["responses"]["400"] = {"description": "invalid input", **error}
    if entrypoint.roles is not None:
        operation["security"] = [{"bearer": []}]
        operation["responses"]["401"] = {"description": "no or bad token", **error}
        operation["responses"]["403"] = {"description": "not allowed", **error}
    if "{" in path:
        operation["responses"]["404"] = {"description": "not found", **error}
    if entrypoint.limited:
        operation["responses"]["429"] = {
            "description": "this address filed too many reports (OTG_PUBLIC_RATE_LIMIT)",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}}, **error}
    return operation


def _path_parameter(name, converter, choices=None):
    schema = {"type": "integer" if converter == "int" else "string"}
    if choices:
        schema["enum"] = choices
    return {"in": "path", "name": name, "required": True, "schema": schema}
