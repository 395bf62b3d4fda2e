"""The OpenAPI schema at /api/schema/: valid OpenAPI 3 (checked by a validator), every route of
the API in it, and every response code each operation can return: 401, 403, 404 and 429 (with
Retry-After) everywhere, 400 wherever input is read, 415 wherever a body is, and 409 wherever a
view answers a version conflict."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_spec_validator import validate
from rest_framework.schemas.generators import EndpointEnumerator

OPERATIONS = ("get", "put", "patch", "post", "delete")
PREFIX = "/api/v1/o/{org_slug}/"


def generated() -> dict[str, Any]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return dict(json.loads(OpenApiJsonRenderer().render(schema, renderer_context={})))


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    # Built once for the module: the schema does not depend on the data.
    return generated()


def test_the_schema_is_served_at_api_schema(db: None, schema: dict[str, Any]) -> None:
    response = Client().get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response.json() == schema


def operations(schema: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, item in schema["paths"].items()
        if path.startswith(PREFIX)
        for method, operation in item.items()
        if method in OPERATIONS
    }


def test_the_schema_is_valid_openapi_3(schema: dict[str, Any]) -> None:
    validate(schema)
    assert schema["openapi"] == "3.0.3"


def test_every_route_of_the_api_is_documented(schema: dict[str, Any]) -> None:
    # DRF's own walk of the URLconf, independent of the schema generator's.
    routes = {
        (method, path.replace("{pk}", "{id}"))
        for path, method, _callback in EndpointEnumerator().get_api_endpoints()
        if path.startswith(PREFIX)
    }

    assert len(routes) > 100
    assert set(operations(schema)) == routes


def test_every_operation_documents_401_403_404_and_429_with_retry_after(
    schema: dict[str, Any],
) -> None:
    missing = {
        f"{method} {path}": sorted({"401", "403", "404", "429"} - set(op["responses"]))
        for (method, path), op in operations(schema).items()
        if not {"401", "403", "404", "429"} <= set(op["responses"])
    }
    without_retry_after = [
        f"{method} {path}"
        for (method, path), op in operations(schema).items()
        if "Retry-After" not in op["responses"]["429"].get("headers", {})
    ]

    assert missing == {}
    assert without_retry_after == []


def test_every_write_documents_400_and_every_body_415(schema: dict[str, Any]) -> None:
    ops = operations(schema)
    writes = {key: op for key, op in ops.items() if key[0] != "GET"}
    with_body = {key: op for key, op in writes.items() if key[0] != "DELETE"}

    assert [key for key, op in writes.items() if "400" not in op["responses"]] == []
    assert [key for key, op in with_body.items() if "415" not in op["responses"]] == []


def test_every_list_with_query_parameters_documents_400(schema: dict[str, Any]) -> None:
    # page and page_size never refuse (a page past the end is 404, a size is capped).
    paging = {"page", "page_size"}
    filtered = {
        key: op
        for key, op in operations(schema).items()
        if key[0] == "GET"
        and {p["name"] for p in op.get("parameters", []) if p["in"] == "query"} - paging
    }

    assert ("GET", f"{PREFIX}commitments/") in filtered
    assert [key for key, op in filtered.items() if "400" not in op["responses"]] == []


def test_every_error_answer_is_in_the_one_error_format(schema: dict[str, Any]) -> None:
    wrong = [
        (method, path, code)
        for (method, path), op in operations(schema).items()
        for code, response in op["responses"].items()
        if code >= "400"
        and not response["content"]["application/json"]["schema"]["$ref"].endswith(
            ("/Error", "ConflictError", "Conflict")
        )
    ]

    assert wrong == []
    assert schema["components"]["schemas"]["Error"]["properties"]["error"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
    assert sorted(schema["components"]["schemas"]["ErrorBody"]["required"]) == [
        "code",
        "fields",
        "message",
    ]


def _answers_conflicts(callback: Any, http_method: str) -> bool:
    # A viewset routes each HTTP method to an action; a plain APIView handles it by its name.
    actions = getattr(callback, "actions", None) or {http_method: http_method}
    view_class, action = callback.cls, actions[http_method]
    method = getattr(view_class, action, None)
    if method is None:
        return False
    source = inspect.getsource(method)
    if "self.update(" in source:  # DRF's partial_update hands over to update
        source += inspect.getsource(view_class.update)
    return "self.conflict(" in source


def test_every_operation_that_answers_a_version_conflict_documents_409(
    schema: dict[str, Any],
) -> None:
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    # drf-spectacular's endpoints carry the path regex too: (path, regex, method, view).
    endpoints: list[tuple[str, str, str, Any]] = list(generator.endpoints or [])  # type: ignore[arg-type]
    conflicting = {
        (method, path.replace("{pk}", "{id}"))
        for path, _regex, method, callback in endpoints
        if path.startswith(PREFIX) and _answers_conflicts(callback, method.lower())
    }
    documented = {key for key, op in operations(schema).items() if "409" in op["responses"]}

    assert conflicting == {
        ("PUT", f"{PREFIX}key-actions/{{id}}/"),
        ("PATCH", f"{PREFIX}key-actions/{{id}}/"),
        ("PATCH", f"{PREFIX}commitments/{{id}}/"),
    }
    assert documented == conflicting


def test_updated_since_is_a_documented_date_time(schema: dict[str, Any]) -> None:
    parameter = next(
        p
        for p in schema["paths"][f"{PREFIX}commitments/"]["get"]["parameters"]
        if p["name"] == "updated_since"
    )

    assert parameter["in"] == "query"
    assert parameter["schema"] == {"type": "string", "format": "date-time"}
    assert parameter["description"].startswith("Incremental sync")
