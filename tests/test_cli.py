"""The command line as a user runs it: a real `python -m assistant` process, offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from tests.conftest import DIRECT_PAYMENTS_MD, write


def run(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNPOST_", "SLACK_"))} | {
        "HF_HUB_OFFLINE": "1",
        "SIGNPOST_DATA_DIR": str(tmp_path / "data"),
        "SIGNPOST_KNOWLEDGE_DIR": str(tmp_path / "knowledge"),
    }
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        input=stdin,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_must_show_scenario(tmp_path: Path, articles: Path) -> None:
    first = run(tmp_path, "ingest", str(articles))
    assert first.returncode == 0, first.stderr
    assert "5 added" in first.stdout
    second = run(tmp_path, "ingest", str(articles))
    assert second.returncode == 0, second.stderr
    assert "0 added, 0 updated, 5 unchanged, 0 failed" in second.stdout

    answered = run(
        tmp_path,
        "ask",
        "--json",
        "How many social workers felt they knew how to employ personal assistants?",
    )
    assert answered.returncode == 0, answered.stderr
    body = json.loads(answered.stdout)
    assert body["answered"] is True
    assert "49%" in body["answer"]
    assert "pa-skills-gap" in {c["doc_id"] for c in body["citations"]}
    assert set(body) == {
        "question_id",
        "conversation_id",
        "interpreted_as",
        "verified",
        "answer",
        "answered",
        "confidence",
        "citations",
        "notices",
    }
    assert body["interpreted_as"] is None
    assert body["verified"] is None

    refused = run(tmp_path, "ask", "--json", "What is the best recipe for a Victoria sponge?")
    assert refused.returncode == 0, refused.stderr
    assert json.loads(refused.stdout)["answered"] is False

    listed = run(tmp_path, "docs", "--json")
    documents = json.loads(listed.stdout)["documents"]
    assert len(documents) == 5
    assert {"doc_id", "title", "source_type", "topics", "chunks", "reviewed", "origin"} <= set(
        documents[0]
    )

    text = run(tmp_path, "ask", "What did Owen Pryce say about care navigators?")
    assert "Sources:" in text.stdout
    assert "[1]" in text.stdout

    removed = run(tmp_path, "remove", "trust-social-workers")
    assert removed.returncode == 0
    assert "removed trust-social-workers" in removed.stdout
    gone = run(tmp_path, "remove", "trust-social-workers")
    assert gone.returncode == 1
    assert gone.stderr.strip() == "signpost: error: no document with id 'trust-social-workers'"


@pytest.mark.parametrize(
    ("args", "status", "fragment"),
    [
        (("ask",), 2, "Missing argument"),
        (("ask", "   "), 2, "the question is empty: type what you want to ask, in quotes"),
        (("ask", ""), 2, "the question is empty: type what you want to ask, in quotes"),
        (("ask", "x" * 2001), 2, "invalid question"),
        (("ask", "--top-k", "99", "question"), 2, "--top-k"),
        (("ask", "--source-type", "rumour", "question"), 2, "unknown source type"),
        (("frobnicate",), 2, "No such command"),
        (("sync", "/definitely/not/here"), 1, "not a folder"),
    ],
)
def test_bad_input_gets_one_line_and_a_status(
    tmp_path: Path, args: tuple[str, ...], status: int, fragment: str
) -> None:
    result = run(tmp_path, *args)
    assert result.returncode == status, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr


def test_ingest_reports_failures_and_keeps_going(tmp_path: Path) -> None:
    write(tmp_path / "kb" / "good.md", DIRECT_PAYMENTS_MD)
    write(tmp_path / "kb" / "bad.md", "---\npublished: someday\n---\n# Bad\n\nText.")
    result = run(tmp_path, "ingest", str(tmp_path / "kb"))
    assert result.returncode == 0
    assert "1 added, 0 updated, 0 unchanged, 1 failed" in result.stdout
    assert "bad.md" in result.stderr
    assert "published" in result.stderr
    only_bad = run(tmp_path, "ingest", str(tmp_path / "kb" / "bad.md"))
    assert only_bad.returncode == 1


def test_sync_defaults_to_the_knowledge_dir(tmp_path: Path) -> None:
    write(tmp_path / "knowledge" / "a.md", "# A\n\nDirect payments can fund a PA.")
    write(tmp_path / "knowledge" / "b.md", "# B\n\nA contingency plan covers PA sickness.")
    assert "2 added" in run(tmp_path, "sync").stdout
    (tmp_path / "knowledge" / "b.md").unlink()
    result = run(tmp_path, "sync")
    assert "1 unchanged" in result.stdout
    assert "1 removed" in result.stdout


def test_help_lists_the_contract_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("ingest", "sync", "ask", "docs", "remove"):
        assert command in result.output


def test_slack_socket_mode_needs_its_tokens(tmp_path: Path) -> None:
    result = run(tmp_path, "slack")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "signpost: error: Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN"
    )


def test_chat_reads_follow_ups_with_the_earlier_question(tmp_path: Path) -> None:
    (tmp_path / "knowledge").mkdir()
    source = Path(__file__).resolve().parents[1] / "knowledge" / "direct-payments"
    write(
        tmp_path / "knowledge" / "dp-family.md",
        (source / "dp-paying-family-members.md").read_text(encoding="utf-8"),
    )
    assert run(tmp_path, "sync").returncode == 0
    lines = [
        "Can my client pay her daughter as her PA with a direct payment?",
        "what if she lives with her?",
        "new",
        "what if she lives with her?",
        "quit",
    ]
    chat = run(tmp_path, "chat", stdin="\n".join(lines) + "\n")
    assert chat.returncode == 0, chat.stderr
    assert chat.stdout.count("Answering: what if the daughter lives with her") == 1
    assert "(new conversation)" in chat.stdout
    after_follow_up = chat.stdout.split("Answering:", 1)[1]
    assert "same household" in after_follow_up.split("[1]")[0]


def test_report_in_csv_and_html_agree(tmp_path: Path, embedder) -> None:
    import csv
    import io

    from assistant.config import Settings
    from assistant.factory import build_services
    from assistant.schemas import AskRequest

    write(tmp_path / "knowledge" / "dp-family.md", DIRECT_PAYMENTS_MD)
    service = build_services(
        Settings(data_dir=tmp_path / "data", knowledge_dir=tmp_path / "knowledge", _env_file=None),
        embedder=embedder,
    )
    service.curation.sync(tmp_path / "knowledge")
    for n in range(12):
        question = "Can a relative be paid?" if n % 2 else "Can a PA drive my client's car?"
        service.answering.ask(AskRequest(question=question), surface="cli")
    table = run(tmp_path, "report", "--format", "csv")
    assert table.returncode == 0, table.stderr
    figures = {(r[0], r[1]): r[2] for r in list(csv.reader(io.StringIO(table.stdout)))[1:]}
    assert figures[("summary", "questions")] == "12"
    page = run(tmp_path, "report", "--format", "html")
    assert page.returncode == 0, page.stderr
    assert "<strong>12</strong> questions" in page.stdout
    largest = figures[("gap_cluster", "1")]
    assert f"<td>{largest}</td>" in page.stdout
    as_json = json.loads(run(tmp_path, "report").stdout)
    assert as_json["gap_clusters"][0]["size"] == int(largest)
    refused = run(tmp_path, "report", "--slack")
    assert refused.returncode == 1
    assert refused.stderr.strip().startswith("signpost: error: --slack needs")
