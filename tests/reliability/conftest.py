"""Reliability fixtures: the inbox's item factory and Graph API stub are reused, not copied."""

from tests.crises.conftest import contact_factory, on_call, policy_factory, shift_lead  # noqa: F401
from tests.inbox.conftest import meta_graph_stub, open_item_factory  # noqa: F401 (fixtures re-exported)
