"""What trainers learn from use: unanswered questions (gaps) and feedback."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from assistant.api.deps import ServiceDep, TrainerKey
from assistant.db.activity import FeedbackItem, Gap

router = APIRouter(tags=["insights"], dependencies=[TrainerKey])


class Gaps(BaseModel):
    gaps: list[Gap]


class FeedbackList(BaseModel):
    feedback: list[FeedbackItem]


@router.get("/gaps", response_model=Gaps)
def gaps(service: ServiceDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Gaps:
    """Unanswered and low-confidence questions, grouped, most frequent first (redacted)."""
    return Gaps(gaps=service.gaps(limit))


@router.get("/feedback", response_model=FeedbackList)
def feedback(
    service: ServiceDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> FeedbackList:
    """Feedback on answers, newest first, with the question and the documents it cited."""
    return FeedbackList(feedback=service.feedback_list(limit))
