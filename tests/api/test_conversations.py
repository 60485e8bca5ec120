"""Follow-up questions over HTTP and on the web page: a conversation kept in the database,
read with the earlier turn, and an unknown or expired one refused with a clear 404."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import httpx
import pytest
from sqlalchemy import update

from assistant.activity.models import ConversationTurnRow
from assistant.services import Signpost
from tests.conftest import REPO

pytestmark = pytest.mark.anyio
FIRST = "Can my client pay her daughter as her PA with a direct payment?"
DOCS = [
    "direct-payments/dp-paying-family-members.md",
    "risk-and-safeguarding/financial-abuse-and-direct-payments.md",
    "employing-a-pa/pa-pay-holiday-sick-pay.md",
    "direct-payments/dp-what-it-can-pay-for.md",
]


@pytest.fixture
def api_service(api_service: Signpost, tmp_path) -> Signpost:
    folder = tmp_path / "kb"
    folder.mkdir()
    for name in DOCS:
        shutil.copy(REPO / "knowledge" / name, folder)
    assert api_service.curation.ingest([folder]).failed == []
    return api_service


async def ask(client: httpx.AsyncClient, question: str, conversation: str | None = None):
    body: dict[str, object] = {"question": question}
    if conversation is not None:
        body["conversation_id"] = conversation
    return await client.post("/ask", json=body)


async def test_a_follow_up_is_read_with_the_earlier_question(client: httpx.AsyncClient) -> None:
    first = (await ask(client, FIRST)).json()
    assert first["interpreted_as"] is None
    assert re.fullmatch(r"[0-9a-f]{32}", first["conversation_id"])
    second = await ask(client, "what if she lives with her?", first["conversation_id"])
    assert second.status_code == 200
    answer = second.json()
    assert answer["conversation_id"] == first["conversation_id"]
    assert answer["answered"]
    lead = answer["answer"].split("[1]")[0]
    assert "same household" in lead
    assert "necessary" in answer["answer"]
    assert "daughter" in answer["interpreted_as"]
    assert "lives with her" in answer["interpreted_as"]
    # the same message with no conversation is a question on its own: nothing carried over
    alone = (await ask(client, "what if she lives with her?")).json()
    assert alone["interpreted_as"] is None
    assert alone["conversation_id"] != first["conversation_id"]


async def test_a_new_topic_in_a_conversation_is_answered_on_its_own_terms(
    client: httpx.AsyncClient,
) -> None:
    first = (await ask(client, FIRST)).json()
    second = await ask(client, "How much holiday does a PA get?", first["conversation_id"])
    answer = second.json()
    assert answer["interpreted_as"] is None
    assert "5.6 weeks" in answer["answer"]
    assert {c["doc_id"] for c in answer["citations"]} == {"pa-pay-holiday-sick-pay"}


async def test_an_unknown_or_expired_conversation_is_a_404(
    client: httpx.AsyncClient, api_service: Signpost
) -> None:
    unknown = await ask(client, "and sick pay?", "no-such-conversation")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "conversation_not_found"
    malformed = await ask(client, "and sick pay?", "has spaces in it")
    assert malformed.status_code == 422
    first = (await ask(client, FIRST)).json()
    with api_service.activity.engine.begin() as conn:
        conn.execute(
            update(ConversationTurnRow).values(
                asked_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
            )
        )
    expired = await ask(client, "what if she lives with her?", first["conversation_id"])
    assert expired.status_code == 404
    assert "expired" in expired.json()["error"]["message"]


async def test_turns_are_stored_redacted(client: httpx.AsyncClient, api_service: Signpost) -> None:
    first = (await ask(client, "Can Mrs Jane Holloway pay her daughter as her PA?")).json()
    turns = api_service.activity.conversation(first["conversation_id"])
    assert "Holloway" not in turns[0].question
    assert "daughter" in turns[0].subjects


async def test_the_web_page_keeps_the_conversation(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    token = csrf.group(1)
    first = await client.post("/", data={"question": FIRST, "csrf": token})
    assert first.status_code == 200
    conversation = re.search(r'name="conversation_id" value="([^"]+)"', first.text)
    assert conversation is not None
    assert "Ask a follow-up" in first.text
    assert 'href="/"' in first.text  # "New question" starts afresh
    second = await client.post(
        "/",
        data={
            "question": "what if she lives with her?",
            "csrf": token,
            "conversation_id": conversation.group(1),
        },
    )
    assert second.status_code == 200
    assert "Answering:" in second.text
    assert "same household" in second.text
    gone = await client.post(
        "/",
        data={"question": "and sick pay?", "csrf": token, "conversation_id": "nope"},
    )
    assert gone.status_code == 404
    assert "Ask it again as a new question" in gone.text


async def test_another_replica_continues_the_conversation(
    client: httpx.AsyncClient, make_service
) -> None:
    """The turns live in the database: a second process on the same database and index (a
    restart, or another replica) reads the follow-up the same way."""
    from assistant.schemas import AskRequest

    first = (await ask(client, FIRST)).json()
    replica = make_service()
    follow_up = replica.answering.ask(
        AskRequest(question="what if she lives with her?", conversation_id=first["conversation_id"])
    )
    assert follow_up.interpreted_as is not None
    assert "daughter" in follow_up.interpreted_as
    assert "same household" in follow_up.answer.split("[1]")[0]


async def test_a_follow_up_about_suspected_abuse_gets_the_safeguarding_route(
    client: httpx.AsyncClient,
) -> None:
    first = (await ask(client, "What are the warning signs of financial abuse?")).json()
    assert not any("999" in n for n in first["notices"])  # a general question: no notice
    second = (
        await ask(client, "what should I do if I suspect it?", first["conversation_id"])
    ).json()
    assert "financial abuse" in second["interpreted_as"]
    assert any("safeguarding" in n and "999" in n for n in second["notices"])
    assert "Section 42" in second["answer"]


async def test_a_message_that_names_nothing_of_its_own_is_read_with_the_conversation(
    client: httpx.AsyncClient,
) -> None:
    first = (await ask(client, "Is my client's PA entitled to sick pay?")).json()
    assert first["answered"]
    alone = (await ask(client, "from which day?")).json()
    assert not alone["answered"]  # on its own it says nothing
    second = (await ask(client, "from which day?", first["conversation_id"])).json()
    assert second["answered"], second["answer"]
    assert "sick pay" in second["interpreted_as"]
    assert "first day" in second["answer"]


async def test_such_a_message_is_read_with_the_conversation_even_when_alone_it_finds_something(
    client: httpx.AsyncClient,
) -> None:
    """After a question on paying a daughter who lives with the person, "what would make the
    council say yes?" asks what counts as necessary (with the whole knowledge base, alone it
    was answered with the rule for ending a direct payment)."""
    first = await ask(client, "my client wants her daughter as PA but the daughter lives with her")
    second = (
        await ask(client, "what would make the council say yes?", first.json()["conversation_id"])
    ).json()
    assert second["answered"], second["answer"]
    assert second["interpreted_as"] == "what would make the council say yes (daughter, PA)?"
    assert "Reasons councils may accept" in second["answer"]


async def test_an_acronyms_plural_is_a_word_the_knowledge_base_knows(
    client: httpx.AsyncClient,
) -> None:
    """ "the PAs" is not a thing the knowledge base never saw (the index reads it as "PA"):
    the follow-up keeps the conversation."""
    first = (await ask(client, "Is my client's PA entitled to sick pay?")).json()
    second = (
        await ask(client, "so from which day do the PAs get it?", first["conversation_id"])
    ).json()
    assert second["interpreted_as"] is not None, second["answer"]
    assert "sick pay" in second["interpreted_as"]
    assert "first day" in second["answer"]
