"""The rules every upload surface applies: size limit, then the type judged from the content."""

from __future__ import annotations

from assistant.errors import ErrorCode, SignpostError
from ingest.loaders import detect_format

UPLOAD_FIELDS = (
    "id",
    "title",
    "source_type",
    "topics",
    "publisher",
    "source_url",
    "published",
    "reviewed",
    "jurisdiction",
)


def check_upload(data: bytes, filename: str, limit: int) -> str:
    """The document format, or SignpostError 413 (too large) / 415 (not a supported type)."""
    if len(data) > limit:
        raise SignpostError(
            ErrorCode.PAYLOAD_TOO_LARGE, f"the file is larger than {limit // 2**20} MB"
        )
    fmt = detect_format(data, filename)
    if fmt is None:
        raise SignpostError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            "unsupported file type: upload Markdown, plain text, HTML, PDF or DOCX",
        )
    return fmt
