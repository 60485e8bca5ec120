"""The one error type, and the registry of every error code with its HTTP status. Each surface
maps SignpostError once: the API to JSON with the code's status, the page to an error page,
the CLI to one line on stderr, Slack to a short reply."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Every machine-readable error code Signpost returns, and the HTTP status it means."""

    status: int

    def __new__(cls, code: str, status: int) -> ErrorCode:
        member = str.__new__(cls, code)
        member._value_ = code
        member.status = status
        return member

    # 400: the request itself is wrong
    BAD_REQUEST = "bad_request", 400
    INVALID_JSON = "invalid_json", 400
    BAD_FOLDER = "bad_folder", 400
    BAD_QUESTIONS = "bad_questions", 400
    EMPTY_INDEX = "empty_index", 400
    SLACK_NOT_CONFIGURED = "slack_not_configured", 400
    # 401 / 403: who is asking
    UNAUTHORIZED = "unauthorized", 401
    MISSING_KEY = "missing_key", 401
    INVALID_SIGNATURE = "invalid_signature", 401
    FORBIDDEN = "forbidden", 403
    INVALID_KEY = "invalid_key", 403
    CSRF_FAILED = "csrf_failed", 403
    # 404 / 405 / 406: what is asked for
    NOT_FOUND = "not_found", 404
    DOCUMENT_NOT_FOUND = "document_not_found", 404
    QUESTION_NOT_FOUND = "question_not_found", 404
    FEEDBACK_NOT_FOUND = "feedback_not_found", 404
    CONVERSATION_NOT_FOUND = "conversation_not_found", 404
    ANSWER_NOT_FOUND = "answer_not_found", 404
    METHOD_NOT_ALLOWED = "method_not_allowed", 405
    NOT_ACCEPTABLE = "not_acceptable", 406
    # the body
    REQUEST_TIMEOUT = "request_timeout", 408
    PAYLOAD_TOO_LARGE = "payload_too_large", 413
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", 415
    INVALID_REQUEST = "invalid_request", 422
    BAD_DOCUMENT = "bad_document", 422
    # too much
    RATE_LIMITED = "rate_limited", 429
    TOO_MANY_ATTEMPTS = "too_many_attempts", 429
    # ours
    INTERNAL_ERROR = "internal_error", 500
    UNAVAILABLE = "unavailable", 503
    INDEX_UNAVAILABLE = "index_unavailable", 503
    DATABASE_UNAVAILABLE = "database_unavailable", 503
    WRITER_BUSY = "writer_busy", 503
    SLACK_CONNECT_FAILED = "slack_connect_failed", 503


#: The code a bare HTTP status stands for (errors raised by the framework, not by us).
GENERIC_CODES: dict[int, ErrorCode] = {
    code.status: code
    for code in (
        ErrorCode.BAD_REQUEST,
        ErrorCode.UNAUTHORIZED,
        ErrorCode.FORBIDDEN,
        ErrorCode.NOT_FOUND,
        ErrorCode.METHOD_NOT_ALLOWED,
        ErrorCode.NOT_ACCEPTABLE,
        ErrorCode.REQUEST_TIMEOUT,
        ErrorCode.PAYLOAD_TOO_LARGE,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        ErrorCode.INVALID_REQUEST,
        ErrorCode.RATE_LIMITED,
        ErrorCode.INTERNAL_ERROR,
        ErrorCode.UNAVAILABLE,
    )
}


class SignpostError(Exception):
    """An expected failure with a registered code and a message for people."""

    def __init__(
        self, code: ErrorCode, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.headers = headers

    @property
    def status(self) -> int:
        """The HTTP status the API uses; the CLI exits 1 for all of them."""
        return self.code.status

    def __str__(self) -> str:
        return self.message


class NotFoundError(SignpostError):
    """Something asked for by id does not exist (a 404 code)."""


class UnavailableError(SignpostError):
    """A backing service (index, database, LLM) cannot be reached (a 503 code)."""
