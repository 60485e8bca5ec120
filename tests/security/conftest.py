"""The security regressions reuse the API tests' real-app client."""

from tests.api.conftest import anyio_backend, api_service, app_settings, client  # noqa: F401
