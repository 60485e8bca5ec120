"""Practitioners and tools: ask, search, and say whether an answer helped."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

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
def ask(body: AskRequest, service: ServiceDep) -> Response:
    """Answer a question from the knowledge base, with numbered citations."""
    answer = service.answering.ask(body, surface="api")
    # sent as built: the service made a valid AskResponse, and FastAPI validating it again
    # would take a second hop to the thread pool on every question (response_model stays, for
    # the OpenAPI schema)
    return Response(answer.model_dump_json(), media_type="application/json")


@router.post("/search", response_model=SearchResponse, dependencies=[RateLimit])
def search(body: SearchRequest, service: ServiceDep) -> SearchResponse:
    """The passages hybrid retrieval finds for a query, best first."""
    return service.answering.search(body)


@router.post("/feedback", response_model=FeedbackResponse, status_code=status.HTTP_201_CREATED)
def feedback(body: FeedbackRequest, service: ServiceDep) -> FeedbackResponse:
    """Mark an answer helpful or not (the comment is redacted before it is stored)."""
    return service.answering.feedback(body)
