"""A scripted fake of the Anthropic Messages API: a real HTTP server on a free 127.0.0.1 port.

Each test queues the replies it wants, in order; every request is recorded (path, headers, JSON
body) so tests can assert on what the SDK actually sent. `fake.good` answers any step with a
valid tool call built from the intake inside the request, so tests only script what is special.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sixdegrees.strategy.offline import OfflinePlanner
from sixdegrees.strategy.schema import PlanInput

USAGE = {"input_tokens": 1200, "output_tokens": 300}
FAKE_ANALYSIS_PREFIX = "From the model: "


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict → JSON; bytes → sent as is
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def tool(self) -> str:
        return self.body["tool_choice"]["name"]

    @property
    def first_user_text(self) -> str:
        return self.body["messages"][0]["content"]


Script = Reply | Callable[[Request], Reply]


def message(content: list[dict[str, Any]], model: str = "claude-sonnet-4-6", usage=USAGE) -> dict:
    return {
        "id": f"msg_fake_{time.monotonic_ns()}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": dict(usage),
    }


def tool_reply(name: str, tool_input: dict[str, Any], model: str = "claude-sonnet-4-6") -> Reply:
    block = {"type": "tool_use", "id": f"toolu_{time.monotonic_ns()}", "name": name, "input": tool_input}
    return Reply(body=message([block], model=model))


def error_reply(status: int, error_type: str, retry_after_ms: int | None = 10) -> Reply:
    headers = {"retry-after-ms": str(retry_after_ms)} if retry_after_ms is not None else {}
    body = {"type": "error", "error": {"type": error_type, "message": f"fake {error_type}"}}
    return Reply(status=status, body=body, headers=headers)


def intake_of(request: Request) -> PlanInput:
    text = request.first_user_text
    start = text.index("<intake>\n") + len("<intake>\n")
    end = text.index("\n</intake>")
    return PlanInput.model_validate(json.loads(text[start:end]))


def valid_input(request: Request) -> dict[str, Any]:
    """What a well-behaved model would send for the step this request is for."""
    plan = OfflinePlanner().plan(intake_of(request)).plan
    if request.tool == "record_research":
        return {
            "target_analysis": FAKE_ANALYSIS_PREFIX + plan.strategy.target_analysis,
            "angles": ["Lead with the specific reason", "Keep the ask small"],
        }
    if request.tool == "propose_paths":
        return {
            "summary": plan.strategy.summary,
            "paths": [p.model_dump() for p in plan.strategy.paths],
            "recommended_path": plan.strategy.recommended_path,
        }
    if request.tool == "write_drafts":
        return {"drafts": [d.model_dump() for d in plan.drafts]}
    raise AssertionError(f"unexpected tool {request.tool}")


class FakeAnthropic:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.script: deque[Script] = deque()
        self.default: Script | None = None
        self.errors: list[str] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(raw))
                with fake._lock:
                    fake.requests.append(request)
                    step = fake.script.popleft() if fake.script else fake.default
                if step is None:
                    reply = error_reply(500, "api_error", retry_after_ms=None)
                    reply.body["error"]["message"] = "fake: nothing scripted for this request"
                else:
                    try:
                        reply = step(request) if callable(step) else step
                    except Exception as exc:  # a broken script: fail the test, not just this call
                        fake.errors.append(repr(exc))
                        reply = error_reply(400, "fake_script_error", retry_after_ms=None)
                if reply.delay:
                    time.sleep(reply.delay)
                data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", reply.content_type)
                    self.send_header("content-length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing to answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> FakeAnthropic:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def push(self, *steps: Script) -> None:
        self.script.extend(steps)

    @staticmethod
    def good(request: Request) -> Reply:
        return tool_reply(request.tool, valid_input(request), model=request.body["model"])

    def tools_called(self) -> list[str]:
        return [r.tool for r in self.requests]
