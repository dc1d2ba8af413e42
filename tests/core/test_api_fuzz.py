"""Schemathesis over the API's own OpenAPI schema (issue 14, point 8): generated requests,
valid (positive) and invalid (negative), for every operation; none may answer 5xx or a status the schema does not
document. Bounded in count and time so that it runs in the ordinary suite, on both engines."""

import time
import warnings

from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.openapi import from_dict

from tests.core.test_api import bearer
from tremplin.services import households as hh

EXAMPLES = 20  # per operation
BUDGET_SECONDS = 120


def _cases(schema_dict: dict) -> list:
    """Draw the cases first (Hypothesis runs synchronously), then replay them on the app."""
    schema = from_dict(schema_dict)
    cases = []
    for result in schema.get_all_operations():
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            cases.extend(_draw(result.ok(), mode))
    return cases


def _draw(operation, mode) -> list:
    drawn = []

    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        derandomize=True,  # the same requests on every run: a failure reproduces
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def collect(case):
        drawn.append((operation, case))

    collect()
    return drawn


async def test_no_5xx_and_no_undocumented_status(app, client, users):
    household_id = await hh.create_household(hh.Actor(None), {"name": "FUZZ Ana"})
    await hh.create_household(hh.Actor(None), {"name": "FUZZ Bea"})
    headers = await bearer(users)
    schema = (await client.get("/api/schema/openapi.json", headers=headers)).json()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = _cases(schema)
    assert len({(op.method, op.path) for op, _ in cases}) >= 14
    problems = []
    started = time.monotonic()
    sent = 0
    statuses: dict[int, int] = {}
    for operation, case in cases:
        if time.monotonic() - started > BUDGET_SECONDS:
            break
        kwargs = case.as_transport_kwargs(base_url="http://testserver.local")
        request_headers = {k: v for k, v in (kwargs.get("headers") or {}).items()}
        request_headers.update(headers)
        request_headers.pop("X-Schemathesis-TestCaseId", None)
        extra = {}
        if "json" in kwargs:
            extra["json"] = kwargs["json"]
        elif kwargs.get("data") is not None:
            extra["content"] = kwargs["data"]
        response = await client.request(
            kwargs["method"],
            kwargs["url"],
            params=kwargs.get("params"),
            headers=request_headers,
            **extra,
        )
        sent += 1
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        documented = set(operation.definition.raw.get("responses", {}))
        status = response.status_code
        if status >= 500 or str(status) not in documented:
            problems.append(f"{kwargs['method']} {kwargs['url']} → {status}")
    assert sent >= 200
    assert problems == [], problems[:10]
    print(f"schemathesis: {sent} requests, statuses {sorted(statuses.items())}")
    # The seeded household was not damaged by the generated writes beyond what the API allows.
    assert await hh.Household.exists().where(hh.Household.id == household_id)
