"""Answers over HTTP from the real index of the whole curated knowledge base: what a
practitioner reads first. A message in a conversation has two readings, alone and with what
the conversation carries; the one whose first sentence says more of what the message asks is
answered."""

from __future__ import annotations

import httpx
import pytest

from assistant.config import Settings
from assistant.factory import build_services
from assistant.services import Signpost
from ingest.embedder import Embedder
from tests.conftest import REPO

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def knowledge_service(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Signpost:
    """The whole curated knowledge base, indexed once for this module (its tests only ask)."""
    data = tmp_path_factory.mktemp("readings-data")
    service = build_services(
        Settings(data_dir=data, rate_limit_per_minute=0, _env_file=None), embedder=embedder
    )
    assert service.curation.ingest([REPO / "knowledge"]).failed == []
    return service


@pytest.fixture
def api_service(knowledge_service: Signpost) -> Signpost:
    return knowledge_service


async def converse(client: httpx.AsyncClient, *questions: str) -> list[dict]:
    answers: list[dict] = []
    conversation = None
    for question in questions:
        body: dict[str, object] = {"question": question, "conversation_id": conversation}
        response = await client.post("/ask", json=body)
        assert response.status_code == 200, response.text
        answers.append(response.json())
        conversation = answers[-1]["conversation_id"]
    return answers


def lead(answer: dict) -> str:
    return answer["answer"].split("[1]")[0]


async def test_a_message_naming_the_pa_is_read_with_the_pension_it_follows(
    client: httpx.AsyncClient,
) -> None:
    """'can the PA opt out?' names a PA, so the rules read it alone, and alone it was answered
    with what a self-employed PA cannot do about DBS checks."""
    first, second = await converse(
        client,
        "how much is the workplace pension contribution for a PA?",
        "can the PA opt out?",
    )
    assert "8%" in first["answer"]
    assert second["answered"]
    assert "opt out" in lead(second)
    assert "pension" in (second["interpreted_as"] or "")
    assert {c["doc_id"] for c in second["citations"]} == {"pa-workplace-pension"}
    # alone, the same message is still read alone (nothing to carry)
    (alone,) = await converse(client, "can the PA opt out?")
    assert alone["interpreted_as"] is None


async def test_a_message_that_says_enough_alone_is_not_tied_to_the_last_answer(
    client: httpx.AsyncClient,
) -> None:
    """'who covers her shifts meanwhile?' leans on 'her', so the rules read it with the sick
    pay question, and it was led by the rate of Statutory Sick Pay. Either reading must now
    lead with the cover (read with the sick pay question, the sentence holding what "can't
    come in" means in the sources' words leads too)."""
    _, second = await converse(
        client,
        "my client's PA has been off sick for a week, does she have to pay her?",
        "who covers her shifts meanwhile?",
    )
    assert second["answered"]
    assert "relief" in lead(second)
    assert "£118.75" not in second["answer"]


async def test_a_message_that_points_back_is_never_read_alone(
    client: httpx.AsyncClient,
) -> None:
    """'who pays for it?' cannot be read alone: alone, its words match what a direct payment
    can pay for better than the training it asks about."""
    _, second = await converse(client, "What training can a PA get?", "who pays for it?")
    assert "training" in (second["interpreted_as"] or "")
    assert "Individual Employer Funding" in lead(second)


async def test_a_hyphenated_plural_is_a_word_the_knowledge_base_knows(
    client: httpx.AsyncClient,
) -> None:
    """'sleep-ins' is cut into 'sleep' and 'in' (a stopword once stemmed), so it had been read
    as a thing the index never saw: the follow-up was refused as out of scope."""
    _, second = await converse(
        client, "does a PA have the right to the minimum wage?", "what about sleep-ins?"
    )
    assert second["answered"]
    assert "sleep-in" in lead(second)
    assert "minimum wage" in (second["interpreted_as"] or "")


async def test_who_counts_as_is_answered_with_the_list(client: httpx.AsyncClient) -> None:
    """'What counts as a close relative?' was led by the rule about close relatives, and the
    list of who they are, under the heading 'Who counts as a close relative', never shown."""
    (answer,) = await converse(client, "what counts as a close relative for direct payments?")
    assert "civil partner" in lead(answer)
    assert "grandparent" in lead(answer)


async def test_someone_at_risk_in_a_conversation_gets_the_route_first(
    client: httpx.AsyncClient,
) -> None:
    """A follow-up that describes someone at risk is answered with what to do now (999, a
    safeguarding concern, the section 42 enquiry): it had been led by the ways to protect a
    direct payment's money, or by a practice point alone."""
    _, second = await converse(
        client,
        "what are the signs of financial abuse with a DP?",
        "her PA keeps her bank card and she seems scared of him",
    )
    assert any("safeguarding" in notice for notice in second["notices"])
    assert "999" in lead(second)
    assert "safeguarding concern" in lead(second)
    assert "section 42" in second["answer"]


async def test_a_fine_is_answered_with_its_figure(client: httpx.AsyncClient) -> None:
    """'What's the fine?' wants the penalty's amount, and the source calls it a penalty."""
    _, second = await converse(
        client,
        "does my client need to check her new PA's right to work?",
        "what's the fine if she doesn't?",
    )
    assert "£45,000" in lead(second)


async def test_older_people_are_what_the_sources_call_aged_65_and_over(
    client: httpx.AsyncClient,
) -> None:
    _, second = await converse(
        client, "when did direct payments become law?", "and when were older people included?"
    )
    assert "65 and over" in lead(second)


async def test_what_to_check_is_answered_with_the_list(client: httpx.AsyncClient) -> None:
    """'What should I check at a review?' asks for what a review looks at; it had been
    answered with when to book one."""
    (answer,) = await converse(client, "what should I check at a 6 month DP review?")
    assert "still meeting the needs" in lead(answer)


async def test_a_payslip_question_is_answered_with_the_right_to_one(
    client: httpx.AsyncClient,
) -> None:
    """The knowledge base had the payslip duty only as one item of a long PAYE sentence, and
    'is the PA entitled to a payslip?' was led by holiday and sick pay."""
    (answer,) = await converse(client, "is the PA entitled to a payslip?")
    assert "entitled to a payslip" in lead(answer)
    assert answer["citations"][0]["doc_id"] == "pa-hmrc-paye-national-insurance"


async def test_cash_and_cleaners_are_answered_from_the_notes_that_now_cover_them(
    client: httpx.AsyncClient,
) -> None:
    """Three questions the knowledge base had no sentence for: each had been answered with
    something else (holiday entitlement; the list of what a direct payment cannot pay for; the
    authorised person's conditions)."""
    (cash,) = await converse(client, "can my client pay her PA in cash each week?")
    assert "cash is lawful" in lead(cash)
    assert "PAYE" in lead(cash)
    (cleaner,) = await converse(client, "can a direct payment pay for a cleaner?")
    assert "can pay for a cleaner" in lead(cleaner)
    (capacity,) = await converse(
        client, "who decides whether my client has capacity to manage a DP?"
    )
    assert "council's practitioner" in lead(capacity)


async def test_a_refusal_asked_in_other_words_is_answered_with_the_refusal_rule(
    client: httpx.AsyncClient,
) -> None:
    """'and if the council says no?' after the conditions for a direct payment: the carried
    word 'conditions' made it a list question, so the list of conditions led again; the
    message's own words decide what kind of question it is, and 'says no' searches 'refused'."""
    _, _, third = await converse(
        client,
        "can someone on a drug treatment order get a direct payment?",
        "what are the other conditions?",
        "and if the council says no?",
    )
    assert third["answered"]
    assert "written reasons" in lead(third)


async def test_a_son_employed_as_pa_is_answered_with_the_family_exemption(
    client: httpx.AsyncClient,
) -> None:
    """'what if the PA is her son?' after employer's liability insurance: the exemption names
    a 'child', never a son, so it was led by what most schemes expect instead."""
    _, second = await converse(
        client, "does a PA employer need insurance?", "what if the PA is her son?"
    )
    assert second["answered"]
    assert "close family members" in lead(second)
    assert "insurance" in (second["interpreted_as"] or "")


async def test_a_title_of_common_words_is_a_name_matched_word_for_word(
    client: httpx.AsyncClient,
) -> None:
    """'Making it Real' is made of words found everywhere, so as a name it never counted as
    rare and the question was refused; held word for word by one passage, it is answered."""
    (answer,) = await converse(client, "what's Making it Real?")
    assert answer["answered"], answer["answer"]
    assert "Making it Real" in lead(answer)
    assert {c["doc_id"] for c in answer["citations"]} == {"putting-people-first-and-tlap"}


async def test_a_word_of_opinion_is_not_carried_into_the_follow_up(
    client: httpx.AsyncClient,
) -> None:
    """'and what actually happened by 2010?' after the 2008 forecast: 'think' was carried
    from 'how did the 2008 survey think ...', pulled the search off the survey, and the
    follow-up was refused. 'think' says nothing of the subject (GENERIC)."""
    _, second = await converse(
        client,
        "how did the 2008 survey think team make-up would change?",
        "and what actually happened by 2010?",
    )
    assert second["answered"], second["answer"]
    assert "53%" in lead(second)


async def test_a_follow_up_refused_alone_takes_the_conversations_reading(
    client: httpx.AsyncClient,
) -> None:
    """'who can help with the planning bit?' names 'planning', so the rules read it alone,
    and alone it was refused; read with the personalisation process, it is answered."""
    _, second = await converse(
        client,
        "what are the steps of the personalisation process?",
        "who can help with the planning bit?",
    )
    assert second["answered"], second["answer"]
    assert "broker" in lead(second)
    assert "personalisation" in (second["interpreted_as"] or "")


async def test_the_rules_complement_comes_beside_it(client: httpx.AsyncClient) -> None:
    """'what if the PA earns under ten grand?' after a pension question: the rule for who must
    be enrolled (over £10,000) led, and the next sentence of its section, 'Others can ask to
    join', was dropped as too far from the question, for a sentence on contributions."""
    _, second = await converse(
        client,
        "does my client need to put her PA in a workplace pension?",
        "what if the PA earns under ten grand?",
    )
    assert "£10,000" in lead(second)
    assert "ask to join" in second["answer"]


async def test_what_about_a_new_topic_asks_of_it_instead(client: httpx.AsyncClient) -> None:
    """'what about checking their right to work?' after a DBS question was read with 'DBS
    check' carried, and answered with the DBS rules again."""
    _, second = await converse(
        client,
        "can a self-employed PA get an enhanced DBS check?",
        "what about checking their right to work?",
    )
    assert "right to work" in lead(second)
    assert "DBS" not in (second["interpreted_as"] or "")
    assert "DBS" not in second["answer"]


async def test_words_of_emphasis_are_not_carried(client: httpx.AsyncClient) -> None:
    """'who pays for them?' after 'what do DP support services actually do?' was read as
    '(direct payment, actually)': the support services were lost, 'actually' kept."""
    _, second = await converse(
        client, "what do DP support services actually do?", "who pays for them?"
    )
    interpreted = second["interpreted_as"] or ""
    assert "support service" in interpreted
    assert "actually" not in interpreted
    assert second["citations"][0]["doc_id"] == "pa-payroll-and-support-services"


async def test_a_word_never_seen_does_not_refuse_a_follow_up_its_lead_answers(
    client: httpx.AsyncClient,
) -> None:
    """'is there a form she has to send to the regulator?' after a pension question: the
    knowledge base never says 'form' or 'send', so it was read alone and refused as outside
    Signpost's scope. Read with the pension, its lead names the regulator. A thing that is
    outside ('a licence for her dog' after DBS checks) is still refused."""
    _, second = await converse(
        client,
        "does my client need to put her PA in a workplace pension?",
        "is there a form she has to send to the regulator?",
    )
    assert second["answered"], second["answer"]
    assert "declaration of compliance" in lead(second)
    _, dog = await converse(
        client, "Does my client's PA need a DBS check?", "and what about a licence for her dog?"
    )
    assert not dog["answered"], dog["answer"]


async def test_a_question_on_a_training_session_is_answered_from_the_curriculum(
    client: httpx.AsyncClient,
) -> None:
    """'what's in the training session on employing PAs?' led with Skills for Care's funding
    for PAs' training (practice guidance), a hair ahead of the session's outline."""
    response = await client.post(
        "/ask", json={"question": "what's in the training session on employing PAs?"}
    )
    answer = response.json()
    assert answer["answered"], answer["answer"]
    assert answer["citations"][0]["doc_id"] == "curriculum-session-outlines"
    assert lead(answer).startswith("Curriculum:")


async def test_an_employers_question_is_not_answered_with_the_self_employed_rule(
    client: httpx.AsyncClient,
) -> None:
    """'what employer national insurance will my client pay on her PA's wages?' led with what
    a genuinely self-employed PA does about their own tax (it shares 'employ', 'clients' and
    'National Insurance'); the rate for an employer (15%) came second."""
    response = await client.post(
        "/ask",
        json={"question": "what employer national insurance will my client pay on her PA's wages?"},
    )
    answer = response.json()
    assert "15%" in lead(answer), answer["answer"]
    assert "self-employed" not in lead(answer)


async def test_a_word_searched_by_its_synonyms_is_not_unknown(client: httpx.AsyncClient) -> None:
    """'is there a maximum?' after a redundancy question: the knowledge base never says
    'maximum' (it says 'capped' and 'at most'), so the message was read alone as naming an
    unknown thing and refused as outside Signpost's scope."""
    _, second = await converse(
        client, "how much redundancy pay is a PA entitled to?", "is there a maximum?"
    )
    assert second["answered"], second["answer"]
    assert "£719" in lead(second)
    assert "redundancy" in (second["interpreted_as"] or "")


async def test_an_adults_age_searches_the_rule_by_age(client: httpx.AsyncClient) -> None:
    """'what if she's 45?' after a redundancy question led with when a PA's job becomes
    redundant; the rates by age ('aged 41 or older') came second."""
    _, second = await converse(
        client, "how much redundancy pay is a PA entitled to?", "what if she's 45?"
    )
    assert "aged 41 or older" in lead(second), second["answer"]


async def test_an_act_the_knowledge_base_never_names_is_not_answered_with_another(
    client: httpx.AsyncClient,
) -> None:
    """'what is the Mental Health Act section 136 power?' was answered with the conditions for
    an authorised person (the Mental Capacity Act, a lasting power of attorney): no passage
    names the Mental Health Act. An Act it does name is still answered."""
    response = await client.post(
        "/ask", json={"question": "what is the Mental Health Act section 136 power?"}
    )
    refused = response.json()
    assert not refused["answered"], refused["answer"]
    assert "logged it as a knowledge gap" in refused["answer"]  # trainers see it asked
    response = await client.post(
        "/ask", json={"question": "what does the Employment Rights Act say about notice?"}
    )
    answer = response.json()
    assert answer["answered"], answer["answer"]
    assert "Employment Rights Act" in lead(answer)


async def test_a_question_with_case_details_is_answered_without_them(
    client: httpx.AsyncClient,
) -> None:
    """'Mrs Jones (DOB 03/04/1941) lives at 12 Hill Road, can she pay her neighbour to do her
    shopping from the DP?' was refused: its placeholders ('[date of birth]', '[address]') were
    searched as words. The reply still says what was removed."""
    response = await client.post(
        "/ask",
        json={
            "question": "Mrs Jones (DOB 03/04/1941) lives at 12 Hill Road, can she pay her "
            "neighbour to do her shopping from the DP?"
        },
    )
    answer = response.json()
    assert answer["answered"], answer["answer"]
    assert "neighbours" in lead(answer)
    notices = " ".join(answer["notices"])
    assert "date of birth" in notices
    assert "address" in notices
    assert "Jones" not in response.text
    assert "Hill Road" not in response.text


async def test_what_came_before_a_law_is_answered_with_the_law_before_it(
    client: httpx.AsyncClient,
) -> None:
    """'what came before it?' after the Care Act 2014 ('before' is a stopword, 'came' says
    nothing) was answered with its Royal Assent, and read as '(Care Act, 2014, Care Act,
    changed)': the Act was carried as a topic and again as a name."""
    _, second = await converse(
        client, "what changed with the Care Act 2014?", "what came before it?"
    )
    assert "National Assistance Act 1948" in lead(second), second["answer"]
    assert (second["interpreted_as"] or "").count("Care Act") == 1


async def test_last_year_is_not_carried_to_the_next_question(client: httpx.AsyncClient) -> None:
    """'and for apprentices?' after 'what was it last year?' was read as '(last, minimum
    wage, ...)'."""
    *_, third = await converse(
        client,
        "what is the National Living Wage this year?",
        "what was it last year?",
        "and for apprentices?",
    )
    assert "last" not in (third["interpreted_as"] or "")
    assert "£8.00" in lead(third)


async def test_someone_whose_money_was_taken_over_gets_the_route_and_the_follow_up_its_light(
    client: httpx.AsyncClient,
) -> None:
    """'my client's son has taken over her bank card and she looks frightened at visits' was
    refused as not covered: 'taken' and fear without 'of' or 'to' were not read as risk. The
    follow-up is asked in that light: it carries safeguarding and financial abuse, not
    'looks', and is answered from the financial-abuse note (it had been answered with when a
    council may end a direct payment)."""
    first, second = await converse(
        client,
        "my client's son has taken over her bank card and she looks frightened at visits",
        "do we have to stop her direct payment?",
    )
    assert first["answered"]
    assert any("safeguarding" in n for n in first["notices"])
    assert "999" in lead(first) or "safeguarding concern" in lead(first)
    understood = second["interpreted_as"] or ""
    assert "safeguarding" in understood
    assert "financial abuse" in understood
    assert "looks" not in understood
    assert "not a reason to refuse or stop" in lead(second), second["answer"]


async def test_employer_ni_is_national_insurance_not_northern_ireland(
    client: httpx.AsyncClient,
) -> None:
    """'what employer NI does my client pay for her PA?' was led by what a self-employed PA's
    'employer' can owe HMRC: 'NI' searched nothing, and the sentence sits under 'Self-employed
    PAs' without naming them."""
    first, second = await converse(
        client,
        "what employer NI does my client pay for her PA?",
        "is there anything that reduces it?",
    )
    assert "15%" in lead(first), first["answer"]
    assert {c["doc_id"] for c in first["citations"]} == {"pa-hmrc-paye-national-insurance"}
    assert "Employment Allowance" in lead(second), second["answer"]


async def test_by_law_asks_whether_it_is_a_legal_requirement(client: httpx.AsyncClient) -> None:
    """'does a new PA need a DBS check by law?' was led by the list of DBS levels: 'by law' did
    not search 'legal requirement', which is how the sources say it."""
    (answer,) = await converse(client, "does a new PA need a DBS check by law?")
    assert "not a legal requirement" in lead(answer), answer["answer"]


async def test_receipts_and_money_not_spent_search_what_the_sources_call_them(
    client: httpx.AsyncClient,
) -> None:
    """'does my client have to keep receipts for every little thing she buys with her DP?' was
    refused as not covered (the sources call it proportionate monitoring), and 'money she
    hasn't spent' found no 'unspent' money to be repaid."""
    (receipts,) = await converse(
        client, "does my client have to keep receipts for every little thing she buys with her DP?"
    )
    assert receipts["answered"]
    assert "proportionate" in lead(receipts), receipts["answer"]
    *_, unspent = await converse(
        client,
        "when can the council end someone's direct payment?",
        "can the council get back money she hasn't spent?",
    )
    assert "repaid" in unspent["answer"] or "surplus" in unspent["answer"], unspent["answer"]


@pytest.mark.parametrize(
    "question",
    [
        "can my client get help paying her water bill?",
        "can my client get a council tax reduction?",
        "will a direct payment affect her housing benefit?",
    ],
)
async def test_a_benefit_or_bill_no_source_names_is_not_answered(
    client: httpx.AsyncClient, question: str
) -> None:
    """'help paying her water bill' was answered with an authorised person's conditions, and a
    council tax reduction with PAYE: no passage names either."""
    (answer,) = await converse(client, question)
    assert not answer["answered"], answer["answer"]


async def test_an_allowance_the_sources_call_otherwise_is_still_answered(
    client: httpx.AsyncClient,
) -> None:
    """No passage says 'holiday allowance', but the answer is about holiday: it stands."""
    (answer,) = await converse(client, "what holiday allowance does a full-time PA get?")
    assert answer["answered"]
    assert "5.6 weeks" in answer["answer"]


async def test_what_has_to_be_on_a_payslip_is_what_it_must_show(client: httpx.AsyncClient) -> None:
    """'what has to be on it?' after payslips was answered with who produces them: 'on it'
    asks what it must show."""
    *_, third = await converse(
        client,
        "can my client pay her PA cash in hand?",
        "does she still need to give him payslips then?",
        "what has to be on it?",
    )
    assert "deductions" in third["answer"], third["answer"]


async def test_an_exemption_naming_the_relation_asked_about_leads(
    client: httpx.AsyncClient,
) -> None:
    """'does my client need employers liability insurance if the only PA is her sister?' led
    with 'anyone who employs a PA must be insured'; the family exemption, which names a sister,
    came third. It leads only where it qualifies the rule that would lead: paying a daughter is
    still answered from the family-payment rules, not the insurance exemption."""
    (sister,) = await converse(
        client, "does my client need employers liability insurance if the only PA is her sister?"
    )
    assert "does not require this insurance" in lead(sister), sister["answer"]
    assert "must be insured" in sister["answer"]  # the rule stays beside its exemption
    (daughter,) = await converse(client, "Can my client pay her daughter as her PA?")
    assert {c["doc_id"] for c in daughter["citations"]} == {"dp-paying-family-members"}


async def test_how_many_is_answered_by_a_count_in_words(client: httpx.AsyncClient) -> None:
    """'how many references should my client get for a new PA?' led with the £45,000 penalty
    for employing someone without the right to work: a figure, where 'at least two references'
    was not counted as one."""
    (answer,) = await converse(client, "how many references should my client get for a new PA?")
    assert "two references" in lead(answer), answer["answer"]
    assert "£45,000" not in answer["answer"]


async def test_sacking_a_pa_asks_for_a_fair_reason_not_the_notice(
    client: httpx.AsyncClient,
) -> None:
    """'can my client just sack her?' after a notice question was answered with notice periods:
    'sack' searched 'dismiss notice', on top of the notice the conversation carried."""
    _, second = await converse(
        client,
        "what's the notice period for a PA who's been there 6 months?",
        "can my client just sack her?",
    )
    assert "fair reason" in second["answer"], second["answer"]


async def test_the_authorised_person_is_the_pas_employer(client: httpx.AsyncClient) -> None:
    """'does the authorised person become the PA's employer?' was answered with right-to-work
    checks: the answer was only a practice point's list item."""
    (answer,) = await converse(client, "does the authorised person become the PA's employer?")
    assert "employer's duties" in lead(answer), answer["answer"]


async def test_daft_choices_ask_about_unwise_decisions(client: httpx.AsyncClient) -> None:
    """'my client keeps making choices her son thinks are daft - does that mean she lacks
    capacity?' was refused as not covered: the Mental Capacity Act calls them unwise."""
    (answer,) = await converse(
        client,
        "my client keeps making choices her son thinks are daft - does that mean she lacks "
        "capacity?",
    )
    assert answer["answered"]
    assert "unwise decision" in lead(answer), answer["answer"]


async def test_a_pa_under_18_is_answered_with_the_rate_for_their_age(
    client: httpx.AsyncClient,
) -> None:
    """'can my client's PA be under 18?' was answered with the levels of DBS check."""
    (answer,) = await converse(client, "can my client's PA be under 18?")
    assert "under-18s" in lead(answer), answer["answer"]


async def test_paying_more_than_the_minimum_wage_is_allowed(client: httpx.AsyncClient) -> None:
    """'is my client allowed to pay her PA more than the minimum wage?' was answered with the
    rates alone: nothing said they are a floor."""
    (answer,) = await converse(
        client, "is my client allowed to pay her PA more than the minimum wage?"
    )
    assert "can pay a PA more" in answer["answer"], answer["answer"]


async def test_and_with_a_topic_of_its_own_may_be_read_alone(client: httpx.AsyncClient) -> None:
    """'and who does the payroll?' after a neighbour as PA and a DBS check repeated the levels of
    DBS check: a message opening with 'and' was never read alone, though it names a topic of
    its own and points at nothing said before. 'can the DP pay for it?' still cannot be."""
    *_, third = await converse(
        client,
        "my client wants to employ her neighbour as a PA",
        "does she need a DBS check?",
        "and who does the payroll?",
    )
    assert "payroll service" in lead(third), third["answer"]
    assert "DBS" not in third["answer"]


async def test_a_care_home_stay_leads_with_the_four_week_limit(client: httpx.AsyncClient) -> None:
    """'How long can a direct payment pay for a care home stay?' led with when a direct payment
    is reviewed: the four-week limit sat inside the list of what it cannot pay for, and 'four
    consecutive weeks' was not read as a stretch of time."""
    (answer,) = await converse(client, "How long can a direct payment pay for a care home stay?")
    assert "four consecutive weeks" in lead(answer), answer["answer"]


async def test_a_holiday_abroad_is_answered_by_the_eligible_needs_test(
    client: httpx.AsyncClient,
) -> None:
    """'my client wants to use her DP for a holiday in Spain' was refused as not covered."""
    (answer,) = await converse(client, "my client wants to use her DP for a holiday in Spain")
    assert answer["answered"], answer["answer"]
    assert "abroad" in lead(answer), answer["answer"]
    assert "eligible needs" in lead(answer), answer["answer"]


async def test_the_policy_is_the_insurance_asked_about(client: httpx.AsyncClient) -> None:
    """'can the DP pay for the policy?' after employer's liability insurance was read alone
    (it names a direct payment) and answered with what a direct payment cannot pay for."""
    *_, third = await converse(
        client,
        "does my client need insurance to employ a PA?",
        "what if the PA is her son?",
        "can the DP pay for the policy?",
    )
    assert third["interpreted_as"], third
    assert "allowable use of the direct payment" in third["answer"], third["answer"]
    assert "cannot pay for" not in third["answer"]


async def test_what_a_contract_must_cover_is_not_taken_for_a_repeat(
    client: httpx.AsyncClient,
) -> None:
    """'does my client have to do a contract for her PA?' left out what the written statement
    must cover: as a list it carried its introduction's words, and so read as the sentence
    before it said again."""
    (answer,) = await converse(client, "does my client have to do a contract for her PA?")
    assert "written statement" in answer["answer"], answer["answer"]
    assert "must cover pay, hours, holiday" in answer["answer"], answer["answer"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # was answered with what a self-employed PA is
        ("what should I do if my client's PA hurts her back lifting her?", "injured or made ill"),
        # was answered with self-employment and the signs of misuse ("unexplained cash")
        ("my client's PA wants to be paid weekly in cash, is that ok?", "in cash is lawful"),
        # was answered with what makes a PA an employee: the hours limit was not written down
        ("my client wants her PA to work 60 hours a week, is there a limit?", "48 hours"),
        ("does a PA get a break during a long shift?", "20 minutes"),
        # was answered with the four conditions, which say nothing of age
        ("my client is 70, can she still have a direct payment?", "65 and over"),
        # was led by how to ask to stop one
        ("How does someone ask for a direct payment?", "To ask for a direct payment"),
        # a PA who does not come: the plan for when a PA cannot come
        ("the PA didn't turn up this morning", "contingency plan"),
        ("my client's PA is a no-show again", "contingency plan"),
        # was answered with when a council may stop one, without the notice it must give
        ("can the council just stop someone's direct payment without warning?", "notice"),
        # read on 7 December 2026 (fourteenth session): refused ('flu' was no known word)
        ("My client's only PA has flu, what should she do?", "contingency plan"),
        # was answered with DBS checks: the council's duties stay when a person employs PAs
        (
            "Does the council still have to do safeguarding if my client employs her own PAs?",
            "section 42 duty",
        ),
        # was the whole list of what five people said about the 2011 survey
        ("What did Sarah Carr say about councils' duties?", "Sarah Carr stressed"),
        # was the whole list of the article's context, opening with £520m of systems money
        ("what training did social workers say they needed in 2011?", "A social worker"),
        # was the five conditions for an authorised person ('didn't use' is money unspent)
        ("Can the council make my client pay back money she didn't use?", "repaid"),
        # was led by the rule on paying a close relative ('who', 'can', 'have' are stopwords)
        ("who can have a direct payment?", "section 31"),
        # was refused ('rehab' is no word of the sources)
        ("my client's on a drug rehab order, is she barred from a DP?", "drug or alcohol"),
        # was answered with a PA's 5.6 weeks of paid leave: the person's holiday, with a PA
        (
            "can my client's PA take her on holiday to Spain?",
            "holiday or trip, in the UK or abroad",
        ),
        # was answered with employing a relative who lives elsewhere: the practice point that
        # names the allowance was not even retrieved
        (
            "could being paid as a PA affect my client's daughter's Carer's Allowance?",
            "Carer's Allowance",
        ),
    ],
)
async def test_questions_read_as_a_social_worker_lead_with_their_answer(
    client: httpx.AsyncClient, question: str, expected: str
) -> None:
    """Questions made up and read on 7 December 2026, each answered off the point before."""
    (answer,) = await converse(client, question)
    assert expected in lead(answer), answer["answer"]


