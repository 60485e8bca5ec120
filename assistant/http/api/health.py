"""Operators: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from assistant.http.deps import MetricsDep, ServiceDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(service: ServiceDep) -> dict[str, str]:
    """The index and the database answer (503 with the reason otherwise)."""
    await run_in_threadpool(service.check_ready)
    return {"status": "ready"}


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(service: ServiceDep, registry: MetricsDep) -> Response:
    records = service.index.records()
    body = registry.render(len(records), sum(r.chunks for r in records.values()))
    return Response(body, media_type=CONTENT_TYPE_LATEST)
