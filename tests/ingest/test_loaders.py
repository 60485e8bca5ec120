from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.chunking import Chunker
from ingest.documents import DocumentError
from ingest.loaders import detect_format, load_bytes, load_path
from tests.conftest import DIRECT_PAYMENTS_MD, SKILLS_ARTICLE, write
from tests.fixtures import (
    CARERS_BREAK_PDF_BLOCKS,
    CARERS_BREAK_TABLE,
    make_council_pdf,
    make_docx,
    make_pdf,
)


def test_markdown_front_matter_becomes_metadata(tmp_path: Path) -> None:
    doc = load_path(write(tmp_path / "dp.md", DIRECT_PAYMENTS_MD))
    assert doc.title == "Paying a family member with a direct payment"
    assert doc.meta.source_type == "guidance"
    assert doc.meta.topics == ["direct-payments", "personal-assistants"]
    assert doc.meta.published is not None
    assert doc.meta.published.isoformat() == "2014-10-23"
    assert doc.meta.jurisdiction == "England"
    assert "## Exceptions" in doc.markdown
    assert "source_type" not in doc.markdown


def test_markdown_without_front_matter_takes_title_from_heading(tmp_path: Path) -> None:
    doc = load_path(write(tmp_path / "n.md", "# Risk enablement\n\nTaking positive risks."))
    assert doc.title == "Risk enablement"
    assert doc.meta.source_type == "practice-note"


@pytest.mark.parametrize(
    ("front_matter", "reason"),
    [
        ("title: [unclosed", "not valid YAML"),
        ("- just\n- a list", "must be a mapping"),
        ("source_type: rumour", "source_type"),
        ("published: not-a-date", "published"),
        ("topics: {a: 1}", "topics"),
    ],
)
def test_bad_front_matter_is_reported_with_the_reason(
    tmp_path: Path, front_matter: str, reason: str
) -> None:
    path = write(tmp_path / "bad.md", f"---\n{front_matter}\n---\n# Title\n\nBody text here.\n")
    with pytest.raises(DocumentError, match=reason):
        load_path(path)


def test_plain_text_title_is_the_first_line_and_short_lines_become_sections(
    articles: Path,
) -> None:
    doc = load_path(articles / "slow-down-personalisation.txt")
    assert doc.title == "Take personalisation one step at a time"
    assert "## Jargon gets in the way" in doc.markdown
    # a real sentence is never mistaken for a heading
    assert "## For one person" not in doc.markdown


def test_every_fixture_article_loads(articles: Path) -> None:
    for path in sorted(articles.glob("*.txt")):
        doc = load_path(path)
        assert doc.title, path
        assert len(doc.markdown) > 1000, path
    assert "49%" in load_path(articles / SKILLS_ARTICLE).markdown


def test_html_headings_and_paragraphs() -> None:
    html = b"""<!doctype html><html><head><title>Direct payments</title>
    <script>var tracking = 1;</script></head><body><nav>Home | About</nav>
    <h1>Direct payments</h1><p>Councils must offer a direct payment.</p>
    <h2>Reviews</h2><p>The first review happens within <b>six months</b>.</p>
    <ul><li>Then at least annually.</li></ul></body></html>"""
    assert detect_format(html, "page.html") == "html"
    doc = load_bytes(html, "html", name="page.html")
    assert doc.title == "Direct payments"
    assert "## Reviews" in doc.markdown
    assert "within six months" in doc.markdown
    assert "tracking" not in doc.markdown
    assert "Home | About" not in doc.markdown


def test_pdf_text_is_extracted() -> None:
    data = make_pdf(["Employer liability insurance", "PA employers must hold it."])
    assert detect_format(data, "x.bin") == "pdf"
    doc = load_bytes(data, "pdf", name="insurance.pdf")
    assert "PA employers must hold it." in doc.markdown


