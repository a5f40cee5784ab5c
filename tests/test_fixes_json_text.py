"""Fixes in JSON that Terraform and CloudFormation hold in other ways: `.tf.json` resources, and policy
documents written as escaped JSON strings (edited inside the string, escaped as the string needs)."""
from __future__ import annotations

import json

from test_fixes import fix

TF_JSON = """\
{
  "resource": {
    "aws_secretsmanager_secret_policy": {
      "db": {
        "secret_arn": "${var.secret_arn}",
        "policy": "${jsonencode({Statement = [{Effect = \\"Deny\\", Principal = \\"*\\", Action = \\"secretsmanager:DeleteSecret\\", Resource = \\"*\\", Condition = {ArnNotEquals = {\\"aws:PrincipalArn\\" = \\"arn:aws:iam::111122223333:role/admin\\"}}}]})}"%s
      }
    }
  }
}
"""


def test_sm009_tf_json_adds_the_member(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "main.tf.json", TF_JSON % "")
    assert fixed == TF_JSON % ',\n        "block_public_policy": true'
    assert json.loads(fixed)["resource"]["aws_secretsmanager_secret_policy"]["db"]["block_public_policy"] is True


def test_sm009_tf_json_turns_false_into_true(tmp_path, monkeypatch):
    fixed = fix(tmp_path, monkeypatch, "main.tf.json", TF_JSON % ',\n        "block_public_policy": false')
    assert fixed == TF_JSON % ',\n        "block_public_policy": true'
