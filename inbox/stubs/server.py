"""A tiny threaded HTTP server on loopback that routes requests to stub "apps" and records them."""

import json
import logging
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

logger = logging.getLogger("inbox.stubs")


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    failed_on_purpose: bool = False

    @property
    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode()))

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def params(self) -> dict[str, str]:
        """Query, form or JSON body fields merged, as a platform would read them."""
        merged = dict(self.query)
        content_type = self.headers.get("content-type", "")
        if "json" in content_type and isinstance(self.json, dict):
            merged.update({key: value for key, value in self.json.items()})
        elif "form" in content_type:
            merged.update(self.form)
        return merged

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class StubResponse:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class StubApp(Protocol):
    def handle(self, request: RecordedRequest) -> StubResponse | None:
        """Answer the request, or None when it is not for this app."""


class StubServer:
    """ThreadingHTTPServer on 127.0.0.1 (port 0 = any free port) serving `apps` in order."""

    def __init__(self, apps: list[StubApp], *, host: str = "127.0.0.1", port: int = 0):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("Stub servers listen on loopback only.")
        self.apps = apps
        self.host = host
        self.port = port
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._fail_count = 0
        self._fail_status = 500
        self._fail_body: Any = None
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control -------------------------------------------------------------------
    def fail_next(self, count: int = 1, *, status: int = 500, body: Any = None) -> None:
        """The next `count` requests get `status` with `body` (default: a Graph-style error)."""
        with self._lock:
            self._fail_count = count
            self._fail_status = status
            self._fail_body = body or {
                "error": {
                    "message": f"Stub failure {status}",
                    "type": "OAuthException",
                    "code": 2,
                    "is_transient": True,
                }
            }

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._fail_count = 0

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start the stub server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # -- lifecycle -----------------------------------------------------------------
    def start(self) -> "StubServer":
        self._httpd = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="stub-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "StubServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- request handling ----------------------------------------------------------
    def dispatch(self, *, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> StubResponse:
        parsed = urllib.parse.urlsplit(raw_path)
        query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        with self._lock:
            failing = self._fail_count > 0
            if failing:
                self._fail_count -= 1
            request = RecordedRequest(method, parsed.path, query, headers, body, failed_on_purpose=failing)
            self.requests.append(request)
        response = StubResponse(self._fail_status, self._fail_body) if failing else self._route(request)
        logger.info("stub %s %s -> %s", method, raw_path, response.status)
        return response

    def _route(self, request: RecordedRequest) -> StubResponse:
        for app in self.apps:
            try:
                response = app.handle(request)
            except (ValueError, KeyError, TypeError) as error:
                return StubResponse(400, {"code": "rest_invalid_param", "message": f"Bad request: {error}"})
            if response is not None:
                return response
        return StubResponse(404, {"error": {"message": f"Unknown path {request.path}", "code": 803}})


def _handler_for(stub: StubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {key.lower(): value for key, value in self.headers.items()}
            response = stub.dispatch(method=self.command, raw_path=self.path, headers=headers, body=body)
            payload = b"" if response.body is None else json.dumps(response.body).encode()
            self.send_response(response.status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _serve

        def log_message(self, format, *args) -> None:  # noqa: A002 (the stdlib's signature)
            pass  # dispatch() logs each request once, through logging

    return Handler
