"""The HTTP API through the real ASGI app: contract shapes, input rules, keys, curation."""

from __future__ import annotations

import httpx
import pytest

from assistant.config import Settings
from tests.api.conftest import API_KEY, TRAINER, TRAINER_KEY
from tests.conftest import DIRECT_PAYMENTS_MD
from tests.fixtures import make_docx, make_pdf

pytestmark = pytest.mark.anyio

QUESTION = "Can my client pay her daughter who lives with her to be her PA?"


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


async def upload(client: httpx.AsyncClient, name: str, data: bytes, **fields: str):
    return await client.post(
        "/documents", headers=TRAINER, files={"file": (name, data)}, data=fields
    )


async def test_health_ready_metrics_openapi(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ready"}
    spec = (await client.get("/openapi.json")).json()
    assert {"/ask", "/search", "/feedback", "/documents", "/gaps"} <= set(spec["paths"])
    await client.post("/ask", json={"question": "anything about direct payments?"})
    metrics = await client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert 'signpost_http_requests_total{method="POST",route="/ask",status="200"}' in metrics.text
    assert "signpost_documents_indexed 0.0" in metrics.text
    assert 'signpost_answers_total{outcome="abstained",surface="api"}' in metrics.text
    assert (await client.get("/healthz")).headers["x-request-id"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"question": ""}, 422, "invalid_request"),
        ({"question": "    "}, 422, "invalid_request"),
        ({"question": "x" * 3000}, 422, "invalid_request"),
        ({}, 422, "invalid_request"),
        ({"question": "ok?", "top_k": 999}, 422, "invalid_request"),
        ({"question": "ok?", "top_k": 0}, 422, "invalid_request"),
        ({"question": "ok?", "filters": {"source_types": ["rumour"]}}, 422, "invalid_request"),
        ({"question": 12}, 422, "invalid_request"),
    ],
)
async def test_bad_ask_bodies_get_json_errors(
    client: httpx.AsyncClient, body: dict, status: int, code: str
) -> None:
    error = assert_error(await client.post("/ask", json=body), status, code)
    assert (
        "question" in error["message"]
        or "top_k" in error["message"]
        or "filters" in error["message"]
    )


async def test_question_limits_are_the_schema_s_limits(client: httpx.AsyncClient) -> None:
    """Lengths count the text as sent, as /openapi.json says; padding is stripped after."""
    schema = (await client.get("/openapi.json")).json()
    question = schema["components"]["schemas"]["AskRequest"]["properties"]["question"]
    assert (question["minLength"], question["maxLength"], question["pattern"]) == (1, 2000, r"\S")
    padded = " " + "x" * 2000  # 2,001 characters: over the limit although 2,000 after stripping
    assert_error(await client.post("/ask", json={"question": padded}), 422, "invalid_request")
    blank = assert_error(
        await client.post("/ask", json={"question": " \n\t "}), 422, "invalid_request"
    )
    assert blank["message"] == "question: must not be blank"
    ok = await client.post("/ask", json={"question": "\u2003 " + "x" * 1990 + " \n"})
    assert ok.status_code == 200


async def test_malformed_json_unknown_route_and_wrong_method(client: httpx.AsyncClient) -> None:
    assert_error(
        await client.post(
            "/ask", content=b'{"question": ', headers={"content-type": "application/json"}
        ),
        400,
        "invalid_json",
    )
    assert_error(await client.get("/nope"), 404, "not_found")
    assert_error(await client.get("/ask"), 405, "method_not_allowed")
    assert_error(await client.post("/ask", content=b"x" * (2 * 1024 * 1024)), 413)


async def test_trainer_endpoints_need_a_trainer_key(client: httpx.AsyncClient) -> None:
    for method, path in [
        ("GET", "/documents"),
        ("POST", "/documents"),
        ("GET", "/documents/x"),
        ("DELETE", "/documents/x"),
        ("POST", "/documents/sync"),
        ("GET", "/gaps"),
        ("GET", "/feedback"),
    ]:
        missing = await client.request(method, path)
        assert_error(missing, 401, "missing_key")
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = await client.request(method, path, headers={"Authorization": "Bearer wrong"})
        assert_error(wrong, 403, "invalid_key")


