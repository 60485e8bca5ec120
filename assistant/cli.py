"""The `signpost` command line: translates arguments to service calls and results to text.

Bad input gets one line on stderr and exit status 2 (usage) or 1 (failure), never a traceback.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.config import Settings
from assistant.errors import ErrorCode, SignpostError
from assistant.services import Signpost
from ingest.pipeline import IngestReport, Progress

app = typer.Typer(
    name="signpost",
    help="Signpost: cited answers on personalisation, direct payments and PAs for social care.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


@functools.cache
def _settings() -> Settings:
    """The settings, read once per command (config.py is the only reader of the environment)."""
    return Settings()


def _service(settings: Settings | None = None) -> Signpost:
    from assistant.factory import build_services

    return build_services(settings or _settings())


def _echo_json(payload: object) -> None:
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))


@contextmanager
def _progress(label: str, total: int):
    """A progress bar on a terminal; nothing when output is piped or captured."""
    if not sys.stderr.isatty() or total <= 1:
        yield None
        return
    from rich.progress import Progress as Bar

    with Bar(transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda _name: bar.advance(task)


def _print_report(report: IngestReport) -> None:
    for outcome in report.failed:
        typer.echo(f"failed: {outcome.source}: {outcome.error}", err=True)
    typer.echo(report.summary())


def _count_files(paths: list[Path]) -> int:
    from ingest.pipeline import find_files

    return len(find_files(paths)[0])


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders (md, txt, html, pdf, docx).")
    ],
) -> None:
    """Ingest files or folders; unchanged files are skipped."""
    service = _service()
    with _progress("Indexing", _count_files(paths)) as progress:
        report = service.curation.ingest(paths, progress)
    _print_report(report)
    if report.failed and len(report.failed) == len(report.outcomes):
        raise typer.Exit(1)


@app.command()
def sync(
    folder: Annotated[
        Path | None, typer.Argument(help="Folder to mirror (default: the knowledge dir).")
    ] = None,
) -> None:
    """Make the documents that came from FOLDER match it: new and changed in, deleted out."""
    settings = _settings()
    target = folder or settings.knowledge_dir
    service = _service(settings)
    progress: Progress | None
    with _progress("Syncing", _count_files([target]) if target.is_dir() else 0) as progress:
        report = service.curation.sync(target, progress)
    _print_report(report)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    as_json: JsonFlag = False,
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=20, help="Passages to use.")] = 5,
    topic: Annotated[
        list[str] | None, typer.Option("--topic", help="Only documents with this topic.")
    ] = None,
    source_type: Annotated[
        list[str] | None, typer.Option("--source-type", help="Only this source type.")
    ] = None,
) -> None:
    """Answer one question from the knowledge base, with citations."""
    from pydantic import ValidationError

    from assistant.schemas import AskRequest, error_text

    if not question.strip():
        raise typer.BadParameter("the question is empty: type what you want to ask, in quotes")
    try:
        request = AskRequest.model_validate(
            {
                "question": question,
                "top_k": top_k,
                "filters": {"topics": topic or [], "source_types": source_type or []},
            }
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise typer.BadParameter(f"invalid {where}: {error_text(err)}") from None
    response = _service().answering.ask(request, surface="cli")
    if as_json:
        _echo_json(response.model_dump())
        return
    _print_answer(response)


def _print_answer(response: Any) -> None:
    if response.verified is not None:
        typer.echo(response.verified.badge)
    if response.interpreted_as:
        typer.echo(f"Answering: {response.interpreted_as}")
    typer.echo(response.answer)
    if response.citations:
        typer.echo("\nSources:")
        for c in response.citations:
            where = f" — {c.section}" if c.section else ""
            date = f", {c.published}" if c.published else ""
            url = f"\n    {c.source_url}" if c.source_url else ""
            typer.echo(f"  [{c.n}] {c.title}{where} ({c.source_type}{date}){url}")
    for notice in response.notices:
        typer.echo(f"\nNote: {notice}")


@app.command()
def report(
    period: Annotated[
        str, typer.Option("--period", help="4w, 12w or 52w (weeks back from today).")
    ] = "4w",
    fmt: Annotated[str, typer.Option("--format", help="json, csv or html.")] = "json",
    slack: Annotated[
        bool, typer.Option("--slack", help="Post the digest to SIGNPOST_SLACK_DIGEST_CHANNEL.")
    ] = False,
) -> None:
    """The training-needs report: topics asked about, gaps grouped by meaning, answers marked
    unhelpful, suggested training sessions (from the redacted question log)."""
    from assistant.insights.render import render_report
    from assistant.insights.service import PERIODS, report_csv

    if period not in PERIODS:
        raise typer.BadParameter(f"--period must be one of {', '.join(PERIODS)}")
    if fmt not in ("json", "csv", "html"):
        raise typer.BadParameter("--format must be json, csv or html")
    settings = _settings()
    if slack and not (settings.slack_bot_token and settings.slack_digest_channel):
        raise SignpostError(
            ErrorCode.SLACK_NOT_CONFIGURED,
            "--slack needs SLACK_BOT_TOKEN and SIGNPOST_SLACK_DIGEST_CHANNEL",
        )
    result = _service().insights.report(period)
    if slack:
        from assistant.slack.digest import post_digest

        post_digest(settings, result)
        typer.echo(f"posted the digest to {settings.slack_digest_channel}")
        return
    if fmt == "csv":
        typer.echo(report_csv(result), nl=False)
    elif fmt == "html":
        typer.echo(render_report(result))
    else:
        _echo_json(result.model_dump())


@app.command()
def chat() -> None:
    """Ask questions one after another in the terminal; follow-ups ("what if she lives with
    her?") are read with the earlier questions, as on every surface. An empty line or
    "new" starts a new conversation; Ctrl-D or "quit" ends."""
    from assistant.schemas import TEXT_MAX_CHARS, AskRequest

    service = _service()
    conversation: str | None = None
    typer.echo('Ask a question ("new" starts afresh, "quit" or Ctrl-D ends).')
    while True:
        try:
            line = input("\n> " if sys.stdin.isatty() else "").strip()
        except EOFError:
            break
        if line.lower() in ("quit", "exit"):
            break
        if not line or line.lower() == "new":
            conversation = None
            typer.echo("(new conversation)")
            continue
        if len(line) > TEXT_MAX_CHARS:
            typer.echo(f"That is {len(line):,} characters; the limit is {TEXT_MAX_CHARS:,}.")
            continue
        response = service.answering.ask(
            AskRequest(question=line, conversation_id=conversation), surface="cli"
        )
        conversation = response.conversation_id
        _print_answer(response)


@app.command()
def docs(as_json: JsonFlag = False) -> None:
    """List indexed documents."""
    listing = _service().curation.documents()
    if as_json:
        _echo_json(listing.model_dump())
        return
    if not listing.documents:
        typer.echo("No documents indexed.")
        return
    for d in listing.documents:
        reviewed = f" reviewed {d.reviewed}" if d.reviewed else ""
        typer.echo(f"{d.doc_id}  {d.title}  [{d.source_type}, {d.chunks} chunks{reviewed}]")


@app.command()
def remove(doc_id: Annotated[str, typer.Argument(help="The document's id (see `docs`).")]) -> None:
    """Remove one document from the index."""
    info = _service().curation.remove(doc_id)
    typer.echo(f"removed {info.doc_id} ({info.title})")


@app.command(name="eval")
def evaluate(
    questions: Annotated[
        Path | None, typer.Option("--questions", help="A golden YAML file (default: bundled set).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run the golden question set and print retrieval and answer metrics (single questions
    and, apart, the follow-up turns of its conversations)."""
    from assistant.evaluation.golden import DEFAULT_QUESTIONS, load_golden, run_eval

    golden = load_golden(questions or DEFAULT_QUESTIONS)
    parts, results = run_eval(_service(), golden.questions, golden.conversations)
    if as_json:
        _echo_json(parts | {"failures": [r.__dict__ for r in results if _failed(r)]})
        return
    for result in results:
        if _failed(result):
            why = (
                "abstained"
                if result.in_scope and not result.answered
                else (
                    "answered out of scope"
                    if not result.in_scope and result.answered
                    else f"missing {result.missing_facts}"
                    if result.missing_facts
                    else f"rank {result.rank}"
                )
            )
            typer.echo(f"  miss ({result.split}): {result.question}  ({why})")
    columns = [("tuning", "tuning"), ("heldout", "held-out"), ("all", "all")]
    columns += [(p, p.replace("followup_", "f-up ")) for p in parts if p.startswith("followup_")]
    typer.echo(f"{'':>26}" + "".join(f"{label:>12}" for _, label in columns))
    for key in parts["all"]:
        row = "".join(f"{parts[p].get(key, '')!s:>12}" for p, _ in columns)
        typer.echo(f"{key:>26}{row}")


def _failed(result) -> bool:
    if not result.in_scope:
        return result.answered
    return (
        not result.answered
        or result.rank is None
        or result.rank > 5
        or bool(result.missing_facts)
        or not result.citations_valid
    )


@app.command()
def bench(
    quick: Annotated[
        bool, typer.Option("--quick", help="Stop the scale test at 10k chunks.")
    ] = False,
    as_json: JsonFlag = False,
    out: Annotated[Path, typer.Option("--out", help="Where the report goes.")] = Path(
        "bench-results"
    ),
    sizes: Annotated[
        str | None, typer.Option("--sizes", help="Scale sizes, e.g. 1000,10000.")
    ] = None,
    abstracts: Annotated[
        int | None, typer.Option("--abstracts", min=0, help="SciFact abstracts in the corpus.")
    ] = None,
    scifact: Annotated[bool, typer.Option("--scifact/--no-scifact")] = True,
    peer: Annotated[bool, typer.Option("--peer/--no-peer")] = True,
    load_seconds: Annotated[float, typer.Option("--load-seconds", min=1)] = 20.0,
    knowledge: Annotated[
        Path | None,
        typer.Option(
            "--knowledge", help="Curated documents to start from (default: the knowledge dir)."
        ),
    ] = None,
    scifact_dir: Annotated[
        Path,
        typer.Option(
            "--scifact-dir", help="BEIR SciFact files (corpus.jsonl, queries.jsonl, qrels/)."
        ),
    ] = Path("../shared/bench/scifact"),
) -> None:
    """Measure ingest, /ask latency against the raw floor and a LangChain peer, scale, load and
    SciFact nDCG@10; write bench.json, bench.md and a latency plot."""
    from assistant.evaluation.bench import BenchConfig, run_bench

    knowledge = knowledge or _settings().knowledge_dir
    if not knowledge.is_dir():
        raise typer.BadParameter(f"no knowledge folder at {knowledge}: pass --knowledge DIR")
    wants_scifact = scifact or (abstracts if abstracts is not None else 1) > 0
    if wants_scifact and not (scifact_dir / "corpus.jsonl").is_file():
        raise typer.BadParameter(
            f"no SciFact files in {scifact_dir} (../shared/bench/scifact beside a clone): pass "
            "--scifact-dir DIR, or --no-scifact --abstracts 0"
        )
    chosen = (
        [int(s) for s in sizes.split(",")]
        if sizes
        else ([1_000, 10_000] if quick else [1_000, 10_000, 100_000])
    )
    config = BenchConfig(
        out=out,
        work=out / "work",
        knowledge=knowledge,
        scifact_dir=scifact_dir,
        quick=quick,
        sizes=chosen,
        corpus_abstracts=abstracts if abstracts is not None else (300 if quick else 1_000),
        scifact=scifact,
        peer=peer,
        load_seconds=load_seconds,
        say=(lambda _line: None) if as_json else (lambda line: typer.echo(line, err=True)),
    )
    figures = run_bench(config)
    if as_json:
        _echo_json(figures)
    else:
        typer.echo(f"report: {out / 'bench.md'}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Sync the knowledge dir, then serve the HTTP API and web page."""
    import uvicorn

    from assistant.http.app import create_app
    from assistant.observability import logs
    from assistant.security.keys import TRAINER_KEY_FILE, load_trainer_keys

    settings = _settings()
    logs.configure()
    service = _service(settings)
    keys, generated = load_trainer_keys(settings.trainer_keys, settings.data_dir)
    if settings.knowledge_dir.is_dir():
        # one replica syncs (whoever takes the writer lock); the others serve what is indexed
        # and see that replica's changes through the shared catalog
        report = service.curation.sync_if_free(settings.knowledge_dir)
        if report is None:
            typer.echo(
                f"knowledge dir {settings.knowledge_dir}: another process is writing the index "
                "(a replica's start-up sync?); serving what is indexed"
            )
        else:
            for outcome in report.failed:
                typer.echo(f"failed: {outcome.source}: {outcome.error}", err=True)
            typer.echo(f"knowledge dir {settings.knowledge_dir}: {report.summary()}")
    else:
        typer.echo(f"no knowledge dir at {settings.knowledge_dir}; serving what is indexed")
    service.answering.warm_up()
    api = create_app(settings, service, trainer_keys=keys)
    if settings.slack_digest_channel:
        from assistant.slack.digest import start_weekly_digest

        start_weekly_digest(settings, service)
    if generated:
        typer.echo(
            f"Trainer key (shown once; stored in {settings.data_dir / TRAINER_KEY_FILE}): "
            f"{generated}"
        )
    typer.echo(f"Signpost is serving on http://{host}:{port}", err=False)
    uvicorn.run(
        api,
        host=host,
        port=port,
        access_log=False,
        log_config=None,
        **settings.uvicorn_options,  # type: ignore[arg-type]
    )


@app.command()
def gaps(
    as_json: JsonFlag = False,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many groups.")] = 50,
) -> None:
    """Knowledge gaps (unanswered, weak or not-helpful answers), most frequent first; then,
    apart, questions outside Signpost's scope."""
    service = _service()
    found = service.activity.gaps(limit)
    outside = service.activity.gaps(limit, in_scope=False)
    if as_json:
        _echo_json(
            {"gaps": [g.__dict__ for g in found], "out_of_scope": [g.__dict__ for g in outside]}
        )
        return
    if not found:
        typer.echo("No knowledge gaps recorded.")
    for gap in found:
        votes = f", {gap.not_helpful} not helpful" if gap.not_helpful else ""
        typer.echo(f"{gap.count:>4}  {gap.question}  (last asked {gap.last_asked[:10]}{votes})")
    if outside:
        typer.echo("\nOutside Signpost's scope (not knowledge gaps):")
        for gap in outside:
            typer.echo(f"{gap.count:>4}  {gap.question}")


@app.command()
def slack() -> None:
    """Run the Slack bot in Socket Mode (needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN)."""
    settings = _settings()
    if not settings.slack_bot_token or not settings.slack_app_token:
        raise SignpostError(
            ErrorCode.SLACK_NOT_CONFIGURED, "Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN"
        )
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError

    from assistant.observability import logs
    from assistant.slack.app import create_slack_app

    logs.configure()
    service = _service(settings)
    service.answering.warm_up()
    bolt = create_slack_app(service, settings)
    from assistant.slack.digest import start_weekly_digest

    start_weekly_digest(settings, service)
    handler = SocketModeHandler(bolt, settings.slack_app_token, web_client=bolt.client)
    typer.echo("Signpost is connected to Slack in Socket Mode (Ctrl+C to stop)")
    try:
        handler.start()
    except SlackApiError as exc:
        raise SignpostError(
            ErrorCode.SLACK_CONNECT_FAILED,
            f"Slack refused the connection: {exc.response.get('error')}",
        ) from None


@app.command()
def purge(
    days: Annotated[
        int | None,
        typer.Option("--days", min=0, help="Keep this many days (default: the retention period)."),
    ] = None,
) -> None:
    """Delete stored questions and feedback older than the retention period now."""
    settings = _settings()
    keep = settings.retention_days if days is None else days
    questions, feedback = _service(settings).purge(keep)
    typer.echo(f"purged {questions} questions and {feedback} feedback older than {keep} days")


def main(argv: list[str] | None = None) -> None:
    """Console entry point: maps every failure to one line and an exit status."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="signpost", standalone_mode=False)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("signpost: interrupted", err=True)
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors (exit 2) and other click errors
        format_message = getattr(exc, "format_message", None)
        message = format_message() if callable(format_message) else str(exc)
        typer.echo(f"signpost: {message}", err=True)
        sys.exit(int(getattr(exc, "exit_code", 1)))
    except SignpostError as exc:
        typer.echo(f"signpost: error: {exc.message}", err=True)
        sys.exit(1)
    except RuntimeError as exc:  # StoreUnavailable and the like: say what, not where
        typer.echo(f"signpost: error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # the last resort: one line, never a traceback
        logging.getLogger(__name__).debug("unexpected error", exc_info=True)
        typer.echo(f"signpost: unexpected error: {exc.__class__.__name__}: {exc}", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
