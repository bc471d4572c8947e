"""A fake SMS provider on 127.0.0.1 for the R2/R4 tests: a real HTTP server in a thread that
checks the request signature, deduplicates by message id like a provider must, and misbehaves
on cue (HTTP 500, a hang past the client's timeout, a block until the test lets go)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from shoulian.notify.gateways import verify_signature

KEY = "test-app-key"
SECRET = "test-app-secret-0123456789"  # noqa: S105 - the fake provider's own test secret


class FakeProvider:
    """``script`` is consumed one entry per request: "ok", "fail" (HTTP 500), "hang" (accept the
    message, then answer only after ``hang_seconds``), "block" (accept, then wait for
    ``release``). When the script runs out every request is "ok"."""

    def __init__(self, script: list[str] | None = None, hang_seconds: float = 2.0) -> None:
        self.script = list(script or [])
        self.hang_seconds = hang_seconds
        self.seen: list[str] = []  # message id of every request that passed the signature check
        self.delivered: Counter[str] = Counter()  # what reached a phone: once per message id
        self.bad_signatures = 0
        self.first_request = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/sms/send"

    def _next(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"

    def handle(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, Any]]:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        headers = handler.headers
        if headers.get("X-Sms-Key") != KEY or not verify_signature(
            SECRET,
            headers.get("X-Sms-Timestamp", ""),
            headers.get("X-Sms-Nonce", ""),
            body,
            headers.get("X-Sms-Signature", ""),
        ):
            with self.lock:
                self.bad_signatures += 1
            return 401, {"error": "bad signature"}
        payload = json.loads(body)
        message_id = payload["message_id"]
        action = self._next()
        with self.lock:
            self.seen.append(message_id)
        self.first_request.set()
        if action == "fail":
            return 500, {"error": "temporarily unavailable"}
        with self.lock:
            duplicate = self.delivered[message_id] > 0
            if not duplicate:
                self.delivered[message_id] += 1
        if action == "hang":
            time.sleep(self.hang_seconds)
        elif action == "block":
            self.release.wait(60)
        return 200, {"id": f"fake-{message_id[:8]}", "duplicate": duplicate}


@contextmanager
def running(provider: FakeProvider) -> Iterator[FakeProvider]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            status, answer = provider.handle(self)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (timeout) or was killed; the provider has the message

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    provider.server = server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        provider.release.set()
        server.shutdown()
        server.server_close()
