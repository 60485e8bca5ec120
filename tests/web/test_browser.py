"""The web page in a real browser: Playwright driving Debian's chromium, headless, against a
live `signpost serve`. Screenshots of both views are saved under test-artifacts/."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import REPO, SKILLS_ARTICLE, write
from tests.live import LiveServer, live_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"
TRAINER_KEY = "browser-test-trainer-key"
CONTINGENCY = """---
title: Contingency plans when a PA is off sick
source_type: practice-note
topics: [personal-assistants, contingency-planning]
reviewed: 2026-10-01
jurisdiction: England
---
# Contingency plans when a PA is off sick

Every person who employs a personal assistant should keep a written contingency plan naming a
relief PA, an agency that has met them, and a family member who can step in when the PA is ill.
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, articles: Path) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("web")
    (root / "knowledge").mkdir()
    shutil.copy(articles / SKILLS_ARTICLE, root / "knowledge" / SKILLS_ARTICLE)
    write(
        root / "knowledge" / "old-guidance.md",
        "---\ntitle: Old guidance on direct payment reviews\nsource_type: guidance\n"
        "reviewed: 2020-01-01\n---\n# Old guidance\n\nReviews happen within six months.\n",
    )
    with live_server(root, {"SIGNPOST_TRAINER_KEYS": TRAINER_KEY}) as live:
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Page, server: LiveServer, key: str = TRAINER_KEY) -> None:
    page.goto(f"{server.url}/trainer/login")
    page.get_by_label("Trainer key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def test_ask_and_see_a_citation(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    page.get_by_label("Your question").fill(
        "How many social workers felt they knew how to employ personal assistants?"
    )
    page.get_by_role("button", name="Ask Signpost").click()
    answer = page.locator(".answer-text")
    expect(answer).to_contain_text("49%")
    page.locator("a.marker").first.click()
    expect(page).to_have_url(re.compile(r"#source-1$"))
    card = page.locator("#source-1")
    expect(card).to_contain_text("Social workers short of know-how")
    expect(card.locator(".tag")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ask-view.png"), full_page=True)
    page.get_by_role("button", name="Helpful", exact=True).click()
    expect(page.locator(".feedback")).to_contain_text("Thanks")


def test_a_follow_up_continues_the_conversation(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    page.get_by_label("Your question").fill(
        "How many social workers felt they knew how to employ personal assistants?"
    )
    page.get_by_role("button", name="Ask Signpost").click()
    expect(page.locator(".answer-text")).to_contain_text("49%")
    expect(page.locator(".interpreted")).to_have_count(0)
    page.get_by_label("Ask a follow-up").fill("and how many said it was a necessary skill?")
    page.get_by_role("button", name="Ask a follow-up").click()
    expect(page.locator(".interpreted")).to_contain_text("Answering:")
    expect(page.locator(".answer-text")).to_contain_text("82%")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "follow-up-view.png"), full_page=True)
    page.get_by_role("link", name="New question").click()
    expect(page.locator(".answer")).to_have_count(0)
    expect(page.get_by_label("Your question")).to_have_value("")


def test_personal_details_are_not_shown_back(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    page.get_by_label("Your question").fill(
        "Mrs Hollis (NHS 485 777 3457) wants to employ a PA. Do social workers know how?"
    )
    page.get_by_role("button", name="Ask Signpost").click()
    expect(page.locator(".notice").first).to_contain_text("personal details")
    assert "Hollis" not in page.content()
    assert "485 777 3457" not in page.content()


def test_wrong_key_is_refused(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/trainer")
    expect(page).to_have_url(re.compile(r"/trainer/login$"))
    sign_in(page, server, key="not-the-key")
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    page.goto(f"{server.url}/trainer")
    expect(page).to_have_url(re.compile(r"/trainer/login$"))


def test_trainer_uploads_asks_and_deletes(page: Page, server: LiveServer, tmp_path: Path) -> None:
    sign_in(page, server)
    expect(page.get_by_role("heading", name=re.compile("Knowledge base"))).to_be_visible()
    table = page.locator("#documents")
    expect(table).to_contain_text("Old guidance")
    expect(table.locator("tr", has_text="Old guidance").locator(".due")).to_have_text("review due")

    upload = write(tmp_path / "contingency.md", CONTINGENCY)
    page.get_by_label(re.compile("^File")).set_input_files(str(upload))
    page.get_by_label("Topics (comma separated)").fill("personal-assistants, contingency-planning")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".flash")).to_contain_text(
        "Added: Contingency plans when a PA is off sick (contingency)"
    )
    expect(table).to_contain_text("Contingency plans when a PA is off sick")

    page.get_by_label("Filter documents").fill("contingency")
    expect(table.locator("tbody tr:visible")).to_have_count(1)
    page.get_by_label("Filter documents").fill("")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "trainer-view.png"), full_page=True)

    page.get_by_role("link", name="Contingency plans when a PA is off sick", exact=True).click()
    expect(page.locator(".chunk").first).to_contain_text("relief PA")

    page.goto(server.url)
    page.get_by_label("Your question").fill("What should happen if my PA is off sick?")
    page.get_by_role("button", name="Ask Signpost").click()
    expect(page.locator(".sources")).to_contain_text("Contingency plans when a PA is off sick")

    page.goto(f"{server.url}/trainer")
    table.locator("tr", has_text="Contingency plans").get_by_role(
        "link", name=re.compile("^Delete")
    ).click()
    expect(page.get_by_role("heading", name="Delete this document?")).to_be_visible()
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.locator(".flash")).to_contain_text("Deleted: Contingency plans")
    expect(table).not_to_contain_text("Contingency plans when a PA is off sick")


