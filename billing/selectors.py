"""What other apps may ask billing. The inbox asks exactly one thing: when is an item due?"""

from datetime import datetime, timedelta

from communityops.models import Client

DEFAULT_RESPONSE_TIME = timedelta(minutes=60)


def client_sla_due_at(*, client: Client, received_at: datetime) -> datetime:
    """The moment a reply is due for an item of `client` that arrived at `received_at`.

    Counts the promised response time only inside the client's covered hours.
    Until a client has a coverage plan: covered 24/7, due 60 minutes after arrival.
    """
    return received_at + DEFAULT_RESPONSE_TIME
