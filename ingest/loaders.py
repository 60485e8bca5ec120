"""Read md/txt/html/pdf/docx into Markdown-with-headings plus metadata.

Every loader returns a `LoadedDocument`; anything unreadable raises `DocumentError` with the
reason, so a caller can report the file and carry on with the others.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import yaml

from ingest.documents import DocumentError, DocumentMeta, LoadedDocument

SUFFIX_FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
SUPPORTED_SUFFIXES = frozenset(SUFFIX_FORMATS)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_MAX_DOCX_XML = 50 * 1024 * 1024  # uncompressed size of word/document.xml we accept
MAX_FILE_BYTES = 25 * 1024 * 1024  # the same limit as an upload
MAX_TEXT_CHARS = 5_000_000  # about 2,500 pages: anything bigger is not one guidance document


def detect_format(data: bytes, filename: str = "") -> str | None:
    """The document format judged from the bytes (the name only separates md from txt)."""
    head = data[:1024]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return "docx" if "word/document.xml" in archive.namelist() else None
        except zipfile.BadZipFile:
            return None
    if b"\x00" in data[:8192]:
        return None
    try:
        text = data[:4096].decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the 4 KiB boundary is fine; anything else is not text.
        if exc.start < len(data[:4096]) - 4:
            return None
        text = data[: exc.start].decode("utf-8")
    lowered = text.lstrip().lower()
    if lowered.startswith(("<!doctype html", "<html")) or "<body" in lowered[:1024]:
        return "html"
    suffix = Path(filename).suffix.lower()
    if suffix in (".md", ".markdown") or _FRONT_MATTER.match(text):
        return "markdown"
    return "text"


def load_path(path: Path) -> LoadedDocument:
    """Load a file on disk; its suffix picks the loader, its content must agree."""
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DocumentError(f"unsupported file type {path.suffix or '(none)'}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DocumentError(
                f"the file is {size / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read file: {exc.strerror or exc}") from None
    return load_bytes(data, fmt, name=path.name)


def load_bytes(
    data: bytes, fmt: str, *, name: str, overrides: Mapping[str, object] | None = None
) -> LoadedDocument:
    """Load `data` as `fmt`; `overrides` (an upload form's fields) win over front matter."""
    loader = _LOADERS.get(fmt)
    if loader is None:
        raise DocumentError(f"unsupported document format {fmt!r}")
    try:
        raw_meta, title_hint, markdown = loader(data, name)
    except RecursionError:
        raise DocumentError("the document is nested too deeply to read") from None
    raw_meta.update({k: v for k, v in (overrides or {}).items() if v not in (None, "", [])})
    meta = DocumentMeta.parse(raw_meta, where=name)
    markdown = _normalise(markdown)
    if len(markdown) > MAX_TEXT_CHARS:
        raise DocumentError(
            f"the document has more than {MAX_TEXT_CHARS:,} characters of text; split it up"
        )
    if not markdown.strip():
        raise DocumentError("no text found in the document")
    title = (meta.title or title_hint or _first_line(markdown) or Path(name).stem).strip()
    return LoadedDocument(title=title[:300], markdown=markdown, meta=meta)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise DocumentError("binary content where text was expected")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"not valid UTF-8 text (byte {exc.start})") from None


def _load_markdown(data: bytes, name: str) -> tuple[dict[str, object], str | None, str]:
    text = _decode(data)
    meta: dict[str, object] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            parsed = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            where = getattr(exc, "problem_mark", None)
            line = f" at line {where.line + 2}" if where is not None else ""
            raise DocumentError(f"front matter is not valid YAML{line}") from None
        if parsed is not None and not isinstance(parsed, dict):
            raise DocumentError("front matter must be a mapping of fields")
        meta = {str(k): v for k, v in (parsed or {}).items()}
        text = text[match.end() :]
    heading = re.search(r"^#\s+(.+?)\s*#*\s*$", text, re.MULTILINE)
    return meta, heading.group(1) if heading else None, text


