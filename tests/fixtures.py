"""Builders for test documents: realistic binary files (PDF, DOCX) made on the fly, and
catalogue records."""

from __future__ import annotations

import io

from ingest.documents import DocumentRecord


def make_record(**fields: object) -> DocumentRecord:
    """A catalogue record with every required field, overridden by `fields`."""
    base: dict[str, object] = dict(
        doc_id="a",
        title="t",
        source_type="practice-note",
        topics=[],
        origin="o",
        content_hash="h",
        version="v1",
        chunks=1,
    )
    return DocumentRecord(**(base | fields))  # type: ignore[arg-type]


def make_pdf(lines: list[str]) -> bytes:
    """A minimal, valid one-page PDF with the lines as real text."""
    ops = " ".join(f"({line}) Tj 0 -16 Td" for line in lines)
    content = f"BT /F1 12 Tf 72 720 Td {ops} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return out


def make_docx(
    title: str, sections: dict[str, list[str]], table: list[list[str]] | None = None
) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(title, 0)
    for heading, paragraphs in sections.items():
        document.add_heading(heading, 1)
        for text in paragraphs:
            document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                grid.cell(r, c).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_council_pdf(
    blocks: list[tuple[str, str]],
    *,
    info_title: str | None = None,
    table: list[list[str]] | None = None,
) -> bytes:
    """A one-page PDF laid out as a council leaflet: `blocks` are (kind, text) with kind
    "title" (20 pt bold), "heading" (14 pt bold) or "body" (11 pt, wrapped at ~80 characters),
    then an optional ruled table (header row first), and an optional /Info title such as the
    file name a word processor leaves behind ("carers-break.html")."""
    import textwrap

    sizes = {"title": (20, "F2"), "heading": (14, "F2"), "body": (11, "F1")}
    ops: list[str] = []
    y = 760.0
    for kind, text in blocks:
        size, font = sizes[kind]
        y -= size * 0.8 if kind != "body" else 4
        lines = textwrap.wrap(text, 80) if kind == "body" else [text]
        for line in lines:
            y -= size * 1.35
            ops.append(f"BT /{font} {size} Tf 1 0 0 1 72 {y:.1f} Tm ({_pdf_escape(line)}) Tj ET")
        y -= 6
    if table:
        widths = [150, 150, 168]
        row_h = 22
        top = y - 20
        for r, row in enumerate(table):
            row_top = top - r * row_h
            x = 72
            for c, cell in enumerate(row):
                font = "F2" if r == 0 else "F1"
                ops.append(
                    f"BT /{font} 10 Tf 1 0 0 1 {x + 4} {row_top - 15:.1f} Tm "
                    f"({_pdf_escape(cell)}) Tj ET"
                )
                x += widths[c]
        bottom = top - len(table) * row_h
        right = 72 + sum(widths[: len(table[0])])
        for r in range(len(table) + 1):
            ops.append(f"72 {top - r * row_h:.1f} m {right} {top - r * row_h:.1f} l S")
        x = 72
        for c in range(len(table[0]) + 1):
            ops.append(f"{x} {top:.1f} m {x} {bottom:.1f} l S")
            x += widths[c] if c < len(table[0]) else 0
    content = "\n".join(ops)
    info = f"<< /Title ({_pdf_escape(info_title)}) >>" if info_title else "<< >>"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
        info,
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return out


CARERS_BREAK_PDF_BLOCKS = [
    ("title", "Carers' breaks funded by direct payment"),
    ("heading", "What a carer's break is"),
    (
        "body",
        "A carer's break is time away from caring. The council can fund it through a direct "
        "payment to the carer, or to the person they care for, after a carer's assessment shows "
        "the carer has eligible needs.",
    ),
    ("heading", "How to arrange one"),
    (
        "body",
        "Ask the council for a carer's assessment first. If the carer is eligible, agree the "
        "break in the support plan and how the direct payment will be used to pay for it.",
    ),
    ("heading", "What it costs"),
    ("body", "The table below shows typical weekly costs in 2026 for each kind of break."),
]
CARERS_BREAK_TABLE = [
    ["Kind of break", "Typical cost", "Who arranges it"],
    ["Day centre", "45 pounds a day", "The council"],
    ["Overnight respite", "140 pounds a night", "The carer"],
]