def test_a_council_pdf_keeps_its_title_headings_order_and_table() -> None:
    """Titled from its first heading, not from the file name its /Info title carries; headings
    become sections; paragraphs re-joined in reading order; the ruled table becomes items."""
    data = make_council_pdf(
        CARERS_BREAK_PDF_BLOCKS, info_title="carers-break.html", table=CARERS_BREAK_TABLE
    )
    doc = load_bytes(data, "pdf", name="carers-break.pdf")
    assert doc.title == "Carers’ breaks funded by direct payment"
    headings = re.findall(r"^(#+) (.+)$", doc.markdown, re.M)
    assert headings == [
        ("#", "Carers’ breaks funded by direct payment"),
        ("##", "What a carer’s break is"),
        ("##", "How to arrange one"),
        ("##", "What it costs"),
    ]
    assert (
        "A carer’s break is time away from caring. The council can fund it through a direct "
        "payment to the carer, or to the person they care for, after a carer’s assessment"
    ) in doc.markdown
    assert (
        "- Kind of break: Overnight respite; Typical cost: 140 pounds a night; "
        "Who arranges it: The carer."
    ) in doc.markdown
    assert "|" not in doc.markdown
    sections = {c.section for c in Chunker().split(doc)}
    assert {"What a carer’s break is", "How to arrange one", "What it costs"} <= sections


def test_a_pdf_with_a_real_info_title_and_no_heading_keeps_the_info_title() -> None:
    data = make_council_pdf(
        [("body", "Direct payments are reviewed within six months.")],
        info_title="Reviewing direct payments",
    )
    assert load_bytes(data, "pdf", name="r.pdf").title == "Reviewing direct payments"


def test_tables_in_every_format_become_items_never_pipes() -> None:
    markdown = (
        "# Rates\n\nWhat a PA is paid, by year.\n\n| Year | Hourly rate |\n| --- | ---: |\n"
        "| 2025 | £12.21 |\n| 2026 | £12.71 |\n\nAfter the table.\n"
    )
    doc = load_bytes(markdown.encode(), "markdown", name="rates.md")
    assert "- Year: 2026; Hourly rate: £12.71." in doc.markdown
    assert "|" not in doc.markdown
    assert "After the table." in doc.markdown
    html = (
        b"<html><body><h1>Rates</h1><table><tr><th>Year</th><th>Hourly rate</th></tr>"
        b"<tr><td>2026</td><td>12.71</td></tr></table></body></html>"
    )
    assert "Year: 2026; Hourly rate: 12.71." in load_bytes(html, "html", name="r.html").markdown
    docx = make_docx(
        "Rates", {"Pay": ["What a PA is paid."]}, table=[["Year", "Rate"], ["2026", "12.71"]]
    )
    assert "- Year: 2026; Rate: 12.71." in load_bytes(docx, "docx", name="r.docx").markdown


def test_docx_headings_become_sections() -> None:
    data = make_docx("Employing a PA", {"Payroll": ["Register with HMRC as an employer."]})
    assert detect_format(data, "upload") == "docx"
    doc = load_bytes(data, "docx", name="pa.docx")
    assert doc.title == "Employing a PA"
    assert "# Payroll" in doc.markdown
    assert "Register with HMRC as an employer." in doc.markdown


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        ("latin.txt", "caf\xe9 menu".encode("latin-1"), "UTF-8"),
        ("truncated.pdf", make_pdf(["Some text"])[:60], "PDF"),
        ("corrupt.docx", b"PK\x03\x04 this is not a zip archive", "DOCX"),
        ("empty.md", b"---\ntitle: Nothing\n---\n\n", "no text"),
    ],
)
def test_broken_files_raise_document_error(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DocumentError, match=reason):
        load_path(path)


def test_unsupported_suffix_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "notes.rtf", "{\\rtf1 hello}")
    with pytest.raises(DocumentError, match="unsupported file type"):
        load_path(path)


def test_format_is_detected_from_content_not_name() -> None:
    assert detect_format(make_pdf(["x"]), "notes.txt") == "pdf"
    assert detect_format(b"\x00\x01\x02binary", "notes.md") is None
    assert detect_format(b"---\ntitle: x\n---\nbody", "upload") == "markdown"
    assert detect_format(b"Just some words", "notes.txt") == "text"
