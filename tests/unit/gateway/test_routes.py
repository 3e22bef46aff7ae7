"""The route table against the services it fronts, and the OpenAPI document made
from it: no RPC without a route, no route without its service's own contract."""
import importlib
import inspect

import pytest
from nameko.rpc import Rpc

from shared import config
from services.gateway.openapi import document
from services.gateway.routes import AUTH_RPCS, COMPOSED_RPCS, INTERNAL_RPCS, ROUTES


def rpc_methods(service: str) -> dict[str, object]:
    module = importlib.import_module(f"services.{service}.service")
    (cls,) = [c for _, c in inspect.getmembers(module, inspect.isclass) if getattr(c, "name", None) == service]
    return {
        name: member for name, member in inspect.getmembers(cls)
        if any(isinstance(e, Rpc) for e in getattr(member, "nameko_entrypoints", ()))
    }


def test_every_rpc_of_every_service_has_a_route():
    routed = {(r.service, r.rpc) for r in ROUTES}
    missing = [f"{service}.{name}" for service in config.SERVICES for name in rpc_methods(service)
               if name not in INTERNAL_RPCS | COMPOSED_RPCS | AUTH_RPCS and (service, name) not in routed]
    assert not missing, f"RPC methods no HTTP route reaches: {missing}"


def test_every_route_reaches_an_rpc_with_the_contract_that_rpc_validates_with():
    for route in ROUTES:
        method = rpc_methods(route.service).get(route.rpc)
        assert method is not None, f"{route.method} {route.path}: {route.operation_id} does not exist"
        assert method.schema is route.schema, f"{route.operation_id} validates with another contract"


def test_routes_are_unique_and_their_path_parameters_are_fields_of_the_contract():
    assert len({(r.method, r.path) for r in ROUTES}) == len(ROUTES)
    assert len({r.operation_id for r in ROUTES}) == len(ROUTES)
    for route in ROUTES:
        if route.path_params:
            assert set(route.path_params) <= set(route.schema().fields), route.path


@pytest.fixture(scope="module")
def doc():
    return document()


def test_a_body_is_the_contract_less_the_actor_and_the_path(doc):
    body = doc["paths"]["/clients/{client_id}/help-requests"]["post"]["requestBody"]
    schema = doc["components"]["schemas"][body["content"]["application/json"]["schema"]["$ref"].split("/")[-1]]
    assert set(schema["properties"]) == {"source", "domains", "question", "urgency"}
    assert set(schema["required"]) == {"source", "domains", "question"}
    assert schema["additionalProperties"] is False  # unknown fields are refused, as the contract does
    assert "housing" in schema["properties"]["domains"]["items"]["enum"]


def _referenced(value) -> set[str]:
    """The component schemas a part of the document refers to."""
    if isinstance(value, dict):
        found = {value["$ref"].rsplit("/", 1)[-1]} if "$ref" in value else set()
        return found.union(*(_referenced(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_referenced(v) for v in value))
    return set()


def test_no_document_lets_a_client_name_the_actor(doc):
    schemas = doc["components"]["schemas"]
    requests = _referenced([op.get("requestBody") for ops in doc["paths"].values() for op in ops.values()])
    while (more := _referenced([schemas[name] for name in requests]) - requests):
        requests |= more
    assert "IntakeRegisterClient" in requests and "Contact" in requests
    for name in requests:  # an answer may say who acted (an audit timeline); a request never does
        assert "actor" not in schemas[name].get("properties", {}), name
    for path, operations in doc["paths"].items():
        for operation in operations.values():
            assert "actor" not in {p.get("name") for p in operation.get("parameters", [])}, path


def test_reads_take_their_contract_in_the_query_and_lists_are_paged(doc):
    activity = {p["name"]: p for p in doc["paths"]["/reports/activity"]["get"]["parameters"]}
    assert activity["from"]["required"] and activity["from"]["schema"]["format"] == "date"
    partners = {p["name"] for p in doc["paths"]["/partners"]["get"]["parameters"]}
    assert {"limit", "offset", "kind", "domain", "language"} <= partners
    page = doc["paths"]["/partners"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert page == {"$ref": "#/components/schemas/PartnerPage"}
    page = doc["components"]["schemas"]["PartnerPage"]
    assert page["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Partner"}
    assert set(page["required"]) == {"items", "total", "limit", "offset", "next"}


def test_every_operation_documents_its_problems_and_its_security(doc):
    assert doc["openapi"].startswith("3.1")
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer",
                                                              "bearerFormat": "JWT"}
    assert doc["security"] == [{"bearer": []}]
    for route in ROUTES:
        responses = doc["paths"][route.path][route.method.lower()]["responses"]
        assert {str(route.status), "401", "403", "404", "409", "422", "500", "503"} <= set(responses)
    problem = doc["components"]["responses"]["422"]["content"]
    assert problem == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert doc["paths"]["/auth/token"]["post"]["security"] == []
