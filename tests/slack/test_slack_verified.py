"""In Slack, a question matching a trainer-verified answer gets it, with its badge."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import httpx
import pytest
import yaml

from assistant.schemas import SearchRequest, VerifiedAnswerCreate
from assistant.services import Signpost
from tests.conftest import REPO, ServiceFactory
from tests.slack.conftest import event_body, mention, signed_headers, wait_for
from tests.standins import StandIn

pytestmark = pytest.mark.anyio
JSON = {"content-type": "application/json"}
PAIRS = yaml.safe_load((REPO / "tests" / "data" / "verified_pairs.yaml").read_text())[0]


@pytest.fixture
def slack_service(make_service: ServiceFactory, tmp_path) -> Signpost:
    service = make_service()
    folder = tmp_path / "kb"
    folder.mkdir()
    shutil.copy(
        REPO / "knowledge" / "employing-a-pa" / "pa-ending-employment-and-redundancy.md", folder
    )
    assert service.curation.ingest([folder]).failed == []
    found = service.answering.search(SearchRequest(query=PAIRS["verified"], top_k=10)).results
    chunk = next(r for r in found if r.section == "When the employer dies")
    service.verified.create(
        VerifiedAnswerCreate(
            question=PAIRS["verified"],
            answer="Their employment usually ends when the employer dies [1].",
            citations=[chunk.chunk_id],
            questions=PAIRS["paraphrases"][2:4],
            review_by=dt.date(2027, 11, 1),
        ),
        verified_by="key:test",
    )
    return service


async def test_paraphrases_in_slack_get_the_verified_answer_with_its_badge(
    slack_client: httpx.AsyncClient, slack_api: StandIn
) -> None:
    asked = PAIRS["paraphrases"] + PAIRS["near_misses"][:2]
    for n, question in enumerate(asked):
        ts = f"17000020{n:02d}.000100"
        body = event_body(mention(question, ts=ts), event_id=f"EvV{n}")
        response = await slack_client.post(
            "/slack/events", content=body, headers=JSON | signed_headers(body)
        )
        assert response.status_code == 200
        wait_for(slack_api, "/api/chat.postMessage", count=n + 1)
    posts = [c.body for c in slack_api.calls if c.path.startswith("/api/chat.postMessage")]
    by_thread = {p["thread_ts"]: p for p in posts}
    for n, question in enumerate(asked):
        post = by_thread[f"17000020{n:02d}.000100"]
        shown = json.dumps(post["blocks"])
        if n < len(PAIRS["paraphrases"]):
            assert "Verified by trainers" in shown, question
            assert post["text"].split("\n", 1)[1].startswith("Their employment usually ends")
        else:
            assert "Verified by trainers" not in shown, question
