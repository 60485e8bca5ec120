"""Typed settings: the only place that reads the environment (and `.env`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every variable of the contract's configuration table."""

    model_config = SettingsConfigDict(
        env_prefix="SIGNPOST_", env_file=".env", extra="ignore", populate_by_name=True
    )

    data_dir: Path = Path("data")
    knowledge_dir: Path = Path("knowledge")
    chroma_url: str | None = None
    database_url: str | None = None
    embedding_model: str | None = None
    # Where the model's one-time ONNX export is kept (default: $XDG_CACHE_HOME/signpost/models,
    # else ~/.cache/signpost/models).
    model_cache_dir: Path | None = None
    xdg_cache_home: Path | None = Field(
        default=None, validation_alias=AliasChoices("XDG_CACHE_HOME", "xdg_cache_home")
    )
    # Threads for the embedding model; unset: the CPUs this process may use, a container's CPU
    # limit (cgroup quota) included.
    onnx_threads: int | None = Field(default=None, ge=1)

    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: float = 20.0

    max_upload_mb: int = 25
    # Uploads are parsed in a separate process with this much address space at most (0: in
    # the server process, as folder syncs are).
    parse_memory_mb: int = Field(default=1024, ge=0)
    retention_days: int = Field(default=90, ge=1)
    rate_limit_per_minute: int = Field(default=60, ge=0)

    api_keys: str | None = None
    trainer_keys: str | None = None
    # Proxies (comma-separated addresses or CIDR ranges, "*" for any) whose X-Forwarded-For /
    # X-Forwarded-Proto give the client's address and scheme; unset: trust no proxy.
    forwarded_allow_ips: str | None = None
    # Mark the page's cookies Secure even when the request reached us over plain http (TLS
    # ends at a proxy on another host).
    cookie_secure: bool = False
    # Connections served at once by one server process; beyond it uvicorn answers 503 at once.
    max_concurrent_requests: int = Field(default=200, ge=1)

    # Retrieval and answering knobs (tuned on the golden set; see README).
    chunk_size: int = 900
    chunk_overlap: int = 150
    candidate_k: int = 30
    fusion: Literal["convex", "rrf"] = "convex"
    fusion_alpha: float = Field(default=0.6, ge=0.0, le=1.0)
    min_similarity: float = 0.40

    slack_bot_token: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "slack_bot_token")
    )
    slack_signing_secret: str | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "slack_signing_secret"),
    )
    slack_app_token: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "slack_app_token")
    )
    slack_digest_channel: str | None = Field(
        default=None,
        description="Where the weekly training-needs digest is posted (a channel id).",
    )
    public_url: str | None = Field(
        default=None, description="Signpost's address, for links in Slack (the insights page)."
    )
    slack_api_url: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_API_URL", "slack_api_url")
    )

    @property
    def uvicorn_options(self) -> dict[str, object]:
        """uvicorn's settings from ours: forwarded headers from the configured proxies only,
        a bound on concurrent connections, and a short keep-alive for idle ones."""
        options: dict[str, object] = {
            "limit_concurrency": self.max_concurrent_requests,
            "timeout_keep_alive": 5,
            "proxy_headers": bool(self.forwarded_allow_ips),
        }
        if self.forwarded_allow_ips:
            options["forwarded_allow_ips"] = self.forwarded_allow_ips
        return options

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @property
    def model_cache(self) -> Path:
        if self.model_cache_dir is not None:
            return self.model_cache_dir
        return (self.xdg_cache_home or Path.home() / ".cache") / "signpost" / "models"

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'signpost.db').resolve()}"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def lexical_path(self) -> Path:
        return self.data_dir / "lexical"

    @property
    def sentence_vectors_path(self) -> Path:
        return self.data_dir / "sentence-vectors.sqlite"