async def test_does_she_need_a_dbs_check_leads_with_whether_it_is_required(
    client: httpx.AsyncClient,
) -> None:
    """'does she need a DBS check?' after a neighbour as PA got the levels of check; the note
    now names the service in full where it first says whether a check is required."""
    (single,) = await converse(client, "Does a PA need a DBS check?")
    assert "not a legal requirement" in lead(single), single["answer"]
    _, second = await converse(
        client, "my client wants to employ her neighbour as a PA", "does she need a DBS check?"
    )
    assert "not a legal requirement" in lead(second), second["answer"]


async def test_a_pa_who_doesnt_want_to_join_the_pension_can_opt_out(
    client: httpx.AsyncClient,
) -> None:
    """'what if the PA doesn't want to join?' after the pension duties repeated who must be
    enrolled: the phrase for opting out matched 'not want to join' but never 'doesn't'."""
    *_, third = await converse(
        client,
        "does my client need to put her PA in a workplace pension?",
        "how much does she have to put in herself?",
        "what if the PA doesn't want to join?",
    )
    assert "opt out" in third["answer"], third["answer"]


async def test_a_risky_choice_is_a_risk_the_conversation_carries(
    client: httpx.AsyncClient,
) -> None:
    """'how do I record it?' after a risky choice and whether she may make it was refused as
    outside Signpost's scope: 'risky' named no subject, so nothing of risk was carried."""
    *_, third = await converse(
        client,
        "my client wants to go swimming alone and her family think it's too risky",
        "can she make that choice if it's unwise?",
        "how do I record it?",
    )
    assert third["answered"], third["answer"]
    assert "risk" in (third["interpreted_as"] or ""), third
    assert "support plan" in third["answer"], third["answer"]