async def test_upload_list_ask_cite_delete(client: httpx.AsyncClient) -> None:
    created = await upload(client, "dp-family.md", DIRECT_PAYMENTS_MD.encode())
    assert created.status_code == 201, created.text
    doc = created.json()
    assert doc["doc_id"] == "dp-family"
    assert doc["chunks"] >= 1
    assert doc["format"] == "markdown"

    listing = (await client.get("/documents", headers=TRAINER)).json()["documents"]
    assert [d["doc_id"] for d in listing] == ["dp-family"]
    assert listing[0]["topics"] == ["direct-payments", "personal-assistants"]
    assert listing[0]["reviewed"] == "2026-11-01"
    assert listing[0]["origin"] == "upload:dp-family.md"

    detail = (await client.get("/documents/dp-family", headers=TRAINER)).json()
    assert detail["passages"]
    assert detail["passages"][0]["text"]

    answer = (await client.post("/ask", json={"question": QUESTION})).json()
    assert answer["answered"] is True
    assert answer["citations"][0]["doc_id"] == "dp-family"
    assert answer["citations"][0]["source_url"] == "https://example.org/dp-family"
    assert answer["citations"][0]["published"] == "2014-10-23"

    removed = await client.delete("/documents/dp-family", headers=TRAINER)
    assert removed.status_code == 200
    assert removed.json()["doc_id"] == "dp-family"
    assert_error(
        await client.get("/documents/dp-family", headers=TRAINER), 404, "document_not_found"
    )
    assert_error(await client.delete("/documents/dp-family", headers=TRAINER), 404)
    after = (await client.post("/ask", json={"question": QUESTION})).json()
    assert all(c["doc_id"] != "dp-family" for c in after["citations"])


async def test_upload_type_comes_from_content(client: httpx.AsyncClient) -> None:
    pdf = await upload(
        client, "insurance.txt", make_pdf(["Employer's liability insurance is needed."])
    )
    assert pdf.status_code == 201
    assert pdf.json()["format"] == "pdf"
    docx = await upload(
        client,
        "pa",
        make_docx("Employing a PA", {"Payroll": ["Register with HMRC."]}),
        source_type="guidance",
        topics="personal-assistants, payroll",
    )
    assert docx.status_code == 201
    assert docx.json()["format"] == "docx"
    info = (await client.get(f"/documents/{docx.json()['doc_id']}", headers=TRAINER)).json()
    assert info["source_type"] == "guidance"
    assert info["topics"] == [
        "personal-assistants",
        "payroll",
    ]
    assert_error(await upload(client, "photo.md", b"\x89PNG\r\n\x1a\n\x00\x00binary"), 415)
    assert_error(await upload(client, "bad.md", b"---\nsource_type: gossip\n---\n# X\n\nText"), 422)
    assert_error(await upload(client, "notes.md", b"# Fine\n\nText", published="someday"), 422)


