"""Builders for an endpoint's `auth` and `tls` (HTTP endpoints), in the API's camelCase shapes.

    client.create_endpoint(url, auth=oauth2_auth("https://auth.example.com/token", "hookline", secret))
    client.update_endpoint(id, tls=client_tls(cert_pem, key_pem))
    client.update_endpoint(id, auth=None)   # removes it

Secrets are write-only: answers show `auth` without them and `tls` as subject, expiry and warning.
"""
from typing import Any, Dict, Optional


def basic_auth(username: str, password: str) -> Dict[str, Any]:
    return {"type": "basic", "username": username, "password": password}


def bearer_auth(token: str) -> Dict[str, Any]:
    return {"type": "bearer", "token": token}


def oauth2_auth(token_url: str, client_id: str, client_secret: str, scope: Optional[str] = None, audience: Optional[str] = None,
                client_auth_method: Optional[str] = None) -> Dict[str, Any]:
    """The client-credentials grant; Hookline caches the token per endpoint and refreshes it once on a 401.

    `client_auth_method`: "client_secret_basic" (HTTP Basic, the default) or "client_secret_post"
    (the client id and secret in the token request's form body)."""
    auth = {"type": "oauth2", "tokenUrl": token_url, "clientId": client_id, "clientSecret": client_secret}
    if scope is not None:
        auth["scope"] = scope
    if audience is not None:
        auth["audience"] = audience
    if client_auth_method is not None:
        auth["clientAuthMethod"] = client_auth_method
    return auth


def client_tls(client_certificate: str, client_key: str, ca_certificate: Optional[str] = None) -> Dict[str, Any]:
    """Mutual TLS: PEM certificate and unencrypted key; `ca_certificate` to trust a private CA for the receiver."""
    tls = {"clientCertificate": client_certificate, "clientKey": client_key}
    if ca_certificate is not None:
        tls["caCertificate"] = ca_certificate
    return tls
