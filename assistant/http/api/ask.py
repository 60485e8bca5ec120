"""Practitioners and tools: ask, search, and say whether an answer helped."""

from __future__ import annotations

from fastapi import APIRouter, status

from assistant.http.deps import ApiKey, RateLimit, ServiceDep
from assistant.schemas import (
    AskRequest,
    AskResponse,
    FeedbackRequest,
    FeedbackResponse,
    SearchRequest,
    SearchResponse,
)

router = APIRouter(tags=["ask"], dependencies=[ApiKey])


@router.post("/ask", response_model=AskResponse, dependencies=[RateLimit])
def ask(body: AskRequest, service: ServiceDep) -> AskResponse:
    """Answer a question from the knowledge base, with numbered citations."""
    return service.answering.ask(body, surface="api")


@router.post("/search", response_model=SearchResponse, dependencies=[RateLimit])
def search(body: SearchRequest, service: ServiceDep) -> SearchResponse:
    """The passages hybrid retrieval finds for a query, best first."""
    return service.answering.search(body)


@router.post("/feedback", response_model=FeedbackResponse, status_code=status.HTTP_201_CREATED)
def feedback(body: FeedbackRequest, service: ServiceDep) -> FeedbackResponse:
    """Mark an answer helpful or not (the comment is redacted before it is stored)."""
    return service.answering.feedback(body)
