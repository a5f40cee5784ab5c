"""The language server against hostile clients and buffers: bounded reads, no echoed buffer text, a lint
deadline, a prompt exit whatever is running, flat memory over open/close, and no walk of a directory.

Servers run as subprocesses driven over raw JSON-RPC (a hang fails on a generous timeout; nothing is timed),
except the memory test, which runs the server on pipes in this process to count allocations.
"""
from __future__ import annotations

import gc
import io
import json
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

pytest.importorskip("pygls")

REPO = Path(__file__).parent.parent
TIMEOUT = 60
SECRET = "hunter2-SECRET-VALUE"
WILDCARD = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}'
SLOW_LINT = "import time, linter.lsp as server; server.lint_buffer = lambda *args: time.sleep(600); "


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Client:
    """A raw JSON-RPC client over a server subprocess; collects what the server sends."""

    def __init__(self, cwd: Path, prelude: str = "") -> None:
        code = prelude + "import sys, linter.lsp as server; sys.exit(server.main())"
        self.process = subprocess.Popen([sys.executable, "-c", code], cwd=cwd, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env={**os.environ, "PYTHONPATH": str(REPO)})
        self.messages: list[dict] = []
        self.arrived = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        self.send_bytes(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                               "params": {"processId": None, "rootUri": cwd.as_uri(), "capabilities": {}}}))
        self.wait_for(lambda m: m.get("id") == 1)
        self.notify("initialized", {})

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            header = stream.readline()
            if not header:
                return
            if header.startswith(b"Content-Length:"):
                length = int(header.split(b":")[1])
                while stream.readline().strip():
                    pass
                with self.arrived:
                    self.messages.append(json.loads(stream.read(length)))
                    self.arrived.notify_all()

    def send_bytes(self, data: bytes) -> None:
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send_bytes(frame({"jsonrpc": "2.0", "method": method, "params": params}))

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.notify("textDocument/didOpen",
                    {"textDocument": {"uri": uri, "languageId": "json", "version": version, "text": text}})

    def wait_for(self, predicate) -> dict:
        deadline = time.monotonic() + TIMEOUT  # a hang guard, not a measurement
        with self.arrived:
            while True:
                found = next((m for m in self.messages if predicate(m)), None)
                if found is not None:
                    return found
                assert self.arrived.wait(max(0.0, deadline - time.monotonic())), "no such message"

    def diagnostics(self, uri: str) -> list[dict]:
        return self.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                             and m["params"]["uri"] == uri)["params"]["diagnostics"]

    def shutdown_and_exit(self) -> int:
        self.send_bytes(frame({"jsonrpc": "2.0", "id": 99, "method": "shutdown"}))
        self.wait_for(lambda m: m.get("id") == 99)
        self.notify("exit", {})
        return self.process.wait(timeout=TIMEOUT)


def test_exit_ends_the_server_while_a_lint_runs(tmp_path):
    client = Client(tmp_path, SLOW_LINT)
    client.open((tmp_path / "p.json").as_uri(), WILDCARD)
    assert client.shutdown_and_exit() == 0


def test_a_lint_past_the_deadline_is_abandoned_for_that_version(tmp_path):
    client = Client(tmp_path, SLOW_LINT + "server.LINT_DEADLINE_SECONDS = 0.5; ")
    uri = (tmp_path / "p.json").as_uri()
    client.open(uri, WILDCARD)
    [diagnostic] = client.diagnostics(uri)
    assert diagnostic["message"].startswith("policylint gave up on this version after 0.5 s")
    assert client.shutdown_and_exit() == 0


def test_a_huge_content_length_costs_no_memory_and_the_server_goes_on(tmp_path):
    client = Client(tmp_path)
    client.send_bytes(b"Content-Length: 99999999999\r\n\r\n" + b"x" * 1000)
    client.process.stdin.close()  # the rest of the declared body never comes: the server ends cleanly
    assert client.process.wait(timeout=TIMEOUT) in (0, 1)
    errors = client.process.stderr.read()
    assert b"MemoryError" not in errors and b"skipping a message of 99999999999 bytes" in errors


def test_bounded_input_skips_an_oversized_body_in_step(monkeypatch):
    from linter import lsp

    monkeypatch.setattr(lsp, "MAX_MESSAGE_BYTES", 10)
    stream = io.BytesIO(b"y" * 100 + b"Content-Length: 2\r\n")
    reader = lsp.BoundedInput(stream)
    assert reader.read(100) == b"null" and reader.readline() == b"Content-Length: 2\r\n"
    assert lsp.BoundedInput(io.BytesIO(b"z" * 10)).read(10) == b"z" * 10


def test_errors_never_echo_the_buffer(tmp_path, monkeypatch):
    from pygls.workspace.position_codec import PositionCodec

    from linter import lsp

    def failing(context, display, text):
        raise ValueError(f"cannot handle {text!r}")  # an exception that quotes its input, as many do

    monkeypatch.setattr(lsp, "_run_in", failing)
    buffer = '{"Statement": [], "password": "%s"}' % SECRET
    [diagnostic] = lsp.lint_buffer(buffer, "p.json", lsp.FolderContext(tmp_path), PositionCodec())
    assert SECRET not in diagnostic.message and "ValueError" in diagnostic.message


