"""Filters for the LOGGING setting."""

import logging


class TaskEnqueuedFilter(logging.Filter):
    """Drops django-q2's "Enqueued [communityops] 17", which it logs at INFO in the web process for
    every task a request queues (a webhook's ingest, a reply's send): one line per request that names
    neither the task nor the request. The worker's lines about running tasks stay; with LOG_LEVEL
    DEBUG django-q2's own "Pushed <task name>" still shows each enqueue."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.INFO and str(record.msg).startswith("Enqueued ["))
