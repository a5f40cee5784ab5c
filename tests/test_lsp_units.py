"""The language server's kept results and warm-up (`linter.lsp_units`): whatever the edits, in the buffer or
on disk, what it shows is what a cold lint of the same text shows."""
from __future__ import annotations

import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pygls.workspace.position_codec import PositionCodec

from linter import lsp
from tests.test_lsp import client  # noqa: F401 - the pytest-lsp client fixture
from linter.formats.registry import example_formats
from linter.lsp_units import Results, lint_kept, warm_up_steps

CODEC = PositionCodec()
SETTLED = time.time() - 3600  # files dated an hour ago: old enough for a kept result to be trusted

POLICIES = ['data "aws_iam_policy_document" "d" {\n  statement {\n    actions   = [local.actions]\n    resources = ["*"]\n  }\n}\n',
            'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow", '
            'Action = local.actions, Resource = "*" }] })\n}\n',
            'resource "aws_iam_policy" "p" {\n  policy = "{}"\n}\n', "this is not { HCL\n"]
LOCALS = ['locals {\n  actions = "secretsmanager:*"\n}\n', 'locals {\n  actions = "secretsmanager:GetSecretValue"\n}\n',
          'locals {\n  actions = "s3:*"\n}\n', ""]
TEMPLATES = ['Resources:\n  R:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n'
             '        Statement:\n          - Effect: Allow\n            Action: %s\n            Resource: "*"\n' % action
             for action in ("secretsmanager:*", "secretsmanager:GetSecretValue", "kms:*")] + ["Resources: [\n"]

# One step: a new buffer text for main.tf, a new text on disk for locals.tf, or a new buffer text for the
# template; each followed by a lint of both buffers.
steps = st.lists(st.one_of(
    st.tuples(st.just("buffer"), st.sampled_from(POLICIES)),
    st.tuples(st.just("disk"), st.sampled_from(LOCALS)),
    st.tuples(st.just("template"), st.sampled_from(TEMPLATES)),
), min_size=1, max_size=6)


def shown(diagnostics) -> list[tuple]:
    return [(d.range, d.message, d.severity, d.code, d.data) for d in diagnostics]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_kept_results_always_equal_a_cold_lint(tmp_path_factory, sequence):
    folder = tmp_path_factory.mktemp("unit")
    (folder / "infra").mkdir()
    on_disk = folder / "infra" / "locals.tf"
    on_disk.write_text(LOCALS[0])
    for path in (on_disk, on_disk.parent, folder):
        os.utime(path, (SETTLED, SETTLED))
    buffers = {"infra/main.tf": POLICIES[0], "stack.yaml": TEMPLATES[0]}
    results, context = Results(), lsp.folder_context(folder)
    previous, linted = os.getcwd(), []
    for index, (kind, text) in enumerate(sequence):
        if kind == "disk":
            on_disk.write_text(text)
            os.utime(on_disk, (SETTLED + index + 1, SETTLED + index + 1))  # settled, yet a new state
        else:
            buffers["infra/main.tf" if kind == "buffer" else "stack.yaml"] = text
        for display, buffer in buffers.items():
            lint = lambda: linted.append(display) or lsp.lint_buffer(buffer, display, context, CODEC)  # noqa: E731
            kept = lint_kept(results, display, (display, buffer), context, lint, lambda: True)
            cold = lsp.lint_buffer(buffer, display, lsp.folder_context(folder), CODEC)
            assert shown(kept) == shown(cold), (display, sequence[: index + 1])
            assert os.getcwd() == previous
    assert len(linted) <= len(sequence) + 1  # after the first step, only the unit a step changed is linted again


