"""Trainer-verified answers: a trainer's own answer to a question, with [n] citations to
chunks in the index, given first to any question that matches it.

Accountable by design: a trainer writes it (who and when are stored), a question gets it only
when it matches one of the questions the trainer said it answers (embedding similarity with a
word check, calibrated on paraphrase and near-miss pairs, see MATCH_*), and it stops being
given the moment a document it cites is changed or removed (suspended until a trainer reviews
it). Nothing is learned from popularity.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from assistant.activity.log import ActivityLog, as_utc
from assistant.activity.models import (
    FeedbackRow,
    QuestionRow,
    VerifiedAnswerRow,
    VerifiedQuestionRow,
)
from assistant.errors import ErrorCode, NotFoundError, SignpostError
from assistant.safety.notices import source_kind
from assistant.safety.redaction import redact
from assistant.schemas import (
    MARKER,
    Citation,
    VerifiedAnswerCreate,
    VerifiedAnswerInfo,
    VerifiedAnswerPatch,
)
from ingest.knowledge_index import KnowledgeIndex

#: A question matches a verified one when cosine similarity, less MATCH_WORDS times the share
#: of content words either has and the other lacks, reaches MATCH_THRESHOLD; and the two never
#: describe opposite cases (lives with her / lives elsewhere). Chosen on the first half of
#: tests/data/verified_pairs.yaml (50 pairs: precision 1.0, recall 0.60); measured on the other
#: half: precision 0.92, recall 0.44, each against the original question alone (a trainer's
#: paraphrases raise recall: each is matched too). Word shares are unweighted, so matching does
#: not depend on what else the index holds.
MATCH_THRESHOLD = 0.8
MATCH_WORDS = 0.3
SNIPPET_CHARS = 320
#: How a question answered with a verified answer records what it cited: feedback on it is
#: then counted against the verified answer (and moves no chunk's ranking).
VERIFIED_PREFIX = "verified:"
#: How long the active answers' questions are matched from memory before being read again.
CANDIDATES_TTL_S = 2.0


@dataclass
class Match:
    answer: VerifiedAnswerInfo
    score: float


class VerifiedAnswers:
    def __init__(
        self,
        activity: ActivityLog,
        index: KnowledgeIndex,
        embed: Callable[[str], np.ndarray],
        tokenize: Callable[[list[str]], list[list[str]]],
        *,
        normalise: Callable[[str], str] = lambda text: text,
        clash: Callable[[str, str], bool] = lambda a, b: False,
    ) -> None:
        #: how a question is read before matching (abbreviations expanded: "PA", "DP")
        self.normalise = normalise
        #: two questions describe opposite cases ("lives with her" / "lives next door")
        self.clash = clash
        self.activity = activity
        self.index = index
        self.embed = embed
        self.tokenize = tokenize
        #: the active answers' questions and when they were read (see _candidates)
        self._cached: tuple[float, list[tuple[str, str, np.ndarray]]] | None = None

    # -- trainer operations -----------------------------------------------------------------
    def create(self, request: VerifiedAnswerCreate, verified_by: str) -> VerifiedAnswerInfo:
        citations = self._cited_chunks(request.answer, request.citations)
        question = redact(request.question).text
        questions = _unique([question, *(redact(q).text for q in request.questions)])
        now = dt.datetime.now(dt.UTC)
        answer_id = uuid.uuid4().hex
        with self._session() as session, session.begin():
            session.add(
                VerifiedAnswerRow(
                    answer_id=answer_id,
                    question=question,
                    answer=redact(request.answer).text,
                    citations=json.dumps(citations),
                    status="active",
                    status_reason=None,
                    review_by=request.review_by,
                    verified_by=verified_by[:64],
                    verified_at=now,
                    updated_at=now,
                )
            )
            session.flush()
            self._store_questions(session, answer_id, questions)
        self._forget()
        return self.get(answer_id)

    def all(self) -> list[VerifiedAnswerInfo]:
        """Every verified answer: those marked not helpful first, then suspended ones, then
        the rest, newest first."""
        self.check_sources()
        with self._session() as session:
            rows = session.execute(
                select(VerifiedAnswerRow).order_by(VerifiedAnswerRow.verified_at.desc())
            ).scalars()
            answers = [self._info(session, row) for row in rows]
            votes = dict(
                session.execute(
                    select(QuestionRow.cited_chunk_ids, func.count())
                    .join(FeedbackRow, FeedbackRow.question_id == QuestionRow.id)
                    .where(FeedbackRow.helpful.is_(False))
                    .where(QuestionRow.cited_chunk_ids.startswith(VERIFIED_PREFIX))
                    .group_by(QuestionRow.cited_chunk_ids)
                ).all()
            )
        for answer in answers:
            answer.not_helpful = int(votes.get(f"{VERIFIED_PREFIX}{answer.answer_id}", 0))
        order = {"suspended": 0, "active": 1, "retired": 2}
        return sorted(answers, key=lambda a: (-a.not_helpful, order[a.status]))

    def get(self, answer_id: str) -> VerifiedAnswerInfo:
        with self._session() as session:
            return self._info(session, self._row(session, answer_id))

    def update(self, answer_id: str, patch: VerifiedAnswerPatch) -> VerifiedAnswerInfo:
        with self._session() as session, session.begin():
            row = self._row(session, answer_id)
            answer = redact(patch.answer).text if patch.answer is not None else row.answer
            if patch.citations is not None or patch.answer is not None:
                cited = patch.citations or [c["chunk_id"] for c in json.loads(row.citations)]
                row.citations = json.dumps(self._cited_chunks(answer, cited))
            row.answer = answer
            if patch.review_by is not None:
                row.review_by = patch.review_by
            if patch.status is not None:
                row.status, row.status_reason = patch.status, None
            elif patch.citations is not None:
                row.status, row.status_reason = "active", None  # re-cited: reviewed
            if patch.questions is not None:
                session.execute(
                    delete(VerifiedQuestionRow).where(VerifiedQuestionRow.answer_id == answer_id)
                )
                questions = [row.question, *(redact(q).text for q in patch.questions)]
                self._store_questions(session, answer_id, _unique(questions))
            row.updated_at = dt.datetime.now(dt.UTC)
        self._forget()
        if patch.status == "active":
            self.check_sources()  # reinstated while a source is still changed: suspended again
        return self.get(answer_id)

    def delete(self, answer_id: str) -> None:
        with self._session() as session, session.begin():
            row = self._row(session, answer_id)
            session.delete(row)
        self._forget()

    # -- answering ----------------------------------------------------------------------------
    def match(self, question: str) -> Match | None:
        """The active verified answer whose questions best match this (redacted) question,
        if any matches well enough and every document it cites is unchanged."""
        for _ in range(2):  # a second time when the best one was retired since it was read
            candidates = self._candidates()
            if not candidates:
                return None
            asked = self._vector(question)
            best: tuple[float, str] | None = None
            for answer_id, text, stored in candidates:
                score = self._score(question, asked, text, stored)
                if score >= MATCH_THRESHOLD and (best is None or score > best[0]):
                    best = (score, answer_id)
            if best is None:
                return None
            score, answer_id = best
            with self._session() as session:  # the answer as it is now, not as remembered
                row = session.get(VerifiedAnswerRow, answer_id)
                if row is not None and row.status == "active":
                    if self._changed_sources(row):
                        self.check_sources()
                        return None
                    return Match(self._info(session, row), round(score, 4))
            self._forget()
        return None

    def _candidates(self) -> list[tuple[str, str, np.ndarray]]:
        """(answer id, question, vector) for each question of an active answer, read again at
        most every CANDIDATES_TTL_S (an answer another replica added is matched within that;
        one retired, changed or suspended anywhere never is, since a match re-reads its row)
        and after every change made here. Most questions then cost no read at all."""
        cached = self._cached
        if cached is not None and time.monotonic() - cached[0] < CANDIDATES_TTL_S:
            return cached[1]
        read_at = time.monotonic()
        with self._session() as session:
            rows = session.execute(
                select(
                    VerifiedQuestionRow.answer_id,
                    VerifiedQuestionRow.question,
                    VerifiedQuestionRow.vector,
                )
                .join(VerifiedAnswerRow)
                .where(VerifiedAnswerRow.status == "active")
            ).all()
        candidates = [(a, q, np.frombuffer(v, dtype=np.float32)) for a, q, v in rows]
        self._cached = (read_at, candidates)
        return candidates

    def _forget(self) -> None:
        """The next match reads the active answers again (one was added, changed or retired)."""
        self._cached = None

    def check_sources(self) -> int:
        """Suspend every active answer citing a document that has since changed or gone.
        Returns how many were suspended."""
        suspended = 0
        with self._session() as session, session.begin():
            rows = session.execute(
                select(VerifiedAnswerRow).where(VerifiedAnswerRow.status == "active")
            ).scalars()
            for row in rows:
                reason = self._changed_sources(row)
                if reason:
                    row.status, row.status_reason = "suspended", reason
                    row.updated_at = dt.datetime.now(dt.UTC)
                    suspended += 1
        if suspended:
            self._forget()
        return suspended

    # -- helpers --------------------------------------------------------------------------
    def similarity(self, question: str, verified_question: str) -> float:
        """How well a question matches one a verified answer answers (it matches at
        MATCH_THRESHOLD and above)."""
        return self._score(
            question, self._vector(question), verified_question, self._vector(verified_question)
        )

    def _score(
        self, question: str, asked: np.ndarray, other: str, other_vector: np.ndarray
    ) -> float:
        if self.clash(question, other) or self.clash(other, question):
            return 0.0
        similarity = float(other_vector @ asked)
        mine, theirs = (
            set(t) for t in self.tokenize([self.normalise(question), self.normalise(other)])
        )

        def share(only: set[str], whole: set[str]) -> float:
            return len(only) / len(whole) if whole else 0.0

        differ = (share(mine - theirs, mine) + share(theirs - mine, theirs)) / 2
        return similarity - MATCH_WORDS * differ

    def _vector(self, question: str) -> np.ndarray:
        return np.asarray(self.embed(self.normalise(question)), dtype=np.float32)

    def _store_questions(self, session: Session, answer_id: str, questions: list[str]) -> None:
        for q in questions:
            session.add(
                VerifiedQuestionRow(
                    answer_id=answer_id, question=q, vector=self._vector(q).tobytes()
                )
            )

    def _cited_chunks(self, answer: str, chunk_ids: list[str]) -> list[dict[str, object]]:
        """The cited chunks as they are now (they must be in the index), checked against the
        answer's markers: [1]..[N] each used, none beyond N."""
        used = {int(n) for n in MARKER.findall(answer)}
        if not used:
            raise SignpostError(
                ErrorCode.INVALID_REQUEST, "the answer has no [n] citation: cite what supports it"
            )
        if used != set(range(1, len(chunk_ids) + 1)):
            raise SignpostError(
                ErrorCode.INVALID_REQUEST,
                f"the answer's markers {sorted(used)} must be [1] to [{len(chunk_ids)}], one "
                "per cited chunk, each used",
            )
        found = self.index.store.get_chunks(chunk_ids)
        records = self.index.records()
        cited: list[dict[str, object]] = []
        for chunk_id in chunk_ids:
            hit = found.get(chunk_id)
            record = records.get(hit[0].doc_id) if hit else None
            if hit is None or record is None or record.version != hit[0].version:
                raise SignpostError(
                    ErrorCode.INVALID_REQUEST,
                    f"chunk {chunk_id!r} is not in the index: cite chunk ids from /search",
                )
            chunk = hit[0]
            cited.append(
                {
                    "chunk_id": chunk_id,
                    "doc_id": record.doc_id,
                    "version": record.version,
                    "title": record.title,
                    "source_type": record.source_type,
                    "kind": source_kind(record),
                    "section": chunk.section,
                    "source_url": record.source_url,
                    "published": record.published,
                    "snippet": " ".join(chunk.text.split())[:SNIPPET_CHARS],
                }
            )
        return cited

    def _changed_sources(self, row: VerifiedAnswerRow) -> str | None:
        records = self.index.records()
        for cited in json.loads(row.citations):
            record = records.get(str(cited["doc_id"]))
            if record is None:
                return f"{cited['title']} was removed"
            if record.version != cited["version"]:
                return f"{cited['title']} was changed"
        return None

    def _info(self, session: Session, row: VerifiedAnswerRow) -> VerifiedAnswerInfo:
        questions = session.execute(
            select(VerifiedQuestionRow.question)
            .where(VerifiedQuestionRow.answer_id == row.answer_id)
            .order_by(VerifiedQuestionRow.id)
        ).scalars()
        cited = json.loads(row.citations)
        return VerifiedAnswerInfo(
            answer_id=row.answer_id,
            question=row.question,
            answer=row.answer,
            status=row.status,
            status_reason=row.status_reason,
            review_by=row.review_by.isoformat(),
            review_due=row.review_by < dt.date.today(),
            verified_by=row.verified_by,
            verified_on=as_utc(row.verified_at).date().isoformat(),
            questions=list(questions),
            citations=[
                Citation(
                    n=n,
                    doc_id=str(c["doc_id"]),
                    title=str(c["title"]),
                    source_type=str(c["source_type"]),
                    kind=str(c["kind"]),
                    section=c.get("section"),
                    source_url=c.get("source_url"),
                    published=c.get("published"),
                    snippet=str(c["snippet"]),
                    score=1.0,
                )
                for n, c in enumerate(cited, 1)
            ],
        )

    def _row(self, session: Session, answer_id: str) -> VerifiedAnswerRow:
        row = session.get(VerifiedAnswerRow, answer_id)
        if row is None:
            raise NotFoundError(ErrorCode.ANSWER_NOT_FOUND, f"no verified answer {answer_id!r}")
        return row

    def _session(self) -> contextlib.AbstractContextManager[Session]:
        return self.activity.guarded_session()


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(" ".join(item.lower().split()), item.strip())
    return list(seen.values())
