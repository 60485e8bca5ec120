"""Trainer-verified answers through the API: a gap turned into a verified answer, given to
paraphrases (with its badge and citations) and not to near misses, suspended when the cited
document changes, and listed for review on the trainer page."""

from __future__ import annotations

import shutil

import httpx
import pytest
import yaml

from assistant.schemas import AskRequest
from assistant.services import Signpost
from assistant.verified import service as verified_service
from tests.api.conftest import TRAINER, TRAINER_KEY
from tests.conftest import REPO

pytestmark = pytest.mark.anyio
GAP = "What happens to the PAs when my client dies?"
ENDING = REPO / "knowledge" / "employing-a-pa" / "pa-ending-employment-and-redundancy.md"
PAIRS = yaml.safe_load((REPO / "tests" / "data" / "verified_pairs.yaml").read_text())[0]


@pytest.fixture
def api_service(api_service: Signpost, app_settings) -> Signpost:
    folder = app_settings.knowledge_dir
    folder.mkdir(parents=True, exist_ok=True)
    for doc in ("employing-a-pa", "direct-payments"):
        for path in (REPO / "knowledge" / doc).glob("*.md"):
            shutil.copy(path, folder)
    assert api_service.curation.sync(folder).failed == []
    return api_service


async def verify_the_gap(client: httpx.AsyncClient) -> dict:
    found = (await client.post("/search", json={"query": GAP, "top_k": 10})).json()["results"]
    chunk = next(r for r in found if r["section"] == "When the employer dies")
    created = await client.post(
        "/answers",
        headers=TRAINER,
        json={
            "question": GAP,
            "answer": "Their employment usually ends when the employer dies; the council's direct "
            "payment agreement says how wages, holiday pay, notice and redundancy pay are met [1].",
            "citations": [chunk["chunk_id"]],
            "questions": PAIRS["paraphrases"][2:4],  # two paraphrases the trainer adds
            "review_by": "2027-11-01",
        },
    )
    assert created.status_code == 201, created.text
    return created.json()


