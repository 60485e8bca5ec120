"""The extractive composer on hand-made passages (no model needed)."""

from __future__ import annotations

import re

from assistant.answering.compose import ExtractiveComposer, split_sentences
from assistant.answering.retrieval import Passage
from ingest.documents import DocumentRecord
from ingest.lexical_index import LexicalIndex
from ingest.vector_store import StoredChunk


def _passage(doc_id: str, text: str, similarity: float, section: str | None = None) -> Passage:
    record = DocumentRecord(
        doc_id=doc_id,
        title=doc_id.title(),
        source_type="survey",
        topics=[],
        origin="test",
        content_hash="h",
        version="v1",
        chunks=1,
        published="2010-05-01",
    )
    chunk = StoredChunk(f"{doc_id}::v1::00000", doc_id, "v1", 0, section, text)
    return Passage(chunk, record, 0.03, similarity, 1.0)


def _composer(tmp_path) -> ExtractiveComposer:
    return ExtractiveComposer(LexicalIndex(tmp_path).tokenize, min_similarity=0.35)


SURVEY = (
    "Our 2010 personalisation survey was commissioned by Unison. The results showed a mismatch "
    "between skills needed and skills held. For example, 82% said employing personal assistants "
    "was a necessary skill, yet just 49% felt they had this knowledge. Pay and conditions were "
    "not part of the survey this year."
)
REVIEW = (
    "The council must review a direct payment within six months of the first payment. After "
    "that, reviews take place at least once a year. A review can happen sooner if concerns arise."
)


def test_every_sentence_is_marked_and_every_marker_resolves(tmp_path) -> None:
    composer = _composer(tmp_path)
    result = composer.compose(
        "When is a direct payment reviewed?",
        [_passage("review", REVIEW, 0.7), _passage("survey", SURVEY, 0.4)],
    )
    assert result.answered
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", result.answer)]
    assert markers
    assert set(markers) == {c.n for c in result.citations}
    assert result.citations[0].doc_id == "review"
    assert "six months" in result.answer
    for sentence in re.split(r"(?<=\])\s+", result.answer):
        assert re.search(r"\[\d+\]$", sentence), sentence


def test_a_figure_brings_its_survey_and_year(tmp_path) -> None:
    result = _composer(tmp_path).compose(
        "How many felt they had the knowledge to employ a PA?", [_passage("survey", SURVEY, 0.6)]
    )
    first, *rest = re.split(r"(?<=\])\s+", result.answer)
    assert "49%" in first or "49%" in rest[0]  # the figure leads (after what "For example" needs)
    assert "2010 personalisation survey" in result.answer


def test_answers_stay_short(tmp_path) -> None:
    long_text = " ".join(
        f"Direct payment rule {i} says the council reviews the direct payment plan carefully."
        for i in range(40)
    )
    result = _composer(tmp_path).compose(
        "How does the council review a direct payment?", [_passage("long", long_text, 0.8)]
    )
    words = len(re.sub(r"\[\d+\]", "", result.answer).split())
    assert 10 <= words <= 130


def test_weak_evidence_abstains_without_content(tmp_path) -> None:
    result = _composer(tmp_path).compose(
        "What is the best recipe for a Victoria sponge?", [_passage("review", REVIEW, 0.12)]
    )
    assert not result.answered
    assert result.citations == []
    assert "six months" not in result.answer
    assert result.confidence < 0.3


def test_sentence_splitting_respects_abbreviations() -> None:
    text = "See para. 12.3 of the guidance, e.g. for carers. Then review it. Dr. Smith agreed!"
    assert split_sentences(text) == [
        "See para. 12.3 of the guidance, e.g. for carers.",
        "Then review it.",
        "Dr. Smith agreed!",
    ]


def test_snippet_is_centred_on_the_quoted_sentence(tmp_path) -> None:
    filler = "Background about the history of community care in England. " * 12
    result = _composer(tmp_path).compose(
        "When must the first review of a direct payment happen?",
        [_passage("review", filler + REVIEW, 0.7)],
    )
    assert "six months" in result.citations[0].snippet
    assert len(result.citations[0].snippet) <= 330


def test_a_sentence_that_points_back_comes_with_the_sentence_it_points_at(tmp_path) -> None:
    text = (
        "The council must give written reasons when it refuses a direct payment request. "
        "That decision can be challenged through the council's complaints procedure."
    )
    result = _composer(tmp_path).compose(
        "Can a refusal decision be challenged through the complaints procedure?",
        [_passage("refusal", text, 0.7)],
    )
    assert result.answered
    assert "That decision can be challenged" in result.answer
    assert result.answer.index("written reasons") < result.answer.index("That decision")


def test_a_chunk_that_starts_mid_sentence_never_leads_with_the_fragment(tmp_path) -> None:
    text = (
        "when people buy their own support, and that staff need confidence with it. "
        "Training in employing personal assistants was the most requested topic in the survey."
    )
    result = _composer(tmp_path).compose(
        "What training do staff need for people buying their own support?",
        [_passage("overlap", text, 0.7)],
    )
    assert result.answered
    assert "when people buy" not in result.answer
    assert "most requested topic" in result.answer


def test_the_same_finding_from_two_sources_is_said_once(tmp_path) -> None:
    other = (
        "The clearest gap concerned personal assistants: 82% of respondents said knowing how to "
        "employ personal assistants was a necessary skill, but only 49% felt they had it."
    )
    result = _composer(tmp_path).compose(
        "How many social workers felt they knew how to employ personal assistants?",
        [_passage("survey", SURVEY, 0.7), _passage("summary", other, 0.68)],
    )
    assert result.answered
    assert result.answer.count("82%") == 1
    assert result.answer.count("49%") == 1
