"""Local stand-ins for the platforms (Meta Graph API, WordPress REST), for tests and the demo.

They speak the documented request and response shapes, listen on 127.0.0.1 only,
record every request, and can be told to fail the next N requests.
"""

from .meta_graph import MetaGraphApp, MetaGraphStub
from .server import RecordedRequest, StubResponse, StubServer
from .wordpress import WordPressApp, WordPressStub

__all__ = [
    "MetaGraphApp",
    "MetaGraphStub",
    "RecordedRequest",
    "StubResponse",
    "StubServer",
    "WordPressApp",
    "WordPressStub",
]
