from tests.api.conftest import anyio_backend, api_service, app_settings, client
from tests.slack.conftest import slack_api, slack_service, slack_settings

__all__ = [
    "anyio_backend",
    "api_service",
    "app_settings",
    "client",
    "slack_api",
    "slack_service",
    "slack_settings",
]
