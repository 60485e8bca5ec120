"""Feedback that moves ranking, within bounds, on the real knowledge base: five "not helpful"
votes on answers citing a wrong passage lift the right one above it; even the worst case of
votes cannot lower hit@5 on the golden set by more than a point."""

from __future__ import annotations

import pytest

from assistant.answering.query import condition_terms
from assistant.config import Settings
from assistant.evaluation.golden import DEFAULT_QUESTIONS, load_questions, run_eval
from assistant.factory import build_services
from assistant.schemas import AskRequest, FeedbackRequest, Filters
from assistant.services import Signpost
from ingest.embedder import Embedder
from tests.conftest import REPO

QUESTION = "What can a direct payment be spent on?"


@pytest.fixture
def fresh(tmp_path, embedder: Embedder) -> Signpost:
    service = build_services(
        Settings(data_dir=tmp_path / "data", _env_file=None), embedder=embedder
    )
    assert service.curation.ingest([REPO / "knowledge"]).failed == []
    return service


def _ranked(service: Signpost, question: str) -> list[str]:
    answering = service.answering
    query = answering._query(question)
    query = f"{query} {condition_terms(query)}".strip()
    return [p.record.doc_id for p in answering.retriever.retrieve(query, 5, Filters())]


def test_five_not_helpful_votes_lift_the_right_passage(fresh: Signpost) -> None:
    before = _ranked(fresh, QUESTION)
    assert before[0] != "dp-what-it-can-pay-for"  # a wrong passage leads today
    assert "dp-what-it-can-pay-for" in before
    for _ in range(5):
        answer = fresh.answering.ask(AskRequest(question=QUESTION))
        assert before[0] in {c.doc_id for c in answer.citations}
        fresh.answering.feedback(FeedbackRequest(question_id=answer.question_id, helpful=False))
    fresh.activity._ranking = None  # no need to wait out the 2 s cache
    after = _ranked(fresh, QUESTION)
    assert (
        after.index("dp-what-it-can-pay-for") < after.index(before[0])
        if before[0] in after
        else True
    )
    assert after[0] == "dp-what-it-can-pay-for" or after.index(
        "dp-what-it-can-pay-for"
    ) < before.index("dp-what-it-can-pay-for")
    factors = fresh.activity.ranking().chunk_factors
    assert min(factors.values()) >= 0.8  # bounded: more votes cannot push it further


def test_no_feedback_can_lower_hit_at_5_by_more_than_a_point(fresh: Signpost) -> None:
    questions = [q for q in load_questions(DEFAULT_QUESTIONS) if q.split == "tuning"]
    before, _ = run_eval(fresh, questions)
    expected = {d for q in questions for d in q.expected_docs}
    chunks = [c.chunk_id for d in expected for c in fresh.index.chunks(d)]
    for n in range(10):  # the worst case: every expected document's every chunk, voted down
        fresh.activity.record_question(
            f"adversary{n}",
            "x",
            answered=True,
            confidence=1.0,
            cited_doc_ids=[],
            surface="api",
            cited_chunk_ids=chunks,
        )
        fresh.activity.record_feedback(f"adversary{n}", False, None)
    fresh.activity.refresh_ranking()
    after, _ = run_eval(fresh, questions)
    assert after["tuning"]["hit@5"] >= before["tuning"]["hit@5"] - 0.01