def test_an_unchanged_unit_is_not_linted_again_and_a_changed_sibling_is(tmp_path):
    (tmp_path / "locals.tf").write_text(LOCALS[0])
    for path in (tmp_path / "locals.tf", tmp_path):
        os.utime(path, (SETTLED, SETTLED))
    results, context, runs = Results(), lsp.folder_context(tmp_path), []

    def lint():
        runs.append(1)
        return lsp.lint_buffer(POLICIES[0], "main.tf", context, CODEC)

    first = lint_kept(results, "main.tf", ("main.tf", POLICIES[0]), context, lint, lambda: True)
    assert "SM012" in {d.code for d in first}  # secretsmanager:* on every secret
    assert lint_kept(results, "main.tf", ("main.tf", POLICIES[0]), context, lint, lambda: True) is first
    assert len(runs) == 1
    (tmp_path / "locals.tf").write_text(LOCALS[1])
    os.utime(tmp_path / "locals.tf", (SETTLED + 1, SETTLED + 1))
    again = lint_kept(results, "main.tf", ("main.tf", POLICIES[0]), context, lint, lambda: True)
    assert len(runs) == 2 and "SM012" not in {d.code for d in again}
    (tmp_path / "locals.tf").write_text(LOCALS[0])  # just now: too recent to trust a stamp, so not kept
    lint_kept(results, "main.tf", ("main.tf", POLICIES[0]), context, lint, lambda: True)
    lint_kept(results, "main.tf", ("main.tf", POLICIES[0]), context, lint, lambda: True)
    assert len(runs) == 4
    still_open = iter([True, False])
    lint_kept(results, "closed.tf", ("closed.tf", POLICIES[0]), context, lint, lambda: next(still_open))
    assert len(runs) == 5 and "closed.tf" not in results.entries  # closed while linting: nothing kept
    assert lint_kept(results, "gone.tf", ("gone.tf", POLICIES[0]), context, lint, lambda: False) == []
    assert len(runs) == 5  # closed before its turn on the worker: not linted at all


def test_the_warm_up_reads_every_folder_and_lints_an_example_of_each_format(tmp_path):
    read, cwd = [], os.getcwd()
    context = lsp.folder_context(tmp_path)
    folders, examples = warm_up_steps([tmp_path], lambda root: read.append(root) or context)
    for step in folders + examples:
        step()
    assert read[0] == tmp_path and len(folders) == 1 and len(examples) == len(example_formats())
    assert os.getcwd() == cwd and list(tmp_path.iterdir()) == []  # nothing of the workspace written or changed


@pytest.mark.parametrize("kind", ["config", "no config"])
def test_an_in_process_server_warms_up_on_initialized_and_a_config_written_later_is_read(tmp_path, kind):
    from tests.test_lsp_hostile import serve_in_process

    server, send, requests = serve_in_process()
    try:
        send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}})
        send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        deadline = time.monotonic() + 30
        while (server.warming is None or not server.warming.done()) and time.monotonic() < deadline:
            time.sleep(0.02)  # a wait, not a measurement
        assert server.warming.done() and tmp_path in server.contexts
        if kind == "config":  # written after the warm-up read the folder, and announced to nobody
            (tmp_path / ".policylint.yaml").write_text("severity_overrides:\n  SM001: low\n")
        context = server.worker.submit(server.context_for, tmp_path).result(30)
        assert context.settings.severity_overrides.get("SM001") == ("low" if kind == "config" else None)
    finally:
        requests.close()
        server.worker.shutdown(wait=True, cancel_futures=True)


@pytest.mark.asyncio
async def test_a_server_shows_what_a_cold_lint_shows_after_edits_in_the_buffer_and_on_disk(client, tmp_path):
    """Over the protocol: a Terraform buffer edited, then its sibling changed on disk without any
    notification and the buffer saved (same text): each time the diagnostics are a cold lint's."""
    from lsprotocol import types

    from tests.test_lsp import change_doc, open_doc, published

    on_disk = tmp_path / "locals.tf"
    on_disk.write_text(LOCALS[0])
    for path in (on_disk, tmp_path):
        os.utime(path, (SETTLED, SETTLED))
    uri = (tmp_path / "main.tf").as_uri()

    def cold(text: str) -> list[tuple]:
        return shown(lsp.lint_buffer(text, "main.tf", lsp.folder_context(tmp_path), CODEC))

    assert shown(await published(client, uri, open_doc(client, uri, POLICIES[0], "terraform"))) == cold(POLICIES[0])
    cold_before = cold(POLICIES[1])
    assert shown(await published(client, uri, change_doc(client, uri, POLICIES[1], 2))) == cold_before
    on_disk.write_text(LOCALS[2])
    os.utime(on_disk, (SETTLED + 5, SETTLED + 5))
    saved = types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    after = shown(await published(client, uri, lambda: client.text_document_did_save(saved)))
    assert after == cold(POLICIES[1])
    assert {d[3] for d in after} != {d[3] for d in cold_before}  # s3:* instead of secretsmanager:*: other findings
