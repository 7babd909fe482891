"""What the tests share: the stack under test (HOOKLINE_URL, HOOKLINE_ADMIN_TOKEN) and a local receiver."""
import json
import os
import queue
import threading
import unittest
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hookline import Hookline


def admin() -> Hookline:
    url, token = os.environ.get("HOOKLINE_URL"), os.environ.get("HOOKLINE_ADMIN_TOKEN")
    if not url or not token:
        raise unittest.SkipTest("HOOKLINE_URL and HOOKLINE_ADMIN_TOKEN name the stack these tests run against")
    return Hookline(url, token)


def new_tenant(client: Hookline):
    tenant_id = f"py-{uuid.uuid4().hex[:10]}"
    created = client.create_tenant(tenant_id, name="Python client test")
    return tenant_id, client.with_token(created["apiKey"])


class Receiver:
    """An HTTP server on 127.0.0.1 that answers `status` and queues (headers, raw body) per request."""

    def __init__(self, status: int = 204):
        self.requests: "queue.Queue" = queue.Queue()
        received, answer = self.requests, status

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                received.put(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(answer)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def next(self, timeout: float = 20.0):
        headers, body = self.requests.get(timeout=timeout)
        return headers, body, json.loads(body)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
