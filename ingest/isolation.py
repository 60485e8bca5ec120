"""Parse untrusted files in a separate process with a memory ceiling, so no document (a
decompression bomb, a pathological PDF) can take the server's memory with it.

One long-lived worker process (spawned, so it carries none of the server's memory) parses one
file at a time under RLIMIT_AS. A worker that runs out of memory, crashes or overruns its time
is replaced, and the caller gets a DocumentError naming why.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import resource
import threading
from collections.abc import Callable, Mapping
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from ingest.documents import DocumentError, LoadedDocument

T = TypeVar("T")
PARSE_TIMEOUT_S = 120.0

_lock = threading.Lock()
_pool: concurrent.futures.ProcessPoolExecutor | None = None
_pool_limit: int | None = None


def _limit_memory(limit_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


def _get_pool(limit_bytes: int) -> concurrent.futures.ProcessPoolExecutor:
    global _pool, _pool_limit
    if _pool is None or _pool_limit != limit_bytes:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_limit_memory,
            initargs=(limit_bytes,),
        )
        _pool_limit = limit_bytes
    return _pool


def _discard_pool() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def run_isolated(
    function: Callable[..., T], *args: object, memory_mb: int, timeout_s: float = PARSE_TIMEOUT_S
) -> T:
    """`function(*args)` in the worker process; DocumentError when it needs more than
    `memory_mb` of address space, crashes or takes longer than `timeout_s`."""
    with _lock:  # one file at a time: the worker's limit is the whole budget
        pool = _get_pool(memory_mb * 2**20)
        future = pool.submit(function, *args)
        try:
            return future.result(timeout=timeout_s)
        except MemoryError:
            _discard_pool()
            raise DocumentError(
                f"reading the document needs more than {memory_mb} MB of memory; refused"
            ) from None
        except BrokenProcessPool:
            _discard_pool()
            raise DocumentError("the document crashed the reader; refused") from None
        except concurrent.futures.TimeoutError:
            _discard_pool()
            raise DocumentError(f"reading the document took over {timeout_s:.0f} s") from None


def load_bytes_isolated(
    data: bytes,
    fmt: str,
    *,
    name: str,
    overrides: Mapping[str, object] | None = None,
    memory_mb: int,
) -> LoadedDocument:
    from ingest.loaders import load_bytes_plain

    return run_isolated(
        load_bytes_plain, data, fmt, name, dict(overrides or {}), memory_mb=memory_mb
    )
