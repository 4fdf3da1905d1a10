"""Every response names its request (X-Request-ID) and so does every log line the request causes,
the proxy's id when it sends a well-formed one."""

import io
import logging

import pytest

from communityops.request_ids import RequestIdFilter


@pytest.fixture
def console_log():
    """What the LOGGING setting's console handler writes, formatted as in production."""
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, RequestIdFilter) for f in h.filters))
    written = io.StringIO()
    original = handler.setStream(written)
    yield written
    handler.setStream(original)


def test_the_proxys_request_id_is_on_the_response_and_the_log_line(client, db, console_log):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="proxy-7f3a.19")

    assert response["X-Request-ID"] == "proxy-7f3a.19"
    assert " WARNING django.request " in console_log.getvalue()
    assert "[proxy-7f3a.19] Not Found: /no-such-page/" in console_log.getvalue()


def test_a_request_without_a_well_formed_id_gets_one_of_its_own(client, db, console_log):
    forged = "x] ERROR forged line\n2026-01-01"

    first = client.get("/no-such-page/", HTTP_X_REQUEST_ID=forged)["X-Request-ID"]
    second = client.get("/no-such-page/")["X-Request-ID"]

    assert len({first, second}) == 2 and all(len(request_id) == 32 for request_id in (first, second))
    assert f"[{first}] Not Found" in console_log.getvalue()
    assert "forged" not in console_log.getvalue()


def test_log_lines_outside_a_request_say_so(console_log):
    logging.getLogger("django-q").warning("a worker's line")

    assert "[-] a worker's line" in console_log.getvalue()
