"""schemathesis fuzzes every operation of the OpenAPI schema, in process through the WSGI app.

As an agent with MFA (token authentication, so POSTs are not stopped by CSRF before the
view runs) and as an anonymous caller: no response is a server error, and every response
matches the content type and body schema the API documents.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from communityops.models import Channel
from inbox.stubs import MetaGraphStub

CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
# Bounded so CI stays fast: every operation gets this many generated requests per caller.
# FUZZ_FULL=1 runs a deeper pass: more examples and schemathesis's coverage phase (boundary
# and unexpected values for every field), about five minutes on two cores.
FUZZ_FULL = os.environ.get("FUZZ_FULL") == "1"
AGENT_EXAMPLES = 100 if FUZZ_FULL else 15
ANONYMOUS_EXAMPLES = 20 if FUZZ_FULL else 5


@pytest.fixture
def agent_headers(agent_for, channel_factory, open_item_factory):
    """An agent with TOTP whose team serves a client with a few open items to hit."""
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)
    for number in range(3):
        open_item_factory(channel=channel, external_id=f"fuzz_{number}", thread_external_id="fuzzpost")
    agent = agent_for(channel.client)
    return {"Authorization": f"Token {Token.objects.create(user=agent).key}"}


def _schema(*, coverage_phase: bool):
    """The schema drf-spectacular generates from the code (no database needed), served by the WSGI app.

    The coverage phase (boundary and unexpected values for every field) runs for the agent
    with FUZZ_FULL=1; an anonymous caller is turned away first, so random fuzzing is enough there.
    """
    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = get_wsgi_application()
    loaded.config.phases.coverage.enabled = coverage_phase
    return loaded


agent_schema = _schema(coverage_phase=FUZZ_FULL)
anonymous_schema = _schema(coverage_phase=False)


@pytest.fixture(scope="module")
def graph_stub():
    """One Graph API stub for the module: replies the fuzzer gets accepted are sent on loopback."""
    with MetaGraphStub() as stub, override_settings(META_GRAPH_API_BASE_URL=stub.base_url):
        yield stub


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """As Django's test client does: the WSGI handler must not close the test's connection after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


FUZZ_SETTINGS = {"deadline": None, "suppress_health_check": list(HealthCheck), "derandomize": True}


@agent_schema.parametrize()
@settings(max_examples=AGENT_EXAMPLES, **FUZZ_SETTINGS)
def test_api_as_an_agent_with_mfa(case, agent_headers, graph_stub):
    case.call_and_validate(headers=agent_headers, checks=CHECKS)


@anonymous_schema.parametrize()
@settings(max_examples=ANONYMOUS_EXAMPLES, **FUZZ_SETTINGS)
def test_api_anonymously(case, db):
    case.call_and_validate(checks=CHECKS)
