"""`signpost eval`: the golden question set against the live index, with retrieval, answer,
abstention, citation and latency metrics."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from assistant.errors import ErrorCode, SignpostError
from assistant.schemas import MARKER, AskRequest, AskResponse
from assistant.services import Signpost

#: The golden question set, shipped as package data so `signpost eval` works from a wheel.
DEFAULT_QUESTIONS = Path(__file__).with_name("golden.yaml")


class GoldenQuestion(BaseModel):
    question: str = Field(min_length=1)
    expected_docs: list[str] = Field(default_factory=list)
    facts: list[str] = Field(default_factory=list)
    in_scope: bool = True


class GoldenSet(BaseModel):
    questions: list[GoldenQuestion] = Field(min_length=1)


@dataclass
class QuestionResult:
    question: str
    in_scope: bool
    answered: bool
    rank: int | None  # 1-based rank of the first expected document among retrieved passages
    facts_found: int
    facts_total: int
    citations_valid: bool
    ms: float
    missing_facts: list[str] = field(default_factory=list)


def load_questions(path: Path) -> list[GoldenQuestion]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return GoldenSet.model_validate(raw).questions
    except OSError as exc:
        raise SignpostError(
            ErrorCode.BAD_QUESTIONS, f"cannot read {path}: {exc.strerror}"
        ) from None
    except (yaml.YAMLError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise SignpostError(
            ErrorCode.BAD_QUESTIONS, f"{path} is not a valid question set: {first}"
        ) from None


def citations_valid(response: AskResponse) -> bool:
    """Every [n] resolves to a citation, citations are numbered 1..N, and each is used."""
    numbers = [c.n for c in response.citations]
    used = {int(n) for n in MARKER.findall(response.answer)}
    if numbers != list(range(1, len(numbers) + 1)):
        return False
    if response.answered and not used:
        return False
    return used == set(numbers)


def evaluate_one(service: Signpost, item: GoldenQuestion, top_k: int = 5) -> QuestionResult:
    started = time.perf_counter()
    response, passages = service.answering.answer_with_passages(
        AskRequest(question=item.question, top_k=top_k), surface="eval", record=False
    )
    ms = (time.perf_counter() - started) * 1000
    ranked = list(dict.fromkeys(p.record.doc_id for p in passages))
    rank = next((i + 1 for i, d in enumerate(ranked) if d in item.expected_docs), None)
    answer = response.answer.lower() if response.answered else ""
    missing = [f for f in item.facts if f.lower() not in answer]
    return QuestionResult(
        question=item.question,
        in_scope=item.in_scope,
        answered=response.answered,
        rank=rank,
        facts_found=len(item.facts) - len(missing),
        facts_total=len(item.facts),
        citations_valid=citations_valid(response),
        ms=ms,
        missing_facts=missing,
    )


def summarise(results: list[QuestionResult]) -> dict[str, float | int]:
    in_scope = [r for r in results if r.in_scope]
    out_scope = [r for r in results if not r.in_scope]
    answered = [r for r in results if r.answered]
    latencies = sorted(r.ms for r in results)

    def share(part: int, whole: int) -> float:
        return round(part / whole, 4) if whole else 0.0

    correct_abstentions = sum(1 for r in out_scope if not r.answered) + sum(
        1 for r in in_scope if r.answered
    )
    facts_total = sum(r.facts_total for r in in_scope)
    return {
        "questions": len(results),
        "in_scope": len(in_scope),
        "out_of_scope": len(out_scope),
        "hit@1": share(sum(1 for r in in_scope if r.rank == 1), len(in_scope)),
        "hit@5": share(
            sum(1 for r in in_scope if r.rank is not None and r.rank <= 5), len(in_scope)
        ),
        "mrr": round(sum(1 / r.rank for r in in_scope if r.rank) / len(in_scope), 4)
        if in_scope
        else 0.0,
        "fact_recall": share(sum(r.facts_found for r in in_scope), facts_total),
        "abstention_accuracy": share(correct_abstentions, len(results)),
        "in_scope_answered": share(sum(1 for r in in_scope if r.answered), len(in_scope)),
        "out_of_scope_refused": share(sum(1 for r in out_scope if not r.answered), len(out_scope)),
        "citation_validity": share(sum(1 for r in answered if r.citations_valid), len(answered)),
        "latency_p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "latency_p95_ms": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 1)
        if latencies
        else 0.0,
    }


def run_eval(
    service: Signpost, questions: list[GoldenQuestion]
) -> tuple[dict[str, float | int], list[QuestionResult]]:
    if not service.index.records():
        raise SignpostError(
            ErrorCode.EMPTY_INDEX, "the index is empty: run `signpost ingest knowledge/`"
        )
    service.answering.warm_up()
    results = [evaluate_one(service, q) for q in questions]
    return summarise(results), results
