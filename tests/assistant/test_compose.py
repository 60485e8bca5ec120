"""The extractive composer on hand-made passages (no model needed)."""

from __future__ import annotations

import re

import pytest

from assistant.answering.compose import ExtractiveComposer, attributed
from assistant.answering.retrieval import Passage
from ingest.lexical_index import LexicalIndex
from ingest.sentences import split_sentences
from ingest.vector_store import StoredChunk
from tests.fixtures import make_record


def _passage(doc_id: str, text: str, similarity: float, section: str | None = None) -> Passage:
    record = make_record(
        doc_id=doc_id, title=doc_id.title(), source_type="survey", published="2010-05-01"
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


@pytest.mark.parametrize("pointer", ["That decision", "In each case the decision", "Then it"])
def test_a_sentence_that_points_back_comes_with_the_sentence_it_points_at(
    tmp_path, pointer: str
) -> None:
    text = (
        "The council must give written reasons when it refuses a direct payment request. "
        f"{pointer} can be challenged through the council's complaints procedure."
    )
    result = _composer(tmp_path).compose(
        "Can a refusal decision be challenged through the complaints procedure?",
        [_passage("refusal", text, 0.7)],
    )
    assert result.answered
    assert f"{pointer} can be challenged" in result.answer
    assert result.answer.index("written reasons") < result.answer.index(pointer)


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


def test_a_chunk_cut_inside_its_last_sentence_never_shows_the_cut_piece(tmp_path) -> None:
    """A long section is cut at a line break; its last list item was shown as 'many councils and
    direct.', closed with a full stop the source never had."""
    text = (
        "A DBS check is not a legal requirement for someone employing their own PA.\n\n"
        "Which DBS check a PA can have depends on the work:\n\n"
        "- A basic check can be requested by anyone, including the PA themselves.\n"
        "- An enhanced check is requested through a registered umbrella body; many councils and"
        " direct"
    )
    result = _composer(tmp_path).compose(
        "Which DBS check can a PA have and does a PA need one?", [_passage("dbs", text, 0.7)]
    )
    assert result.answered
    assert "not a legal requirement" in result.answer
    assert "umbrella body" not in result.answer
    # a list whose items have no full stops ends whole
    whole = text.replace("themselves.", "themselves").rsplit("; ", 1)[0]
    kept = _composer(tmp_path).compose(
        "Which DBS check can a PA have and does a PA need one?", [_passage("dbs", whole, 0.7)]
    )
    assert "registered umbrella body." in kept.answer


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


def test_a_list_keeps_the_sentence_that_introduces_it() -> None:
    text = "A direct payment can pay for:\n\n- a personal assistant\n- a short break\n- equipment"
    assert split_sentences(text) == [
        "A direct payment can pay for: a personal assistant; a short break; equipment."
    ]


def test_a_list_of_questions_ends_with_its_own_question_mark() -> None:
    text = "Weigh a choice by asking:\n\n- What does the person want?\n- Who else is affected?"
    assert split_sentences(text) == [
        "Weigh a choice by asking: What does the person want?; Who else is affected?"
    ]


def test_the_answer_stays_in_the_best_section_unless_another_adds_what_is_asked(
    tmp_path,
) -> None:
    family = (
        "A direct payment may not pay a close relative who lives in the same household. "
        "The exception is where the council decides paying that relative is necessary. "
        "Relatives who live elsewhere can be employed like anyone else."
    )
    agency = "A home care agency employs its own staff and covers their holidays and sickness."
    result = _composer(tmp_path).compose(
        "Can a direct payment pay a close relative in the same household?",
        [_passage("family", family, 0.8), _passage("agency", agency, 0.5)],
    )
    assert result.answered
    assert [c.doc_id for c in result.citations] == ["family"]
    assert result.answer.index("may not pay") < result.answer.index("The exception")


def test_a_definition_alone_is_no_answer_to_another_kind_of_question(tmp_path) -> None:
    glossary = "A personal assistant (PA) is a worker employed directly by the person."
    asked = _composer(tmp_path).compose(
        "Can a personal assistant drive the person to appointments?",
        [_passage("glossary", glossary, 0.6)],
    )
    assert not asked.answered
    defined = _composer(tmp_path).compose(
        "What is a personal assistant?", [_passage("glossary", glossary, 0.6)]
    )
    assert defined.answered


def test_how_long_leads_with_a_duration_not_a_year(tmp_path) -> None:
    text = (
        "Self-directed support was developed by In Control from 2003 onwards in England. "
        "Councils reported that setting up self-directed support took six to eight months."
    )
    result = _composer(tmp_path).compose(
        "How long does it take to set up self-directed support?", [_passage("sds", text, 0.7)]
    )
    assert result.answer.split("[1]")[0].find("six to eight months") >= 0


def test_another_nations_rules_stay_out_of_a_question_about_one_nation(tmp_path) -> None:
    nations = (
        "In Wales direct payments follow the Social Services and Well-being (Wales) Act 2014. "
        "In Scotland councils must offer four self-directed support options to every person. "
        "Welsh regulations set their own rules for paying family members with direct payments."
    )
    result = _composer(tmp_path).compose(
        "How are direct payments different in Wales?", [_passage("nations", nations, 0.7)]
    )
    assert result.answered
    assert "Wales" in result.answer
    assert "Scotland" not in result.answer


def test_first_person_journalism_names_whose_survey_it_is() -> None:
    said = "This is also reflected in our latest survey, and our readers agreed."
    assert attributed(said, make_record(publisher="Community Care", published="2011-10-01")) == (
        "This is also reflected in Community Care's 2011 survey, and Community Care's readers "
        "agreed."
    )
    assert attributed("Our poll found 67% agreed.", make_record(genre="article")) == (
        "The article's poll found 67% agreed."
    )
    assert attributed("Our duty is clear.", make_record()) == "Our duty is clear."


def test_an_undeclared_source_is_never_labelled_guidance(tmp_path) -> None:
    passage = _passage("note", REVIEW, 0.7)
    passage.record.source_type = "practice-note"
    passage.record.genre = "article"
    result = _composer(tmp_path).compose("When is a direct payment reviewed?", [passage])
    assert result.answer.startswith("Article: ")
    assert result.citations[0].kind == "article"


def test_a_sentence_after_a_list_is_not_part_of_its_last_item() -> None:
    text = (
        "Checks before starting:\n- references\n- a DBS check, where the work\n"
        "  needs it.\nKeep a copy of every check."
    )
    assert split_sentences(text) == [
        "Checks before starting: references; a DBS check, where the work needs it.",
        "Keep a copy of every check.",
    ]


def test_how_often_leads_with_a_stretch_of_time_not_any_figure(tmp_path) -> None:
    pension = (
        "Staff who earn more than £10,000 a year must be enrolled in a workplace pension. "
        "Employers must complete a declaration of compliance within five months. "
        "Re-enrolment of staff in the pension happens every three years."
    )
    result = _composer(tmp_path).compose(
        "How often does pension re-enrolment of staff happen?",
        [_passage("pension", pension, 0.6)],
    )
    first = re.split(r"(?<=\])\s+", result.answer)[0]
    assert "every three years" in first


def test_what_someone_said_is_answered_by_what_they_said_not_what_they_are(tmp_path) -> None:
    about = _passage(
        "glossary",
        "Think Local Act Personal (TLAP) is the national partnership that followed Putting People "
        "First, bringing together organisations to support personalisation.",
        0.6,
    )
    said = _passage(
        "survey",
        "Think Local Act Personal's co-chairs said social workers needed more time with service "
        "users, regular supervision and better training.",
        0.55,
    )
    question = "What did Think Local Act Personal say?"
    answer = _composer(tmp_path).compose(question, [about, said]).answer
    assert answer.split("[1]")[0].count("co-chairs said") == 1, answer
    # someone else's words are not the answer: the speaker must be the one asked about
    other = _passage("other", "A social worker said the forms took too long to fill in.", 0.58)
    answer = _composer(tmp_path).compose(question, [about, other]).answer
    assert answer.startswith("Survey, 2010: Think Local Act Personal (TLAP) is"), answer


def test_a_follow_up_leans_on_the_documents_the_last_answer_cited(tmp_path) -> None:
    """ "how much notice do they have to give?" after a question on ending a direct payment:
    the council's notice, not an employee's (which has the figure a "how much" wants)."""
    ending = _passage(
        "ending",
        "Ending a direct payment fairly takes reasonable notice and written reasons.",
        0.45,
    )
    employee = _passage(
        "employee",
        "After one month in the job an employee is entitled to at least one week's notice.",
        0.5,
    )
    composer = _composer(tmp_path)
    question = "How much notice do they have to give?"
    alone = composer.compose(question, [employee, ending])
    assert alone.citations[0].doc_id == "employee"
    continuing = composer.compose(question, [employee, ending], continuing=["ending"])
    assert continuing.citations[0].doc_id == "ending", continuing.answer


def test_a_yes_no_answer_gives_the_rule_for_the_case_the_question_leaves_open(tmp_path) -> None:
    """ "can my client pay her husband as her PA?" says nothing of where he lives: the rule
    for a relative living elsewhere comes with the one for a relative living with her, and
    that rule's exception beside it."""
    elsewhere = _passage(
        "elsewhere",
        "A relative who does not live in the same household can be employed as a personal "
        "assistant in the same way as anyone else.",
        0.6,
    )
    household = _passage(
        "household",
        "A direct payment may not be used to pay a close relative who lives in the same "
        "household. The exception is where the council decides that paying them is necessary. "
        "Councils keep a list of local payroll services.",
        0.4,
    )
    composer = _composer(tmp_path)
    answer = composer.compose(
        "Can she pay a relative as her personal assistant?", [elsewhere, household]
    ).answer
    first, second, third = re.split(r"(?<=\])\s+", answer)
    assert "does not live in the same household" in first
    assert "may not be used" in second
    assert "exception" in third
    # a question that states the case gets that case's rule only
    stated = composer.compose(
        "Can she pay a relative who does not live with her as her personal assistant?",
        [elsewhere, household],
    ).answer
    assert "may not be used" not in stated


def test_curriculum_material_answers_questions_about_training_not_about_practice(tmp_path) -> None:
    def passage(doc_id: str, source_type: str, text: str) -> Passage:
        record = make_record(doc_id=doc_id, title=doc_id, source_type=source_type)
        chunk = StoredChunk(f"{doc_id}::v1::00000", doc_id, "v1", 0, None, text)
        return Passage(chunk, record, 0.03, 0.6, 1.0)

    session = passage(
        "session",
        "curriculum",
        "Session three covers how to recruit a personal assistant, step by step, with an activity.",
    )
    guidance = passage(
        "guidance",
        "practice-note",
        "To recruit a personal assistant, start with a job description and a person specification.",
    )
    composer = _composer(tmp_path)
    practice = composer.compose("How do I recruit a personal assistant?", [session, guidance])
    assert practice.citations[0].doc_id == "guidance", practice.answer
    teaching = composer.compose(
        "What should a training session on how to recruit a personal assistant cover?",
        [session, guidance],
    )
    assert teaching.citations[0].doc_id == "session", teaching.answer


def test_who_said_something_is_answered_by_the_sentence_reporting_it(tmp_path) -> None:
    about = _passage(
        "glossary",
        "Brokerage is help to plan support and find brokers to arrange services.",
        0.6,
    )
    argued = _passage(
        "survey",
        "Ruth Cartwright argued that councils should trust social workers rather than create "
        "new roles such as brokers.",
        0.3,
    )
    answer = _composer(tmp_path).compose("Who argued against brokers?", [about, argued]).answer
    assert answer.split("[1]")[0].count("Ruth Cartwright argued") == 1, answer
