"""Platform connectors behind one interface: see base.Connector."""

from .base import REPLY_MAX_LENGTH, Connector, ConnectorError, connector_class, connector_for_channel, reply_length

__all__ = [
    "REPLY_MAX_LENGTH",
    "Connector",
    "ConnectorError",
    "connector_class",
    "connector_for_channel",
    "reply_length",
]
