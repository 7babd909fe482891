"""A client for the Hookline HTTP API: one method per operation of its OpenAPI document.

Bodies and answers are the API's JSON as dicts (camelCase keys, as documented). Keyword arguments
written in snake_case are sent in camelCase (`max_in_flight=` → `maxInFlight`); nested values are sent
as given. 429 and 503 answers are retried with backoff, honouring Retry-After.
"""
import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from .errors import HooklineError

#: Every (method, path template) this client implements; a test compares it with /openapi.json.
OPERATIONS: List[Tuple[str, str]] = []


def operation(method: str, path: str) -> Callable:
    OPERATIONS.append((method, path))
    return lambda fn: fn


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _body(fields: Dict[str, Any]) -> Dict[str, Any]:
    return {_camel(k): v for k, v in fields.items() if v is not None}


def _quote(value: str) -> str:
    return urllib.parse.quote(str(value), safe="")


class Hookline:
    """`Hookline(base_url, token)`: the admin token for producer calls, a tenant's API key for its own."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 30.0, max_retries: int = 3, max_retry_wait: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait

    def with_token(self, token: str) -> "Hookline":
        return Hookline(self.base_url, token, timeout=self.timeout, max_retries=self.max_retries, max_retry_wait=self.max_retry_wait)

    # --- transport -------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None, query: Optional[Dict[str, Any]] = None, headers: Optional[Dict[str, str]] = None) -> Any:
        params = {_camel(k): ("true" if v is True else "false" if v is False else v) for k, v in (query or {}).items() if v is not None}
        url = self.base_url + path + (("?" + urllib.parse.urlencode(params, doseq=True)) if params else "")
        data = None if body is None else json.dumps(body).encode()
        sent = {"authorization": f"Bearer {self.token}", "accept": "application/json", **(headers or {})}
        if data is not None:
            sent["content-type"] = "application/json"
        for attempt in range(self.max_retries + 1):
            try:
                with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method, headers=sent), timeout=self.timeout) as res:
                    raw = res.read()
                    return json.loads(raw) if raw else None
            except urllib.error.HTTPError as err:
                failure = self._error(err)
                if err.code in (429, 503) and attempt < self.max_retries:
                    time.sleep(self._backoff(attempt, failure.retry_after))
                    continue
                raise failure from None
        raise AssertionError("unreachable")

    def _error(self, err: "urllib.error.HTTPError") -> HooklineError:
        retry_after = err.headers.get("retry-after")
        try:
            payload = json.loads(err.read() or b"null") or {}
        except ValueError:
            payload = {}
        detail = payload.get("error", {}) if isinstance(payload, dict) else {}
        return HooklineError(
            err.code,
            detail.get("code", "unknown"),
            detail.get("message", err.reason or ""),
            detail.get("requestId") or err.headers.get("x-request-id"),
            float(retry_after) if retry_after and retry_after.isdigit() else None,
        )

    def _backoff(self, attempt: int, retry_after: Optional[float]) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_retry_wait)
        return min(self.max_retry_wait, 0.5 * 2**attempt) * (0.8 + random.random() * 0.4)

    def _pages(self, fetch: Callable[[Optional[str]], Dict[str, Any]]) -> Iterator[Dict[str, Any]]:
        cursor: Optional[str] = None
        while True:
            page = fetch(cursor)
            yield from page["data"]
            cursor = page.get("nextCursor")
            if not cursor:
                return

    # --- tenants (admin) -------------------------------------------------------------------------

    @operation("POST", "/v1/tenants")
    def create_tenant(self, id: str, name: Optional[str] = None) -> Dict[str, Any]:
        return self.request("POST", "/v1/tenants", _body({"id": id, "name": name}))

    @operation("GET", "/v1/tenants")
    def list_tenants(self, limit: Optional[int] = None, cursor: Optional[str] = None) -> Dict[str, Any]:
        return self.request("GET", "/v1/tenants", query={"limit": limit, "cursor": cursor})

    def iter_tenants(self) -> Iterator[Dict[str, Any]]:
        return self._pages(lambda cursor: self.list_tenants(limit=100, cursor=cursor))

    @operation("GET", "/v1/tenants/{id}")
    def get_tenant(self, id: str) -> Dict[str, Any]:
        return self.request("GET", f"/v1/tenants/{_quote(id)}")

    @operation("PATCH", "/v1/tenants/{id}")
    def update_tenant(self, id: str, **fields: Any) -> Dict[str, Any]:
        """E.g. `retention_days=7` (None goes back to the deployment's default)."""
        return self.request("PATCH", f"/v1/tenants/{_quote(id)}", {_camel(k): v for k, v in fields.items()})

    @operation("DELETE", "/v1/tenants/{id}")
    def delete_tenant(self, id: str) -> None:
        self.request("DELETE", f"/v1/tenants/{_quote(id)}")

    @operation("POST", "/v1/tenants/{id}/api-keys")
    def create_api_key(self, tenant_id: str) -> Dict[str, Any]:
        return self.request("POST", f"/v1/tenants/{_quote(tenant_id)}/api-keys", {})

    @operation("GET", "/v1/tenants/{id}/api-keys")
    def list_api_keys(self, tenant_id: str) -> Dict[str, Any]:
        return self.request("GET", f"/v1/tenants/{_quote(tenant_id)}/api-keys")

    @operation("DELETE", "/v1/tenants/{id}/api-keys/{keyId}")
    def revoke_api_key(self, tenant_id: str, key_id: str) -> None:
        self.request("DELETE", f"/v1/tenants/{_quote(tenant_id)}/api-keys/{_quote(key_id)}")

    @operation("GET", "/v1/tenants/{id}/settings")
    def get_tenant_settings(self, tenant_id: str) -> Dict[str, Any]:
        return self.request("GET", f"/v1/tenants/{_quote(tenant_id)}/settings")

    @operation("PATCH", "/v1/tenants/{id}/settings")
    def update_tenant_settings(self, tenant_id: str, **settings: Any) -> Dict[str, Any]:
        """E.g. `retry_schedule="30s,5m,30m"`; a value of None goes back to the deployment's default."""
        return self.request("PATCH", f"/v1/tenants/{_quote(tenant_id)}/settings", {_camel(k): v for k, v in settings.items()})

    @operation("POST", "/v1/tenants/{id}/portal-sessions")
    def create_portal_session(self, tenant_id: str, ttl_seconds: Optional[int] = None) -> Dict[str, Any]:
        return self.request("POST", f"/v1/tenants/{_quote(tenant_id)}/portal-sessions", _body({"ttl_seconds": ttl_seconds}))

    @operation("GET", "/v1/tenants/{id}/portal-sessions")
    def list_portal_sessions(self, tenant_id: str) -> Dict[str, Any]:
        return self.request("GET", f"/v1/tenants/{_quote(tenant_id)}/portal-sessions")

    @operation("DELETE", "/v1/tenants/{id}/portal-sessions/{sessionId}")
    def revoke_portal_session(self, tenant_id: str, session_id: str) -> None:
        self.request("DELETE", f"/v1/tenants/{_quote(tenant_id)}/portal-sessions/{_quote(session_id)}")

    # --- events ------------------------------------------------------------------------------------

    @operation("POST", "/v1/events")
    def publish(self, tenant_id: str, type: str, data: Any, id: Optional[str] = None, **extra: Any) -> Dict[str, Any]:
        """Admin: publish an event for a tenant; `id` makes the publish idempotent; `channels=[...]` (at most 10) narrows who gets it."""
        return self.request("POST", "/v1/events", _body({"tenant_id": tenant_id, "type": type, "data": data, "id": id, **extra}))

    @operation("GET", "/v1/events")
    def list_events(self, **filters: Any) -> Dict[str, Any]:
        """Filters: type, channel, since, until, limit, cursor, tenant_id (admin)."""
        return self.request("GET", "/v1/events", query=filters)

    def iter_events(self, **filters: Any) -> Iterator[Dict[str, Any]]:
        return self._pages(lambda cursor: self.list_events(**{**filters, "cursor": cursor}))

    @operation("GET", "/v1/events/{id}")
    def get_event(self, id: str, tenant_id: Optional[str] = None) -> Dict[str, Any]:
        return self.request("GET", f"/v1/events/{_quote(id)}", query={"tenant_id": tenant_id})

    # --- event types -------------------------------------------------------------------------------

    @operation("GET", "/v1/event-types")
    def list_event_types(self, archived: Optional[bool] = None) -> Dict[str, Any]:
        return self.request("GET", "/v1/event-types", query={"archived": archived})

    @operation("GET", "/v1/event-types/{type}")
    def get_event_type(self, type: str) -> Dict[str, Any]:
        return self.request("GET", f"/v1/event-types/{_quote(type)}")

    @operation("POST", "/v1/event-types")
    def create_event_type(self, type: str, description: Optional[str] = None, schema: Any = None, example: Any = None) -> Dict[str, Any]:
        return self.request("POST", "/v1/event-types", _body({"type": type, "description": description, "schema": schema, "example": example}))

    @operation("PATCH", "/v1/event-types/{type}")
    def update_event_type(self, type: str, **patch: Any) -> Dict[str, Any]:
        return self.request("PATCH", f"/v1/event-types/{_quote(type)}", {_camel(k): v for k, v in patch.items()})

    @operation("POST", "/v1/event-types/{type}/archive")
    def archive_event_type(self, type: str) -> Dict[str, Any]:
        return self.request("POST", f"/v1/event-types/{_quote(type)}/archive")

    # --- endpoints (tenant) --------------------------------------------------------------------------

    @operation("POST", "/v1/webhooks")
    def create_endpoint(self, url: Optional[str] = None, **options: Any) -> Dict[str, Any]:
        """`url`, `events`, `description`, `headers`, `secret`, `signature_scheme`, flow control, `auth`, `tls`
        (see hookline.endpoint_auth), `filter`, `channels`…; the answer holds the secret once."""
        return self.request("POST", "/v1/webhooks", _body({"url": url, **options}))

    @operation("GET", "/v1/webhooks")
    def list_endpoints(self) -> Dict[str, Any]:
        return self.request("GET", "/v1/webhooks")

    @operation("GET", "/v1/webhooks/{id}")
    def get_endpoint(self, id: str) -> Dict[str, Any]:
        return self.request("GET", f"/v1/webhooks/{_quote(id)}")

    @operation("PATCH", "/v1/webhooks/{id}")
    def update_endpoint(self, id: str, **patch: Any) -> Dict[str, Any]:
        """Only the fields given change; None resets a flow-control setting, removes `auth` or `tls`, and clears `filter` or `channels`."""
        return self.request("PATCH", f"/v1/webhooks/{_quote(id)}", {_camel(k): v for k, v in patch.items()})

    @operation("DELETE", "/v1/webhooks/{id}")
    def delete_endpoint(self, id: str) -> None:
        self.request("DELETE", f"/v1/webhooks/{_quote(id)}")

    @operation("POST", "/v1/webhooks/{id}/rotate-secret")
    def rotate_secret(self, id: str, **options: Any) -> Dict[str, Any]:
        """`grace_seconds`, `secret` (import), `signature_scheme`."""
        return self.request("POST", f"/v1/webhooks/{_quote(id)}/rotate-secret", _body(options))

    @operation("GET", "/v1/webhooks/{id}/public-key")
    def get_public_key(self, id: str) -> Dict[str, Any]:
        return self.request("GET", f"/v1/webhooks/{_quote(id)}/public-key")

    @operation("POST", "/v1/webhooks/{id}/test")
    def test_endpoint(self, id: str) -> Dict[str, Any]:
        return self.request("POST", f"/v1/webhooks/{_quote(id)}/test")

    @operation("GET", "/v1/webhooks/{id}/deliveries")
    def list_endpoint_deliveries(self, id: str, status: Optional[str] = None, limit: Optional[int] = None, cursor: Optional[str] = None) -> Dict[str, Any]:
        return self.request("GET", f"/v1/webhooks/{_quote(id)}/deliveries", query={"status": status, "limit": limit, "cursor": cursor})

    def iter_endpoint_deliveries(self, id: str, status: Optional[str] = None) -> Iterator[Dict[str, Any]]:
        return self._pages(lambda cursor: self.list_endpoint_deliveries(id, status=status, limit=100, cursor=cursor))

    @operation("POST", "/v1/webhooks/{id}/recover")
    def recover(self, id: str, since: str, until: Optional[str] = None, statuses: Optional[List[str]] = None, idempotency_key: Optional[str] = None) -> Dict[str, Any]:
        headers = {"idempotency-key": idempotency_key} if idempotency_key else None
        return self.request("POST", f"/v1/webhooks/{_quote(id)}/recover", _body({"since": since, "until": until, "statuses": statuses}), headers=headers)

    @operation("GET", "/v1/recoveries/{id}")
    def get_recovery(self, id: str) -> Dict[str, Any]:
        return self.request("GET", f"/v1/recoveries/{_quote(id)}")

    # --- deliveries ----------------------------------------------------------------------------------

    @operation("GET", "/v1/deliveries")
    def search_deliveries(self, **filters: Any) -> Dict[str, Any]:
        """Filters: endpoint_id, event_id, event_type, channel, status, kind, since, until, limit, cursor."""
        return self.request("GET", "/v1/deliveries", query=filters)

    def iter_deliveries(self, **filters: Any) -> Iterator[Dict[str, Any]]:
        return self._pages(lambda cursor: self.search_deliveries(**{**filters, "cursor": cursor}))

    @operation("GET", "/v1/deliveries/{id}")
    def get_delivery(self, id: str) -> Dict[str, Any]:
        return self.request("GET", f"/v1/deliveries/{_quote(id)}")

    @operation("POST", "/v1/deliveries/{id}/redeliver")
    def redeliver(self, id: str) -> Dict[str, Any]:
        return self.request("POST", f"/v1/deliveries/{_quote(id)}/redeliver")

    # --- statistics ----------------------------------------------------------------------------------

    @operation("GET", "/v1/webhooks/{id}/stats")
    def endpoint_stats(self, id: str, since: Optional[str] = None, until: Optional[str] = None, bucket: Optional[str] = None, tenant_id: Optional[str] = None) -> Dict[str, Any]:
        """Totals, p50/p95 latency and a series (bucket minute|hour|day) over [since, until); default the last 24 h."""
        return self.request("GET", f"/v1/webhooks/{_quote(id)}/stats", query={"since": since, "until": until, "bucket": bucket, "tenant_id": tenant_id})

    @operation("GET", "/v1/stats")
    def tenant_stats(self, since: Optional[str] = None, until: Optional[str] = None, bucket: Optional[str] = None, tenant_id: Optional[str] = None) -> Dict[str, Any]:
        """The tenant's statistics, whole and by endpoint; `tenant_id` with the admin token."""
        return self.request("GET", "/v1/stats", query={"since": since, "until": until, "bucket": bucket, "tenant_id": tenant_id})

    @operation("GET", "/v1/admin/stats")
    def admin_stats(self) -> Dict[str, Any]:
        """The deployment now: backlog, the last hour by status, failing and recently disabled endpoints."""
        return self.request("GET", "/v1/admin/stats")

    # --- operator console (admin) ------------------------------------------------------------------

    @operation("GET", "/v1/admin/endpoints")
    def admin_endpoints(self, state: Optional[str] = None) -> Dict[str, Any]:
        return self.request("GET", "/v1/admin/endpoints", query={"state": state})

    @operation("GET", "/v1/admin/deliveries")
    def admin_deliveries(self, id: str) -> Dict[str, Any]:
        return self.request("GET", "/v1/admin/deliveries", query={"id": id})
