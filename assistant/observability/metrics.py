"""Prometheus metrics for one app instance (its own registry, so tests can build many apps)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from assistant.schemas import AskResponse


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "signpost_http_requests",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "signpost_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["route"],
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.answers = Counter(
            "signpost_answers",
            "Questions answered or abstained from, by surface",
            ["outcome", "surface"],
            registry=self.registry,
        )
        self.documents = Gauge(
            "signpost_documents_indexed", "Documents in the index", registry=self.registry
        )
        self.chunks = Gauge(
            "signpost_chunks_indexed", "Chunks in the index", registry=self.registry
        )

    def observe_answer(self, response: AskResponse, surface: str) -> None:
        outcome = "answered" if response.answered else "abstained"
        self.answers.labels(outcome=outcome, surface=surface).inc()

    def render(self, documents: int, chunks: int) -> bytes:
        self.documents.set(documents)
        self.chunks.set(chunks)
        return generate_latest(self.registry)
