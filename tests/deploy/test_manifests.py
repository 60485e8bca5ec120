"""The deployment files say what a council deployment needs: a Chroma health check that works
in the chromadb image (bash only, no curl), no HTTP health check for the Slack worker, every
.env setting passed on, no key in the Kubernetes manifests, and restricted pod security."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO
from tests.servers import chroma_server

DEPLOY = REPO / "deploy"


def _compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def _k8s(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((DEPLOY / "k8s" / name).read_text()) if d]


def _chroma_probe(port: int) -> int:
    test = _compose()["services"]["chroma"]["healthcheck"]["test"]
    assert "curl" not in " ".join(test)
    assert test[:3] == ["CMD", "/bin/bash", "-c"]
    script = test[3].replace("$$", "$").replace("127.0.0.1/8000", f"127.0.0.1/{port}")
    return subprocess.run(["/bin/bash", "-c", script], timeout=10).returncode


def test_the_chroma_health_check_needs_only_bash(tmp_path: Path) -> None:
    with chroma_server(tmp_path / "chroma") as chroma:
        port = int(chroma.url.rsplit(":", 1)[1])
        assert _chroma_probe(port) == 0
    assert _chroma_probe(port) != 0  # stopped: unhealthy


def test_compose_passes_env_and_the_worker_has_no_http_check() -> None:
    services = _compose()["services"]
    for name in ("api-1", "api-2", "slack-worker"):
        assert services[name]["env_file"] == [{"path": ".env", "required": False}], name
    assert services["slack-worker"]["healthcheck"] == {"disable": True}
    assert "healthcheck" not in services["api-1"]  # the image's own /healthz check applies


def test_no_key_and_restricted_pods_in_kubernetes() -> None:
    documents = _k8s("signpost.yaml") + _k8s("slack-worker.yaml")
    assert not [d for d in documents if d["kind"] == "Secret"], "no Secret with known values"
    assert "signpost-slack" not in {d["metadata"]["name"] for d in _k8s("signpost.yaml")}
    pods = [d for d in documents if d["kind"] in ("Deployment", "StatefulSet")]
    assert len(pods) == 3
    for workload in pods:
        spec = workload["spec"]["template"]["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert isinstance(spec["securityContext"]["runAsUser"], int)
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["readOnlyRootFilesystem"] is True
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert "limits" in container["resources"], container["name"]


def test_the_build_context_leaves_out_data_and_secrets() -> None:
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    assert "*" in ignored  # everything out, then only what the image needs
    allowed = {line[1:] for line in ignored if line.startswith("!")}
    assert allowed == {
        "pyproject.toml",
        "README.md",
        "constraints.txt",
        "assistant/",
        "ingest/",
        "knowledge/",
    }
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "pip install -c constraints.txt ." in dockerfile
