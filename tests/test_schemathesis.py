"""schemathesis against the live schema, in-process: every operation of /api/v1/o/{org_slug}/
is called with generated requests, valid and invalid, by a read-write staff token of a seeded
organization, and every answer must be no server error, a status the schema documents for the
operation, of the documented media type, with a body that matches the schema.

Bounded and repeatable: a few examples per operation and kind, derandomized, no example
database, every phase but generation off. One test per operation, so a failure names it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from initiatives.tests.test_api_common import (  # noqa: F401 (the fixtures agenda, frozen)
    NOW,
    agenda_fixture,
    frozen_fixture,
)
from metrics.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    IndicatorFactory,
    PerformanceMeasureFactory,
)
from tests.factories import APITokenFactory
from workplans.models import Channel, HelpRequest
from workplans.tests.test_api_common import Plan, plan_fixture  # noqa: F401 (the fixture plan)

KEY = "bb_schemathesis-staff"
AUTH = {"Authorization": f"Token {KEY}"}
# Per operation and per kind (valid, invalid): enough to reach each operation's checks and
# refusals, few enough that the whole API takes a minute or two on a small machine.
EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

load_all_checks()


class _TestWSGIHandler(WSGIHandler):
    """The app as Django's test client runs it: a request's start and end must not close the
    database connection, which holds the test's transaction (on PostgreSQL, closing it ends
    the test). The response is read and closed while the signal is off, as the client does."""

    def __call__(self, environ: Any, start_response: Any) -> Any:
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            response = super().__call__(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


def _load_schema() -> Any:
    """The schema /api/schema/ serves, read the way a client reads it (JSON)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    raw = json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))
    config = schemathesis.Config.from_dict({"seed": 20260302})
    schema = schemathesis.openapi.from_dict(raw, config=config)
    schema.app = _TestWSGIHandler()
    return schema


SCHEMA = _load_schema()
OPERATIONS = [
    result.ok()
    for result in SCHEMA.get_all_operations()
    if result.ok().path.startswith("/api/v1/o/{org_slug}/")
]


@pytest.fixture
def token(plan: Plan, settings: Any) -> None:
    """The seeded organization: the common agenda, tables, workplans, meetings and commitments
    of `plan`, and measurement (an indicator with everyone's value and a group's, a performance
    measure with a value) and a help request, so that answers carry every shape of object."""
    # Hundreds of requests in seconds: the rate is tested elsewhere, not here.
    settings.BACKBONE_API_RATE = "1000000/min"
    agenda = plan.agenda
    indicator = IndicatorFactory(result=agenda.result, name="Third graders reading at grade level")
    group = CategoryFactory(dimension=DimensionFactory(initiative=agenda.initiative))
    DataPointFactory(indicator=indicator, value=Decimal("41.5"))
    DataPointFactory(indicator=indicator, category=group, value=Decimal("33.0"))
    measure = PerformanceMeasureFactory(initiative=agenda.initiative, strategy=agenda.strategy)
    DataPointFactory(indicator=None, measure=measure, organization=agenda.personas.org)
    commitment = plan.partner_commitment
    HelpRequest.objects.create(
        organization=commitment.organization,
        initiative=agenda.initiative,
        table=commitment.table,
        commitment=commitment,
        person=commitment.person,
        kind=HelpRequest.Kind.NEED_HELP,
        channel=Channel.EMAIL_REPLY,
        text="Who has a key to the library room?",
    )
    APITokenFactory(
        organization=agenda.personas.org, user=agenda.personas.staff, key=KEY, last_used_at=NOW
    )


def test_every_api_operation_is_fuzzed() -> None:
    assert len(OPERATIONS) == len(
        [
            (path, method)
            for path, item in SCHEMA.raw_schema["paths"].items()
            if path.startswith("/api/v1/o/")
            for method in item
            if method in ("get", "post", "put", "patch", "delete")
        ]
    )
    assert len(OPERATIONS) > 100


@pytest.mark.parametrize(
    "operation", OPERATIONS, ids=[f"{op.method.upper()} {op.path[20:]}" for op in OPERATIONS]
)
def test_the_api_answers_as_its_schema_says(operation: Any, token: None) -> None:
    fixed: dict[str, Any] = {"path_parameters": {"org_slug": "lakeshore"}, "headers": AUTH}
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, **fixed),
        operation.as_strategy(GenerationMode.NEGATIVE, **fixed),
    )

    @hypothesis.settings(
        max_examples=2 * EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=cases)
    def answers_as_documented(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=CHECKS)

    answers_as_documented()
