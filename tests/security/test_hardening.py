"""Regressions for the security review's findings, through the real ASGI app: a `javascript:`
source URL (stored XSS), security headers, rate-limit buckets from unchecked bearer tokens, and
a malformed Slack timestamp."""

from __future__ import annotations

import secrets
import stat
from pathlib import Path

import httpx
import pytest

from assistant.activity.log import ActivityLog
from assistant.config import Settings
from assistant.schemas import Citation
from assistant.slack.blocks import linked_answer, source_line
from ingest.documents import DocumentError
from ingest.loaders import load_bytes
from tests.api.conftest import TRAINER, TRAINER_KEY
from tests.conftest import DIRECT_PAYMENTS_MD

pytestmark = pytest.mark.anyio

BAD_URLS = [
    "javascript:fetch('/trainer/documents/glossary/delete',{method:'POST'})",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "https://example.org/<script>",
]


@pytest.mark.parametrize("url", BAD_URLS)
async def test_a_source_url_that_is_not_http_is_refused_on_upload(
    client: httpx.AsyncClient, url: str
) -> None:
    response = await client.post(
        "/documents",
        headers=TRAINER,
        files={"file": ("dp.md", DIRECT_PAYMENTS_MD.encode(), "text/markdown")},
        data={"source_url": url},
    )
    assert response.status_code == 422, response.text
    assert "source_url" in response.json()["error"]["message"]
    listed = (await client.get("/documents", headers=TRAINER)).json()["documents"]
    assert listed == []


@pytest.mark.parametrize(
    ("fmt", "document"),
    [
        ("markdown", "---\nsource_url: javascript:alert(1)\n---\n# T\n\nText here.\n"),
        (
            "html",
            '<html><head><meta name="source_url" content="javascript:alert(1)"></head>'
            "<body><h1>T</h1><p>Text here.</p></body></html>",
        ),
    ],
)
def test_front_matter_and_html_meta_urls_are_checked_too(fmt: str, document: str) -> None:
    with pytest.raises(DocumentError, match="source_url"):
        load_bytes(document.encode(), fmt, name=f"x.{fmt}")


def test_http_and_https_source_urls_are_kept() -> None:
    for url in ("https://www.gov.uk/guidance/x", "http://example.org/a?b=1#c"):
        doc = load_bytes(
            f"---\nsource_url: {url}\n---\n# T\n\nText here.\n".encode(), "markdown", name="x.md"
        )
        assert doc.meta.source_url == url


async def test_pages_carry_a_content_security_policy_and_nosniff(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/", "/trainer/login", "/healthz"):
        response = await client.get(path)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in response.headers  # plain http here
    page = (await client.get("/")).text
    assert "<script>" not in page
    assert " on" + "click=" not in page


@pytest.mark.parametrize("app_settings", [{"rate_limit_per_minute": 60}], indirect=True)
async def test_random_bearer_tokens_share_the_callers_bucket(
    client: httpx.AsyncClient,
) -> None:
    """With SIGNPOST_API_KEYS unset, a made-up token is not a key: 80 requests with 80 random
    tokens from one address meet that address's limit."""
    statuses = [
        (
            await client.post(
                "/search",
                json={"query": "direct payments"},
                headers={"Authorization": f"Bearer {secrets.token_hex(8)}"},
            )
        ).status_code
        for _ in range(80)
    ]
    assert statuses.count(429) >= 20, statuses
    assert statuses[0] == 200


async def test_a_valid_trainer_key_keeps_a_bucket_of_its_own(client: httpx.AsyncClient) -> None:
    response = await client.post("/search", json={"query": "direct payments"}, headers=TRAINER)
    assert response.status_code == 200


async def _sign_in(client: httpx.AsyncClient) -> tuple[str, str]:
    csrf = (await client.get("/trainer/login")).cookies["signpost_csrf"]
    response = await client.post("/trainer/login", data={"key": TRAINER_KEY, "csrf": csrf})
    assert response.status_code == 303
    return response.cookies["signpost_session"], csrf


async def test_signing_out_revokes_the_session_on_the_server(client: httpx.AsyncClient) -> None:
    token, csrf = await _sign_in(client)
    assert (await client.get("/trainer")).status_code == 200
    assert (await client.post("/trainer/logout", data={"csrf": csrf})).status_code == 303
    client.cookies.set("signpost_session", token)  # a copy of the cookie, kept by an attacker
    replay = await client.get("/trainer")
    assert replay.status_code == 303
    assert replay.headers["location"] == "/trainer/login"
    refused = await client.post("/trainer/sync", data={"csrf": csrf})
    assert refused.status_code == 303


@pytest.mark.parametrize("app_settings", [{"cookie_secure": True}], indirect=True)
async def test_cookies_can_be_forced_secure_behind_a_tls_proxy(client: httpx.AsyncClient) -> None:
    page = await client.get("/trainer/login")
    assert "Secure" in page.headers["set-cookie"]
    csrf = page.cookies["signpost_csrf"]
    # a client over plain http would not send a Secure cookie back: hand it over as a browser
    # behind the TLS proxy would
    client.cookies.clear()
    response = await client.post(
        "/trainer/login",
        data={"key": TRAINER_KEY, "csrf": csrf},
        headers={"Cookie": f"signpost_csrf={csrf}"},
    )
    cookies = response.headers.get_list("set-cookie")
    assert any(c.startswith("signpost_session=") and "Secure" in c for c in cookies), cookies


def test_a_crafted_url_cannot_break_out_of_a_slack_link() -> None:
    citation = Citation(
        n=1,
        doc_id="d",
        title="Guide <!channel> | click",
        source_type="guidance",
        kind="practice guidance",
        section=None,
        source_url="https://example.org/a|<!channel>&x=<https://evil.example|here>",
        published=None,
        snippet="s",
        score=0.5,
    )
    line = source_line(citation)
    answer = linked_answer("A sentence. [1]", [citation])
    for text in (line, answer):
        assert "<!channel>" not in text
        assert "<https://evil" not in text
        assert text.count("<") == text.count(">") == 1
    assert "https://example.org/a%7C&lt;!channel&gt;&amp;x=" in line


def test_the_database_file_is_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    settings.data_dir.mkdir(parents=True)
    ActivityLog.connect(settings.database)
    assert stat.S_IMODE((settings.data_dir / "signpost.db").stat().st_mode) == 0o600
