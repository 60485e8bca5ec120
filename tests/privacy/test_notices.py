"""Safeguarding, jurisdiction and review notices, and source kinds, through the service."""

from __future__ import annotations

import pytest

from assistant.safety.notices import (
    SAFEGUARDING_NOTICE,
    nations_named,
    safeguarding_notice,
    source_kind,
)
from assistant.schemas import AskRequest
from assistant.services import Signpost
from ingest.documents import DocumentRecord
from tests.conftest import DIRECT_PAYMENTS_MD

OLD_REVIEW = DIRECT_PAYMENTS_MD.replace("reviewed: 2026-11-01", "reviewed: 2019-03-01").replace(
    "title: Paying a family member with a direct payment", "title: Old family payment note"
)


@pytest.fixture
def dp_service(service: Signpost) -> Signpost:
    service.curation.upload(
        DIRECT_PAYMENTS_MD.encode(), "markdown", filename="dp-family.md", metadata={}
    )
    return service


@pytest.mark.parametrize(
    "question",
    [
        "My client's son hits her when she won't give him her direct payment money",
        "I'm worried my service user is being neglected by her PA, she hasn't been fed",
        "He said he wants to kill himself if he loses his PA",
        "Mrs [name] is scared of her nephew who is taking her pension",
        "My client's PA is taking money from her purse, what do I do?",
        "her PA took cash out of her account again",
        "My client's nephew has been using her bank card without asking",
        "I think my client's son is taking her direct payment money - what do I do?",
        "her nephew has been helping himself to her pension",
        "Someone's PA has been leaving her alone all day without food",
        "my client's daughter controls who visits her and won't let me see the bank statements",
        "her son won't let me speak to her alone",
        "the PA controls all her money",
        "her nephew stops her from seeing her friends",
        "my client's son has taken over her bank card",
        "she looks frightened at visits since her nephew moved in",
        "her PA took control of her money",
        "he seems withdrawn since the new PA started",
        "my client's daughter won't let the social worker see her mum alone",
        "her son never lets anyone visit her",
        "the PA stops the nurse from seeing her",
        # paid for care that never came
        "the PA is claiming for visits that were never done",
        "her PA charged her for hours she never worked",
        "timesheets don't match the care my client actually got - what should I do?",
        "my client's PA's timesheets never add up",
        "the PA is putting in false timesheets",
        # sexual and psychological abuse, rough handling
        "the PA touched her inappropriately",
        "my client says her carer sexually assaulted her",
        "the PA shouts at her and calls her names",
        "the PA has been swearing at my client",
        "my client is being bullied by her daughter",
        "her PA is rough with her when washing her",
        # neglect
        "my client hasn't eaten for days and the PA isn't doing anything",
        "she was left in soiled clothes all night",
        "the PA leaves her in bed all day",
        "my client's husband won't let her eat",
        "the agency keeps missing visits and she is left without care",
        # made to sign or hand over
        "her son is making her sign cheques",
        # thoughts of suicide in everyday words
        "my client said she wants to end it all",
        "my client is talking about taking her own life",
        "she says she doesn't want to live any more",
        # medicines misused or kept from the person
        "my client's PA has been giving her the wrong tablets on purpose",
        "her son is withholding her medication",
        "the PA hides her tablets",
        "I think her carer has been drugging her",
        # pressure over money
        "my client's son says he will stop visiting unless she gives him her pension",
        "her nephew is pressuring her to sign over the house",
        "her daughter keeps demanding her pension",
        # the money spent on the one who holds it
        "what should I do if I think the authorised person is spending the DP on themselves?",
        "her son is using her direct payment for his own bills",
    ],
)
def test_safeguarding_signpost_for_someone_at_risk_now(question: str) -> None:
    assert safeguarding_notice(question) == SAFEGUARDING_NOTICE


@pytest.mark.parametrize(
    "question",
    [
        "What are the signs of financial abuse with a direct payment?",
        "What are the six safeguarding principles?",
        "Can my client pay her daughter as her PA?",
        "Can my client use her money to pay a PA?",
        "Is the council taking the money back from my client?",
        "Can my client take her direct payment as a managed account?",
        "How long does it take for my client's direct payment money to arrive?",
        "Can a PA leave her alone for an hour while she shops?",
        "How can a council control spending on a direct payment?",
        "Does the PA get holiday pay?",
        "how should my client keep timesheets for her PA?",
        "do timesheets have to match the rota?",
        "unless she pays the PA more, will the PA leave?",
        "can a PA give my client her medication?",
        "what happens if the PA misses a visit?",
        "will she be left without care?",
        "what if my client doesn't want to live in a care home?",
        "she doesn't want to live with her daughter",
        "can my client make her PA sign a contract?",
        "can my client's PA help her wash?",
        "my client gets too many tablets from the pharmacy, can the PA help sort them?",
        "the council says unless she pays her contribution the DP stops",
        "Who controls the money in a managed account?",
        "Can my client take over the management of her direct payment?",
        "Is my client's daughter allowed to take over her DP as authorised person?",
        "Can a PA stop the client seeing friends during shifts?",
        # receiving one is not having it taken (these were read as taking someone's money)
        "is the council still responsible if my client takes a direct payment?",
        "my client took up a direct payment last year, when is her review?",
        "can my client spend her direct payment on herself, on a gym membership?",
        "what can the authorised person spend the money on?",
        "can my client spend the direct payment on herself?",
    ],
)
def test_no_safeguarding_signpost_for_general_questions(question: str) -> None:
    assert safeguarding_notice(question) is None


