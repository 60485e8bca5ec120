"""The web page's routes. Like the API routers, they only translate: forms in, service calls,
templates out. Sign-in uses a trainer key; every form carries a CSRF token."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import ValidationError

from assistant.curation.uploads import UPLOAD_FIELDS, check_upload
from assistant.errors import ErrorCode, NotFoundError, SignpostError
from assistant.http.deps import ServiceDep, check_guess, rate_limit, signed_in
from assistant.insights.render import render_report, report_body
from assistant.insights.service import PERIODS, report_csv
from assistant.safety.notices import review_due
from assistant.schemas import (
    MARKER,
    TEXT_MAX_CHARS,
    AskRequest,
    FeedbackRequest,
    SearchRequest,
    VerifiedAnswerCreate,
)
from assistant.security import session
from ingest.documents import SOURCE_TYPES

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def split_markers(answer: str) -> list[dict[str, Any]]:
    """The answer as text parts and [n] markers, so the template links each marker (and
    autoescapes the text)."""
    parts: list[dict[str, Any]] = []
    last = 0
    for match in MARKER.finditer(answer):
        parts.append({"text": answer[last : match.start()], "n": None})
        parts.append({"text": "", "n": int(match.group(1))})
        last = match.end()
    parts.append({"text": answer[last:], "n": None})
    return parts


templates.env.filters["split_markers"] = split_markers
router = APIRouter(include_in_schema=False)
OptionalForm = Annotated[str | None, Form()]


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page, making sure the browser holds a CSRF cookie that its forms echo."""
    token = request.cookies.get(session.CSRF_COOKIE) or session.new_csrf()
    response = templates.TemplateResponse(
        request,
        name,
        {
            "csrf": token,
            "signed_in": signed_in(request),
            "source_types": SOURCE_TYPES,
            "max_chars": TEXT_MAX_CHARS,
            **context,
        },
        status_code=status,
    )
    if request.cookies.get(session.CSRF_COOKIE) != token:
        response.set_cookie(
            session.CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=_secure_cookies(request),
        )
    return response


def _secure_cookies(request: Request) -> bool:
    """Cookies carry Secure over https, and always with SIGNPOST_COOKIE_SECURE (TLS ends at a
    proxy whose forwarded headers are not trusted)."""
    return bool(request.app.state.settings.cookie_secure) or request.url.scheme == "https"


def _check_csrf(request: Request, token: str | None) -> None:
    if not session.csrf_ok(request.cookies.get(session.CSRF_COOKIE), token):
        raise SignpostError(
            ErrorCode.CSRF_FAILED, "the form expired; reload the page and try again"
        )


def _require_trainer(request: Request) -> None:
    if not signed_in(request):
        raise _SignIn


class _SignIn(Exception):
    """Not signed in: send the browser to the sign-in page."""


def register(app: FastAPI) -> None:
    """The page's routes, its static files, and the redirect to sign in."""
    app.include_router(router)
    app.add_exception_handler(_SignIn, sign_in_redirect)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


