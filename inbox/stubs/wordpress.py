"""A stand-in for one WordPress site's REST comments endpoints (wp-json/wp/v2/comments)."""

import base64
import itertools
import math
import re
import threading
from datetime import UTC, datetime

from .server import RecordedRequest, StubResponse, StubServer

# WP's ?status= list filter uses "approve", a comment's status field says "approved".
_LIST_STATUS = {"approve": "approved", "approved": "approved", "hold": "hold", "spam": "spam", "trash": "trash"}
_SET_STATUS = {"approve": "approved", "approved": "approved", "1": "approved", "hold": "hold", "0": "hold"} | {
    "spam": "spam",
    "trash": "trash",
}


def _wp_error(status: int, code: str, message: str) -> StubResponse:
    return StubResponse(status, {"code": code, "message": message, "data": {"status": status}})


class WordPressApp:
    """One blog under `prefix` (e.g. "/wp/brauhaus-isartal"); comments live in memory.

    Requires HTTP Basic auth with `username`/`password` when given (application password).
    """

    def __init__(self, *, prefix: str = "", username: str | None = None, password: str | None = None):
        self.prefix = prefix.rstrip("/")
        self.username = username
        self.password = password
        self.comments: dict[int, dict] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def comment_add(
        self,
        *,
        post: int,
        content: str,
        author_name: str = "Gast",
        author_email: str = "",
        status: str = "hold",
        parent: int = 0,
        date: datetime | None = None,
        author: int = 0,
        comment_id: int | None = None,
    ) -> dict:
        """A comment as WordPress stores it, numbered by the blog unless `comment_id` is given."""
        date = (date or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        with self._lock:
            comment_id = comment_id or next(self._ids)
            comment = {
                "id": comment_id,
                "post": post,
                "parent": parent,
                "author": author,
                "author_name": author_name,
                "author_email": author_email,
                "author_url": "",
                "date": date.replace(tzinfo=None).isoformat(),
                "date_gmt": date.replace(tzinfo=None).isoformat(),
                "content": {"rendered": f"<p>{content}</p>\n", "raw": content},
                "link": f"https://blog.example{self.prefix}/?p={post}#comment-{comment_id}",
                "status": status,
                "type": "comment",
            }
            self.comments[comment_id] = comment
        return comment

    def _authorized(self, request: RecordedRequest) -> bool:
        if self.username is None:
            return True
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return request.header("authorization") == f"Basic {expected}"

    def handle(self, request: RecordedRequest) -> StubResponse | None:
        base = f"{self.prefix}/wp-json/wp/v2/comments"
        if not request.path.startswith(base):
            return None
        if not self._authorized(request):
            return _wp_error(401, "rest_not_logged_in", "You are not currently logged in.")
        rest = request.path[len(base) :]
        if rest in ("", "/"):
            if request.method == "GET":
                return self._list(request)
            if request.method == "POST":
                return self._create(request)
        if match := re.fullmatch(r"/(\d+)", rest):
            comment = self.comments.get(int(match[1]))
            if comment is None:
                return _wp_error(404, "rest_comment_invalid_id", "Invalid comment ID.")
            if request.method == "GET":
                return StubResponse(200, comment)
            if request.method in ("POST", "PUT", "PATCH"):
                status = _SET_STATUS.get(str(request.params.get("status", "")))
                if status is None:
                    return _wp_error(400, "rest_invalid_param", "Invalid parameter(s): status")
                with self._lock:
                    comment["status"] = status
                return StubResponse(200, comment)
            if request.method == "DELETE":
                with self._lock:
                    self.comments.pop(comment["id"], None)
                return StubResponse(200, {"deleted": True, "previous": comment})
        return _wp_error(404, "rest_no_route", "No route was found matching the URL and request method.")

    def _list(self, request: RecordedRequest) -> StubResponse:
        query = request.query
        status = _LIST_STATUS.get(query.get("status", "approve"))
        if status is None:
            return _wp_error(400, "rest_invalid_param", "Invalid parameter(s): status")
        per_page = min(int(query.get("per_page", 10)), 100)
        page = int(query.get("page", 1))
        with self._lock:
            found = [comment for comment in self.comments.values() if comment["status"] == status]
        if after := query.get("after"):
            found = [comment for comment in found if comment["date_gmt"] > after]
        found.sort(key=lambda comment: (comment["date_gmt"], comment["id"]), reverse=query.get("order") != "asc")
        total_pages = max(math.ceil(len(found) / per_page), 1)
        if page > total_pages and found:
            return _wp_error(
                400,
                "rest_post_invalid_page_number",
                "The page number requested is larger than the number of pages available.",
            )
        chunk = found[(page - 1) * per_page : page * per_page]
        return StubResponse(200, chunk, {"X-WP-Total": str(len(found)), "X-WP-TotalPages": str(total_pages)})

    def _create(self, request: RecordedRequest) -> StubResponse:
        params = request.params
        if not params.get("post") or not params.get("content"):
            return _wp_error(400, "rest_missing_callback_param", "Missing parameter(s): post, content")
        parent = int(params.get("parent") or 0)
        if parent and parent not in self.comments:
            return _wp_error(400, "rest_comment_invalid_parent", "Invalid parent ID.")
        comment = self.comment_add(
            post=int(params["post"]),
            parent=parent,
            content=str(params["content"]),
            author_name=self.username or "admin",
            status="approved",
            author=1,
        )
        return StubResponse(201, comment)


class WordPressStub(StubServer):
    """One blog at the server root; `base_url` is the channel's api_base_url."""

    def __init__(self, *, username: str | None = None, password: str | None = None, **kwargs):
        self.site = WordPressApp(username=username, password=password)
        super().__init__([self.site], **kwargs)

    @property
    def base_url(self) -> str:
        return self.url
