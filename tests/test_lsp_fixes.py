"""The language server's quick fixes for the fixes added last: applied through a real client (pytest-lsp) to
the buffer, which then lints clean of the fixed finding."""
from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from test_lsp import apply_edits, change_doc, client, code_actions, open_doc, published  # noqa: F401 - client is a fixture

SECRET_TF = 'resource "aws_secretsmanager_secret" "db" {\n  name       = "app/db"\n  kms_key_id = "alias/app-secrets"\n}\n'


@pytest.mark.asyncio
async def test_sm004_quick_fix_adds_a_resource_policy_to_a_terraform_buffer(client: LanguageClient, tmp_path):
    (tmp_path / ".policylint.yaml").write_text(
        "select: [SM004, SM009]\nrule_options:\n  SM004:\n    admin_principals: [arn:aws:iam::111122223333:role/secrets-admin]\n"
    )
    uri = (tmp_path / "main.tf").as_uri()
    diagnostics = await published(client, uri, open_doc(client, uri, SECRET_TF, language="terraform"))
    (sm004,) = diagnostics
    assert sm004.code == "SM004"
    fix, ignore = await code_actions(client, uri, sm004)
    assert fix.title == "Add a delete guard exempting the admin principals (SM004)" and fix.is_preferred
    assert ignore.title.startswith("Ignore SM004")
    fixed = apply_edits(SECRET_TF, fix.edit.changes[uri])
    assert fixed.startswith(SECRET_TF.rstrip("\n") + '\n\nresource "aws_secretsmanager_secret_policy" "db" {\n')
    assert '  secret_arn          = aws_secretsmanager_secret.db.arn\n  block_public_policy = true\n' in fixed
    assert await published(client, uri, change_doc(client, uri, fixed, 2)) == []


TF_JSON = (
    '{"resource": {"aws_secretsmanager_secret_policy": {"db": {\n'
    '  "secret_arn": "${var.secret_arn}",\n'
    '  "policy": "${jsonencode({Statement = [{Effect = \\"Deny\\", Principal = \\"*\\", Action = \\"secretsmanager:DeleteSecret\\", Resource = \\"*\\", Condition = {ArnNotEquals = {\\"aws:PrincipalArn\\" = \\"arn:aws:iam::111122223333:role/admin\\"}}}]})}"\n'
    "}}}}\n"
)


@pytest.mark.asyncio
async def test_sm009_quick_fix_in_a_tf_json_buffer(client: LanguageClient, tmp_path):
    (tmp_path / ".policylint.yaml").write_text("select: [SM009]\n")
    uri = (tmp_path / "main.tf.json").as_uri()
    (sm009,) = await published(client, uri, open_doc(client, uri, TF_JSON))
    (fix,) = await code_actions(client, uri, sm009)  # JSON: no ignore comment
    assert fix.title == "Block public policies (SM009)"
    fixed = apply_edits(TF_JSON, fix.edit.changes[uri])
    assert fixed == TF_JSON.replace(')}"\n}', ')}",\n  "block_public_policy": true\n}')
    assert await published(client, uri, change_doc(client, uri, fixed, 2)) == []


ESCAPED_TF = (
    'resource "aws_iam_policy" "reports" {\n'
    '  policy = "{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": \\"s3:GetObjekt\\", '
    '\\"Resource\\": \\"arn:aws:s3:::reports/*\\"}]}"\n'
    "}\n"
)


@pytest.mark.asyncio
async def test_iam006_quick_fix_inside_an_escaped_terraform_string(client: LanguageClient, tmp_path):
    (tmp_path / ".policylint.yaml").write_text("select: [IAM006]\n")
    uri = (tmp_path / "main.tf").as_uri()
    (typo,) = await published(client, uri, open_doc(client, uri, ESCAPED_TF, language="terraform"))
    line = ESCAPED_TF.split("\n")[1]
    start = line.index('\\"s3:GetObjekt\\"')
    assert typo.range == types.Range(types.Position(1, start), types.Position(1, start + len('\\"s3:GetObjekt\\"')))
    fix = next(a for a in await code_actions(client, uri, typo) if a.title.startswith("Use the action name"))
    assert fix.title == "Use the action name it is close to: s3:GetObject (IAM006)"
    fixed = apply_edits(ESCAPED_TF, fix.edit.changes[uri])
    assert fixed == ESCAPED_TF.replace("GetObjekt", "GetObject")
    assert await published(client, uri, change_doc(client, uri, fixed, 2)) == []


WILDCARD_AND_TYPO = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["secretsmanager:*", "kms:Decryptt"],'
    ' "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-AbCdEf"}]}\n'
)


@pytest.mark.asyncio
async def test_fix_all_leaves_the_unsafe_narrowing_to_the_quick_fix(client: LanguageClient, tmp_path):
    (tmp_path / ".policylint.yaml").write_text("select: [SM001, IAM006]\n")
    uri = (tmp_path / "p.json").as_uri()
    diagnostics = await published(client, uri, open_doc(client, uri, WILDCARD_AND_TYPO))
    assert sorted(d.code for d in diagnostics) == ["IAM006", "SM001"]
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        context=types.CodeActionContext(diagnostics=[], only=["source.fixAll"]),
    )
    (fix_all,) = await client.text_document_code_action_async(params)
    fixed = apply_edits(WILDCARD_AND_TYPO, fix_all.edit.changes[uri])
    assert fixed == WILDCARD_AND_TYPO.replace("kms:Decryptt", "kms:Decrypt")  # the wildcard stays
    (sm001,) = [d for d in await published(client, uri, change_doc(client, uri, fixed, 2))]
    narrow = next(a for a in await code_actions(client, uri, sm001) if a.title.startswith("Narrow"))
    assert not narrow.is_preferred
    narrowed = apply_edits(fixed, narrow.edit.changes[uri])
    assert '"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "kms:Decrypt"]' in narrowed
    assert await published(client, uri, change_doc(client, uri, narrowed, 3)) == []