async def test_paraphrases_get_the_verified_answer_and_near_misses_do_not(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/ask", json={"question": GAP})  # asked once: a practitioner's question
    verified = await verify_the_gap(client)
    assert verified["status"] == "active"
    assert verified["verified_by"].startswith("key:")
    assert len(verified["questions"]) == 3
    for question in PAIRS["paraphrases"]:
        answer = (await client.post("/ask", json={"question": question})).json()
        assert answer["verified"] is not None, question
        assert answer["verified"]["answer_id"] == verified["answer_id"]
        assert answer["answer"].startswith("Their employment usually ends")
        assert answer["citations"][0]["doc_id"] == "pa-ending-employment-and-redundancy"
    for question in PAIRS["near_misses"]:
        answer = (await client.post("/ask", json={"question": question})).json()
        assert answer["verified"] is None, question


async def test_a_changed_source_suspends_the_answer_until_reviewed(
    client: httpx.AsyncClient, app_settings
) -> None:
    verified = await verify_the_gap(client)
    cited = app_settings.knowledge_dir / ENDING.name
    cited.write_text(
        ENDING.read_text(encoding="utf-8").replace(
            "Employment usually ends on the employer's death.",
            "Employment normally ends on the employer's death.",
        ),
        encoding="utf-8",
    )
    synced = await client.post("/documents/sync", headers=TRAINER)
    assert synced.status_code == 200, synced.text
    answer = (await client.post("/ask", json={"question": GAP})).json()
    assert answer["verified"] is None
    listed = (await client.get("/answers", headers=TRAINER)).json()["answers"]
    assert listed[0]["answer_id"] == verified["answer_id"]
    assert listed[0]["status"] == "suspended"
    assert "changed" in listed[0]["status_reason"]
    # on the trainer page, it is listed for review
    login = await client.get("/trainer/login")
    signed = await client.post(
        "/trainer/login", data={"key": TRAINER_KEY, "csrf": login.cookies["signpost_csrf"]}
    )
    assert signed.status_code in (200, 303)
    page = await client.get("/trainer")
    assert page.status_code == 200
    section = page.text.split('id="verified"', 1)[1]  # the trainer's list, not the title
    assert "<title>" not in section
    assert "Needs review" in section
    assert GAP in section
    # reviewed (re-cited or reinstated), it is given again
    reinstated = await client.patch(
        f"/answers/{verified['answer_id']}", headers=TRAINER, json={"status": "active"}
    )
    assert reinstated.json()["status"] == "suspended"  # the source is still the changed one
    found = (await client.post("/search", json={"query": GAP, "top_k": 10})).json()["results"]
    chunk = next(r for r in found if r["section"] == "When the employer dies")
    recited = await client.patch(
        f"/answers/{verified['answer_id']}",
        headers=TRAINER,
        json={"citations": [chunk["chunk_id"]]},
    )
    assert recited.json()["status"] == "active"
    again = (await client.post("/ask", json={"question": GAP})).json()
    assert again["verified"]["answer_id"] == verified["answer_id"]


async def test_bad_verified_answers_are_refused_clearly(client: httpx.AsyncClient) -> None:
    base = {"question": GAP, "answer": "A fact [1].", "review_by": "2027-01-01"}
    unknown = await client.post("/answers", headers=TRAINER, json=base | {"citations": ["nope"]})
    assert unknown.status_code == 422
    assert "not in the index" in unknown.json()["error"]["message"]
    found = (await client.post("/search", json={"query": GAP})).json()["results"]
    markers = await client.post(
        "/answers",
        headers=TRAINER,
        json=base | {"answer": "A fact [2].", "citations": [found[0]["chunk_id"]]},
    )
    assert markers.status_code == 422
    assert (await client.post("/answers", json=base | {"citations": ["x"]})).status_code == 401
    assert (await client.get("/answers/nope", headers=TRAINER)).status_code == 404


async def test_a_not_helpful_verified_answer_goes_to_the_top_of_the_list(
    client: httpx.AsyncClient,
) -> None:
    first = await verify_the_gap(client)
    second = await client.post(
        "/answers",
        headers=TRAINER,
        json={
            "question": "How much notice does a PA get?",
            "answer": "At least one week after a month in the job [1].",
            "citations": [await _notice_chunk(client)],
            "review_by": "2027-11-01",
        },
    )
    assert second.status_code == 201, second.text
    listed = (await client.get("/answers", headers=TRAINER)).json()["answers"]
    assert listed[0]["answer_id"] == second.json()["answer_id"]  # newest first, no votes yet
    given = (await client.post("/ask", json={"question": GAP})).json()
    assert given["verified"]["answer_id"] == first["answer_id"]
    vote = {"question_id": given["question_id"], "helpful": False}
    assert (await client.post("/feedback", json=vote)).status_code == 201
    listed = (await client.get("/answers", headers=TRAINER)).json()["answers"]
    assert listed[0]["answer_id"] == first["answer_id"]
    assert listed[0]["not_helpful"] == 1


async def _notice_chunk(client: httpx.AsyncClient) -> str:
    found = (await client.post("/search", json={"query": "notice a PA gets", "top_k": 10})).json()
    return next(r["chunk_id"] for r in found["results"] if r["section"] == "Notice")


async def test_another_replica_gives_a_new_answer_soon_and_a_retired_one_never(
    client: httpx.AsyncClient, make_service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each replica matches from the active answers' questions it read last (read again at
    most every CANDIDATES_TTL_S), and re-reads the matched answer before giving it."""
    other = make_service()  # a second replica: the same database and index
    assert other.answering.ask(AskRequest(question=GAP)).verified is None  # none yet
    verified = await verify_the_gap(client)
    monkeypatch.setattr(verified_service, "CANDIDATES_TTL_S", 0.0)  # its memory has expired
    given = other.answering.ask(AskRequest(question=GAP)).verified
    assert given is not None
    assert given.answer_id == verified["answer_id"]
    monkeypatch.setattr(verified_service, "CANDIDATES_TTL_S", 3600.0)  # remembered as active
    retired = await client.patch(
        f"/answers/{verified['answer_id']}", headers=TRAINER, json={"status": "retired"}
    )
    assert retired.status_code == 200, retired.text
    assert other.answering.ask(AskRequest(question=GAP)).verified is None
