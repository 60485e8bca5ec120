"""What trainers learn from use: unanswered questions (gaps) and feedback."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from assistant.activity.log import FeedbackItem, Gap
from assistant.http.deps import ServiceDep, TrainerKey
from assistant.insights.render import render_report
from assistant.insights.service import Report, report_csv

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


@router.get(
    "/insights/report",
    response_model=Report,
    responses={200: {"content": {"text/csv": {}, "text/html": {}}}},
)
def training_needs_report(
    request: Request,
    service: ServiceDep,
    period: Annotated[Literal["4w", "12w", "52w"], Query()] = "4w",
    format: Annotated[Literal["json", "csv", "html"], Query()] = "json",  # noqa: A002
) -> Response | Report:
    """The training-needs report for the last 4, 12 or 52 weeks: questions, answer and
    helpful rates by week and surface, topics, most and never cited documents, gaps grouped by
    meaning, answers marked unhelpful and suggested sessions. Built from the redacted log; no
    question text for groups under three."""
    report = service.insights.report(period)
    if format == "csv":
        return Response(
            report_csv(report),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="signpost-{period}.csv"'},
        )
    if format == "html":
        return HTMLResponse(render_report(report))
    return report


@router.get("/feedback", response_model=FeedbackList)
def feedback(
    service: ServiceDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> FeedbackList:
    """Feedback on answers, newest first, with the question and the documents it cited."""
    return FeedbackList(feedback=service.activity.feedback(limit))
