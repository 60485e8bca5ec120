"""Reading a follow-up with the earlier turn, by rule (no model needed)."""

from __future__ import annotations

import pytest

from assistant.activity.log import ConversationTurn
from assistant.answering.followup import hinted_topics, leans_quietly, resolve


def _after(question: str) -> list[ConversationTurn]:
    first = resolve(question, [])
    assert first.interpreted_as is None  # a first question is never rewritten
    return [ConversationTurn(question, None, first.subjects, [], True)]


DAUGHTER = _after("Can my client pay her daughter as her PA with a direct payment?")


def test_she_is_read_as_the_person_asked_about_and_the_subjects_are_carried() -> None:
    read = resolve("what if she lives with her?", DAUGHTER)
    assert read.interpreted_as is not None
    assert read.interpreted_as.startswith("what if the daughter lives with her")
    assert {"PA", "direct payment", "paying"} <= set(read.carried)
    assert "daughter" in read.subjects  # carried on to the next follow-up


@pytest.mark.parametrize(
    "message",
    ["and sick pay?", "how much is it?", "what about a DBS check?", "does that apply in Wales?"],
)
def test_messages_that_lean_on_the_earlier_turn_are_follow_ups(message: str) -> None:
    assert resolve(message, DAUGHTER).interpreted_as is not None


@pytest.mark.parametrize(
    "message",
    [
        "How much holiday does a PA get?",
        "What is positive risk-taking?",
        "How much is a dog licence?",
        "What is the weather in Leeds tomorrow?",
    ],
)
def test_a_new_topic_carries_nothing_over(message: str) -> None:
    read = resolve(message, DAUGHTER)
    assert read.interpreted_as is None
    assert read.text == message


def test_a_new_person_or_year_replaces_the_earlier_one() -> None:
    son = resolve("and her son?", DAUGHTER)
    assert "daughter" not in son.text
    assert "son" in son.subjects
    survey = _after("What did the 2008 survey find?")
    later = resolve("and in 2010?", survey)
    assert "2008" not in later.text
    assert "survey" in later.carried


# how rare each word is in a small knowledge base (BM25 idf); other words are common there,
# except "dog" and "nobody", which it never saw
RARITY = {
    "notice": 2.9,
    "entitled": 3.2,
    "induction": 4.3,
    "framework": 3.9,
    "include": 1.9,
    "years": 2.2,
    "five": 2.9,
    "job": 2.7,
    "licence": 4.8,
    "lives": 2.5,
    "council": 1.0,
    "standards": 4.3,
    "certificate": 3.9,
    "employer": 1.5,
    "register": 3.0,
    "hmrc": 3.5,
}


def _rarity(word: str) -> float | None:
    if word in {"what", "how", "much", "the", "and", "after", "should", "their", "about", "for"}:
        return 0.0  # a stopword: dropped by the tokenizer
    return None if word in {"dog", "nobody"} else RARITY.get(word, 1.0)


def _after_with_words(question: str) -> list[ConversationTurn]:
    first = resolve(question, [], _rarity)
    return [ConversationTurn(question, None, first.subjects, [], True)]


def test_the_earlier_turns_own_words_are_carried_not_only_the_listed_subjects() -> None:
    notice = _after_with_words("How much notice is a PA entitled to?")
    read = resolve("and after five years in the job?", notice, _rarity)
    assert read.interpreted_as is not None
    assert {"notice", "entitled", "PA"} <= set(read.carried)


def test_a_name_of_several_words_is_carried_whole() -> None:
    tlap = _after_with_words("What is Think Local Act Personal?")
    read = resolve("what is its Making it Real framework?", tlap, _rarity)
    assert read.carried == ["Think Local Act Personal"]


def test_a_possessive_without_a_person_of_its_own_points_back() -> None:
    probation = _after_with_words("How long is a PA's probation period?")
    read = resolve("what should their induction include?", probation, _rarity)
    assert read.interpreted_as is not None
    assert "PA" in read.carried


def test_a_question_with_words_of_its_own_and_is_there_starts_afresh() -> None:
    son = _after_with_words("Can my client pay her son to be her PA?")
    read = resolve("how many Care Certificate standards are there?", son, _rarity)
    assert read.interpreted_as is None


def test_a_new_nation_replaces_the_earlier_one() -> None:
    scotland = _after_with_words("How does self-directed support work in Scotland?")
    read = resolve("and in Wales?", scotland, _rarity)
    assert "Scotland" not in read.text
    assert "self-directed support" in read.carried


def test_a_follow_up_with_a_word_the_knowledge_base_never_saw_is_read_alone() -> None:
    dbs = _after_with_words("Does my client's PA need a DBS check?")
    read = resolve("and what about a licence for her dog?", dbs, _rarity)
    assert read.interpreted_as is None
    assert read.text == "and what about a licence for her dog?"


def test_a_person_the_sources_call_otherwise_is_no_unknown_word() -> None:
    """ "mum" is never in the knowledge base ("parent" is), but it names a person the rules
    know: the follow-up is read with the carers' question, not alone."""
    carer = _after_with_words("What can a carer's direct payment pay for?")

    def never_saw_mum(word: str) -> float | None:
        return None if word.lower() == "mum" else _rarity(word)

    read = resolve("and what about care for her mum while she has a break?", carer, never_saw_mum)
    assert read.interpreted_as is not None
    assert "direct payment" in read.carried
    # a word that names no known person still reads the message alone
    dog = resolve("and what about a licence for her dog?", carer, never_saw_mum)
    assert dog.interpreted_as is None


