"""Platform connectors behind one interface: see base.Connector."""

from .base import Connector, ConnectorError, connector_for_channel

__all__ = ["Connector", "ConnectorError", "connector_for_channel"]
