"""Shared fixtures: offline guard, one embedding model per session, services on tmp data dirs."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

from assistant.config import Settings  # noqa: E402
from assistant.factory import build_services  # noqa: E402
from assistant.services import Signpost  # noqa: E402
from ingest.embedder import Embedder  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# Trade-press style articles written for the tests (no front matter, as a trainer uploads them).
ARTICLES = REPO / "tests" / "data" / "articles"
SKILLS_ARTICLE = "pa-skills-gap.txt"  # the 82% / 49% personal assistants survey
SKILLS_DOC = "pa-skills-gap"
# The real Community Care articles beside the clone: only the `shared` test group reads them.
SHARED_CORPUS = REPO.parent / "shared" / "corpus"


_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> object:
    """Every test runs as if the machine had no network: only loopback and local sockets."""
    if isinstance(address, tuple) and address:
        host = str(address[0])
        try:
            allowed = ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = host == "localhost"
        if not allowed:
            raise OSError(f"test tried to reach the network: {host}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    socket.socket.connect = _loopback_only  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="session")
def articles() -> Path:
    """The five fixture articles shipped with the tests."""
    return ARTICLES


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The real articles in ../shared/corpus, for the `shared` test group (pytest -m shared)."""
    assert SHARED_CORPUS.is_dir(), (
        f"the shared corpus is expected at {SHARED_CORPUS}; run this group beside ../shared"
    )
    return SHARED_CORPUS


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        knowledge_dir=tmp_path / "knowledge",
        rate_limit_per_minute=0,  # the rate limit has tests of its own
        _env_file=None,
    )


ServiceFactory = Callable[..., Signpost]


@pytest.fixture
def make_service(settings: Settings, embedder: Embedder) -> ServiceFactory:
    def make(**overrides: object) -> Signpost:
        return build_services(settings.model_copy(update=overrides), embedder=embedder)

    return make


@pytest.fixture
def service(make_service: ServiceFactory) -> Signpost:
    return make_service()


@pytest.fixture(scope="session")
def corpus_service(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, articles: Path
) -> Signpost:
    """One index of the five fixture articles, built once and only read by the tests using it."""
    data = tmp_path_factory.mktemp("corpus-data")
    svc = build_services(Settings(data_dir=data, _env_file=None), embedder=embedder)
    report = svc.curation.ingest([articles])
    assert report.counts["added"] == 5, report.summary()
    return svc


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


DIRECT_PAYMENTS_MD = """---
title: Paying a family member with a direct payment
source_type: guidance
topics: [direct-payments, personal-assistants]
publisher: Signpost test fixtures
source_url: https://example.org/dp-family
published: 2014-10-23
reviewed: 2026-11-01
jurisdiction: England
---
# Paying a family member with a direct payment

## The general rule
A direct payment cannot normally be used to pay a close relative who lives in the same
household as the person receiving care.

## Exceptions
The council may allow it where it decides that paying the relative is necessary to meet the
person's needs, for example when no one else can provide culturally appropriate care.
Relatives who live elsewhere can be employed as personal assistants like anyone else.
"""