async def test_a_council_tax_discount_is_not_answered_by_any_tax(
    client: httpx.AsyncClient,
) -> None:
    """'and can she get a council tax discount?' after holiday pay was answered with what a
    self-employed PA's 'employer' can owe in tax: the answer said 'tax', never 'council tax'."""
    *_, third = await converse(
        client,
        "can a PA be paid for sleep-in shifts?",
        "what about holiday for someone on irregular hours?",
        "and can she get a council tax discount?",
    )
    assert not third["answered"], third["answer"]


async def test_an_elliptical_follow_up_asks_what_the_earlier_question_asked(
    client: httpx.AsyncClient,
) -> None:
    """'and to people who lack capacity?' after 'when ...?' asks when too: it was answered
    with what section 32 allows, not the year; and a date asked of a long timeline is
    answered with its line, not the whole list."""
    first, second = await converse(
        client,
        "when were direct payments extended to people aged 65 and over?",
        "and to people who lack capacity?",
    )
    assert "2000" in lead(first)
    assert "1996" not in first["answer"]  # one line of the timeline, not all of it
    assert second["answered"]
    assert "2009" in lead(second)
    assert "aged 65" not in second["answer"]


async def test_what_a_payment_cannot_buy_is_answered_with_what_it_cannot(
    client: httpx.AsyncClient,
) -> None:
    """'what does a direct payment not pay for?' was led by what it can pay for, and "what
    can't a direct payment be used for?" by when a council stops paying one."""
    for asked in (
        "what does a direct payment not pay for?",
        "what can't a direct payment be used for?",
    ):
        (answer,) = await converse(client, asked)
        assert "cannot pay for" in lead(answer), asked
        assert "can pay for any support" not in answer["answer"]


