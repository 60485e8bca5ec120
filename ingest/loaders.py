"""Read md/txt/html/pdf/docx into Markdown-with-headings plus metadata.

Every loader returns a `LoadedDocument`; anything unreadable raises `DocumentError` with the
reason, so a caller can report the file and carry on with the others.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
# Over all of a DOCX's zip entries, before any parser runs (a bomb can hide in styles.xml):
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100  # an entry of over 1 MB expanding more than this is refused
MAX_ZIP_ENTRIES = 5_000
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
    markdown = markdown_tables_to_lists(_normalise(markdown))
    if len(markdown) > MAX_TEXT_CHARS:
        raise DocumentError(
            f"the document has more than {MAX_TEXT_CHARS:,} characters of text; split it up"
        )
    if not markdown.strip():
        raise DocumentError("no text found in the document")
    title = (meta.title or title_hint or _first_line(markdown) or Path(name).stem).strip()
    return LoadedDocument(title=title[:300], markdown=markdown, meta=meta)


def load_bytes_plain(
    data: bytes, fmt: str, name: str, overrides: dict[str, object]
) -> LoadedDocument:
    """`load_bytes` with positional arguments only: what the isolated worker calls."""
    return load_bytes(data, fmt, name=name, overrides=overrides)


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
    named = soup.find("title") or soup.find("h1")
    title = named.get_text(" ", strip=True) if named is not None else None
    meta: dict[str, object] = {}
    for tag in soup.find_all("meta"):
        key, value = tag.get("name"), tag.get("content")
        if key in ("publisher", "source_url", "published", "jurisdiction") and value:
            meta[str(key)] = str(value)
    parts: list[str] = []
    blocks = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "table", "pre", "blockquote", "dd"]
    blocks.append("dt")
    for tag in soup.find_all(blocks):
        if tag.find_parent(blocks) is not None:
            continue  # its text is already in the enclosing block
        if tag.name == "table":
            rows = [
                [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
                for row in tag.find_all("tr")
            ]
            items = table_items(rows)
            if items:
                parts.append("\n".join(items))
            continue
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


def table_items(rows: list[list[str]]) -> list[str]:
    """A table as list items a reader can follow: each row after the header becomes
    "- Header: value; Header: value." (never raw `|` pipes in an answer)."""
    cleaned = [[" ".join((cell or "").split()) for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if len(cleaned) < 2:
        return [f"- {'; '.join(c for c in row if c)}." for row in cleaned]
    header, *body = cleaned
    items = []
    for row in body:
        pairs = [
            f"{name}: {value}" if name else value
            for name, value in zip(header, row, strict=False)
            if value
        ]
        items.append(f"- {'; '.join(pairs)}.")
    return items


_MD_TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_MD_TABLE_RULE = re.compile(r"^\s*\|[\s:|-]+\|\s*$")


def markdown_tables_to_lists(markdown: str) -> str:
    """Markdown tables (a header row, a `| --- |` rule, rows) become list items with headers."""
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if (
            _MD_TABLE_ROW.match(lines[i])
            and i + 1 < len(lines)
            and _MD_TABLE_RULE.match(lines[i + 1])
        ):
            rows = []
            j = i
            while j < len(lines) and (row := _MD_TABLE_ROW.match(lines[j])):
                if not _MD_TABLE_RULE.match(lines[j]):
                    rows.append([c.strip() for c in re.split(r"(?<!\\)\|", row.group(1))])
                j += 1
            out.extend(table_items(rows))
            i = j
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


_FILE_NAME_TITLE = re.compile(
    r"^[\w.-]+\.(?:html?|pdf|docx?|odt|rtf|txt)$|^Microsoft Word - ", re.I
)


def _load_pdf(data: bytes, name: str) -> tuple[dict[str, object], str | None, str]:
    """Layout-aware: lines set larger than the body text (or bold and short) become headings,
    the largest the title; ruled tables become list items; paragraphs are re-joined in reading
    order. pdfplumber (pdfminer.six) gives each character's font and size."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [_pdf_page(page) for page in pdf.pages]
            info_title = str(pdf.metadata.get("Title") or "").strip() or None
    except DocumentError:
        raise
    except (PDFEncryptionError, PDFPasswordIncorrect):
        raise DocumentError("the PDF is encrypted") from None
    except RecursionError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on a corrupt file
        raise DocumentError(f"cannot read PDF: {exc.__class__.__name__}: {exc}") from None
    lines = [line for page in pages for line in page]
    body_size = _body_size(lines)
    sizes = sorted(
        {round(line.size) for line in lines if line.size >= body_size * 1.15}, reverse=True
    )
    parts: list[str] = []
    paragraph: list[str] = []
    title: str | None = None

    def flush() -> None:
        if paragraph:
            parts.append(" ".join(paragraph))
            paragraph.clear()

    for line in lines:
        if line.table is not None:
            flush()
            parts.append("\n".join(table_items(line.table)))
            continue
        level = _heading_level(line, body_size, sizes)
        if level:
            flush()
            if title is None and level == 1:
                title = line.text
            parts.append("#" * level + " " + line.text)
            continue
        if paragraph and line.gap_before > line.size * 0.9:
            flush()
        paragraph.append(line.text)
    flush()
    if title is None and info_title and not _FILE_NAME_TITLE.match(info_title):
        title = info_title
    return {}, title, "\n\n".join(parts)


