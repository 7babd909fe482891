"""Hookline: a client for its HTTP API and a verifier for the webhooks it sends."""
from .client import OPERATIONS, Hookline
from .errors import HooklineError
from .verify import WebhookVerificationError, verify, verify_asymmetric

__all__ = ["Hookline", "HooklineError", "OPERATIONS", "WebhookVerificationError", "verify", "verify_asymmetric"]
