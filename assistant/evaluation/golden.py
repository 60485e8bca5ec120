"""`signpost eval`: the golden question set against the live index, with retrieval, answer,
abstention, citation and latency metrics."""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

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
    #: "heldout": never used to choose a threshold, a weight or a rule; reported apart
    split: Literal["tuning", "heldout"] = "tuning"


class GoldenTurn(BaseModel):
    question: str = Field(min_length=1)
    expected_docs: list[str] = Field(default_factory=list)
    facts: list[str] = Field(default_factory=list)
    in_scope: bool = True


class GoldenConversation(BaseModel):
    """Turns asked in order in one conversation; the later ones test follow-up reading."""

    turns: list[GoldenTurn] = Field(min_length=2)
    split: Literal["tuning", "heldout"] = "tuning"


class GoldenSet(BaseModel):
    questions: list[GoldenQuestion] = Field(min_length=1)
    conversations: list[GoldenConversation] = Field(default_factory=list)


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
    split: str = "tuning"
    # answer-level checks (answered in-scope questions)
    lead_has_fact: bool | None = None  # None: no facts to look for
    fragment_or_pointer: bool = False  # a sentence that is a fragment or points at unseen text
    repeated_fact: bool = False  # two sentences saying the same thing
    off_point: bool = False  # a sentence from a document not among the expected ones
    words: int = 0
    confidence: float = 0.0


def load_questions(path: Path) -> list[GoldenQuestion]:
    return load_golden(path).questions


def load_golden(path: Path) -> GoldenSet:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return GoldenSet.model_validate(raw)
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


def evaluate_one(
    service: Signpost,
    item: GoldenQuestion,
    top_k: int = 5,
    conversation_id: str | None = None,
) -> tuple[QuestionResult, str]:
    """One question's result, and the conversation id its answer carries."""
    started = time.perf_counter()
    response, passages = service.answering.answer_with_passages(
        AskRequest(question=item.question, top_k=top_k, conversation_id=conversation_id),
        surface="eval",
        record=False,
    )
    ms = (time.perf_counter() - started) * 1000
    ranked = list(dict.fromkeys(p.record.doc_id for p in passages))
    rank = next((i + 1 for i, d in enumerate(ranked) if d in item.expected_docs), None)
    answer = response.answer.lower() if response.answered else ""
    missing = [f for f in item.facts if f.lower() not in answer]
    checks = answer_checks(response, item) if response.answered else {}
    result = QuestionResult(
        question=item.question,
        in_scope=item.in_scope,
        answered=response.answered,
        rank=rank,
        facts_found=len(item.facts) - len(missing),
        facts_total=len(item.facts),
        citations_valid=citations_valid(response),
        ms=ms,
        missing_facts=missing,
        split=item.split,
        confidence=response.confidence,
        **checks,
    )
    return result, response.conversation_id


def evaluate_conversation(
    service: Signpost, conversation: GoldenConversation
) -> list[QuestionResult]:
    """Each turn in order, in one conversation; results for the follow-up turns (2nd on)."""
    conversation_id: str | None = None
    results = []
    for n, turn in enumerate(conversation.turns):
        item = GoldenQuestion(**turn.model_dump(), split=conversation.split)
        result, conversation_id = evaluate_one(service, item, conversation_id=conversation_id)
        if n:
            results.append(result)
    return results


_SENTENCE = re.compile(r"(.+?)((?:\s*\[\d+\])+)(?=\s|$)")
_LABEL = re.compile(r"^[A-Z][\w ,]{2,30}: (?=[A-Z0-9“\"£])")
_POINTER_START = re.compile(
    r"^(?:That|This|These|Those|It|They|However|But|For example|For instance|Also|So|"
    r"In (?:each|both|either|that|this|such) cases?|Otherwise|Instead|Then|As a result)\b"
)
_FIGURE = re.compile(r"\d+(?:\.\d+)?%|£\s?\d[\d,.]*")


def answer_sentences(answer: str) -> list[tuple[str, set[int]]]:
    """The answer's sentences (source labels removed) with the citation numbers they carry."""
    return [
        (_LABEL.sub("", text.strip()), {int(n) for n in MARKER.findall(marks)})
        for text, marks in _SENTENCE.findall(answer)
    ]


