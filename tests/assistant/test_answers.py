"""End-to-end answering over the five fixture articles: real model, real Chroma, real BM25."""

from __future__ import annotations

import re

import pytest

from assistant.answering.compose import attributed
from assistant.answering.retrieval import PREFER_FACTOR, Passage, sibling_docs
from assistant.schemas import AskRequest, Filters, SearchRequest
from assistant.services import Signpost
from ingest.vector_store import StoredChunk
from tests.conftest import DIRECT_PAYMENTS_MD, SKILLS_DOC
from tests.fixtures import make_record

KIND_PREFIX = re.compile(
    r"^(?:Legal duty|Statutory guidance|Practice guidance|Curriculum|Survey(?:, \d{4})?|Article|"
    r"Document): "
)


def _sentences_with_markers(answer: str) -> list[tuple[str, list[int]]]:
    parts = re.findall(r"(.+?)((?:\s*\[\d+\])+)(?=\s|$)", answer)
    return [(text.strip(), [int(n) for n in re.findall(r"\d+", marks)]) for text, marks in parts]


def assert_truthful(service: Signpost, response) -> None:
    """Every sentence carries a marker, every marker resolves, and the cited document's
    chunks contain the sentence word for word (the extractive composer invents nothing; it
    only names whose "our survey" is)."""
    numbers = {c.n for c in response.citations}
    assert numbers == set(range(1, len(numbers) + 1))
    claims = _sentences_with_markers(response.answer)
    assert claims, response.answer
    assert re.sub(r"\[\d+\]", "", "".join(t for t, _ in claims)).strip()
    for text, marks in claims:
        text = KIND_PREFIX.sub("", text)
        assert marks, text
        assert all(n in numbers for n in marks), (text, marks)
        for n in marks:
            cited = next(c for c in response.citations if c.n == n)
            source = attributed(
                " ".join(" ".join(ch.text.split()) for ch in service.index.chunks(cited.doc_id)),
                service.index.records()[cited.doc_id],
            )
            assert text.rstrip(".") in source, (text, cited.doc_id)


def test_survey_figure_is_answered_with_its_source(corpus_service: Signpost) -> None:
    response = corpus_service.answering.ask(
        AskRequest(
            question="How many social workers felt they knew how to employ personal assistants?"
        )
    )
    assert response.answered is True
    assert "49%" in response.answer
    # its lead is from the article's second passage, which costs RANK_DOUBT (0.1): 0.50 -> 0.40
    assert response.confidence >= 0.4
    cited = {c.doc_id for c in response.citations}
    assert SKILLS_DOC in cited
    figure = re.search(r"[^.]*49%[^\[]*\[(\d+)\]", response.answer)
    assert figure is not None
    n = int(figure.group(1))
    assert next(c for c in response.citations if c.n == n).doc_id == SKILLS_DOC
    assert len(response.answer.split()) <= 160
    assert_truthful(corpus_service, response)


def test_figure_keeps_its_survey_context(corpus_service: Signpost) -> None:
    response = corpus_service.answering.ask(
        AskRequest(
            question="What percentage said employing personal assistants was a necessary skill?"
        )
    )
    assert "82%" in response.answer
    assert re.search(r"survey", response.answer, re.I)


@pytest.mark.parametrize(
    "question",
    [
        "What is the best recipe for a Victoria sponge?",
        "Who won the football World Cup in 1966?",
        "How do I reset my Outlook password?",
        "What is the boiling point of mercury?",
        "Recommend a good hotel in Barcelona",
    ],
)
def test_out_of_scope_questions_are_refused(corpus_service: Signpost, question: str) -> None:
    response = corpus_service.answering.ask(AskRequest(question=question))
    assert response.answered is False
    assert response.citations == []
    assert "knowledge gap" in response.answer
    assert response.confidence < 0.5


@pytest.mark.parametrize(
    ("question", "expected_doc"),
    [
        ("What did Owen Pryce say about care navigators and brokers?", "trust-social-workers"),
        (
            "Do social workers get enough training in personalisation?",
            "training-reflective-practice",
        ),
        ("Is personalisation seen as positive by social workers?", "personalisation-impact-survey"),
        ("hey quick q - do SWs know how to employ PAs??", SKILLS_DOC),
    ],
)
def test_in_scope_questions_are_answered_truthfully(
    corpus_service: Signpost, question: str, expected_doc: str
) -> None:
    response = corpus_service.answering.ask(AskRequest(question=question))
    assert response.answered is True, response
    assert expected_doc in {c.doc_id for c in response.citations}
    assert_truthful(corpus_service, response)


