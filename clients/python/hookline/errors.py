"""Errors the API answers, as exceptions carrying its code and the request id."""
from typing import Optional


class HooklineError(Exception):
    """An error answer: `status` (HTTP), `code` (e.g. "validation_failed"), `message`, `request_id`."""

    def __init__(self, status: int, code: str, message: str, request_id: Optional[str] = None, retry_after: Optional[float] = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.retry_after = retry_after
