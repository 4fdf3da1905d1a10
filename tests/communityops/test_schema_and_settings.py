import importlib
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import Failure, OrmQ, Task
from django_q.monitor import save_task
from drf_spectacular.generators import SchemaGenerator

from communityops.demo import seed_core
from communityops.mail import ReadableConsoleEmailBackend
from communityops.management.commands.devstack import stack_environment
from communityops.models import Channel
from communityops.settings import base as base_settings
from inbox.management.commands import demo_feeder
from insights.reports import TeamReport
from tests.production import run_in_production


def test_openapi_schema_validates_without_warnings(db, tmp_path):
    """drf-spectacular's own validation; --fail-on-warn turns every warning into a failure."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert (tmp_path / "schema.yaml").stat().st_size > 1000


def test_every_api_operation_is_described_in_its_own_words(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        f"{method.upper()} {path}": operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    descriptions = [operation.get("description", "") for operation in operations.values()]

    assert [name for name, operation in operations.items() if not operation.get("description")] == []
    assert "refusals" not in " ".join(descriptions)  # the inbox base view's note is not an endpoint's
    team_table = operations["GET /api/reports/team/{table}/"]["parameters"]
    assert sorted(next(p for p in team_table if p["name"] == "table")["schema"]["enum"]) == sorted(
        TeamReport.TABLE_KEYS
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = run_in_production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_public_address_and_host_names():
    """Without them mails would link to 127.0.0.1 and only localhost would be served."""
    result = run_in_production(["manage.py", "check"], ALLOWED_HOSTS=None, SITE_URL="")

    assert result.returncode != 0
    assert "Production needs ALLOWED_HOSTS, SITE_URL in the environment" in result.stderr


def test_seed_demo_refuses_under_production_settings():
    """The demo's accounts have a published password and TOTP secret (README): never in production."""
    result = run_in_production(["manage.py", "seed_demo"])

    assert result.returncode == 1
    assert "seed no demo" in result.stderr
    assert "Demo agency ready" not in result.stdout


def test_the_task_log_keeps_failed_runs_and_skips_successful_ones(db):
    """Q_CLUSTER save_limit -1: outcomes live in our own rows; django-q2 logs only failures."""
    finished = timezone.now()
    for number, success in enumerate((True, False)):
        task = {"id": f"task-{number}", "name": f"run {number}", "func": "math.floor", "args": (1.5,), "kwargs": {}}
        save_task({**task, "started": finished, "stopped": finished, "result": None, "success": success}, get_broker())

    assert list(Task.objects.values_list("name", "success")) == [("run 1", False)]


def test_a_task_that_keeps_failing_is_handed_out_at_most_max_attempts_times(db):
    """django-q2's default (max_attempts 0) hands a task that always fails or times out out again
    every `retry` seconds, forever; the settings cap it. The monitor's save_task takes it off the
    ORM queue at the cap."""
    broker = get_broker()
    queued = broker.enqueue("a signed task package")
    finished = timezone.now()
    run = {"id": "always-fails", "name": "always fails", "func": "math.floor", "args": (), "kwargs": {}}
    still_queued = []
    for _attempt in range(5):
        still_queued.append(OrmQ.objects.filter(pk=queued).exists())
        failed = {**run, "started": finished, "stopped": finished, "result": "Task exceeded maximum timeout value"}
        save_task({**failed, "success": False, "ack_id": queued}, broker)

    assert base_settings.Q_CLUSTER["max_attempts"] == Conf.MAX_ATTEMPTS == 5
    assert base_settings.Q_CLUSTER["timeout"] < base_settings.Q_CLUSTER["retry"]
    assert still_queued == [True] * 5
    assert not OrmQ.objects.filter(pk=queued).exists()
    assert Failure.objects.get(name="always fails").attempt_count == 5


@pytest.mark.parametrize("variable", ["INBOX_RAW_WEBHOOK_RETENTION_DAYS", "TASK_FAILURE_RETENTION_DAYS"])
def test_a_retention_below_one_day_is_refused(monkeypatch, variable):
    monkeypatch.setenv(variable, "0")
    with pytest.raises(ImproperlyConfigured, match=f"{variable} must be at least 1"):
        importlib.reload(base_settings)
    monkeypatch.delenv(variable)
    importlib.reload(base_settings)


def test_devstack_links_point_at_the_address_it_serves_unless_site_url_is_set(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    served = stack_environment("127.0.0.1:8411")["SITE_URL"]
    monkeypatch.setenv("SITE_URL", "https://ops.agency.example")

    assert served == "http://127.0.0.1:8411"
    assert stack_environment("127.0.0.1:8411")["SITE_URL"] == "https://ops.agency.example"


def test_the_demo_feeder_posts_to_the_port_devstack_serves(settings):
    settings.SITE_URL = "http://127.0.0.1:8123"
    served = demo_feeder._site_port()
    settings.SITE_URL = "https://ops.agency.example"

    assert served == 8123
    assert demo_feeder._site_port() == 8000


def test_the_demo_blogs_point_at_the_configured_stub_port(settings, db):
    settings.DEMO_STUB_PORT = 8877

    seed_core(stdout=io.StringIO())

    blogs = Channel.objects.filter(platform=Channel.Platform.WORDPRESS_BLOG).values_list("api_base_url", flat=True)
    assert blogs and all(url.startswith("http://127.0.0.1:8877/wp/") for url in blogs)


def test_development_mails_print_whole_links_and_readable_umlauts():
    stream = io.StringIO()
    link = "http://127.0.0.1:8000/accounts/password/reset/key/" + "x" * 90 + "/"
    message = EmailMessage(
        subject="Passwort zurücksetzen", body=f"Grüße! Ihr Link:\n{link}\n", to=["anna@agentur.example"]
    )

    ReadableConsoleEmailBackend(stream=stream).send_messages([message])

    printed = stream.getvalue()
    assert "To: anna@agentur.example\nSubject: Passwort zurücksetzen\n\nGrüße! Ihr Link:\n" in printed
    assert link in printed