@dataclass
class _PdfLine:
    text: str
    size: float
    bold: bool
    gap_before: float
    table: list[list[str]] | None = None


def _pdf_page(page: Any) -> list[_PdfLine]:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    placed: list[tuple[float, _PdfLine]] = [
        (t.bbox[1], _PdfLine("", 0.0, False, 0.0, table=t.extract())) for t in tables
    ]
    previous_bottom: float | None = None
    for raw in page.extract_text_lines(return_chars=True, strip=True):
        middle = (raw["top"] + raw["bottom"]) / 2
        if any(x0 <= raw["x0"] <= x1 and top <= middle <= bottom for x0, top, x1, bottom in boxes):
            continue
        chars = [c for c in raw["chars"] if c["text"].strip()]
        if not chars or not raw["text"].strip():
            continue
        size = sorted(c["size"] for c in chars)[len(chars) // 2]
        bold = sum("bold" in c["fontname"].lower() for c in chars) > len(chars) / 2
        gap = raw["top"] - previous_bottom if previous_bottom is not None else 0.0
        previous_bottom = raw["bottom"]
        placed.append((raw["top"], _PdfLine(raw["text"].strip(), size, bold, gap)))
    return [line for _, line in sorted(placed, key=lambda item: item[0])]


def _body_size(lines: list[_PdfLine]) -> float:
    weights: Counter[float] = Counter()
    for line in lines:
        if line.table is None:
            weights[round(line.size, 1)] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def _heading_level(line: _PdfLine, body_size: float, sizes: list[int]) -> int:
    """1 for the largest type on the page, 2 for the next, ...; 0 for body text. A bold line
    in body size counts as a heading only when it is short and not a sentence."""
    if not body_size or len(line.text) > 120:
        return 0
    if line.size >= body_size * 1.15:
        return min(sizes.index(round(line.size)) + 1, 4) if round(line.size) in sizes else 2
    short = len(line.text.split()) <= 10 and line.text.rstrip()[-1:] not in ".,;:"
    return len(sizes) + 1 if line.bold and short else 0


def _load_docx(data: bytes, name: str) -> tuple[dict[str, object], str | None, str]:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive)
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
        rows = [[c.text.strip() for c in row.cells] for row in table.rows]
        parts.append("\n".join(table_items(rows)))
    return {}, title, "\n\n".join(parts)


def check_zip(archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb from its directory alone: too many entries, too much in total once
    expanded, or an entry that expands far beyond its compressed size. zipfile never reads
    more than an entry's declared size, so the declared sizes bound what a parser can get."""
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise DocumentError(f"the DOCX has more than {MAX_ZIP_ENTRIES:,} parts")
    total = sum(info.file_size for info in entries)
    if total > MAX_ZIP_UNCOMPRESSED:
        raise DocumentError(
            f"the DOCX expands to {total / 2**20:,.0f} MB; the limit is "
            f"{MAX_ZIP_UNCOMPRESSED // 2**20} MB"
        )
    for info in entries:
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > 2**20 and ratio > MAX_ZIP_RATIO:
            raise DocumentError(
                f"the DOCX part {info.filename} expands {ratio:,} times: refused as a possible "
                "zip bomb"
            )


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