async def test_the_topic_a_question_searches_without_naming_it_is_carried_on(
    client: httpx.AsyncClient,
) -> None:
    """'my client wants to go rock climbing and her family are worried' names no topic of the
    tables, though its phrases search positive risk-taking: 'what questions should I ask with
    her?' carried only 'worried' and was refused as outside what Signpost covers."""
    first, second = await converse(
        client,
        "my client wants to go rock climbing and her family are worried",
        "what questions should I ask with her?",
    )
    assert {c["doc_id"] for c in first["citations"]} >= {"positive-risk-taking"}
    assert second["answered"]
    assert "risk" in (second["interpreted_as"] or "")
    assert "what matters most" in lead(second)


async def test_what_came_after_is_answered_with_what_followed(client: httpx.AsyncClient) -> None:
    """'who took over after it?' after Putting People First was refused as out of scope, and
    'what replaced Putting People First?' led with what the concordat was."""
    _, second = await converse(client, "what was Putting People First?", "who took over after it?")
    assert second["answered"]
    assert "Think Local Act Personal" in lead(second)
    (alone,) = await converse(client, "what replaced Putting People First?")
    assert "Think Local Act Personal" in lead(alone)


async def test_who_commented_and_who_signs_off_are_answered_in_the_conversation(
    client: httpx.AsyncClient,
) -> None:
    """'who commented on it?' after the 2013 survey was answered with what the figure
    means for training, not with who commented; 'who has to sign it off?' after a support plan
    question with what the plan must contain, not that the council must agree it."""
    _, second = await converse(
        client, "what did the 2013 survey find about training?", "who commented on it?"
    )
    assert "Ali Gardner" in lead(second)
    *_, third = await converse(
        client,
        "what does the Care Act say a support plan must include?",
        "does it have to mention risk?",
        "who has to sign it off?",
    )
    assert "council must agree" in lead(third)


