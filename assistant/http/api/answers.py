"""Trainers verify answers: their own text with citations, given first to the questions it
answers, suspended when a cited document changes (see assistant/verified/service.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from assistant.http.deps import ServiceDep, TrainerKey, caller_id
from assistant.schemas import (
    VerifiedAnswerCreate,
    VerifiedAnswerInfo,
    VerifiedAnswerList,
    VerifiedAnswerPatch,
)

router = APIRouter(prefix="/answers", tags=["verified answers"], dependencies=[TrainerKey])


@router.post("", response_model=VerifiedAnswerInfo, status_code=status.HTTP_201_CREATED)
def create_answer(
    body: VerifiedAnswerCreate, request: Request, service: ServiceDep
) -> VerifiedAnswerInfo:
    """Verify an answer: `citations` are chunk ids from /search, [1] first; `questions` are
    paraphrases it also answers. 422 when a marker and the citations disagree or a chunk is
    not in the index."""
    return service.verified.create(body, verified_by=caller_id(request))


@router.get("", response_model=VerifiedAnswerList)
def list_answers(service: ServiceDep) -> VerifiedAnswerList:
    """Every verified answer, newest first; `suspended` ones cite a document that changed and
    need review; `review_due` ones are past their review-by date."""
    return VerifiedAnswerList(answers=service.verified.all())


@router.get("/{answer_id}", response_model=VerifiedAnswerInfo)
def get_answer(answer_id: str, service: ServiceDep) -> VerifiedAnswerInfo:
    return service.verified.get(answer_id)


@router.patch("/{answer_id}", response_model=VerifiedAnswerInfo)
def update_answer(
    answer_id: str, body: VerifiedAnswerPatch, service: ServiceDep
) -> VerifiedAnswerInfo:
    """Edit, re-cite, add paraphrases, move the review date, retire, or (after review)
    reinstate with `"status": "active"`."""
    return service.verified.update(answer_id, body)


@router.delete("/{answer_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_answer(answer_id: str, service: ServiceDep) -> Response:
    service.verified.delete(answer_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
