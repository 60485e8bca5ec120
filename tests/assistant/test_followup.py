"""Reading a follow-up with the earlier turn, by rule (no model needed)."""

from __future__ import annotations

import pytest

from assistant.activity.log import ConversationTurn
from assistant.answering.followup import resolve


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