async def test_one_item_of_a_list_is_defined_by_its_own_line(client: httpx.AsyncClient) -> None:
    """'what does proportionality mean?' after the six principles was answered with all six:
    the line that opens with the term is the definition asked for."""
    _, second = await converse(
        client, "what are the six safeguarding principles?", "what does proportionality mean?"
    )
    assert "least intrusive" in lead(second)
    assert "Empowerment" not in second["answer"]


async def test_a_person_the_sources_quote_can_be_asked_about_by_name(
    client: httpx.AsyncClient,
) -> None:
    """'who is Sarah Carr?' lost the name to redaction and was refused; then it was led by a
    long survey list that only mentions her."""
    (answer,) = await converse(client, "who is Sarah Carr?")
    assert answer["answered"]
    assert "Social Care Institute for Excellence" in lead(answer)
    assert not any("personal details" in notice for notice in answer["notices"])
    (client_named,) = await converse(client, "my client Sarah Carr wants a DP, can she have one?")
    assert any("personal details" in notice for notice in client_named["notices"])


async def test_where_a_relative_lives_in_everyday_words_is_read_as_the_condition(
    client: httpx.AsyncClient,
) -> None:
    """'can my client's sister be her PA?' was answered with the insurance exemption for close
    family; 'she lives round the corner' after it was refused as out of scope ('corner' is a
    word the knowledge base never saw)."""
    first, second = await converse(
        client, "can my client's sister be her PA?", "she lives round the corner"
    )
    assert "same household" in lead(first)
    assert "insurance" not in first["answer"]
    assert second["answered"]
    assert "does not live in the same household" in lead(second)
    assert "sister" in (second["interpreted_as"] or "")