def test_safeguarding_notice_is_beside_the_answer(dp_service: Signpost) -> None:
    response = dp_service.answering.ask(
        AskRequest(question="Her son hits her and wants to be paid as her PA. Can he be paid?")
    )
    assert SAFEGUARDING_NOTICE in response.notices
    assert response.answered, "the notice comes with the answer, not instead of it"


def test_jurisdiction_notice_for_other_nations(dp_service: Signpost) -> None:
    response = dp_service.answering.ask(
        AskRequest(question="In Wales, can my client pay her daughter who lives with her?")
    )
    assert response.answered
    assert any("Wales" in n and "England" in n for n in response.notices)
    england = dp_service.answering.ask(
        AskRequest(question="Can my client pay her daughter who lives with her?")
    )
    assert not any("England" in n for n in england.notices)


@pytest.mark.parametrize(
    ("place", "nation"),
    [
        ("Cardiff", "Wales"),
        ("Rhondda Cynon Taf", "Wales"),
        ("Ynys Môn", "Wales"),
        ("Glasgow", "Scotland"),
        ("Perth and Kinross", "Scotland"),
        ("the Western Isles", "Scotland"),
        ("Belfast", "Northern Ireland"),
        ("Newry, Mourne and Down", "Northern Ireland"),
        ("Derry", "Northern Ireland"),
    ],
)
def test_towns_and_councils_outside_england_get_the_notice(
    dp_service: Signpost, place: str, nation: str
) -> None:
    response = dp_service.answering.ask(
        AskRequest(
            question=f"My client in {place}: can a direct payment pay a close relative who "
            "lives in the same household?"
        )
    )
    assert response.answered
    assert any(nation in n and "England" in n for n in response.notices), response.notices


@pytest.mark.parametrize(
    "question",
    [
        "My client in Leeds wants to pay her daughter, can she?",
        "There is mold in the flat; can a direct payment pay for cleaning?",
        "Can my client's son Barry be her PA?",
    ],
)
def test_places_in_england_and_lookalike_words_get_no_jurisdiction_notice(question: str) -> None:
    assert nations_named(question) == []


def test_review_notice_for_stale_sources(service: Signpost) -> None:
    service.curation.upload(OLD_REVIEW.encode(), "markdown", filename="old.md", metadata={})
    response = service.answering.ask(
        AskRequest(question="Can a close relative in the same household be paid?")
    )
    assert response.answered
    assert any("last reviewed 2019-03-01" in n for n in response.notices)


def test_citations_carry_their_kind_and_answers_show_it(dp_service: Signpost) -> None:
    survey = (
        "---\ntitle: PA skills survey\nsource_type: survey\npublished: 2011-10-01\n---\n"
        "# PA skills survey\n\nIn the 2011 survey 49% of social workers felt they knew how to "
        "employ personal assistants.\n"
    )
    dp_service.curation.upload(survey.encode(), "markdown", filename="survey.md", metadata={})
    response = dp_service.answering.ask(
        AskRequest(question="How many social workers felt they knew how to employ a PA?")
    )
    first = response.citations[0]
    assert first.kind == "survey finding (2011)"
    assert response.answer.startswith("Survey, 2011:")


def test_source_kinds() -> None:
    def record(
        source_type: str, url: str = "", published: str | None = None, genre: str | None = None
    ) -> DocumentRecord:
        return DocumentRecord(
            doc_id="d",
            title="t",
            source_type=source_type,
            topics=[],
            origin="o",
            content_hash="h",
            version="v",
            chunks=1,
            source_url=url,
            published=published,
            genre=genre,
        )

    assert source_kind(record("legislation")) == "legal duty"
    statutory = "https://www.gov.uk/government/publications/care-act-statutory-guidance/x"
    assert source_kind(record("guidance", statutory)) == "statutory guidance"
    assert source_kind(record("guidance", "https://www.gov.uk/register-employer")) == (
        "practice guidance"
    )
    assert source_kind(record("practice-note", "https://www.skillsforcare.org.uk/x")) == (
        "practice guidance"
    )
    # nothing declared: never promoted to guidance
    assert source_kind(record("practice-note")) == "document"
    assert source_kind(record("practice-note", genre="article")) == "article"
    assert source_kind(record("practice-note", genre="document")) == "document"
    assert source_kind(record("curriculum")) == "curriculum"
    assert source_kind(record("survey", published="2010-05-20")) == "survey finding (2010)"


def test_purge_removes_old_questions_and_feedback(dp_service: Signpost) -> None:
    from assistant.schemas import FeedbackRequest

    response = dp_service.answering.ask(
        AskRequest(question="What is the best recipe for a Victoria sponge?")
    )
    dp_service.answering.feedback(FeedbackRequest(question_id=response.question_id, helpful=False))
    assert dp_service.activity.gaps(in_scope=False)
    assert dp_service.purge(1) == (0, 0), "nothing is older than a day yet"
    assert dp_service.purge(0) == (1, 1)
    assert dp_service.activity.gaps(in_scope=False) == []
    assert dp_service.activity.feedback() == []