async def test_oversized_upload_gets_413_and_changes_nothing(
    client: httpx.AsyncClient, app_settings: Settings
) -> None:
    big = b"Direct payments. " * (30 * 1024 * 1024 // 17)
    assert_error(await upload(client, "big.txt", big), 413, "payload_too_large")
    assert (await client.get("/documents", headers=TRAINER)).json()["documents"] == []


async def test_feedback_on_real_and_unknown_questions(client: httpx.AsyncClient) -> None:
    await upload(client, "dp-family.md", DIRECT_PAYMENTS_MD.encode())
    qid = (await client.post("/ask", json={"question": QUESTION})).json()["question_id"]
    ok = await client.post(
        "/feedback",
        json={"question_id": qid, "helpful": False, "comment": "Missing the exceptions"},
    )
    assert ok.status_code == 201
    assert ok.json()["question_id"] == qid
    assert_error(
        await client.post("/feedback", json={"question_id": "nope", "helpful": True}),
        404,
        "question_not_found",
    )
    assert_error(await client.post("/feedback", json={"question_id": qid}), 422)
    listed = (await client.get("/feedback", headers=TRAINER)).json()["feedback"]
    assert listed[0]["question_id"] == qid
    assert listed[0]["helpful"] is False
    assert listed[0]["comment"] == "Missing the exceptions"
    assert listed[0]["cited_doc_ids"] == ["dp-family"]


async def test_gaps_keep_out_of_scope_questions_apart_and_list_unhelpful_answers(
    client: httpx.AsyncClient,
) -> None:
    await upload(client, "dp-family.md", DIRECT_PAYMENTS_MD.encode())
    for question in [
        "What is the best recipe for a Victoria sponge?",
        "what is the best recipe for a victoria sponge",
        "Who won the World Cup in 1966?",
        "What happens to the PAs' contracts when my client dies?",
        "what happens to the PAs contracts when my client dies",
    ]:
        body = (await client.post("/ask", json={"question": question})).json()
        assert body["answered"] is False, question
    answered = (
        await client.post("/ask", json={"question": "Can my client pay her daughter as her PA?"})
    ).json()
    assert answered["answered"] is True
    await client.post("/feedback", json={"question_id": answered["question_id"], "helpful": False})
    listed = (await client.get("/gaps", headers=TRAINER)).json()
    gaps, outside = listed["gaps"], listed["out_of_scope"]
    # the unhelpful answer first, then the in-scope gap; no cake, no football
    assert gaps[0]["question"] == "Can my client pay her daughter as her PA?"
    assert gaps[0]["not_helpful"] == 1
    assert gaps[1]["count"] == 2
    assert "when my client dies" in gaps[1]["question"]
    assert all(g["in_scope"] for g in gaps)
    assert not any("sponge" in g["question"].lower() or "World Cup" in g["question"] for g in gaps)
    assert outside[0]["count"] == 2
    assert "victoria sponge" in outside[0]["question"].lower()
    assert "World Cup" in outside[1]["question"]
    assert not any(g["in_scope"] for g in outside)


async def test_personal_data_is_redacted_before_storage(client: httpx.AsyncClient) -> None:
    await upload(client, "dp-family.md", DIRECT_PAYMENTS_MD.encode())
    body = (
        await client.post(
            "/ask",
            json={"question": "Mrs Jane Hollis (NHS 485 777 3457) wants to pay her son. Can she?"},
        )
    ).json()
    assert any("personal details" in n for n in body["notices"])
    assert "Hollis" not in body["answer"]
    await client.post(
        "/feedback",
        json={"question_id": body["question_id"], "helpful": True, "comment": "Call 01632 960123"},
    )
    stored = (await client.get("/feedback", headers=TRAINER)).json()["feedback"][0]
    assert "Hollis" not in stored["question"]
    assert "485 777 3457" not in stored["question"]
    assert "[name]" in stored["question"]
    assert stored["comment"] == "Call [phone]"


@pytest.mark.parametrize("app_settings", [{"api_keys": API_KEY}], indirect=True)
async def test_api_keys_guard_ask_and_search(client: httpx.AsyncClient) -> None:
    assert_error(await client.post("/ask", json={"question": "q?"}), 401, "missing_key")
    assert_error(
        await client.post("/search", json={"query": "q"}, headers={"Authorization": "Bearer x"}),
        403,
    )
    ok = await client.post(
        "/ask", json={"question": "q?"}, headers={"Authorization": f"Bearer {API_KEY}"}
    )
    assert ok.status_code == 200
    trainer = await client.post(
        "/ask", json={"question": "q?"}, headers={"Authorization": f"Bearer {TRAINER_KEY}"}
    )
    assert trainer.status_code == 200
    assert (await client.get("/healthz")).status_code == 200


async def test_sync_endpoint_mirrors_the_knowledge_dir(
    client: httpx.AsyncClient, app_settings: Settings
) -> None:
    folder = app_settings.knowledge_dir
    folder.mkdir(parents=True)
    (folder / "dp-family.md").write_text(DIRECT_PAYMENTS_MD)
    (folder / "broken.md").write_text("---\nreviewed: never\n---\n# B\n\nText")
    result = (await client.post("/documents/sync", headers=TRAINER)).json()
    assert result["added"] == 1
    assert result["failed"][0]["source"].endswith("broken.md")
    (folder / "dp-family.md").unlink()
    assert (await client.post("/documents/sync", headers=TRAINER)).json()["removed"] == 1


async def test_trainers_boost_demote_and_hide_documents(client: httpx.AsyncClient) -> None:
    await upload(client, "dp-family.md", DIRECT_PAYMENTS_MD.encode())
    question = {"question": "Can my client pay her daughter who lives with her?"}
    cited = (await client.post("/ask", json=question)).json()
    assert "dp-family" in {c["doc_id"] for c in cited["citations"]}
    await client.post("/feedback", json={"question_id": cited["question_id"], "helpful": True})
    boosted = await client.patch("/documents/dp-family", headers=TRAINER, json={"boost": 1.5})
    assert boosted.status_code == 200
    assert boosted.json()["boost"] == 1.5
    assert boosted.json()["helpful"] == 1  # per-document feedback, for the trainer
    hidden = await client.patch("/documents/dp-family", headers=TRAINER, json={"hidden": True})
    assert hidden.json()["hidden"] is True
    assert hidden.json()["boost"] == 1.5
    after = (await client.post("/ask", json=question)).json()
    assert "dp-family" not in {c["doc_id"] for c in after["citations"]}  # never cited
    listed = (await client.get("/documents", headers=TRAINER)).json()["documents"]
    assert next(d for d in listed if d["doc_id"] == "dp-family")["hidden"] is True
    shown = await client.patch("/documents/dp-family", headers=TRAINER, json={"hidden": False})
    assert shown.json()["hidden"] is False
    again = (await client.post("/ask", json=question)).json()
    assert "dp-family" in {c["doc_id"] for c in again["citations"]}
    too_much = await client.patch("/documents/dp-family", headers=TRAINER, json={"boost": 3})
    assert too_much.status_code == 422
    assert (
        await client.patch("/documents/nope", headers=TRAINER, json={"boost": 1.2})
    ).status_code == 404
    assert (await client.patch("/documents/dp-family", json={"boost": 1.2})).status_code == 401
