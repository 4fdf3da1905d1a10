"""The task worker's log reads English in a German installation: it is for operators.

django-q2 translates its log lines into the active language, in its processes LANGUAGE_CODE
("… wurde verarbeitet" beside our English ones). locale_overrides keeps each of them English
(msgstr = msgid), so nothing else changes language: neither the tasks' own texts nor the admin's.
"""

import ast
import logging
import os
from multiprocessing import current_process
from pathlib import Path

import django_q
import pytest
from django.utils import translation
from django_q.models import OrmQ
from django_q.tasks import async_task

# The modules whose `_()` strings are log lines of the cluster's processes.
WORKER_SIDE_MODULES = ("cluster", "worker", "monitor", "pusher", "scheduler", "timeout", "signals")


def _worker_side_log_msgids() -> list[str]:
    msgids = []
    for module in WORKER_SIDE_MODULES:
        tree = ast.parse((Path(django_q.__file__).parent / f"{module}.py").read_text())
        msgids += [
            node.args[0].value
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
        ]
    return msgids


@pytest.mark.django_db
def test_a_task_run_logs_english_in_a_german_installation(settings, caplog):
    settings.LANGUAGE_CODE = "de"
    name, pid = current_process().name, os.getpid()

    # Q_CLUSTER "sync" in tests: the worker and the monitor run here, as in a cluster's processes.
    with translation.override("de"), caplog.at_level(logging.INFO, logger="django-q"):
        async_task("math.floor", 1.5, task_name="floor-task")

    assert [record.getMessage() for record in caplog.records if record.name == "django-q"] == [
        f"{name} ready for work at {pid}",
        f"{name} processing floor-task 'math.floor'",
        f"{name} stopped doing work",
        f"{name} monitoring at {pid}",
        "Processed 'math.floor' (floor-task)",  # "… wurde verarbeitet" before
        f"{name} stopped monitoring results",
    ]


def test_every_log_line_of_the_cluster_reads_english_in_german():
    """A django-q2 upgrade that adds or rewords a log line (and its German) fails here until
    locale_overrides/de/LC_MESSAGES/django.po keeps it English too."""
    msgids = _worker_side_log_msgids()

    with translation.override("de"):
        german = {msgid: translation.gettext(msgid) for msgid in msgids}

    assert len(msgids) > 25
    assert {msgid: text for msgid, text in german.items() if text != msgid} == {}


@pytest.mark.django_db
def test_queueing_a_task_logs_nothing_at_info(caplog):
    """django-q2 logs "Enqueued [communityops] N" at INFO in the web process for every task a
    request queues; the LOGGING filter keeps it out of production's log."""
    with caplog.at_level(logging.INFO):
        async_task("math.floor", 1.5, task_name="floor-task", sync=False)  # queued, as a web process does

    assert OrmQ.objects.count() == 1
    assert [record.getMessage() for record in caplog.records if record.name == "django-q"] == []
