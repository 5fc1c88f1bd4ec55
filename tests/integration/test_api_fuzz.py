"""schemathesis against our own OpenAPI document, over real HTTP, with a write-scope token.

Every operation gets generated requests (valid and invalid); none may answer 5xx or answer
anything the document does not describe (status, content type, body schema).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.integration.http import create_token

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES_PER_OPERATION = 40
MINIMUM_REQUESTS = 500


def test_generated_requests_never_break_the_server_or_the_document(app, runner, server):
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    headers = {"Authorization": f"Bearer {create_token(runner, 'write')}"}
    schema = schemathesis.openapi.from_url(f"{server}/api/v1/openapi.json", headers=headers)
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    sent: dict[str, int] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        exercise_operation(operation, server, headers, checks, sent)
    assert len(operations) >= 16 and set(sent) == {op.label for op in operations}
    print(f"schemathesis sent {sum(sent.values())} requests over {len(sent)} operations")
    assert sum(sent.values()) >= MINIMUM_REQUESTS, sent


def exercise_operation(operation, server: str, headers: dict, checks: list, sent: dict) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def exercise(case):
        response = case.call(base_url=server, headers=headers)
        case.validate_response(response, checks=checks, headers=headers)
        sent[operation.label] = sent.get(operation.label, 0) + 1

    exercise()
