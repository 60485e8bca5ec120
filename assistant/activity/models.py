"""The tables. Question and comment text is stored only after redaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class QuestionRow(Base):
    __tablename__ = "questions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    question: Mapped[str] = mapped_column(Text)  # redacted
    normalized: Mapped[str] = mapped_column(String(400), index=True)  # for grouping gaps
    answered: Mapped[bool] = mapped_column(Boolean)
    confidence: Mapped[float] = mapped_column(Float)
    cited_doc_ids: Mapped[str] = mapped_column(Text, default="")
    surface: Mapped[str] = mapped_column(String(16), default="api")
    # within Signpost's scope (adult social care practice): an unanswered one is a knowledge gap
    in_scope: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # the chunks the answer cited: feedback on the answer is attributed to them
    cited_chunk_ids: Mapped[str] = mapped_column(Text, default="", server_default="")


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)  # redacted
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class SlackEventRow(Base):
    """Slack event ids already handled: a retried delivery is never answered twice."""

    __tablename__ = "slack_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class SlackThreadRow(Base):
    """Threads the bot answered in: follow-ups there need no new @mention."""

    __tablename__ = "slack_threads"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    thread_ts: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class RevokedSessionRow(Base):
    """Trainer page sessions signed out before they expired (kept until they would have)."""

    __tablename__ = "revoked_sessions"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class SlackAnswerRow(Base):
    """Answers to /signpost (shown only to the asker) that 'Share in channel' may post: in the
    database, so the click can land on any replica."""

    __tablename__ = "slack_answers"

    question_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    response: Mapped[str] = mapped_column(Text)  # the AskResponse as JSON (no question text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class ConversationTurnRow(Base):
    """One question of a conversation, redacted, with what follow-ups need from it: how it
    was understood and its subjects. In the database, so any replica can continue it."""

    __tablename__ = "conversation_turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    turn: Mapped[int] = mapped_column(Integer)
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    question: Mapped[str] = mapped_column(Text)  # redacted
    interpreted_as: Mapped[str | None] = mapped_column(Text, nullable=True)
    subjects: Mapped[str] = mapped_column(Text, default="")  # "|"-separated subject phrases
    cited_doc_ids: Mapped[str] = mapped_column(Text, default="")
    answered: Mapped[bool] = mapped_column(Boolean)


class VerifiedAnswerRow(Base):
    """A trainer's own answer to a question, with the passages it cites: given first to any
    question that matches it, until a cited document changes (suspended) or it is retired."""

    __tablename__ = "verified_answers"

    answer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    question: Mapped[str] = mapped_column(Text)  # redacted
    answer: Mapped[str] = mapped_column(Text)  # with [n] markers
    citations: Mapped[str] = mapped_column(Text)  # JSON: the cited chunks, as cited
    status: Mapped[str] = mapped_column(String(16), index=True)  # active|suspended|retired
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    review_by: Mapped[dt.date] = mapped_column(Date)
    verified_by: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class VerifiedQuestionRow(Base):
    """A question a verified answer answers (the original and the trainer's paraphrases),
    redacted, with its embedding for matching."""

    __tablename__ = "verified_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("verified_answers.answer_id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(Text)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class DocumentSettingRow(Base):
    """A trainer's ranking decision on a document: boost or demote it, or hide it."""

    __tablename__ = "document_settings"

    doc_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    boost: Mapped[float] = mapped_column(Float, default=1.0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
