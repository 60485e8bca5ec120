"""Redaction quality, measured on 252 generated and 30 hand-written snippets."""

from __future__ import annotations

import pytest

from assistant.safety.redaction import for_reading, nhs_checksum_ok, redact
from tests.privacy.cases import HARD_BENIGN, HARD_CASES, Case, make_cases
from tests.privacy.measure import measure


def test_generated_cases_precision_and_recall() -> None:
    cases = make_cases()
    assert len(cases) >= 200
    figures = measure(cases)
    print("generated:", figures)
    assert figures["recall"] >= 0.99
    assert figures["precision"] >= 0.97
    assert figures["snippets_with_a_leak"] == 0


def test_hand_written_hard_cases() -> None:
    figures = measure(HARD_CASES + [Case(t) for t in HARD_BENIGN])
    print("hand-written:", figures)
    assert figures["recall"] >= 0.95
    assert figures["precision"] >= 0.9
    assert figures["snippets_with_a_leak"] == 0


def test_benign_practice_questions_are_untouched() -> None:
    for text in HARD_BENIGN:
        assert redact(text).text == text


def test_ten_digit_numbers_are_removed_whatever_their_check_digit() -> None:
    assert nhs_checksum_ok("4857773457")
    assert not nhs_checksum_ok("4857773458")
    assert redact("NHS 485 777 3457").text == "NHS [NHS number]"
    # a bad check digit is still somebody's number: a typo, or another identifier
    assert redact("NHS 485 777 3458").text == "NHS [NHS number]"
    assert redact("his number is 485 777 3458").text == "his number is [ID number]"
    assert redact("reference 123-456-7890 on the invoice").text == (
        "reference [ID number] on the invoice"
    )
    assert "1234567890" not in redact("order 1234567890").text


@pytest.mark.parametrize(
    "ni",
    [
        "QQ123456C",
        "QQ 12 34 56 C",
        "qq 123 456 c",
        "Q Q 1 2 3 4 5 6 C",
        "BG-12-34-56-A",
        "zz123456d",
    ],
)
def test_anything_shaped_like_an_ni_number_is_removed(ni: str) -> None:
    redaction = redact(f"Her NI is {ni}, can she get a DP?")
    assert ni not in redaction.text
    assert redaction.text == "Her NI is [NI number], can she get a DP?"
    assert redaction.found == {"ni": 1}


@pytest.mark.parametrize("postcode", ["QQ1 1QQ", "zz9 9zz", "CF10 1AA", "BT1 5GS"])
def test_unallocated_postcodes_are_removed_too(postcode: str) -> None:
    assert redact(f"she lives in {postcode} now").text == "she lives in [postcode] now"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr Tom Okafor (NHS 485 777 3457, NI AB123456C, born 02/07/1950) of 3 Mill Lane, "
            "York YO1 7HH, 01632 960123, tom.okafor@example.com, wants his niece as his PA.",
            "Mr [name] (NHS [NHS number], NI [NI number], born [date of birth]) of [address], "
            "York [postcode], [phone], [email], wants his niece as his PA.",
        ),
        ("my client Jo wants her son Dave as PA", "my client [name] wants her son [name] as PA"),
        ("Can Mrs X pay her daughter?", "Can Mrs [name] pay her daughter?"),
        (
            "Her daughter, Sarah Jones, is paid. Sarah lives in.",
            "Her daughter, [name], is paid. [name] lives in.",
        ),
        # words for a person are not names, even capitalised before "'s"
        ("Someone's PA leaves her alone", "Someone's PA leaves her alone"),
        ("Mum's carer is paid by Siobhan's son", "Mum's carer is paid by [name]'s son"),
    ],
)
def test_examples(text: str, expected: str) -> None:
    assert redact(text).text == expected


def test_notice_names_what_was_removed() -> None:
    notice = redact("Mrs Hollis, 07700 900123").notice()
    assert notice is not None
    assert "a name" in notice
    assert "a phone number" in notice
    assert "Hollis" not in notice
    assert redact("Can a PA be paid for sleep-ins?").notice() is None


@pytest.mark.parametrize(
    ("message", "read"),
    [
        (
            "Mrs Jones (DOB 03/04/1941) lives at 12 Hill Road, can she pay her neighbour?",
            "[name], can she pay her neighbour?",
        ),
        (
            "My client Sarah Smith, NHS number 943 476 5919, wants to pay her daughter",
            "My client [name], wants to pay her daughter",
        ),
        ("can my client pay her son?", "can my client pay her son?"),
    ],
)
def test_a_message_is_read_without_its_placeholders(message: str, read: str) -> None:
    """What is answered: 'Mrs [name] (DOB [date of birth]) lives at [address]' searched
    'birth', 'address' and 'dob', and a question on paying a neighbour was refused."""
    assert for_reading(redact(message).text) == read


def test_a_public_figure_the_sources_quote_is_kept_but_a_client_of_that_name_is_not() -> None:
    """'who is Sarah Carr?' was redacted to 'who is [name]?' and refused: 'Sarah' is a listed
    first name. A full name the knowledge base quotes is a public figure asked about; the same
    name introduced as a client is a case detail, and a first name alone is still redacted."""
    quoted = {"Sarah Carr", "John Bolton"}.__contains__
    assert redact("who is Sarah Carr?", public=quoted).text == "who is Sarah Carr?"
    assert redact("what did John Bolton say?", public=quoted).found == {}
    assert redact("my client Sarah Carr wants a DP", public=quoted).text == (
        "my client [name] wants a DP"
    )
    assert redact("Sarah wants a PA", public=quoted).text == "[name] wants a PA"
    assert redact("Sarah Smith wants a PA", public=quoted).text == "[name] wants a PA"
    assert redact("who is Sarah Carr?").text == "who is [name]?"  # no sources: recall first