def test_the_thing_a_message_takes_as_known_points_back() -> None:
    """'can the DP pay for the policy?' names a direct payment, so it was read alone, and alone
    it got what a direct payment cannot pay for: 'the policy' is the insurance asked about."""
    insurance = _after_with_words("does my client need insurance to employ a PA?")
    read = resolve("can the DP pay for the policy?", insurance, _rarity)
    assert read.interpreted_as is not None
    assert "insurance" in read.carried
    # a thing the knowledge base never saw is no pointer back
    dog = resolve("can the DP pay for the dog?", insurance, _rarity)
    assert dog.interpreted_as is None


def test_an_unknown_word_that_names_nothing_does_not_end_the_conversation() -> None:
    pension = _after_with_words("Does my client have to put her PA in a pension?")
    read = resolve("and if nobody qualifies?", pension, _rarity)
    assert read.interpreted_as is not None
    assert "pension" in read.carried


@pytest.mark.parametrize(
    ("message", "leans"),
    [
        ("from which day?", True),
        ("where should the decision be written down?", True),
        ("What is the weather in Leeds tomorrow?", False),  # a word the index never saw
        ("How much holiday does a PA get?", False),  # a subject of its own
        ("What is Think Local Act Personal?", False),  # a name of its own
    ],
)
def test_a_message_may_lean_on_the_conversation_without_saying_so(
    message: str, leans: bool
) -> None:
    def rarity(word: str) -> float | None:
        return None if word in {"leeds", "tomorrow"} else _rarity(word)

    assert leans_quietly(message, rarity) is leans
    if leans:
        read = resolve(message, DAUGHTER, rarity, lean=True)
        assert read.interpreted_as is not None
        assert "daughter" in read.carried


def test_numbers_and_words_of_manner_are_never_carried() -> None:
    """'lives two streets away' says where the daughter lives, not what the question is about:
    carried over, 'two' and 'away' made the follow-up read '... for her daughter (PA, paying,
    two, away)?'."""
    rare = {"streets": 4.0, "two": 3.1, "away": 3.4}
    daughter = resolve(
        "my client's daughter lives two streets away - can she be paid as a PA?",
        [],
        lambda word: rare.get(word.lower(), _rarity(word)),
    )
    assert "streets" in daughter.subjects
    assert not {"two", "away"} & set(daughter.subjects)


def test_words_that_say_how_not_what_are_never_carried() -> None:
    """ "goes", "anything", "like" are rare in the knowledge base, so they were carried as
    subjects: "... (PA, contingency, goes)?", "... (2009, basw, like, navigators)?"."""
    rare = {"goes": 4.1, "contingency": 4.0, "anything": 4.4, "like": 3.6, "navigators": 4.6}
    plan = resolve(
        "what goes in a contingency plan for a PA - anything like a list?",
        [],
        lambda word: rare.get(word.lower(), _rarity(word)),
    )
    assert "contingency" in plan.subjects
    assert not {"goes", "anything", "like"} & set(plan.subjects)
    # "how long is a PA's probation usually?" carried "usually" to the next turn
    rare["usually"], rare["probation"] = 3.9, 4.2
    usual = resolve(
        "how long is a PA's probation usually?", [], lambda w: rare.get(w.lower(), _rarity(w))
    )
    assert "probation" in usual.subjects
    assert "usually" not in usual.subjects


def test_an_elliptical_message_borrows_the_earlier_questions_frame() -> None:
    """'and to people who lack capacity?' asks nothing of its own: it asks what the earlier
    question asked ('when ...?'). A message that asks its own question borrows nothing."""
    earlier = _after("When were direct payments opened to older people?")
    read = resolve("and to people who lack capacity?", earlier)
    assert read.frame == "When were direct payments opened to older people?"
    for message in ("and if nobody qualifies?", "and what about sick pay, how much is it?"):
        assert resolve(message, earlier).frame is None


def test_a_topic_searched_by_a_phrase_is_carried_though_not_named() -> None:
    assert hinted_topics("my client wants to go rock climbing and her family are worried", []) == [
        "risk"
    ]
    assert hinted_topics("her family are worried about the risk", ["risk"]) == []
    assert hinted_topics("how much is sick pay?", ["sick pay"]) == []


def test_a_place_named_by_its_city_is_carried_and_there_points_back_to_it() -> None:
    """'does minimum wage still apply there?' after a question on Belfast was read alone, as
    a question on England; a city names its nation as the nation's name does."""
    belfast = _after("what about if she moves to Belfast?")
    assert "Northern Ireland" in belfast[0].subjects
    read = resolve("does minimum wage still apply there?", belfast)
    assert read.interpreted_as is not None
    assert "Northern Ireland" in read.interpreted_as
    for message in ("is there a cap on it?", "are there any rules on it?"):
        assert "Northern Ireland" not in (resolve(message, [])).subjects
    assert resolve("is there a limit on the hours?", belfast).interpreted_as is None


def test_a_year_later_is_read_as_the_year_after_the_one_asked_about() -> None:
    """'and a year later?' after the 2008 survey carried 2008 and was answered with the 2008
    editorial again; it asks about 2009."""
    earlier = _after("what did the 2008 survey find?")
    for message, year in (
        ("and a year later?", "2009"),
        ("what about two years later?", "2010"),
        ("and the year after?", "2009"),
    ):
        read = resolve(message, earlier)
        assert read.interpreted_as is not None
        assert year in read.interpreted_as
        assert "2008" not in read.interpreted_as
        assert year in read.subjects
    assert "2009" not in (resolve("and in 2013?", earlier).interpreted_as or "")
