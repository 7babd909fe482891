"""Verifying the webhooks Hookline sends (Standard Webhooks: v1 HMAC-SHA256 and v1a Ed25519)."""
import base64
import hashlib
import hmac
import time
from typing import Mapping, Optional, Union

from . import _ed25519

TOLERANCE_SECONDS = 5 * 60


class WebhookVerificationError(Exception):
    """The request was not signed by Hookline with this key, or its timestamp is too old or too new."""


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    raise WebhookVerificationError(f"missing {name} header")


def _decode_key(value: str, prefix: str) -> bytes:
    encoded = value[len(prefix):] if value.startswith(prefix) else value
    try:
        key = base64.b64decode(encoded, validate=True)
    except ValueError as exc:
        raise ValueError(f"not a {prefix} key") from exc
    if not key:
        raise ValueError(f"empty {prefix} key")
    return key


def _signed_content(headers: Mapping[str, str], body: Union[bytes, str], now: Optional[float]):
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    try:
        sent_at = int(timestamp)
    except ValueError as exc:
        raise WebhookVerificationError("webhook-timestamp is not a number") from exc
    current = time.time() if now is None else now
    if abs(current - sent_at) > TOLERANCE_SECONDS:
        raise WebhookVerificationError("webhook-timestamp is outside the 5-minute tolerance")
    raw = body.encode() if isinstance(body, str) else body
    signatures = _header(headers, "webhook-signature").split(" ")
    return f"{msg_id}.{timestamp}.".encode() + raw, signatures


def verify(secret: str, headers: Mapping[str, str], body: Union[bytes, str], now: Optional[float] = None) -> None:
    """Checks a v1 (`whsec_…`) signature over the raw body; raises WebhookVerificationError if it fails."""
    content, signatures = _signed_content(headers, body, now)
    expected = base64.b64encode(hmac.new(_decode_key(secret, "whsec_"), content, hashlib.sha256).digest()).decode()
    for signature in signatures:
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return
    raise WebhookVerificationError("no v1 signature matches this secret")


def verify_asymmetric(public_key: str, headers: Mapping[str, str], body: Union[bytes, str], now: Optional[float] = None) -> None:
    """Checks a v1a (`whpk_…`, Ed25519) signature over the raw body; raises WebhookVerificationError if it fails."""
    content, signatures = _signed_content(headers, body, now)
    key = _decode_key(public_key, "whpk_")
    for signature in signatures:
        version, _, value = signature.partition(",")
        if version != "v1a":
            continue
        try:
            raw = base64.b64decode(value, validate=True)
        except ValueError:
            continue
        if _ed25519.verify(key, content, raw):
            return
    raise WebhookVerificationError("no v1a signature matches this public key")
