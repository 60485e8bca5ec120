"""The real ASGI app over httpx, on a real index and database in a tmp data dir."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from assistant.config import Settings
from assistant.http.app import create_app
from assistant.services import Signpost
from tests.conftest import ServiceFactory

TRAINER_KEY = "trainer-test-key-0123456789"
API_KEY = "api-test-key-0123456789"


@pytest.fixture
def app_settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    overrides = getattr(request, "param", {})
    return settings.model_copy(update=overrides)


@pytest.fixture
def api_service(make_service: ServiceFactory, app_settings: Settings) -> Signpost:
    return make_service(**app_settings.model_dump(include={"api_keys"}))


@pytest.fixture
async def client(app_settings: Settings, api_service: Signpost) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(app_settings, api_service, trainer_keys=[TRAINER_KEY])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://signpost.test") as c:
        yield c


TRAINER = {"Authorization": f"Bearer {TRAINER_KEY}"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
