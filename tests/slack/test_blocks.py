"""Block Kit builders are pure functions of the service's answer."""

from __future__ import annotations

import json

from assistant.schemas import AskResponse, Citation
from assistant.slack.blocks import (
    HELPFUL,
    NOT_HELPFUL,
    SHARE,
    answer_blocks,
    comment_modal,
    fallback_text,
    linked_answer,
)


def _citation(n: int, url: str | None) -> Citation:
    return Citation(
        n=n,
        doc_id=f"d{n}",
        title=f"Doc <{n}> & co",
        source_type="guidance",
        kind="statutory guidance",
        section="Rules",
        source_url=url,
        published="2014-10-23",
        snippet="s",
        score=0.8,
    )


def _response(answered: bool = True, notices: list[str] | None = None) -> AskResponse:
    return AskResponse(
        question_id="q1",
        conversation_id="c1",
        answer="Relatives can be paid if necessary [1]. Reviews within 6 months [2].",
        answered=answered,
        confidence=0.8,
        citations=[_citation(1, "https://example.org/a"), _citation(2, None)] if answered else [],
        notices=notices or [],
    )


def test_markers_become_links_to_their_sources() -> None:
    text = linked_answer(
        "A < B & C [1] and [2].", [_citation(1, "https://x.org"), _citation(2, None)]
    )
    assert text == "A &lt; B &amp; C <https://x.org|[1]> and [2]."


def test_answer_blocks_have_answer_sources_notices_and_buttons() -> None:
    built = answer_blocks(_response(notices=["Personal details were removed."]))
    kinds = [b["type"] for b in built]
    assert kinds == ["section", "context", "divider", "section", "actions"]
    sources = built[3]["text"]["text"]
    assert "<https://example.org/a|Doc &lt;1&gt; &amp; co>" in sources
    assert "statutory guidance · 2014-10-23" in sources
    actions = [e["action_id"] for e in built[-1]["elements"]]
    assert actions == [HELPFUL, NOT_HELPFUL]
    assert all(e["value"] == "q1" for e in built[-1]["elements"])
    assert SHARE in json.dumps(answer_blocks(_response(), shareable=True))


def test_abstention_blocks_say_trainers_are_told() -> None:
    built = answer_blocks(_response(answered=False))
    assert "knowledge gap for trainers" in json.dumps(built)
    assert "divider" not in [b["type"] for b in built]


def test_comment_modal_carries_the_feedback_id() -> None:
    modal = comment_modal(42)
    assert modal["private_metadata"] == "42"
    assert modal["blocks"][0]["optional"] is True


def test_a_follow_up_says_how_it_was_read() -> None:
    response = _response().model_copy(
        update={"interpreted_as": "what if the daughter lives with her <b> (PA)?"}
    )
    shown = answer_blocks(response)
    assert shown[0]["type"] == "context"
    assert "Answering: _what if the daughter lives with her &lt;b&gt; (PA)?_" in json.dumps(shown)
    assert fallback_text(response).startswith("Answering: what if the daughter")
    assert answer_blocks(_response())[0]["type"] == "section"
