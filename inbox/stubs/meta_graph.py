"""A stand-in for the Meta Graph API's comment endpoints (Facebook Page and Instagram)."""

import itertools
import re
import threading

from .server import RecordedRequest, StubResponse, StubServer

_VERSION_PREFIX = re.compile(r"^/v\d+(?:\.\d+)?(?=/)")
_OBJECT_ID = r"[A-Za-z0-9_.:-]+"


def _graph_error(status: int, message: str, code: int, error_type: str = "OAuthException") -> StubResponse:
    return StubResponse(status, {"error": {"message": message, "type": error_type, "code": code}})


class MetaGraphApp:
    """Answers any /vNN.N/... path (or one without a version) like graph.facebook.com does.

    Keeps what happened: `replies` (object id, edge, message, new id), `hidden` (id -> bool)
    and `deleted` (ids), so tests and the demo can see the platform's state.
    """

    def __init__(self):
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.replies: list[dict] = []
        self.hidden: dict[str, bool] = {}
        self.deleted: set[str] = set()

    def handle(self, request: RecordedRequest) -> StubResponse | None:
        path = _VERSION_PREFIX.sub("", request.path)
        params = request.params
        if not params.get("access_token"):
            return _graph_error(400, "An active access token must be used to query information.", 2500)
        if match := re.fullmatch(rf"/({_OBJECT_ID})/(comments|replies)", path):
            if request.method != "POST":
                return StubResponse(200, {"data": []})
            if not params.get("message"):
                return _graph_error(400, "(#100) The parameter message is required", 100, "OAuthException")
            with self._lock:
                new_id = f"{match[1]}_{next(self._ids)}"
                self.replies.append(
                    {"object_id": match[1], "edge": match[2], "message": params["message"], "id": new_id}
                )
            return StubResponse(200, {"id": new_id})
        if match := re.fullmatch(rf"/({_OBJECT_ID})", path):
            object_id = match[1]
            if request.method == "DELETE":
                with self._lock:
                    self.deleted.add(object_id)
                return StubResponse(200, {"success": True})
            if request.method == "POST":
                flag = params.get("is_hidden", params.get("hide"))
                if flag not in ("true", "false"):
                    return _graph_error(400, "(#100) Nothing to update: pass is_hidden or hide", 100)
                with self._lock:
                    self.hidden[object_id] = flag == "true"
                return StubResponse(200, {"success": True})
        return None


class MetaGraphStub(StubServer):
    """A started-on-demand Graph API; point settings.META_GRAPH_API_BASE_URL at `base_url`."""

    def __init__(self, **kwargs):
        self.app = MetaGraphApp()
        super().__init__([self.app], **kwargs)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v21.0"