async def test_a_numbered_session_is_answered_from_the_section_it_heads(
    client: httpx.AsyncClient,
) -> None:
    """'what is covered in session 4?' was answered with the programme's opening and session 3:
    a number of one digit was no token, so 'session 4' searched 'session' alone."""
    first, second = await converse(
        client, "What is covered in session 4 of the training programme?", "and session 5?"
    )
    assert lead(first).startswith("Curriculum: Mapping local resources"), first["answer"]
    assert lead(second).startswith("Curriculum: Structured reflection"), second["answer"]


async def test_what_an_editorial_concluded_is_answered_when_every_word_is_found(
    client: httpx.AsyncClient,
) -> None:
    """A short question on what a source said embeds far from the sentence that says it (0.23
    to 0.28): 'what did the 2008 editorial call for?' was refused as outside Signpost's scope
    although one sentence holds every word it asks."""
    (answer,) = await converse(client, "What did the 2008 editorial call for?")
    assert answer["answered"], answer["answer"]
    assert "The editorial concluded that more practical" in lead(answer), answer["answer"]


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # answered with rest taken later: the sources say 'withdraw'
        (
            "Can my client's PA work more than 48 hours a week?",
            "and can she change her mind later?",
            "can withdraw that agreement",
        ),
        # answered with what positive risk-taking is: it searches the legal basis now
        (
            "My client wants to go swimming alone but her family think it's too risky",
            "what does the law say?",
            "Section 1 of the Care Act 2014",
        ),
    ],
)
async def test_follow_ups_read_on_7_december_lead_with_their_answer(
    client: httpx.AsyncClient, first: str, second: str, expected: str
) -> None:
    """Follow-ups from the fourteenth session's blind checks, each answered off the point."""
    _, answer = await converse(client, first, second)
    assert expected in lead(answer), answer["answer"]


async def test_the_safeguarding_route_also_answers_what_the_message_asks(
    client: httpx.AsyncClient,
) -> None:
    """'should I stop the direct payment if I'm worried about abuse?' got the route alone
    (raise a concern, section 42): its bonus kept every other sentence too far below the lead
    to be added, so the answer never said that safeguarding is no reason to stop one."""
    (answer,) = await converse(
        client, "Should I stop the direct payment if I'm worried about abuse?"
    )
    assert "999" in lead(answer), answer["answer"]
    assert "not a reason to refuse or stop a direct payment" in answer["answer"], answer["answer"]
    assert any("safeguarding" in n for n in answer["notices"]), answer["notices"]


async def test_a_table_read_for_one_option_gives_that_row(client: httpx.AsyncClient) -> None:
    """'who employs the staff with an individual service fund?' got the whole table of four
    options, each row's cells run together, opening in lower case ('option: direct payment
    ...')."""
    (answer,) = await converse(client, "Who employs the staff with an individual service fund?")
    assert lead(answer).startswith("Statutory guidance: Option: individual service fund;"), answer[
        "answer"
    ]
    assert "managed account" not in answer["answer"], answer["answer"]
    # a follow-up names the option by what it carries ("who holds the money?" after an ISF)
    _, held = await converse(client, "what is an individual service fund?", "who holds the money?")
    assert lead(held).startswith("Statutory guidance: Option: individual service fund;"), held[
        "answer"
    ]


async def test_a_conversation_about_someone_at_risk_keeps_that_light(
    client: httpx.AsyncClient,
) -> None:
    """'do I have to stop her direct payment?' after 'I'm worried my client's nephew is taking
    her direct payment money' names its own subject, so it was read alone: how a person asks
    to stop a payment, and no safeguarding notice. It is now answered from the safeguarding
    documents (not the route again) with the notice beside it."""
    _, second = await converse(
        client,
        "I'm worried my client's nephew is taking her direct payment money",
        "do I have to stop her direct payment?",
    )
    assert "not a reason to refuse or stop a direct payment" in lead(second), second["answer"]
    assert any("safeguarding" in n for n in second["notices"]), second["notices"]
    # a question on another subject is answered on its own terms
    _, other = await converse(
        client,
        "I'm worried my client's nephew is taking her direct payment money",
        "how much holiday does a PA get?",
    )
    assert "5.6 weeks" in lead(other), other["answer"]


async def test_a_thing_the_knowledge_base_never_saw_is_refused_not_answered_nearby(
    client: httpx.AsyncClient,
) -> None:
    """'can my client's PA take her dog to the vet?' was answered with the nearest rule on
    PAs, and 'how do I refer my client for a wheelchair assessment?' with assessments of
    need: a thing the index never saw, with passages neither close nor holding the message's
    words, is refused. A question with one unseen word that the sources do answer is not."""
    for question in (
        "can my client's PA take her dog to the vet?",
        "how do I refer my client for a wheelchair assessment?",
        "can my client's PA bring her toddler to work?",
    ):
        (answer,) = await converse(client, question)
        assert answer["answered"] is False, (question, answer["answer"])
    (stroke,) = await converse(
        client, "my client got her capacity back after a stroke, can the DP go to her now?"
    )
    assert stroke["answered"] is True, stroke["answer"]
    # a car the PA drives is driving, which the insurance note answers
    (car,) = await converse(client, "can my client's PA take her to the shops in his own car?")
    assert "business use" in lead(car), car["answer"]


