"""What trainers learn from use: unanswered questions (gaps) and feedback."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from assistant.activity.log import FeedbackItem, Gap
from assistant.http.deps import ServiceDep, TrainerKey

router = APIRouter(tags=["insights"], dependencies=[TrainerKey])


class Gaps(BaseModel):
    gaps: list[Gap]  # in scope: knowledge gaps, and answers marked not helpful
    out_of_scope: list[Gap]  # unanswered questions outside Signpost's scope, kept apart


class FeedbackList(BaseModel):
    feedback: list[FeedbackItem]


@router.get("/gaps", response_model=Gaps)
def gaps(service: ServiceDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Gaps:
    """Knowledge gaps: in-scope questions that were unanswered, weakly answered or marked not
    helpful, grouped, most not-helpful votes then most frequent first (redacted); and, apart,
    the questions outside Signpost's scope."""
    return Gaps(
        gaps=service.activity.gaps(limit), out_of_scope=service.activity.gaps(limit, in_scope=False)
    )


@router.get("/feedback", response_model=FeedbackList)
def feedback(
    service: ServiceDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> FeedbackList:
    """Feedback on answers, newest first, with the question and the documents it cited."""
    return FeedbackList(feedback=service.activity.feedback(limit))
