"""PostgreSQL through SQLAlchemy and Alembic, against a real throwaway cluster."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from assistant.activity.log import ActivityLog
from assistant.errors import NotFoundError
from tests.servers import PostgresServer, postgres_server


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    with postgres_server(tmp_path_factory.mktemp("pg")) as server:
        yield server


def test_migrations_and_activity_on_postgres(postgres: PostgresServer) -> None:
    # replicas start together: concurrent migrations must not fail
    errors: list[BaseException] = []

    def connect() -> None:
        try:
            ActivityLog.connect(postgres.url)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=connect) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []

    log = ActivityLog.connect(postgres.url)
    tables = set(inspect(log.engine).get_table_names())
    assert {"questions", "feedback", "slack_events", "slack_threads", "alembic_version"} <= tables
    with log.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0008"

    log.record_question(
        "q1", "What is X?", answered=False, confidence=0.1, cited_doc_ids=[], surface="api"
    )
    log.record_question(
        "q2", "what is x", answered=False, confidence=0.2, cited_doc_ids=[], surface="slack"
    )
    assert log.gaps()[0].count == 2
    feedback_id = log.record_feedback("q1", False, None)
    log.add_comment(feedback_id, "missing")
    assert log.feedback()[0].comment == "missing"
    with pytest.raises(NotFoundError):
        log.record_feedback("nope", True, None)
    assert log.claim_event("Ev1") is True
    assert log.claim_event("Ev1") is False
    log.remember_thread("C1", "1.2")
    assert log.is_bot_thread("C1", "1.2")
    assert log.purge(dt.timedelta(days=0)) == (2, 1)
    log.ping()


def test_database_down_is_a_clear_unavailable_error(tmp_path: Path) -> None:
    from assistant.errors import UnavailableError

    with postgres_server(tmp_path) as server:
        log = ActivityLog.connect(server.url)
        server.ctl("-m", "fast", "stop")
        with pytest.raises(UnavailableError, match="database"):
            log.ping()
        server.start()
        log.ping()  # recovers without a restart