def sign_in_redirect(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/trainer/login", status_code=303)


def is_page(request: Request) -> bool:
    """Requests from the web page get HTML errors; API clients get JSON."""
    path = request.url.path
    return path == "/" or path.startswith(("/trainer", "/web/"))


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    back = "/trainer" if request.url.path.startswith("/trainer") else "/"
    return _page(request, "error.html", status, message=message, back=back)


# -- practitioners ---------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def ask_page(request: Request) -> HTMLResponse:
    return _page(request, "ask.html", question="", response=None)


@router.post("/", response_class=HTMLResponse)
def ask_submit(
    request: Request,
    service: ServiceDep,
    question: Annotated[str, Form()] = "",
    csrf: OptionalForm = None,
    conversation_id: OptionalForm = None,
) -> HTMLResponse:
    _check_csrf(request, csrf)
    rate_limit(request)
    question = question.strip()
    if not question or len(question) > TEXT_MAX_CHARS:
        error = (
            f"Your question is {len(question):,} characters long; the limit is "
            f"{TEXT_MAX_CHARS:,}. Please shorten it."
            if question
            else "Please type a question."
        )
        # shown back whole (never cut) so it can be shortened; nothing of it is stored
        return _page(request, "ask.html", 422, question=question, response=None, error=error)
    # the question box keeps only the redacted text: personal data is not shown back
    shown = service.answering.redacted(question)
    try:
        asked = AskRequest(question=question, conversation_id=conversation_id or None)
        response = service.answering.ask(asked, surface="web")
    except (ValidationError, NotFoundError):
        error = (
            "That conversation has ended (or was never started here), so your follow-up "
            "could not be read with it. Ask it again as a new question."
        )
        return _page(request, "ask.html", 404, question=shown, response=None, error=error)
    return _page(request, "ask.html", question=shown, response=response)


@router.post("/web/feedback", response_class=HTMLResponse)
def feedback_submit(
    request: Request,
    service: ServiceDep,
    question_id: Annotated[str, Form()],
    helpful: Annotated[str, Form()],
    comment: OptionalForm = None,
    csrf: OptionalForm = None,
) -> HTMLResponse:
    _check_csrf(request, csrf)
    service.answering.feedback(
        FeedbackRequest(
            question_id=question_id, helpful=helpful == "yes", comment=(comment or None)
        )
    )
    return _page(request, "thanks.html")


# -- trainers ------------------------------------------------------------------------------
@router.get("/trainer/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return _page(request, "login.html")


@router.post("/trainer/login", response_class=HTMLResponse)
def login_submit(
    request: Request, key: Annotated[str, Form()] = "", csrf: OptionalForm = None
) -> Response:
    _check_csrf(request, csrf)
    keys: list[str] = request.app.state.trainer_keys
    if not key or not check_guess(request, key.strip(), keys):
        return _page(request, "login.html", 401, error="That trainer key is not valid.")
    redirect = RedirectResponse("/trainer", status_code=303)
    redirect.set_cookie(
        session.SESSION_COOKIE,
        session.new_session(keys),
        max_age=session.SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=_secure_cookies(request),
    )
    return redirect


@router.post("/trainer/logout")
def logout(request: Request, csrf: OptionalForm = None) -> Response:
    _check_csrf(request, csrf)
    ended = session.session_id(
        request.cookies.get(session.SESSION_COOKIE), request.app.state.trainer_keys
    )
    if ended is not None:  # revoked for every replica, not only this browser
        request.app.state.service.activity.revoke_session(
            ended, dt.timedelta(seconds=session.SESSION_SECONDS)
        )
    redirect = RedirectResponse("/", status_code=303)
    redirect.delete_cookie(session.SESSION_COOKIE)
    return redirect


@router.get("/trainer", response_class=HTMLResponse)
def trainer_page(request: Request, service: ServiceDep, message: str | None = None) -> HTMLResponse:
    _require_trainer(request)
    today = dt.date.today()
    documents = [
        d.model_dump() | {"review_due": review_due(d.reviewed, today, unknown_is_due=True)}
        for d in service.curation.documents().documents
    ]
    gaps = [
        g.__dict__ | {"closest": _closest(service, g.question)} for g in service.activity.gaps(50)
    ]
    out_of_scope = [g.__dict__ for g in service.activity.gaps(20, in_scope=False)]
    titles = {d["doc_id"]: d["title"] for d in documents}
    feedback = [f.__dict__ for f in service.activity.feedback(50)]
    verified = [a.model_dump() for a in service.verified.all()]  # not helpful, then suspended
    return _page(
        request,
        "trainer.html",
        verified=verified,
        needs_review=sum(
            1 for a in verified if a["status"] == "suspended" or a["review_due"] or a["not_helpful"]
        ),
        documents=documents,
        gaps=gaps,
        out_of_scope=out_of_scope,
        feedback=feedback,
        titles=titles,
        message=message,
        knowledge_dir=str(request.app.state.settings.knowledge_dir),
    )


@router.post("/trainer/upload", response_class=HTMLResponse)
async def upload_submit(
    request: Request,
    service: ServiceDep,
    file: Annotated[UploadFile, File()],
    csrf: OptionalForm = None,
) -> Response:
    _require_trainer(request)
    _check_csrf(request, csrf)
    form = await request.form()
    limit = request.app.state.max_upload_bytes
    data = await file.read(limit + 1)
    filename = file.filename or "upload"
    fmt = check_upload(data, filename, limit)
    metadata = {k: str(form.get(k) or "") or None for k in UPLOAD_FIELDS}
    outcome = await run_in_threadpool(
        service.curation.upload, data, fmt, filename=filename, metadata=metadata
    )
    verb = {"added": "Added", "updated": "Updated", "unchanged": "Unchanged (already indexed)"}
    return _flash(f"{verb.get(outcome.status, outcome.status)}: {outcome.title} ({outcome.doc_id})")


@router.post("/trainer/sync")
def sync_submit(request: Request, service: ServiceDep, csrf: OptionalForm = None) -> Response:
    _require_trainer(request)
    _check_csrf(request, csrf)
    report = service.curation.sync(request.app.state.settings.knowledge_dir)
    return _flash(f"Synced the knowledge folder: {report.summary()}")


@router.get("/trainer/documents/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, service: ServiceDep, doc_id: str) -> HTMLResponse:
    _require_trainer(request)
    info = service.curation.document(doc_id)
    return _page(
        request,
        "document.html",
        document=info,
        chunks=service.index.chunks(doc_id),
        review_due=review_due(info.reviewed, dt.date.today(), unknown_is_due=True),
    )


@router.get("/trainer/documents/{doc_id}/delete", response_class=HTMLResponse)
def delete_confirm(request: Request, service: ServiceDep, doc_id: str) -> HTMLResponse:
    _require_trainer(request)
    return _page(request, "delete.html", document=service.curation.document(doc_id))


@router.post("/trainer/documents/{doc_id}/delete")
def delete_submit(
    request: Request, service: ServiceDep, doc_id: str, csrf: OptionalForm = None
) -> Response:
    _require_trainer(request)
    _check_csrf(request, csrf)
    removed = service.curation.remove(doc_id)
    return _flash(f"Deleted: {removed.title} ({removed.doc_id})")


@router.get("/trainer/insights", response_class=HTMLResponse)
def insights_page(request: Request, service: ServiceDep, period: str = "4w") -> HTMLResponse:
    """What practitioners need to learn: charts (SVG drawn on the server), gaps grouped by
    meaning, suggested sessions; the period is 4 weeks, 12 weeks or 52 weeks."""
    _require_trainer(request)
    if period not in PERIODS:
        period = "4w"
    report = service.insights.report(period)
    return _page(
        request,
        "insights.html",
        report=report,
        body=Markup(report_body(report)),  # noqa: S704 - every value is escaped in report_body
        period=period,
        periods={"4w": "4 weeks", "12w": "3 months", "52w": "12 months"},
    )


@router.get("/trainer/insights/report")
def insights_export(
    request: Request,
    service: ServiceDep,
    period: str = "4w",
    format: str = "csv",  # noqa: A002
) -> Response:
    """The report for a signed-in trainer: CSV, or the printable page."""
    _require_trainer(request)
    report = service.insights.report(period if period in PERIODS else "4w")
    if format == "html":
        return HTMLResponse(render_report(report))
    return Response(
        report_csv(report),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="signpost-{report.period}.csv"'},
    )


@router.get("/trainer/answers/new", response_class=HTMLResponse)
def verify_page(request: Request, service: ServiceDep, question: str = "") -> HTMLResponse:
    """'Write the answer' for a gap or a not-helpful answer: the question, the passages
    retrieval finds for it to cite, the trainer's text, paraphrases and a review date."""
    _require_trainer(request)
    return _verify_form(request, service, question=question[:TEXT_MAX_CHARS])


@router.post("/trainer/answers", response_class=HTMLResponse)
def verify_submit(
    request: Request,
    service: ServiceDep,
    question: Annotated[str, Form()] = "",
    answer: Annotated[str, Form()] = "",
    citations: Annotated[list[str] | None, Form()] = None,
    paraphrases: Annotated[str, Form()] = "",
    review_by: Annotated[str, Form()] = "",
    csrf: OptionalForm = None,
) -> Response:
    _require_trainer(request)
    _check_csrf(request, csrf)
    fields = {
        "question": question,
        "answer": answer,
        "citations": citations or [],
        "questions": [line.strip() for line in paraphrases.splitlines() if line.strip()],
        "review_by": review_by,
    }
    try:
        created = service.verified.create(
            VerifiedAnswerCreate.model_validate(fields), verified_by="page"
        )
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        error = f"{where}: {problem['msg']}"
    except SignpostError as exc:
        error = exc.message
    else:
        return _flash(f"Verified: “{created.question}” now gets your answer.")
    return _verify_form(
        request,
        service,
        422,
        question=question,
        answer=answer,
        chosen=citations or [],
        paraphrases=paraphrases,
        review_by=review_by,
        error=error,
    )


def _verify_form(request: Request, service: Any, status: int = 200, **fields: Any) -> HTMLResponse:
    question = fields.get("question", "")
    passages = (
        service.answering.search(SearchRequest(query=question, top_k=8)).results
        if question.strip()
        else []
    )
    defaults: dict[str, Any] = {
        "answer": "",
        "chosen": [],
        "paraphrases": "",
        "review_by": (dt.date.today() + dt.timedelta(days=365)).isoformat(),
        "error": None,
    }
    return _page(request, "verify.html", status, passages=passages, **(defaults | fields))


def _flash(message: str) -> RedirectResponse:
    return RedirectResponse(f"/trainer?{urlencode({'message': message})}", status_code=303)


def _closest(service: Any, question: str) -> dict[str, str] | None:
    """The document a gap is nearest to: the one a trainer would probably extend (remembered
    while the index is unchanged)."""
    doc_id = service.insights.nearest_document(question)
    record = service.index.records().get(doc_id) if doc_id else None
    return {"doc_id": record.doc_id, "title": record.title} if record else None
