"""What practitioners need to learn: the training-needs report, built from the redacted
question log (nothing in it identifies a practitioner).

Gaps (in-scope questions unanswered or weakly answered) are grouped by meaning: their vectors
clustered with scikit-learn's agglomerative clustering (cosine distance, average linkage,
threshold CLUSTER_DISTANCE). The threshold was measured on the 100 paraphrase and near-miss
questions of tests/data/verified_pairs.yaml: at 0.25, 85% of paraphrase pairs share a cluster
(pairwise precision 0.60: near misses about the same subject join them, which for a training
need is the same subject). Clusters are cached by the set of gap questions.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable

import numpy as np
from pydantic import BaseModel

from assistant.activity.log import ActivityLog, LoggedQuestion
from ingest.knowledge_index import KnowledgeIndex

PERIODS = {"4w": 28, "12w": 84, "52w": 364}
CLUSTER_DISTANCE = 0.25
MIN_EXAMPLE_GROUP = 3  # a group smaller than this shows no question text in exports
TOP = 10
NEAREST_CACHE = 5000


class WeekFigures(BaseModel):
    week: str  # Monday, ISO date
    questions: int
    by_surface: dict[str, int]
    answer_rate: float
    helpful_rate: float | None  # None: no votes that week


class TopicCount(BaseModel):
    topic: str
    questions: int


class DocumentCount(BaseModel):
    doc_id: str
    title: str
    citations: int


class GapCluster(BaseModel):
    size: int
    examples: list[str]  # empty for groups under MIN_EXAMPLE_GROUP
    nearest_doc_id: str | None
    nearest_title: str | None
    suggested_topic: str | None


class UnhelpfulAnswer(BaseModel):
    question: str | None  # None for answers marked unhelpful fewer than MIN_EXAMPLE_GROUP times
    not_helpful: int
    cited_doc_ids: list[str]


class SuggestedSession(BaseModel):
    title: str
    reason: str
    curriculum_doc_id: str | None


class Report(BaseModel):
    period: str
    since: str
    until: str
    questions: int
    answer_rate: float
    helpful_rate: float | None
    weeks: list[WeekFigures]
    topics: list[TopicCount]
    most_cited: list[DocumentCount]
    never_cited: list[DocumentCount]
    gap_clusters: list[GapCluster]
    unhelpful_answers: list[UnhelpfulAnswer]
    suggested_sessions: list[SuggestedSession]


class Insights:
    def __init__(
        self,
        activity: ActivityLog,
        index: KnowledgeIndex,
        embed: Callable[[list[str]], np.ndarray],
        nearest: Callable[[str], str | None],
        normalise: Callable[[str], str] = lambda text: text,
    ) -> None:
        #: how a question is read before it is embedded (abbreviations expanded: "PA")
        self.normalise = normalise
        self.activity = activity
        self.index = index
        self.embed = embed
        #: the doc_id of the document closest to a question (None: nothing close)
        self.nearest = nearest
        self._lock = threading.Lock()
        self._clusters: dict[tuple[str, ...], list[list[str]]] = {}
        self._nearest: OrderedDict[tuple[str, str], str | None] = OrderedDict()

    def nearest_document(self, question: str) -> str | None:
        """The document a question is nearest to, remembered while the index is unchanged
        (the trainer page asks for every gap on every view)."""
        key = (self.index.revision(), question)
        with self._lock:
            if key in self._nearest:
                return self._nearest[key]
        found = self.nearest(question)
        with self._lock:
            self._nearest[key] = found
            while len(self._nearest) > NEAREST_CACHE:
                self._nearest.popitem(last=False)
        return found

    def report(self, period: str = "4w", today: dt.date | None = None) -> Report:
        today = today or dt.datetime.now(dt.UTC).date()
        since = today - dt.timedelta(days=PERIODS[period])
        asked = self.activity.questions_since(dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC))
        in_scope = [q for q in asked if q.in_scope]
        records = self.index.records()
        cited = Counter(d for q in asked for d in q.cited_doc_ids)
        nearest_cache: dict[str, str | None] = {}

        def nearest(text: str) -> str | None:
            if text not in nearest_cache:
                nearest_cache[text] = self.nearest_document(text)
            return nearest_cache[text]

        topics: Counter[str] = Counter()
        for q in in_scope:
            docs = q.cited_doc_ids or [d for d in [nearest(q.question)] if d]
            for topic in {t for d in docs if d in records for t in records[d].topics}:
                topics[topic] += 1
        clusters = [self._describe(group, nearest, records) for group in self._gap_groups(in_scope)]
        unhelpful = Counter[tuple[str, tuple[str, ...]]]()
        for q in in_scope:
            if q.not_helpful:
                unhelpful[(q.question.lower().strip(), tuple(q.cited_doc_ids))] += q.not_helpful
        return Report(
            period=period,
            since=since.isoformat(),
            until=today.isoformat(),
            questions=len(asked),
            answer_rate=_rate(sum(q.answered for q in in_scope), len(in_scope)),
            helpful_rate=_helpful(asked),
            weeks=_weeks(asked, since, today),
            topics=[TopicCount(topic=t, questions=n) for t, n in topics.most_common(TOP)],
            most_cited=[
                DocumentCount(doc_id=d, title=records[d].title, citations=n)
                for d, n in cited.most_common(TOP)
                if d in records
            ],
            never_cited=[
                DocumentCount(doc_id=d, title=r.title, citations=0)
                for d, r in sorted(records.items())
                if d not in cited
            ],
            gap_clusters=clusters,
            unhelpful_answers=[
                UnhelpfulAnswer(
                    question=text if n >= MIN_EXAMPLE_GROUP else None,
                    not_helpful=n,
                    cited_doc_ids=list(docs),
                )
                for (text, docs), n in unhelpful.most_common(TOP)
            ],
            suggested_sessions=self._sessions(clusters, topics, records),
        )

    # -- gap clusters -----------------------------------------------------------------------
    def _gap_groups(self, questions: Iterable[LoggedQuestion]) -> list[list[str]]:
        texts = [q.question for q in questions if q.weak]
        if not texts:
            return []
        key = tuple(sorted(texts))
        with self._lock:
            if key in self._clusters:
                return self._clusters[key]
        if len(texts) == 1:
            groups = [texts]
        else:
            from sklearn.cluster import AgglomerativeClustering

            vectors = self.embed([self.normalise(t) for t in texts])
            labels = AgglomerativeClustering(
                n_clusters=None,
                metric="cosine",
                linkage="average",
                distance_threshold=CLUSTER_DISTANCE,
            ).fit_predict(vectors)
            by_label: dict[int, list[str]] = {}
            for text, label in zip(texts, labels, strict=True):
                by_label.setdefault(int(label), []).append(text)
            groups = sorted(by_label.values(), key=len, reverse=True)
        with self._lock:
            self._clusters = {key: groups}  # only the latest set: the log moves on
        return groups

    def _describe(
        self, group: list[str], nearest: Callable[[str], str | None], records: dict
    ) -> GapCluster:
        counts = Counter(" ".join(t.split()) for t in group)
        examples = [t for t, _ in counts.most_common(3)] if len(group) >= MIN_EXAMPLE_GROUP else []
        doc_id = nearest(counts.most_common(1)[0][0])
        record = records.get(doc_id) if doc_id else None
        return GapCluster(
            size=len(group),
            examples=examples,
            nearest_doc_id=record.doc_id if record else None,
            nearest_title=record.title if record else None,
            suggested_topic=record.topics[0] if record and record.topics else None,
        )

    def _sessions(
        self, clusters: list[GapCluster], topics: Counter[str], records: dict
    ) -> list[SuggestedSession]:
        """Training sessions to run: the largest gap subjects, then the most asked topics,
        each mapped to a curriculum document sharing its topic, when there is one."""
        curriculum = [r for r in records.values() if r.source_type == "curriculum"]
        wanted: list[tuple[str, str]] = []
        for cluster in clusters[:3]:
            if cluster.suggested_topic:
                wanted.append(
                    (cluster.suggested_topic, f"{cluster.size} questions went unanswered")
                )
        for topic, n in topics.most_common(3):
            wanted.append((topic, f"{n} questions asked"))
        sessions: list[SuggestedSession] = []
        seen: set[str] = set()
        for topic, reason in wanted:
            if topic in seen:
                continue
            seen.add(topic)
            match = next((r for r in curriculum if topic in r.topics), None)
            if match is None and curriculum:
                match = next(
                    (r for r in curriculum if topic.replace("-", " ") in r.title.lower()), None
                )
            sessions.append(
                SuggestedSession(
                    title=topic.replace("-", " ").capitalize(),
                    reason=reason,
                    curriculum_doc_id=match.doc_id if match else None,
                )
            )
        return sessions[:5]


def report_csv(report: Report) -> str:
    """The report as one CSV: a section column, then the figures (same as the JSON)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "name", "value", "detail"])
    writer.writerow(["summary", "period", report.period, f"{report.since} to {report.until}"])
    writer.writerow(["summary", "questions", report.questions, ""])
    writer.writerow(["summary", "answer_rate", report.answer_rate, ""])
    writer.writerow(["summary", "helpful_rate", _blank(report.helpful_rate), ""])
    for w in report.weeks:
        surfaces = "; ".join(f"{k}={v}" for k, v in sorted(w.by_surface.items()))
        writer.writerow(["week", w.week, w.questions, surfaces])
    for t in report.topics:
        writer.writerow(["topic", t.topic, t.questions, ""])
    for d in report.most_cited:
        writer.writerow(["most_cited", d.doc_id, d.citations, d.title])
    for d in report.never_cited:
        writer.writerow(["never_cited", d.doc_id, 0, d.title])
    for n, c in enumerate(report.gap_clusters, 1):
        writer.writerow(
            ["gap_cluster", n, c.size, " | ".join(c.examples) or (c.nearest_doc_id or "")]
        )
    for u in report.unhelpful_answers:
        writer.writerow(["unhelpful", u.question or "", u.not_helpful, ",".join(u.cited_doc_ids)])
    for s in report.suggested_sessions:
        writer.writerow(["session", s.title, s.reason, s.curriculum_doc_id or ""])
    return out.getvalue()


def _blank(value: float | None) -> str | float:
    return "" if value is None else value


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _helpful(questions: list[LoggedQuestion]) -> float | None:
    votes = sum(q.helpful + q.not_helpful for q in questions)
    return round(sum(q.helpful for q in questions) / votes, 4) if votes else None


def _weeks(asked: list[LoggedQuestion], since: dt.date, today: dt.date) -> list[WeekFigures]:
    start = since - dt.timedelta(days=since.weekday())
    weeks: list[WeekFigures] = []
    while start <= today:
        end = start + dt.timedelta(days=7)
        these = [q for q in asked if start <= q.asked_at.date() < end]
        scoped = [q for q in these if q.in_scope]
        weeks.append(
            WeekFigures(
                week=start.isoformat(),
                questions=len(these),
                by_surface=dict(Counter(q.surface for q in these)),
                answer_rate=_rate(sum(q.answered for q in scoped), len(scoped)),
                helpful_rate=_helpful(these),
            )
        )
        start = end
    return weeks
