"""Hookline: a client for its HTTP API and a verifier for the webhooks it sends."""
from .client import OPERATIONS, Hookline
from .endpoint_auth import basic_auth, bearer_auth, client_tls, oauth2_auth
from .errors import HooklineError
from .verify import WebhookVerificationError, verify, verify_asymmetric

__all__ = [
    "Hookline", "HooklineError", "OPERATIONS", "WebhookVerificationError", "verify", "verify_asymmetric",
    "basic_auth", "bearer_auth", "oauth2_auth", "client_tls",
]