def test_search_returns_scored_passages(corpus_service: Signpost) -> None:
    results = corpus_service.answering.search(
        SearchRequest(query="Unison survey personal assistants", top_k=3)
    )
    assert 1 <= len(results.results) <= 3
    assert results.results[0].doc_id == SKILLS_DOC
    assert all(r.text and 0 <= r.score <= 1 for r in results.results)


def test_filters_restrict_sources(service: Signpost, articles) -> None:
    service.curation.ingest([articles])
    service.curation.upload(
        DIRECT_PAYMENTS_MD.encode(), "markdown", filename="dp-family.md", metadata={}
    )
    question = "Can my client pay her daughter as her PA?"
    guidance = service.answering.ask(
        AskRequest(question=question, filters=Filters(source_types=["guidance"]))
    )
    assert guidance.answered
    assert {c.doc_id for c in guidance.citations} == {"dp-family"}
    by_topic = service.answering.search(
        SearchRequest(query=question, filters=Filters(topics=["direct-payments"]))
    )
    assert {r.doc_id for r in by_topic.results} == {"dp-family"}
    nothing = service.answering.ask(
        AskRequest(question=question, filters=Filters(topics=["no-such-topic"]))
    )
    assert nothing.answered is False
    assert nothing.citations == []


def test_near_duplicate_passages_are_collapsed(service: Signpost) -> None:
    text = (
        "# {t}\n\nA carer's direct payment can pay for a gym membership or driving lessons "
        "that help the carer keep caring."
    )
    service.curation.upload(
        text.format(t="Carers A").encode(), "markdown", filename="a.md", metadata={}
    )
    service.curation.upload(
        text.format(t="Carers B").encode(), "markdown", filename="b.md", metadata={}
    )
    results = service.answering.search(
        SearchRequest(query="What can a carer's direct payment pay for?", top_k=5)
    )
    same = [r for r in results.results if "gym membership" in r.text]
    assert len(same) == 1


def test_lexical_side_finds_exact_terms(corpus_service: Signpost) -> None:
    passages = corpus_service.answering.retriever.retrieve(
        "Dana Whitfield union national officer", 3
    )
    assert passages[0].lexical > 0
    assert "Dana Whitfield" in passages[0].chunk.text


def test_empty_index_says_so(service: Signpost) -> None:
    response = service.answering.ask(
        AskRequest(question="Can my client pay her daughter as her PA?")
    )
    assert response.answered is False
    assert "empty" in response.answer


def test_siblings_are_more_sections_of_the_best_and_the_closest_passages_documents(
    corpus_service: Signpost,
) -> None:
    question = "How many social workers felt confident employing personal assistants?"
    plain = corpus_service.answering.retriever.retrieve(question, 2)
    wider = corpus_service.answering.retriever.retrieve(question, 2, siblings=3)
    assert [p.chunk.chunk_id for p in wider[:2]] == [p.chunk.chunk_id for p in plain]
    extra = wider[2:]
    assert 1 <= len(extra) <= 3
    closest = max(plain, key=lambda p: p.similarity)
    assert {p.record.doc_id for p in extra} <= {plain[0].record.doc_id, closest.record.doc_id}
    assert len({p.chunk.chunk_id for p in wider}) == len(wider)


def test_the_closest_passages_document_is_a_sibling_source_too() -> None:
    """BM25 may rank a passage first that is not the closest in meaning: both documents'
    further sections may follow."""

    def passage(doc_id: str, similarity: float) -> Passage:
        record = make_record(doc_id=doc_id, title=doc_id)
        chunk = StoredChunk(f"{doc_id}::v1::00000", doc_id, "v1", 0, None, "text")
        return Passage(chunk, record, 0.5, similarity, 1.0)

    ranked = [passage("holiday", 0.48), passage("pension", 0.58), passage("contract", 0.5)]
    assert sibling_docs(ranked, 2) == {"holiday", "pension"}
    assert sibling_docs(ranked[:1], 1) == {"holiday"}


def test_a_follow_up_prefers_the_documents_the_last_answer_cited(
    corpus_service: Signpost,
) -> None:
    """A document the conversation's last answer cited moves up; the ranking is otherwise the
    same search."""
    question = "How many social workers felt confident employing personal assistants?"
    retriever = corpus_service.answering.retriever
    plain = retriever.retrieve(question, 5)
    top = plain[0].record.doc_id
    other = next(p for p in plain if p.record.doc_id != top)
    preferred = retriever.retrieve(question, 5, prefer=[other.record.doc_id])
    moved = next(p for p in preferred if p.chunk.chunk_id == other.chunk.chunk_id)
    assert moved.fused == pytest.approx(other.fused * PREFER_FACTOR)
    assert preferred.index(moved) < plain.index(other)
