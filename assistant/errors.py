"""The one error type every surface maps to its own form (HTTP status, exit code, Slack reply)."""

from __future__ import annotations


class SignpostError(Exception):
    """An expected failure with a stable machine-readable code and a message for people."""

    #: HTTP status the API uses for this error; the CLI exits 1 for all of them.
    status: int = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.headers = headers
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return self.message


class NotFoundError(SignpostError):
    status = 404


class UnavailableError(SignpostError):
    """A backing service (index, database, LLM) cannot be reached."""

    status = 503