async def test_a_follow_up_in_everyday_words_and_a_nation_asked_read_7_december(
    client: httpx.AsyncClient,
) -> None:
    """'what about her flights?' after a holiday abroad was refused as outside Signpost (the
    sources say travel); 'what's the law for direct payments in Wales?' led with 'The legal
    basis in England is the Care Act 2014'."""
    _, flights = await converse(
        client, "can my client's DP pay for a holiday abroad?", "what about her flights?"
    )
    assert flights["answered"] is True, flights["answer"]
    assert "own travel, accommodation and spending money" in lead(flights), flights["answer"]
    (wales,) = await converse(client, "what's the law for direct payments in Wales?")
    assert "Social Services and Well-being (Wales) Act 2014" in lead(wales), wales["answer"]
    assert "in England" not in wales["answer"], wales["answer"]
    # the sentence holding what a practitioner's phrase means in the sources' words leads
    # ("straight away": immediately)
    (now,) = await converse(client, "can the council stop the DP straight away?")
    assert "immediately" in lead(now), now["answer"]
    # was led by employing a relative who lives elsewhere: an employer's tax is PAYE
    (tax,) = await converse(client, "does my client need to pay tax for her PA?")
    assert "PAYE" in lead(tax), tax["answer"]


async def test_a_yes_no_question_gets_the_rule_it_asks_not_the_whole_list_7_december(
    client: httpx.AsyncClient,
) -> None:
    """'can my client use her DP to pay for a week in a care home ...?' was answered with the
    whole list of what a direct payment cannot pay for (NHS healthcare, gambling ...); the
    rule on care homes is what it asks. A list introduced by a count ('five conditions') is
    kept whole: one item would misread it. 'my client's PA is asking for a contract, does she
    have to give one?' asks yes or no after saying what the case is, and led with template
    contracts."""
    (week,) = await converse(
        client,
        "can my client use her DP to pay for a week in a care home while her daughter goes on "
        "holiday?",
    )
    assert lead(week).startswith(
        "Statutory guidance: A direct payment cannot pay for long-term care in a care home:"
    ), week["answer"]
    assert "four consecutive weeks" in lead(week), week["answer"]
    assert "gambling" not in week["answer"], week["answer"]
    (interests,) = await converse(
        client, "Does an authorised person have to act in the person's best interests?"
    )
    assert "five conditions: The authorised person asks" in lead(interests), interests["answer"]
    (contract,) = await converse(
        client, "my client's PA is asking for a contract, does she have to give one?"
    )
    assert "written statement" in lead(contract), contract["answer"]
    # and what ADASS 'admitted' is what its president acknowledged
    (admitted,) = await converse(client, "what did ADASS admit about self-assessment?")
    assert "acknowledged some councils had overcomplicated" in lead(admitted), admitted["answer"]


async def test_what_share_is_answered_by_a_share_not_by_any_figure(
    client: httpx.AsyncClient,
) -> None:
    """'what share of social workers felt they knew how to employ PAs in 2011?' was answered
    with the article's whole context (£520m, what Helga Pile, Sarah Carr and TLAP said): a
    figure, but not a share. Signpost's founding fact must lead."""
    (share,) = await converse(
        client, "what share of social workers felt they knew how to employ PAs in 2011?"
    )
    assert "49%" in lead(share), share["answer"]
    assert "£520m" not in share["answer"], share["answer"]
    # what a survey found is mostly its shares: the same list had led here too
    (found,) = await converse(client, "what did the 2011 personalisation survey find about PAs?")
    assert "49%" in lead(found), found["answer"]


async def test_who_someone_is_and_a_survey_of_a_year_not_held(client: httpx.AsyncClient) -> None:
    """'who is Ali Gardner?' was answered with 'Commentators such as Ali Gardner (2013) ...':
    a year in brackets does not introduce anyone. 'what did the 2014 survey say about
    personal budgets?' was answered with the law on personal budgets: there is no 2014
    survey, and the surveys of years that are held are still answered."""
    (who,) = await converse(client, "who is Ali Gardner?")
    assert "Manchester Metropolitan University" in lead(who), who["answer"]
    (unheld,) = await converse(client, "what did the 2014 survey say about personal budgets?")
    assert unheld["answered"] is False, unheld["answer"]
    (held,) = await converse(client, "what did the 2013 survey find?")
    assert "72%" in lead(held), held["answer"]


async def test_and_someone_else_asks_what_they_said(client: httpx.AsyncClient) -> None:
    """'and Helga Pile?' after 'what did Sarah Carr say?' was read as a question about Sarah
    Carr and Helga Pile together, and 'and TLAP?' was answered with what TLAP is. Each asks
    what the one it names said. 'and in Northern Ireland?' is not a name to swap in."""
    _, pile, tlap = await converse(
        client, "what did Sarah Carr say?", "and Helga Pile?", "and TLAP?"
    )
    assert pile["interpreted_as"] == "what did Helga Pile say?", pile["interpreted_as"]
    assert "worryingly small" in lead(pile), pile["answer"]
    assert tlap["interpreted_as"] == "what did TLAP say?", tlap["interpreted_as"]
    assert "is the national partnership" not in lead(tlap), tlap["answer"]
    _, nation = await converse(
        client, "does the MCA apply in Scotland?", "and in Northern Ireland?"
    )
    assert "Northern Ireland" in lead(nation), nation["answer"]


async def test_questions_read_on_7_december_in_the_words_practitioners_use(
    client: httpx.AsyncClient,
) -> None:
    """Each was refused or answered off the point: a case told before the question ('my
    client keeps making choices her son thinks are unwise, ...'), money saved for a PA's
    redundancy 'taken back', what an Act 'replaced' (what came before, not after), and an Act
    typed in lower case that the knowledge base does not hold."""
    (unwise,) = await converse(
        client,
        "my client keeps making choices her son thinks are unwise, does that mean she lacks "
        "capacity?",
    )
    assert "unwise decision" in unwise["answer"], unwise["answer"]
    (saved,) = await converse(
        client,
        "my client has been saving money for her PA's redundancy pay, can the council take it "
        "back?",
    )
    assert "surplus" in lead(saved), saved["answer"]
    (before,) = await converse(client, "what old law did the Care Act replace?")
    assert "National Assistance Act 1948" in lead(before), before["answer"]
    (unheld,) = await converse(client, "what's the process for a mental health act assessment?")
    assert unheld["answered"] is False, unheld["answer"]
    (held,) = await converse(client, "what does the care act say about carers?")
    assert held["answered"] is True, held["answer"]
    (verb,) = await converse(client, "can her son act as her authorised person?")
    assert verb["answered"] is True, verb["answer"]
    # the test of sections 2 and 3, not the five principles
    (test,) = await converse(client, "what do I have to show to say someone can't make a decision?")
    assert "understand the relevant information" in lead(test), test["answer"]
    # was answered with safeguards that keep a direct payment going
    (lose,) = await converse(
        client,
        "my client is worried that if she takes a DP she'll lose her council services for good, "
        "is that true?",
    )
    assert "at any time" in lead(lose), lose["answer"]
    # was answered with who counts as a close relative: a carer has rights of their own
    (carer,) = await converse(
        client, "my client's husband cares for her, is he entitled to anything himself?"
    )
    assert "Section 10 of the Care Act 2014 gives carers a right" in lead(carer), carer["answer"]
    # was led by practice points ('ability to manage can include help ...')
    (manage,) = await converse(client, "who decides if my client can manage a direct payment?")
    assert "The council must agree when four conditions are met" in lead(manage), manage["answer"]


