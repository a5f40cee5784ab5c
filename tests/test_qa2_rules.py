"""Second QA pass: rule semantics found wrong by hand-written cases (each test failed before its fix)."""
from __future__ import annotations

import json

CFN_KEY_STAR = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
            Action: "*"
            Resource: "*"
"""

CFN_TRUST_STAR = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: "*"
"""


def findings(report, rule_id):
    return [f for f in report.findings if f.rule_id == rule_id]


def test_sm001_quiet_on_key_and_trust_policies(lint):
    # A key policy's "*" means this key, a trust policy only governs assuming the role: neither can grant
    # a Secrets Manager action.
    assert findings(lint({"key.yaml": CFN_KEY_STAR}), "SM001") == []
    assert findings(lint({"role.yaml": CFN_TRUST_STAR}), "SM001") == []


def test_messages_show_unknown_parts_as_ellipsis_inside_objects(lint):
    template = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            NotPrincipal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x"}
            Action: kms:Encrypt
            Resource: "*"
"""
    messages = [f.message for f in lint({"key.yaml": template}).findings if f.rule_id in ("IAM005", "KMS001")]
    assert len(messages) == 2
    for message in messages:
        assert "\\ue000" not in message and "\ue000" not in message
        assert '{"AWS": "arn:…:iam::…:role/x"}' in message


def test_messages_quote_one_item_lists_inside_objects_like_their_item(lint):
    tf = """\
resource "aws_kms_key" "k" {
  description         = "k"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.k.json
}
data "aws_iam_policy_document" "k" {
  statement {
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}
"""
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}]}
    report = lint({"main.tf": tf, "key.json": json.dumps(policy)})
    from_tf = [f.message for f in findings(report, "KMS001") if f.path == "main.tf"]
    from_json = [f.message for f in findings(report, "KMS001") if f.path == "key.json"]
    assert from_tf == from_json
    assert len(from_tf) == 1 and "Principal '{\"AWS\": \"*\"}'" in from_tf[0]


def test_sm002_resource_matching_every_secret_arn_suffix_covers_every_secret(lint):
    # Every secret ARN ends in "-" and six random characters, so `secret:*-??????` is every secret.
    for resource in ("arn:aws:secretsmanager:eu-west-1:111122223333:secret:*-??????",
                     "arn:aws:secretsmanager:eu-west-1:111122223333:secret:*??????"):
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": resource}]}
        assert len(findings(lint({"p.json": json.dumps(policy)}), "SM002")) == 1, resource
    for resource in ("arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*",
                     "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-??????",
                     "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a*"):
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": resource}]}
        assert findings(lint({"p.json": json.dumps(policy)}), "SM002") == [], resource


def test_sm004_guard_exempting_the_root_user_protects_the_secret(lint):
    # In aws:PrincipalArn, `arn:aws:iam::111122223333:root` is the root user alone, a named principal.
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:DeleteSecret", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:root"}}}]}
    assert findings(lint({"secret.json": json.dumps(policy)}), "SM004") == []
    policy["Statement"][0]["Condition"] = {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}
    assert len(findings(lint({"secret.json": json.dumps(policy)}), "SM004")) == 1
