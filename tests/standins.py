"""Local stand-ins for remote services, on loopback and a free port, recording every call."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Recorded:
    path: str
    body: dict[str, object]
    headers: dict[str, str]


@dataclass
class StandIn:
    url: str
    calls: list[Recorded] = field(default_factory=list)
    #: path -> function(body) -> (status, json reply, delay seconds[, extra headers])
    routes: dict[str, Callable[[dict[str, object]], tuple]] = field(default_factory=dict)

    def paths(self) -> list[str]:
        return [c.path.split("?")[0] for c in self.calls]


@contextmanager
def serve_standin() -> Iterator[StandIn]:
    state = StandIn(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            kind = self.headers.get("Content-Type", "")
            try:
                if "application/x-www-form-urlencoded" in kind:
                    body = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
                else:
                    body = json.loads(raw or b"{}")
            except ValueError:
                body = {"raw": raw.decode("utf-8", "replace")}
            state.calls.append(Recorded(self.path, body, dict(self.headers)))
            route = state.routes.get(self.path.split("?")[0])
            result = route(body) if route else (404, {"error": "no route"}, 0.0)
            status, reply, delay = result[:3]
            extra_headers: dict[str, str] = result[3] if len(result) > 3 else {}
            time.sleep(delay)
            data = json.dumps(reply).encode()
            try:
                self.send_response(status)
                for name, value in extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def chat_completion(content: str) -> dict[str, object]:
    """An OpenAI-compatible chat completion reply."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "stand-in",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }
