import json
import threading
import time
import unittest
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hookline import OPERATIONS, Hookline, HooklineError, WebhookVerificationError, basic_auth, oauth2_auth, verify, verify_asymmetric

from .support import Receiver, admin, new_tenant

UNDOCUMENTED_OK = set()


class ClientMatchesTheApi(unittest.TestCase):
    def test_every_operation_of_the_openapi_document_has_a_method_and_no_method_calls_a_missing_one(self):
        client = admin()
        with urllib.request.urlopen(client.base_url + "/openapi.json", timeout=10) as res:
            document = json.load(res)
        documented = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
        implemented = set(OPERATIONS)
        self.assertEqual(sorted(documented - implemented), [], "operations the client lacks")
        self.assertEqual(sorted(implemented - documented), [], "operations the document lacks")


class DeliversAndVerifies(unittest.TestCase):
    def setUp(self):
        self.admin = admin()
        self.tenant_id, self.tenant = new_tenant(self.admin)
        self.receiver = Receiver()

    def tearDown(self):
        self.receiver.close()
        self.admin.delete_tenant(self.tenant_id)

    def test_a_published_event_arrives_signed_and_verify_accepts_only_the_untouched_body(self):
        endpoint = self.tenant.create_endpoint(self.receiver.url, events=["signing.completed"], description="py")
        event_id = f"evt-{uuid.uuid4().hex[:8]}"
        self.assertEqual(self.admin.publish(self.tenant_id, "signing.completed", {"documentId": "doc_1"}, id=event_id)["id"], event_id)
        headers, body, payload = self.receiver.next()
        self.assertEqual(payload["id"], event_id)
        verify(endpoint["secret"], headers, body)
        with self.assertRaises(WebhookVerificationError):
            verify(endpoint["secret"], headers, body.replace(b"doc_1", b"doc_2"))
        with self.assertRaises(WebhookVerificationError):
            verify(endpoint["secret"], headers, body, now=time.time() + 3600)

    def test_a_v1a_endpoint_is_verified_with_its_public_key(self):
        endpoint = self.tenant.create_endpoint(self.receiver.url, events=["*"], signature_scheme="v1a")
        self.assertNotIn("secret", endpoint)
        delivery = self.tenant.test_endpoint(endpoint["id"])
        headers, body, _ = self.receiver.next()
        verify_asymmetric(endpoint["publicKey"], headers, body)
        with self.assertRaises(WebhookVerificationError):
            verify_asymmetric(endpoint["publicKey"], headers, body + b" ")
        self.assertEqual(self.tenant.get_public_key(endpoint["id"])["publicKey"], endpoint["publicKey"])
        self.assertTrue(delivery["deliveryId"])

    def test_deliveries_are_listed_searched_and_iterated_across_pages(self):
        endpoint = self.tenant.create_endpoint(self.receiver.url, events=["card.viewed"])
        for i in range(3):
            self.admin.publish(self.tenant_id, "card.viewed", {"n": i}, id=f"page-{i}")
        for _ in range(3):
            self.receiver.next()
        deadline = time.time() + 20
        while time.time() < deadline and len(list(self.tenant.iter_endpoint_deliveries(endpoint["id"], status="success"))) < 3:
            time.sleep(0.2)
        first = self.tenant.list_endpoint_deliveries(endpoint["id"], limit=1)
        self.assertEqual(len(first["data"]), 1)
        self.assertTrue(first["nextCursor"])
        every = list(self.tenant.iter_deliveries(endpoint_id=endpoint["id"], limit=1))
        self.assertEqual(len(every), 3)
        attempts = self.tenant.get_delivery(every[0]["id"])["attempts"]
        self.assertEqual(attempts[0]["responseStatus"], 204)


class ErrorsCarryTheApiCode(unittest.TestCase):
    def test_bad_input_raises_with_the_code_the_field_and_the_request_id(self):
        client = admin()
        _, tenant = new_tenant(client)
        with self.assertRaises(HooklineError) as caught:
            tenant.create_endpoint("not a url")
        self.assertEqual(caught.exception.status, 400)
        self.assertIn("url", caught.exception.message)
        self.assertTrue(caught.exception.request_id)

    def test_endpoint_auth_is_write_only_and_removed_with_none(self):
        _, tenant = new_tenant(admin())
        created = tenant.create_endpoint("http://127.0.0.1:9/hook", auth=basic_auth("hook-user", "py-secret-pw"))
        self.assertEqual(created["auth"], {"type": "basic", "username": "hook-user"})
        self.assertNotIn("py-secret-pw", json.dumps(tenant.get_endpoint(created["id"])))
        replaced = tenant.update_endpoint(created["id"], auth=oauth2_auth("http://127.0.0.1:9/token", "cid", "csecret", scope="a b"))
        self.assertEqual(replaced["auth"], {"type": "oauth2", "tokenUrl": "http://127.0.0.1:9/token", "clientId": "cid", "scope": "a b"})
        self.assertIsNone(tenant.update_endpoint(created["id"], auth=None)["auth"])
        self.assertIsNone(created["tls"])

    def test_another_tenants_endpoint_is_not_found(self):
        with self.assertRaises(HooklineError) as caught:
            new_tenant(admin())[1].get_endpoint("ep_does_not_exist")
        self.assertEqual((caught.exception.status, caught.exception.code), (404, "not_found"))


class RetriesHonourRetryAfter(unittest.TestCase):
    def test_a_503_with_retry_after_is_retried_after_that_long_then_succeeds(self):
        calls = []

        class Flaky(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                calls.append(time.monotonic())
                if len(calls) == 1:
                    body = b'{"error":{"code":"unavailable","message":"database unavailable"}}'
                    self.send_response(503)
                    self.send_header("retry-after", "1")
                else:
                    body = b'{"data":[],"nextCursor":null}'
                    self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            client = Hookline(f"http://127.0.0.1:{server.server_address[1]}", "t")
            self.assertEqual(client.list_tenants(), {"data": [], "nextCursor": None})
            self.assertEqual(len(calls), 2)
            self.assertGreaterEqual(calls[1] - calls[0], 0.95)
        finally:
            server.shutdown()
            server.server_close()

    def test_a_429_past_the_retries_raises_with_retry_after(self):
        class Busy(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                body = b'{"error":{"code":"rate_limited","message":"slow down","requestId":"req_1"}}'
                self.send_response(429)
                self.send_header("retry-after", "0")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Busy)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with self.assertRaises(HooklineError) as caught:
                Hookline(f"http://127.0.0.1:{server.server_address[1]}", "t", max_retries=2).list_tenants()
            self.assertEqual((caught.exception.status, caught.exception.code, caught.exception.request_id), (429, "rate_limited", "req_1"))
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    unittest.main()