def _is_heading(line: str, before: str, after: str) -> bool:
    """A short standalone line between paragraphs, without sentence punctuation."""
    stripped = line.strip()
    words = stripped.split()
    bare = stripped.rstrip("\"'”’)] ").lstrip("\"'“‘([ ")
    return (
        0 < len(words) <= 10
        and len(stripped) <= 80
        and not before.strip()
        and not after.strip()
        and bool(bare)
        and bare[-1] not in ".!?:;,"
        and bare[0].isupper()
    )


def _load_text(data: bytes, name: str) -> tuple[dict[str, object], str | None, str]:
    lines = _decode(data).splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return {}, None, ""
    title = lines[0].strip()
    body = lines[1:]
    out = [f"# {title}"]
    for i, line in enumerate(body):
        before = body[i - 1] if i > 0 else ""
        after = body[i + 1] if i + 1 < len(body) else ""
        out.append(f"## {line.strip()}" if _is_heading(line, before, after) and i > 1 else line)
    return {}, title, "\n".join(out)


def _load_html(data: bytes, name: str) -> tuple[dict[str, object], str | None, str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(data), "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "header", "noscript", "template"]):
        tag.decompose()
    title_tag = soup.find("title")
    h1 = soup.find("h1")
    title = (title_tag or h1).get_text(" ", strip=True) if (title_tag or h1) else None
    meta: dict[str, object] = {}
    for tag in soup.find_all("meta"):
        key, value = tag.get("name"), tag.get("content")
        if key in ("publisher", "source_url", "published", "jurisdiction") and value:
            meta[str(key)] = str(value)
    parts: list[str] = []
    blocks = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "pre", "blockquote", "dd", "dt"]
    for tag in soup.find_all(blocks):
        if tag.find_parent(blocks) is not None:
            continue  # its text is already in the enclosing block
        text = tag.get_text(" ", strip=True)
        if not text:
            continue
        if tag.name and tag.name[0] == "h" and tag.name[1:].isdigit():
            parts.append("#" * int(tag.name[1]) + " " + text)
        else:
            parts.append(("- " if tag.name == "li" else "") + text)
    if not parts and soup.body is not None:
        parts.append(soup.body.get_text("\n", strip=True))
    return meta, title, "\n\n".join(parts)


def _load_pdf(data: bytes, name: str) -> tuple[dict[str, object], str | None, str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError("the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        info_title = reader.metadata.title if reader.metadata else None
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise DocumentError(f"cannot read PDF: {exc.__class__.__name__}: {exc}") from None
    parts = [f"## Page {n}\n\n{text.strip()}" for n, text in enumerate(pages, 1) if text.strip()]
    first = next((p.strip().splitlines()[0] for p in pages if p.strip()), None)
    return {}, (info_title or first), "\n\n".join(parts)


def _load_docx(data: bytes, name: str) -> tuple[dict[str, object], str | None, str]:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > _MAX_DOCX_XML:
                raise DocumentError("the DOCX expands to more text than we accept")
        document = Document(io.BytesIO(data))
    except DocumentError:
        raise
    except (zipfile.BadZipFile, KeyError, PackageNotFoundError, ValueError, OSError) as exc:
        raise DocumentError(f"cannot read DOCX: {exc.__class__.__name__}: {exc}") from None
    except Exception as exc:  # lxml raises its own XMLSyntaxError family on corrupt parts
        raise DocumentError(f"cannot read DOCX: {exc.__class__.__name__}") from None
    title = document.core_properties.title or None
    parts: list[str] = []
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        if style == "Title":
            title = title or text
            parts.append(f"# {text}")
        elif style.startswith("Heading") and style[7:].strip().isdigit():
            parts.append("#" * min(int(style[7:].strip()), 6) + " " + text)
        else:
            parts.append(text)
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                parts.append(" | ".join(cells))
    return {}, title, "\n\n".join(parts)


_LOADERS = {
    "markdown": _load_markdown,
    "text": _load_text,
    "html": _load_html,
    "pdf": _load_pdf,
    "docx": _load_docx,
}


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.lstrip("#").strip()
    return None