def test_invalid_utf8_and_surrogates_on_stdin_never_echo_the_buffer(tmp_path):
    client = Client(tmp_path)
    uri = (tmp_path / "p.json").as_uri()
    body = json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "json", "version": 1, "text": '{"pw": "%s"}' % SECRET}}}).encode()
    body = body.replace(SECRET.encode(), SECRET.encode() + b"\xff\xfe")
    client.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    surrogate = (tmp_path / "s.json").as_uri()
    client.open(surrogate, '{"Statement": [{"Effect": "Allow", "Action": "s3:*\ud800"}], "pw": "%s"}' % SECRET)
    [diagnostic] = client.diagnostics(surrogate)
    assert diagnostic["message"] == "invalid JSON: a \\u escape is a lone surrogate, not a character"
    assert client.shutdown_and_exit() == 0
    everything = json.dumps(client.messages) + client.process.stderr.read().decode("utf-8", "replace")
    assert SECRET not in everything


def test_a_directory_is_never_linted_and_a_missing_folder_is_no_error(tmp_path):
    client = Client(tmp_path)
    client.open("file:///", "{}")
    unsaved = (tmp_path / "not" / "created" / "yet" / "p.json").as_uri()
    client.open(unsaved, WILDCARD)
    assert "SM001" in {d.get("code") for d in client.diagnostics(unsaved)}
    assert client.shutdown_and_exit() == 0
    assert not any(m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == "file:///"
                   for m in client.messages)


def serve_in_process():
    """A server on pipes in this process (its replies are read and dropped): the server, a function that
    sends it a message, and its input, to close when done."""
    from linter import lsp

    to_server, server_in = os.pipe()
    server_out, from_server = os.pipe()
    server = lsp.create_server(0.0)
    inbound, outbound = os.fdopen(to_server, "rb", buffering=0), os.fdopen(from_server, "wb")
    threading.Thread(target=server.start_io, kwargs={"stdin": lsp.BoundedInput(inbound), "stdout": outbound},
                     daemon=True).start()
    replies = os.fdopen(server_out, "rb")

    def drain() -> None:
        """Read and drop the replies (keeping nothing: this thread's memory counts in the test too)."""
        while replies.read1(4096):
            pass

    threading.Thread(target=drain, daemon=True).start()
    requests = os.fdopen(server_in, "wb")

    def send(message: dict) -> None:
        requests.write(frame(message))
        requests.flush()

    return server, send, requests


@pytest.mark.parametrize("count", [400, pytest.param(10_000, marks=pytest.mark.long)])
def test_memory_stays_flat_over_open_and_close(tmp_path, count):
    """Allocations still held after many open/close cycles, counted by tracemalloc: in all, and per cycle
    over a second run of cycles (what the first one's peaks left is reused, so any growth there is kept)."""
    server, send, requests = serve_in_process()
    # 50 names in turn, the same ones from the warm-up on, held here throughout: pathlib interns path parts
    # in CPython's process-wide table, which drops a name when its last user goes and adds it again on the
    # next use; that churn rebuilds the table now and then (~2 MB counted here), and is not this server's.
    paths = [tmp_path / f"doc{index}.json" for index in range(50)]

    def cycles(count: int) -> None:
        for index in range(count):
            uri = paths[index % 50].as_uri()
            send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": uri, "languageId": "json", "version": 1, "text": WILDCARD}}})
            send({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})
        settle = time.monotonic() + TIMEOUT
        while (server.worker._work_queue.qsize() or server.protocol._request_futures) and time.monotonic() < settle:
            time.sleep(0.05)  # until every queued lint has run (a wait, not a measurement)
        gc.collect()

    def grown(since: tracemalloc.Snapshot) -> tuple[int, int]:
        """Bytes and blocks allocated since `since` and still held."""
        stats = tracemalloc.take_snapshot().compare_to(since, "filename")
        return sum(stat.size_diff for stat in stats), sum(stat.count_diff for stat in stats)

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
          "params": {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}})
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    try:
        cycles(200)
        settle = time.monotonic() + TIMEOUT
        while (server.warming is None or not server.warming.done()) and time.monotonic() < settle:
            time.sleep(0.05)  # the warm-up's imports are start-up work, not memory the cycles keep
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        cycles(count)
        middle = tracemalloc.take_snapshot()
        cycles(count)
        (total, _), (_, blocks) = grown(before), grown(middle)
        tracemalloc.stop()
        # A lint or two may still be in flight; a leak would hold one future per message (2 x count).
        assert len(server.protocol._request_futures) <= 4
        assert total < 200_000  # bytes, whatever the count; the leak of one future per message was ~4.5 KB a cycle
        # Blocks kept per cycle over the second run (its bytes are mostly one-off: dict and set sizes at the
        # run's peak, free lists): 0.2-1 on a quiet machine, up to ~2.6 on a busy one. A kept task (with its
        # coroutine, context and callbacks) or a kept diagnostic (with its range and positions) is 5 or more.
        assert blocks / count < 5, f"{blocks / count:.2f} blocks kept per cycle"
    finally:
        # The server shares this process: end its input and wait for its lint worker, so no lint of it
        # (which works in its folder) still runs while later tests do.
        requests.close()
        server.worker.shutdown(wait=True, cancel_futures=True)