def test_gaps_and_feedback_link_to_documents(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    page.get_by_label("Your question").fill("What is the best recipe for a Victoria sponge?")
    page.get_by_role("button", name="Ask Signpost").click()
    expect(page.locator(".answer")).to_contain_text("Not covered yet")
    sign_in(page, server)
    gaps = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("Knowledge gaps"))
    )
    expect(gaps).to_contain_text("Victoria sponge")
    feedback = page.locator("section", has=page.get_by_role("heading", name="Feedback"))
    expect(feedback.get_by_role("link").first).to_have_attribute(
        "href", re.compile("/trainer/documents/")
    )


def test_readable_at_phone_width(browser: Browser, server: LiveServer) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(server.url)
    page.get_by_label("Your question").fill("What did the survey find about PA knowledge?")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Ask Signpost")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".answer-text")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    page.screenshot(path=str(ARTIFACTS / "ask-view-phone.png"), full_page=True)
    context.close()


@pytest.mark.parametrize(("width", "name"), [(390, "phone"), (1280, "desktop")])
def test_trainer_page_never_scrolls_sideways(
    browser: Browser, server: LiveServer, width: int, name: str
) -> None:
    """At phone and desktop width every documents column (jurisdiction, reviewed, delete) is on
    screen, review dates do not wrap, and one click reaches upload, gaps and feedback."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    sign_in(page, server)
    page.goto(f"{server.url}/trainer")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width, f"the page scrolls sideways at {width}px ({page_width}px wide)"
    first = page.locator("#documents tbody tr").first
    for label in ("Jurisdiction", "Reviewed", "Actions"):
        cell = first.locator(f'td[data-label="{label}"]')
        box = cell.bounding_box()
        assert box is not None, label
        assert box["x"] >= 0, (label, box)
        assert box["x"] + box["width"] <= width, (label, box)
    delete = first.get_by_role("link", name=re.compile("^Delete"))
    expect(delete).to_be_in_viewport()
    reviewed = first.locator('td[data-label="Reviewed"] .nowrap')
    line_height = page.evaluate(
        "el => parseFloat(getComputedStyle(el).lineHeight)", reviewed.element_handle()
    )
    assert (reviewed.bounding_box() or {"height": 99})["height"] < 1.5 * line_height
    page.screenshot(path=str(ARTIFACTS / f"trainer-{name}.png"), full_page=True)
    for target, heading in (("Upload", "Upload a document"), ("Feedback", "Feedback")):
        page.get_by_role("navigation", name="Trainer sections").get_by_role(
            "link", name=re.compile(f"^{target}")
        ).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_in_viewport()
    context.close()


def test_a_long_paste_is_counted_not_cut_and_the_policy_holds(
    page: Page, server: LiveServer
) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(server.url)
    counter = page.locator("#question-count")
    expect(counter).to_have_text("0 / 2,000 characters")
    box = page.get_by_label("Your question")
    box.fill("Can my client pay her daughter as her PA? " * 60)  # 2,520 characters
    expect(counter).to_contain_text("520 over the limit")
    assert len(box.input_value()) == 2520, "the paste was cut"
    page.get_by_role("button", name="Ask Signpost").click()
    expect(page.locator(".answer")).to_have_count(0)  # not sent while over the limit
    box.fill("Can my client pay her daughter as her PA?")
    expect(counter).to_have_text("41 / 2,000 characters")
    assert violations == []


def test_api_docs_load_nothing_from_another_origin(page: Page, server: LiveServer) -> None:
    requested: list[str] = []
    violations: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    response = page.goto(f"{server.url}/docs")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Signpost")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
    assert requested, "the page made no requests"
    assert all(url.startswith(server.url) for url in requested), requested
    assert violations == []
    page.goto(f"{server.url}/redoc")
    assert page.url == f"{server.url}/docs"


def test_a_javascript_source_url_is_refused_on_the_upload_form(
    page: Page, server: LiveServer, tmp_path: Path
) -> None:
    """The stored-XSS route the review found: an upload whose Source URL is `javascript:`.
    It is refused with the reason, nothing is stored, and no document page links it."""
    sign_in(page, server)
    upload = write(tmp_path / "trap.md", "# Trap\n\nA note about direct payments.\n")
    page.get_by_label(re.compile("^File")).set_input_files(str(upload))
    page.get_by_label("Source URL").evaluate("el => el.type = 'text'")  # past the browser's check
    page.get_by_label("Source URL").fill(
        "javascript:fetch('/trainer/documents/old-guidance/delete',{method:'POST'})"
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text(re.compile("source_url must be an http"))).to_be_visible()
    page.goto(f"{server.url}/trainer")
    expect(page.locator("#documents")).not_to_contain_text("Trap")
    expect(page.locator("#documents")).to_contain_text("Old guidance")
    assert page.locator("a[href^='javascript:']").count() == 0


def test_a_trainer_verifies_an_answer_from_a_gap(page: Page, server: LiveServer) -> None:
    """A gap becomes a verified answer through the page; the next practitioner asking a
    paraphrase gets it, marked as verified."""
    gap = "Does a PA get told how many people answered the survey?"
    page.goto(server.url)
    page.get_by_label("Your question").fill(gap)
    page.get_by_role("button", name="Ask Signpost").click()
    sign_in(page, server)
    page.goto(f"{server.url}/trainer#gaps")
    row = page.locator("#gaps tr", has_text=gap)
    row.get_by_role("link", name="Write the answer").click()
    expect(page.get_by_label("Question (as practitioners ask it)")).to_have_value(gap)
    page.locator("input[name=citations]").first.check()
    page.get_by_label("Your answer, with [1], [2]... for the passages ticked").fill(
        "The article reports the survey's figures but not how many people answered it [1]."
    )
    page.get_by_label("Other ways practitioners ask it (one per line)").fill(
        "How many people answered the survey?"
    )
    page.get_by_role("button", name="Verify this answer").click()
    expect(page.locator(".flash")).to_contain_text("Verified")
    expect(page.locator("#verified")).to_contain_text(gap)
    page.goto(server.url)
    page.get_by_label("Your question").fill("How many people answered the survey?")
    page.get_by_role("button", name="Ask Signpost").click()
    expect(page.locator(".verified")).to_contain_text("Verified by trainers")
    expect(page.locator(".answer-text")).to_contain_text("not how many people answered")


@pytest.mark.parametrize(("width", "name"), [(1280, "desktop"), (390, "phone")])
def test_the_insights_page_draws_its_charts_with_no_network(
    browser: Browser, server: LiveServer, width: int, name: str
) -> None:
    """300 questions over 12 weeks (asked through the API, then spread back in time): the
    page draws its charts itself, asks nothing of any other origin, and fits the screen."""
    import datetime as dt

    import httpx
    from sqlalchemy import create_engine, text

    db = server.log_path.parent / "data" / "signpost.db"
    with httpx.Client(base_url=server.url, timeout=30) as http:
        count = http.get("/insights/report", headers={"Authorization": f"Bearer {TRAINER_KEY}"})
        if count.json()["questions"] < 300:
            for i in range(300):
                question = (
                    "Can a PA drive my client's car to appointments?"
                    if i % 3
                    else "How many social workers felt they knew how to employ PAs?"
                )
                assert http.post("/ask", json={"question": question}).status_code == 200
            engine = create_engine(f"sqlite:///{db}")
            with engine.begin() as conn:
                ids = [r[0] for r in conn.execute(text("SELECT id FROM questions ORDER BY id"))]
                now = dt.datetime.now(dt.UTC)
                for n, question_id in enumerate(ids):
                    when = (now - dt.timedelta(days=n % 84)).isoformat(sep=" ")
                    conn.execute(
                        text("UPDATE questions SET asked_at = :when WHERE id = :id"),
                        {"when": when, "id": question_id},
                    )
            engine.dispose()
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    origins: list[str] = []
    page.on("request", lambda request: origins.append(request.url))
    sign_in(page, server)
    page.goto(f"{server.url}/trainer/insights?period=12w")
    expect(page.locator("figure.chart svg")).to_have_count(4)
    expect(page.locator(".summary")).to_contain_text("questions")
    expect(page.locator(".insights")).to_contain_text("Knowledge gaps, grouped by meaning")
    assert all(url.startswith(server.url) for url in origins), origins
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"insights-{name}.png"), full_page=True)
    context.close()