async def test_ten_questions_read_at_the_end_of_7_december(client: httpx.AsyncClient) -> None:
    """Two of ten questions made up and read at the end of the session led with something
    else: 'how long does a DBS check last?' with 'a DBS check is not a legal requirement' (the
    sources' answer is that a certificate is a snapshot), and 'does the council have to tell my
    client how much her personal budget is before we plan?' with the three ways to use a
    budget (an embedded 'how much' made it a question for a figure, and 'three ways' one)."""
    (dbs,) = await converse(client, "how long does a DBS check last?")
    assert "snapshot" in lead(dbs), dbs["answer"]
    (budget,) = await converse(
        client,
        "does the council have to tell my client how much her personal budget is before we plan?",
    )
    assert "indicative amount early in planning" in lead(budget), budget["answer"]
    (injured,) = await converse(client, "who pays if the PA injures someone?")
    assert "Individual Employer Funding" not in injured["answer"], injured["answer"]


async def test_list_as_a_verb_and_which_numbered_part(client: httpx.AsyncClient) -> None:
    """Blind checks b65-b66 (seventeenth session): 'is it enough to just list the risks?'
    read 'list' as asking for a list and led with the six steps, not the point that a risk
    needs its action; 'which training session covers employing PAs?' gave the session's
    content without saying which session it was."""
    (enough,) = await converse(client, "is it enough to just list the risks in the plan?")
    assert "pair each risk with what reduces it" in lead(enough), enough["answer"]
    (steps,) = await converse(client, "can you list the six safeguarding principles?")
    assert "Empowerment" in lead(steps), steps["answer"]
    (session,) = await converse(client, "which training session covers employing PAs?")
    assert "Session 3" in lead(session), session["answer"]


async def test_a_sentence_sharing_no_word_gives_way(client: httpx.AsyncClient) -> None:
    """Blind check b65: 'how was progress on Putting People First after a year?' filled its
    answer with the programme's funding and the concordat's aims (no word of the question)
    before the sentence saying how progress was after the first year."""
    (progress,) = await converse(client, "how was progress on Putting People First after a year?")
    assert "generally good but uneven" in progress["answer"], progress["answer"]
    assert "early intervention" not in progress["answer"], progress["answer"]


async def test_timesheets_for_care_not_given_get_the_safeguarding_route(
    client: httpx.AsyncClient,
) -> None:
    """Blind check b70: 'timesheets don't match the care my client actually got - what should
    I do?' got the warning-signs list and no route. Paid-for care that was not given is
    suspected exploitation: the route leads, and the long list of signs is cut to the one the
    message names, with what introduces it."""
    (timesheets,) = await converse(
        client, "timesheets don't match the care my client actually got - what should I do?"
    )
    assert any("safeguarding" in n for n in timesheets["notices"]), timesheets
    assert "raise a safeguarding concern" in lead(timesheets), timesheets["answer"]
    assert (
        "misused or the person exploited: timesheets that do not match." in timesheets["answer"]
    ), timesheets["answer"]
    assert "unexplained cash withdrawals" not in timesheets["answer"], timesheets["answer"]
    # (was refused once; then led by the warning sign, before the route took the lead)
    (concern,) = await converse(
        client, "Timesheets don't match the care my client actually got - is that a concern?"
    )
    assert "raise a safeguarding concern" in lead(concern), concern["answer"]
    assert "timesheets that do not match" in concern["answer"], concern["answer"]


async def test_ten_questions_read_in_the_seventeenth_session(client: httpx.AsyncClient) -> None:
    """Of ten questions made up and read as a social worker would, 'can a PA be paid for
    sleeping over?' was answered with who can be paid as a PA (the sources say "sleep-in"),
    and a son who 'will stop visiting unless she gives him her pension' got how a council ends
    a direct payment, with no safeguarding route."""
    (sleep,) = await converse(client, "can a PA be paid for sleeping over at my client's house?")
    assert "sleep-in" in lead(sleep), sleep["answer"]
    (pension,) = await converse(
        client, "my client's son says he will stop visiting unless she gives him her pension"
    )
    assert any("safeguarding" in n for n in pension["notices"]), pension
    assert "raise a safeguarding concern" in lead(pension), pension["answer"]


async def test_ten_more_questions_read_in_the_seventeenth_session(
    client: httpx.AsyncClient,
) -> None:
    """Of ten more questions read as a social worker would: 'my client's PA has been giving her
    the wrong tablets on purpose' was refused as not covered; 'can my client buy a laptop with
    her direct payment?' was cut to 'buying care from a home care agency' (the item matched on
    'buy'); a tablet computer was refused although the sources name technology."""
    (tablets,) = await converse(
        client, "my client's PA has been giving her the wrong tablets on purpose"
    )
    assert tablets["answered"] is True, tablets["answer"]
    assert any("safeguarding" in n for n in tablets["notices"]), tablets
    assert "raise a safeguarding concern" in lead(tablets), tablets["answer"]
    (laptop,) = await converse(client, "can my client buy a laptop with her direct payment?")
    assert "such as: buying care from a home care agency." not in laptop["answer"], laptop
    assert "technology" in laptop["answer"], laptop["answer"]
    (ipad,) = await converse(client, "can my client buy an iPad with her direct payment?")
    assert "technology agreed in the plan" in lead(ipad), ipad["answer"]


@pytest.mark.parametrize(
    "question",
    [
        "my client says her carer sexually assaulted her",
        "the PA shouts at her and calls her names",
        "she was left in soiled clothes all night",
        "my client said she wants to end it all",
        "her son is making her sign cheques",
    ],
)
async def test_abuse_neglect_and_self_harm_in_everyday_words_get_the_route(
    client: httpx.AsyncClient, question: str
) -> None:
    """Read in the seventeenth session: sexual and psychological abuse, neglect, being made to
    sign cheques and thoughts of suicide, said as a practitioner would, got no safeguarding
    notice (some were refused as not covered, some answered off the point)."""
    (answer,) = await converse(client, question)
    assert answer["answered"] is True, answer["answer"]
    assert any("safeguarding" in n for n in answer["notices"]), answer
    assert "raise a safeguarding concern" in lead(answer), answer["answer"]