def answer_checks(response: AskResponse, item: GoldenQuestion) -> dict[str, Any]:
    """How the answer reads: does the first sentence hold an expected fact; is any sentence a
    fragment or a pointer to text the reader never sees; is a fact said twice; does a sentence
    come from a document that is not among the expected ones; how long is it."""
    sentences = answer_sentences(response.answer)
    docs = {c.n: c.doc_id for c in response.citations}
    lead = sentences[0][0].lower() if sentences else ""
    fragment = False
    for i, (text, numbers) in enumerate(sentences):
        starts_badly = not text[:1].isupper() and not text[:1].isdigit() and text[:1] not in '“"£('
        previous_same_source = i > 0 and sentences[i - 1][1] & numbers
        if starts_badly or (_POINTER_START.match(text) and not previous_same_source):
            fragment = True
    repeated = False
    for i, (a, _) in enumerate(sentences):
        for b, _ in sentences[i + 1 :]:
            shared = set(_FIGURE.findall(a)) & set(_FIGURE.findall(b))
            words_a, words_b = set(a.lower().split()), set(b.lower().split())
            overlap = len(words_a & words_b) / max(1, len(words_a | words_b))
            if len(shared) >= 2 or overlap >= 0.6:
                repeated = True
    cited = {docs[n] for _, numbers in sentences for n in numbers if n in docs}
    return {
        "lead_has_fact": any(f.lower() in lead for f in item.facts) if item.facts else None,
        "fragment_or_pointer": fragment,
        "repeated_fact": repeated,
        "off_point": bool(item.expected_docs) and bool(cited - set(item.expected_docs)),
        "words": len(MARKER.sub("", response.answer).split()),
    }


def summarise_parts(results: list[QuestionResult]) -> dict[str, dict[str, float | int]]:
    """The metrics for the tuning part, the held-out part and both together."""
    return {
        "tuning": summarise([r for r in results if r.split == "tuning"]),
        "heldout": summarise([r for r in results if r.split == "heldout"]),
        "all": summarise(results),
    }


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
    read = [r for r in in_scope if r.answered]
    with_facts = [r for r in read if r.lead_has_fact is not None]
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
        "lead_accuracy": share(sum(1 for r in with_facts if r.lead_has_fact), len(with_facts)),
        "fragment_or_pointer_rate": share(sum(1 for r in read if r.fragment_or_pointer), len(read)),
        "repeated_fact_rate": share(sum(1 for r in read if r.repeated_fact), len(read)),
        "off_point_rate": share(sum(1 for r in read if r.off_point), len(read)),
        "mean_words": round(statistics.mean(r.words for r in read), 1) if read else 0.0,
        **calibration(with_facts),
        "latency_p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "latency_p95_ms": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 1)
        if latencies
        else 0.0,
    }


def calibration(results: list[QuestionResult]) -> dict[str, float]:
    """Does confidence track whether the answer leads with the right fact? The mean confidence
    of answers whose lead is right and of those whose lead is wrong, and the chance that a
    right-lead answer outscores a wrong-lead one (AUC: 0.5 is no signal, 1.0 perfect)."""
    right = [r.confidence for r in results if r.lead_has_fact]
    wrong = [r.confidence for r in results if r.lead_has_fact is False]
    if not right or not wrong:
        return {"confidence_lead_right": 0.0, "confidence_lead_wrong": 0.0, "confidence_auc": 0.0}
    wins = sum((a > b) + 0.5 * (a == b) for a in right for b in wrong)
    return {
        "confidence_lead_right": round(statistics.mean(right), 4),
        "confidence_lead_wrong": round(statistics.mean(wrong), 4),
        "confidence_auc": round(wins / (len(right) * len(wrong)), 4),
    }


def run_eval(
    service: Signpost,
    questions: list[GoldenQuestion],
    conversations: list[GoldenConversation] | None = None,
) -> tuple[dict[str, dict[str, float | int]], list[QuestionResult]]:
    """Single questions (parts tuning / heldout / all) and, apart, the follow-up turns of the
    conversations (parts followup_tuning / followup_heldout)."""
    if not service.index.records():
        raise SignpostError(
            ErrorCode.EMPTY_INDEX, "the index is empty: run `signpost ingest knowledge/`"
        )
    service.answering.warm_up()
    results = [evaluate_one(service, q)[0] for q in questions]
    parts = summarise_parts(results)
    if conversations:
        follow_ups = [r for c in conversations for r in evaluate_conversation(service, c)]
        for split in ("tuning", "heldout"):
            parts[f"followup_{split}"] = summarise([r for r in follow_ups if r.split == split])
        results += [
            QuestionResult(**{**r.__dict__, "split": f"followup_{r.split}"}) for r in follow_ups
        ]
    return parts, results
