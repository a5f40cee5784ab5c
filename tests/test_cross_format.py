"""Differential property: one IAM policy gives the same findings in every format it can be written in.

A hypothesis strategy draws realistic identity policies and secret resource policies; each is rendered as
(1) a standalone JSON file, (2) Terraform `jsonencode({...})` in HCL object syntax, (3) Terraform with a
heredoc of JSON, (4) a Terraform `data "aws_iam_policy_document"`, (5) a CloudFormation YAML template and
(6) a CloudFormation JSON template. The findings of the statement-level rules must be the same multiset of
(rule id, statement index, element) in all six, where the element is read back from the source file through
the finding's span (so a span that points at the wrong text fails the property too).

Rules left out, because their findings legitimately differ by format:
- IAM006 (invalid policy): a missing `Version` is reported on standalone files only, and the data source
  always renders a Version; the statement-level parts of IAM006 (unknown actions, Effect) are not drawn.
- SM004, SM005, SM006, SM007, SM009, SM010: resource-level rules, about the secret or policy resource that
  the IaC renderings add around the policy (KMS key, rotation, BlockPublicPolicy, secret value) and that a
  standalone file does not have.
KMS001 is compared but never fires: no key policies are drawn (the brief is identity and secret policies).

What the strategy avoids on purpose (not gaps in policylint):
- Secret resource policies draw only `secretsmanager:` actions: a standalone file has no resource around it,
  so policylint tells a secret's policy by its actions (README, "How policies are read"); `*` or an `s3:`
  action makes the file a generic resource policy, which is correct but not comparable.
- Condition values are strings, or a JSON boolean for `Bool`; the data source renders both as strings,
  as the AWS provider does. Lists hold no duplicates: the data source's `actions`/`resources` are sets.
- Every element is written inline in the statement (no Terraform locals or variables, no `!Sub`), so that a
  finding's span lies inside its statement's lines, which is how the statement index is found.

The number of examples is 300 by default (a few seconds); set POLICYLINT_CROSS_FORMAT_EXAMPLES to hunt longer.
Bug found and fixed with it: the data source kept `&{aws:PrincipalTag/team}` as text where the provider
renders the policy variable `${...}` (see test_terraform_shapes.py).
"""
from __future__ import annotations

import functools
import json
import os
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.rules import load_rules
from tests.conftest import lint_files

COMPARED = {"SM001", "SM002", "SM003", "SM008", "SM011", "SM012",
            "IAM001", "IAM002", "IAM003", "IAM004", "IAM005", "KMS001"}
SUBJECT_RULES = {"SM003"}  # rules that point at the statement itself rather than an element

# ---- the strategy --------------------------------------------------------------------------------------------

SM_ACTIONS = [
    "secretsmanager:GetSecretValue", "SecretsManager:getSecretValue", "secretsmanager:DescribeSecret",
    "secretsmanager:PutResourcePolicy", "SECRETSMANAGER:PUTRESOURCEPOLICY", "secretsmanager:DeleteSecret",
    "secretsmanager:UpdateSecretVersionStage", "secretsmanager:RotateSecret", "secretsmanager:ListSecrets",
    "secretsmanager:BatchGetSecretValue", "secretsmanager:*", "secretsmanager:Get*", "SecretsManager:*Secret*",
    "secretsmanager:GetSecretValu?", "secretsmanager:Put*",
]
OTHER_ACTIONS = ["*", "*", "*:*", "s3:GetObject", "s3:*", "kms:Decrypt", "kms:*", "iam:PassRole", "iam:Pass*",
                 "IAM:passrole",
                 "iam:*"]
ACCOUNT_SECRETS = "arn:aws:secretsmanager:eu-west-1:111122223333:secret"
RESOURCES = [
    "*", "*", "arn:aws:secretsmanager:*:*:secret:*", f"{ACCOUNT_SECRETS}:*", f"{ACCOUNT_SECRETS}:db-AbCdEf",
    f"{ACCOUNT_SECRETS}:app/prod/*", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket",
    "arn:aws:iam::111122223333:role/app", f"{ACCOUNT_SECRETS}:${{aws:username}}/*",
    "arn:aws:secretsmanager:*:*:secret:*${aws:PrincipalTag/team}*",
]
PRINCIPALS = [
    "*", {"AWS": "*"}, {"AWS": ["*"]}, {"AWS": ["arn:aws:iam::111122223333:role/app", "*"]},
    {"AWS": "*", "Service": "lambda.amazonaws.com"},
    {"AWS": "arn:aws:iam::111122223333:root"}, {"AWS": "111122223333"}, {"Service": "lambda.amazonaws.com"},
    {"AWS": "arn:aws:iam::111122223333:role/app"},
    {"AWS": ["arn:aws:iam::111122223333:role/app", "arn:aws:iam::444455556666:root"]},
]
CONDITIONS = [
    {"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}},
    {"StringEquals": {"SecretsManager:versionstage": "AWSCURRENT"}},
    {"StringEquals": {"secretsmanager:VersionStage": "awscurrent"}},
    {"StringEqualsIfExists": {"secretsmanager:VersionStage": "AWSCURRENT"}},
    {"StringEquals": {"secretsmanager:VersionStage": ["AWSCURRENT"]}},
    {"StringEquals": {"secretsmanager:VersionStage": ["AWSCURRENT", "AWSPREVIOUS"]}},
    {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}},
    {"StringEquals": {"aws:PrincipalAccount": "111122223333"}},
    {"StringEquals": {"aws:PrincipalAccount": ["111122223333", "444455556666"]}},
    {"StringEquals": {"aws:ResourceTag/team": "payments"}},
    {"StringEquals": {"AWS:resourcetag/team": "payments"}},
    {"StringLike": {"aws:ResourceTag/team": "pay*"}},
    {"Bool": {"secretsmanager:BlockPublicPolicy": "true"}},
    {"Bool": {"secretsmanager:BlockPublicPolicy": True}},
    {"Bool": {"SecretsManager:blockPublicPolicy": "True"}},
    {"Bool": {"secretsmanager:BlockPublicPolicy": "false"}},
    {"ForAnyValue:StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}},
    {"StringLike": {"secretsmanager:VersionStage": "AWSCURRENT"}},
    {"StringLike": {"secretsmanager:VersionStage": "AWS*"}},
    {"StringEqualsIgnoreCase": {"secretsmanager:VersionStage": "AWSCURRENT"}},
    {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app"}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}},
    {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
    {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
    {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
    {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
    {"StringEquals": {"secretsmanager:SecretId": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf"}},
    {"StringEquals": {"secretsmanager:resource/AllowRotationLambdaArn":
                      "arn:aws:lambda:eu-west-1:111122223333:function:rotate"}},
]


def _one_or_list(pool: list):
    return st.one_of(st.sampled_from(pool), st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))


@st.composite
def _condition(draw) -> dict:
    merged: dict = {}
    for block in draw(st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=2)):
        for operator, entries in block.items():
            merged.setdefault(operator, {}).update(entries)
    return merged


@st.composite
def statements(draw, resource_policy: bool) -> dict:
    statement: dict = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    pool = SM_ACTIONS if resource_policy else SM_ACTIONS + OTHER_ACTIONS
    statement[draw(st.sampled_from(["Action", "Action", "NotAction"]))] = draw(_one_or_list(pool))
    if resource_policy:
        if draw(st.booleans()) or draw(st.booleans()):
            statement["Principal"] = draw(st.sampled_from(PRINCIPALS))
        else:
            statement["NotPrincipal"] = draw(st.sampled_from(PRINCIPALS))
    resource = draw(st.sampled_from(["Resource", "Resource", "Resource", "NotResource", None]))
    if resource is not None:  # no Resource at all: invalid for IAM, but policylint must read it the same way
        statement[resource] = draw(_one_or_list(RESOURCES))
    if draw(st.booleans()):
        statement["Condition"] = draw(_condition())
    return statement


@st.composite
def policies(draw) -> tuple[bool, dict, dict]:
    """(resource_policy, document, rendering styles)."""
    resource_policy = draw(st.booleans())
    body = draw(st.lists(statements(resource_policy), min_size=1, max_size=4))
    style = {
        "single": len(body) == 1 and draw(st.booleans()),  # `Statement` as one object, not a list
        "hcl_colon": draw(st.booleans()),  # `key: value` in HCL objects
        "hcl_quote_keys": draw(st.booleans()),  # `"Effect" = ...`
        "heredoc_indent": draw(st.booleans()),  # `<<-EOF` with indented JSON
        "yaml_quote": draw(st.sampled_from(["plain", "double", "single"])),
        "yaml_flow": draw(st.booleans()),  # lists and small maps in flow style
        "yaml_plain_scalars": draw(st.booleans()),  # `111122223333`, `true` unquoted: a YAML number, boolean
        "tf_ampersand": draw(st.booleans()),  # `&{aws:username}` for `${aws:username}` in the data source
        "tf_split_principals": draw(st.booleans()),  # one `principals` block per identifier
        "tf_default_effect": draw(st.booleans()),  # no `effect` in the data source when it is Allow
        "json_slash_escape": draw(st.booleans()),  # `\/` for `/`, as some JSON serializers write it
        "yaml_doc_string": draw(st.booleans()),  # CloudFormation YAML: the document as a JSON block scalar
        "yaml_flow_statement": draw(st.booleans()),  # `- {Effect: Allow, ...}`
    }
    return resource_policy, {"Version": "2012-10-17", "Statement": body}, style


# ---- renderers: each returns (text, [(first_line, last_line) of each statement]) --------------------------------

def _statement_list(document: dict) -> list[dict]:
    return document["Statement"]


def _json_doc_lines(document: dict, single: bool, style: dict | None = None) -> tuple[list[str], list[tuple[int, int]]]:
    """Pretty JSON of a document, lines 0-based, with each statement's line range (0-based)."""
    if style and style["json_slash_escape"]:
        lines, ranges = _json_doc_lines(document, single)
        return [line.replace("/", "\\/") for line in lines], ranges
    lines = ["{", f'  "Version": {json.dumps(document["Version"])},']
    ranges = []
    body = _statement_list(document)
    if single:
        stmt = json.dumps(body[0], indent=2).splitlines()
        lines.append('  "Statement": ' + stmt[0])
        ranges.append((len(lines) - 1, len(lines) - 1 + len(stmt) - 1))
        lines += ["  " + line for line in stmt[1:]]
    else:
        lines.append('  "Statement": [')
        for index, statement in enumerate(body):
            stmt = json.dumps(statement, indent=2).splitlines()
            if index < len(body) - 1:
                stmt[-1] += ","
            ranges.append((len(lines), len(lines) + len(stmt) - 1))
            lines += ["    " + line for line in stmt]
        lines.append("  ]")
    lines.append("}")
    return lines, ranges


def _embed(lines: list[str], prefix: str, doc: list[str], ranges, indent: str) -> list[tuple[int, int]]:
    """Append `prefix + doc` to lines (the document's first line on the prefix line); return 1-based ranges."""
    offset = len(lines)
    lines.append(prefix + doc[0])
    lines += [indent + line if line else line for line in doc[1:]]
    return [(offset + a + 1, offset + b + 1) for a, b in ranges]


def render_json(document: dict, resource_policy: bool, style: dict):
    doc, ranges = _json_doc_lines(document, style["single"], style)
    return "\n".join(doc) + "\n", [(a + 1, b + 1) for a, b in ranges]


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def _hcl_key(key: str, style: dict) -> str:
    return key if _IDENT.match(key) and not style["hcl_quote_keys"] else json.dumps(key)


def _hcl_inline(value, style: dict) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_hcl_inline(v, style) for v in value) + "]"
    sep = ":" if style["hcl_colon"] else "="
    return "{ " + ", ".join(f"{_hcl_key(k, style)} {sep} {_hcl_inline(v, style)}" for k, v in value.items()) + " }"


def _hcl_block(value: dict, style: dict, indent: str) -> list[str]:
    """A multi-line HCL object; nested objects multi-line, lists and scalars inline."""
    sep = ":" if style["hcl_colon"] else "="
    lines = ["{"]
    for key, item in value.items():
        if isinstance(item, dict):
            inner = _hcl_block(item, style, indent + "  ")
            lines.append(f"{indent}  {_hcl_key(key, style)} {sep} {inner[0]}")
            lines += inner[1:]
        else:
            lines.append(f"{indent}  {_hcl_key(key, style)} {sep} {_hcl_inline(item, style)}")
    lines.append(indent + "}")
    return lines


def _terraform_wrapper(resource_policy: bool, policy_lines_into) -> tuple[str, list]:
    """The resource(s) around a policy; `policy_lines_into(lines)` appends the `policy = ...` lines."""
    lines: list[str] = []
    if resource_policy:
        lines += ['resource "aws_secretsmanager_secret" "app" {', '  name = "app"', "}", "",
                  'resource "aws_secretsmanager_secret_policy" "app" {',
                  "  secret_arn          = aws_secretsmanager_secret.app.arn",
                  "  block_public_policy = true"]
    else:
        lines += ['resource "aws_iam_policy" "app" {', '  name = "app"']
    ranges = policy_lines_into(lines)
    lines.append("}")
    return "\n".join(lines) + "\n", ranges


def render_tf_jsonencode(document: dict, resource_policy: bool, style: dict):
    sep = ":" if style["hcl_colon"] else "="

    def policy(lines: list[str]):
        offset = len(lines)
        doc = ["{", f'  {_hcl_key("Version", style)} {sep} "2012-10-17"']
        ranges = []
        body = _statement_list(document)
        if style["single"]:
            stmt = _hcl_block(body[0], style, "  ")
            doc.append(f"  {_hcl_key('Statement', style)} {sep} " + stmt[0])
            ranges.append((len(doc) - 1, len(doc) - 1 + len(stmt) - 1))
            doc += stmt[1:]
        else:
            doc.append(f"  {_hcl_key('Statement', style)} {sep} [")
            for index, statement in enumerate(body):
                stmt = _hcl_block(statement, style, "    ")
                stmt[0] = "    " + stmt[0]
                if index < len(body) - 1:
                    stmt[-1] += ","
                ranges.append((len(doc), len(doc) + len(stmt) - 1))
                doc += stmt
            doc.append("  ]")
        doc.append("}")
        lines.append("  policy = jsonencode(" + doc[0])
        lines += ["  " + line for line in doc[1:-1]]
        lines.append("  })")
        return [(offset + a + 1, offset + b + 1) for a, b in ranges]

    return _terraform_wrapper(resource_policy, policy)


def render_tf_heredoc(document: dict, resource_policy: bool, style: dict):
    def policy(lines: list[str]):
        doc, ranges = _json_doc_lines(document, style["single"], style)
        marker = "<<-EOT" if style["heredoc_indent"] else "<<EOT"
        indent = "    " if style["heredoc_indent"] else ""
        lines.append(f"  policy = {marker}")
        offset = len(lines)
        lines += [indent + line for line in doc]
        lines.append("  EOT" if style["heredoc_indent"] else "EOT")
        return [(offset + a + 1, offset + b + 1) for a, b in ranges]

    return _terraform_wrapper(resource_policy, policy)


def _principal_blocks(block: str, principal, indent: str, split: bool) -> list[str]:
    if principal == "*":
        pairs = [("*", ["*"])]
    else:
        pairs = [(kind, ids if isinstance(ids, list) else [ids]) for kind, ids in principal.items()]
        if split:
            pairs = [(kind, [one]) for kind, ids in pairs for one in ids]
    lines = []
    for kind, ids in pairs:
        lines += [f"{indent}{block} {{", f"{indent}  type        = {json.dumps(kind)}",
                  f"{indent}  identifiers = {json.dumps(ids)}", f"{indent}}}"]
    return lines


def _condition_value(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else value


def render_tf_data(document: dict, resource_policy: bool, style: dict):
    lines = ['data "aws_iam_policy_document" "app" {']
    ranges = []
    names = {"Action": "actions", "NotAction": "not_actions", "Resource": "resources", "NotResource": "not_resources"}
    for statement in _statement_list(document):
        start = len(lines) + 1
        lines.append("  statement {")
        if statement["Effect"] != "Allow" or not style["tf_default_effect"]:
            lines.append(f"    effect = {json.dumps(statement['Effect'])}")
        for key, name in names.items():
            if key in statement:
                value = statement[key]
                lines.append(f"    {name} = {json.dumps(value if isinstance(value, list) else [value])}")
        if "Principal" in statement:
            lines += _principal_blocks("principals", statement["Principal"], "    ", style["tf_split_principals"])
        if "NotPrincipal" in statement:
            lines += _principal_blocks("not_principals", statement["NotPrincipal"], "    ",
                                       style["tf_split_principals"])
        for operator, entries in statement.get("Condition", {}).items():
            for key, value in entries.items():
                values = [_condition_value(v) for v in (value if isinstance(value, list) else [value])]
                lines += ["    condition {", f"      test     = {json.dumps(operator)}",
                          f"      variable = {json.dumps(key)}", f"      values   = {json.dumps(values)}", "    }"]
        lines.append("  }")
        ranges.append((start, len(lines)))
    lines += ["}", ""]
    use = "  policy = data.aws_iam_policy_document.app.json"
    text, _ = _terraform_wrapper(resource_policy, lambda ls: ls.append(use))
    return "\n".join(lines) + text, ranges


_YAML_SPECIAL = re.compile(r"(?i)(y|yes|n|no|true|false|on|off|null|~)\Z|[-+.\d]")


def _yaml_scalar(value, style: dict) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    quote = style["yaml_quote"]
    plain_ok = re.fullmatch(r"[A-Za-z][A-Za-z0-9:/._-]*", value) and not _YAML_SPECIAL.match(value)
    if style["yaml_plain_scalars"] and re.fullmatch(r"[1-9][0-9]*|true|false", value):
        return value
    if quote == "plain" and plain_ok:
        return value
    if quote == "single":
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value)


def _yaml_flow(value, style: dict) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_flow(v, style) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_yaml_scalar(k, style)}: {_yaml_flow(v, style)}" for k, v in value.items()) + "}"
    return _yaml_scalar(value, style)


def _yaml_mapping(value: dict, style: dict, indent: str) -> list[str]:
    lines = []
    for key, item in value.items():
        head = f"{indent}{_yaml_scalar(key, style)}:"
        if isinstance(item, (list, dict)) and style["yaml_flow"]:
            lines.append(f"{head} {_yaml_flow(item, style)}")
        elif isinstance(item, list):
            lines.append(head)
            lines += [f"{indent}  - {_yaml_scalar(v, style)}" for v in item]
        elif isinstance(item, dict):
            lines.append(head)
            lines += _yaml_mapping(item, style, indent + "  ")
        else:
            lines.append(f"{head} {_yaml_scalar(item, style)}")
    return lines


def render_cfn_yaml(document: dict, resource_policy: bool, style: dict):
    lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Resources:"]
    if resource_policy:
        lines += ["  Secret:", "    Type: AWS::SecretsManager::Secret", "    Properties:", "      KmsKeyId: alias/app",
                  "  SecretPolicy:", "    Type: AWS::SecretsManager::ResourcePolicy", "    Properties:",
                  "      SecretId: !Ref Secret", "      BlockPublicPolicy: true", "      ResourcePolicy:"]
    else:
        lines += ["  AppPolicy:", "    Type: AWS::IAM::ManagedPolicy", "    Properties:", "      PolicyDocument:"]
    if style["yaml_doc_string"]:  # `PolicyDocument: |` and the JSON text
        lines[-1] += " |"
        doc, doc_ranges = _json_doc_lines(document, style["single"], style)
        offset = len(lines)
        lines += ["        " + line for line in doc]
        return "\n".join(lines) + "\n", [(offset + a + 1, offset + b + 1) for a, b in doc_ranges]
    lines += ['        Version: "2012-10-17"', "        Statement:"]
    ranges = []
    body = _statement_list(document)
    for statement in body:
        if style["yaml_flow_statement"]:
            stmt = [("          " if style["single"] else "          - ") + _yaml_flow(statement, style)]
        elif style["single"]:
            stmt = _yaml_mapping(statement, style, "          ")
        else:
            stmt = _yaml_mapping(statement, style, "            ")
            stmt[0] = "          - " + stmt[0].lstrip()
        ranges.append((len(lines) + 1, len(lines) + len(stmt)))
        lines += stmt
    return "\n".join(lines) + "\n", ranges


def render_cfn_json(document: dict, resource_policy: bool, style: dict):
    doc, doc_ranges = _json_doc_lines(document, style["single"], style)
    lines = ["{", '  "AWSTemplateFormatVersion": "2010-09-09",', '  "Resources": {']
    if resource_policy:
        lines += ['    "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"KmsKeyId": "alias/app"}},',
                  '    "SecretPolicy": {', '      "Type": "AWS::SecretsManager::ResourcePolicy",',
                  '      "Properties": {', '        "SecretId": {"Ref": "Secret"},',
                  '        "BlockPublicPolicy": true,']
        ranges = _embed(lines, '        "ResourcePolicy": ', doc, doc_ranges, "        ")
    else:
        lines += ['    "AppPolicy": {', '      "Type": "AWS::IAM::ManagedPolicy",', '      "Properties": {']
        ranges = _embed(lines, '        "PolicyDocument": ', doc, doc_ranges, "        ")
    lines += ["      }", "    }", "  }", "}"]
    return "\n".join(lines) + "\n", ranges


def _tf_escaped(render, data_source: bool = False):
    """Terraform interpolates `${`: a policy variable is written `$${aws:username}`, or `&{aws:username}` in
    the data source (the AWS provider turns it into `${aws:username}`)."""

    def rendered(document: dict, resource_policy: bool, style: dict):
        text, ranges = render(document, resource_policy, style)
        return text.replace("${", "&{" if data_source and style["tf_ampersand"] else "$${"), ranges

    return rendered


FORMATS = {
    "json": ("policy.json", render_json),
    "tf_jsonencode": ("main.tf", _tf_escaped(render_tf_jsonencode)),
    "tf_heredoc": ("main.tf", _tf_escaped(render_tf_heredoc)),
    "tf_data": ("main.tf", _tf_escaped(render_tf_data, data_source=True)),
    "cfn_yaml": ("template.yaml", render_cfn_yaml),
    "cfn_json": ("template.json", render_cfn_json),
}

# ---- reading an element back from the source through a finding's span ------------------------------------------

_HCL_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<ident>[A-Za-z_][A-Za-z0-9_-]*)|(?P<punct>[\[\]{}=:,]))')


def _hcl_tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while text[position:].strip():
        match = _HCL_TOKEN.match(text, position)
        assert match, f"cannot read HCL at {text[position:]!r}"
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _hcl_value(tokens: list, i: int):
    kind, text = tokens[i]
    if kind == "str":
        return json.loads(text), i + 1
    if kind == "ident":
        return {"true": True, "false": False, "null": None}[text], i + 1
    if text == "[":
        items, i = [], i + 1
        while tokens[i][1] != "]":
            item, i = _hcl_value(tokens, i)
            items.append(item)
            if tokens[i][1] == ",":
                i += 1
        return items, i + 1
    assert text == "{", tokens[i:]
    mapping, i = {}, i + 1
    while tokens[i][1] != "}":
        key = json.loads(tokens[i][1]) if tokens[i][0] == "str" else tokens[i][1]
        assert tokens[i + 1][1] in ("=", ":")
        mapping[key], i = _hcl_value(tokens, i + 2)
        if tokens[i][1] == ",":
            i += 1
    return mapping, i + 1


def _read_hcl(text: str):
    tokens = _hcl_tokens(text)
    if tokens[0][0] == "ident" and tokens[0][1] in ("principals", "not_principals"):
        mapping: dict = {}
        i = 0
        while i < len(tokens):
            assert tokens[i][1] in ("principals", "not_principals") and tokens[i + 1][1] == "{", tokens[i:]
            rest = [("punct", "{")] + tokens[i + 2:]
            body, used = _hcl_value(rest, 0)
            i += 1 + used
            if body["type"] == "*":
                return "*"
            mapping.setdefault(body["type"], []).extend(body["identifiers"])
        return mapping
    value, end = _hcl_value(tokens, 0)
    assert end == len(tokens), f"trailing text in {text!r}"
    return value


def span_text(text: str, span) -> str:
    lines = text.split("\n")
    assert 1 <= span.line <= span.end_line <= len(lines), span
    assert 1 <= span.column <= len(lines[span.line - 1]) + 1, span
    assert 1 <= span.end_column <= len(lines[span.end_line - 1]) + 1, span
    if span.line == span.end_line:
        assert span.column <= span.end_column, span
        return lines[span.line - 1][span.column - 1:span.end_column - 1]
    middle = lines[span.line:span.end_line - 1]
    return "\n".join([lines[span.line - 1][span.column - 1:], *middle, lines[span.end_line - 1][:span.end_column - 1]])


def read_back(fmt: str, text: str, span):
    """The value written at a span, parsed the way its format reads it."""
    raw = span_text(text, span)
    if fmt.startswith("tf_"):
        raw = raw.replace("$${", "${").replace("&{", "${")
    if fmt in ("json", "tf_heredoc", "cfn_json"):
        return json.loads(raw)
    if fmt == "cfn_yaml":
        try:
            return json.loads(raw)  # a document written as a JSON string
        except ValueError:
            return yaml.safe_load(" " * (span.column - 1) + raw)
    return _read_hcl(raw)


def canonical(value):
    """Equal for values IAM reads the same: a one-item list is its item (and the data source renders it so)."""
    if isinstance(value, list):
        return canonical(value[0]) if len(value) == 1 else tuple(canonical(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, canonical(v)) for k, v in value.items()))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, (int, float)) else value  # IAM reads `111122223333` as text


def candidates(statement: dict) -> set:
    """The elements of a statement a finding may point at."""
    found = set()
    for key in ("Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal"):
        if key in statement:
            value = statement[key]
            found.add(canonical(value))
            if isinstance(value, list):
                found.update(canonical(v) for v in value)
    return found


def finding_keys(fmt: str, text: str, ranges: list, document: dict, findings) -> Counter:
    keys = Counter()
    for finding in findings:
        if finding.rule_id not in COMPARED:
            continue
        span = finding.span
        index = [i for i, (first, last) in enumerate(ranges) if first <= span.line and span.end_line <= last]
        assert len(index) == 1, f"{fmt}: {finding.rule_id} at {span} is not inside one statement {ranges}"
        statement = _statement_list(document)[index[0]]
        if finding.rule_id in SUBJECT_RULES:
            element = "<statement>"
            assert (span.line, span.end_line) == ranges[index[0]], (fmt, span, ranges)  # the whole statement
        else:
            element = canonical(read_back(fmt, text, span))
            assert element in candidates(statement), f"{fmt}: {finding.rule_id} span {span} reads {element!r}"
            if isinstance(element, str):  # the message names the offending string (as written: maybe in a list)
                assert element in finding.message, (fmt, finding.message, element)
        keys[(finding.rule_id, index[0], element)] += 1
    return keys


@functools.lru_cache(maxsize=1)
def shipped_rules():
    return load_rules(check_shipped=True)


def lint_all_formats(rules, resource_policy: bool, document: dict, style: dict):
    rendered = {fmt: render(document, resource_policy, style) for fmt, (_, render) in FORMATS.items()}
    files = {f"{fmt}/{FORMATS[fmt][0]}": text for fmt, (text, _) in rendered.items()}
    with tempfile.TemporaryDirectory() as tmp:
        report = lint_files(Path(tmp), files, rules)
    assert report.errors == [], report.errors
    keys = {}
    for fmt, (text, ranges) in rendered.items():
        path = f"{fmt}/{FORMATS[fmt][0]}"
        keys[fmt] = finding_keys(fmt, text, ranges, document, [f for f in report.findings if f.path == path])
    return keys, rendered


@settings(
    max_examples=int(os.environ.get("POLICYLINT_CROSS_FORMAT_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(policies())
def test_same_findings_in_every_format(example) -> None:
    resource_policy, document, style = example
    keys, _ = lint_all_formats(shipped_rules(), resource_policy, document, style)
    expected = keys["json"]
    for fmt, found in keys.items():
        assert found == expected, (
            f"{fmt} differs from json:\n  json: {sorted(expected.items())}\n  {fmt}: {sorted(found.items())}")


FIXED_STYLE = {"single": False, "hcl_colon": False, "hcl_quote_keys": False, "heredoc_indent": True,
               "yaml_quote": "plain", "yaml_flow": False, "yaml_plain_scalars": False, "tf_ampersand": True,
               "tf_split_principals": True, "tf_default_effect": True, "json_slash_escape": True,
               "yaml_doc_string": False, "yaml_flow_statement": False}


@pytest.mark.parametrize(("resource_policy", "body", "expected"), [
    (False, [{"Effect": "Allow", "Action": ["secretsmanager:*", "s3:GetObject"], "Resource": "*"},
             {"Effect": "Allow", "NotAction": "iam:*", "NotResource": ["arn:aws:s3:::bucket"]},
             {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
              "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}],
     {"SM001", "SM002", "SM011", "SM012", "IAM002", "IAM003"}),
    (True, [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:role/app", "*"]},
             "Action": "secretsmanager:Get*", "Resource": "*"},
            {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": "secretsmanager:DescribeSecret", "Resource": "*"}],
     {"SM001", "SM003", "SM008", "IAM005"}),
])
def test_renderings_are_read_as_intended(resource_policy, body, expected) -> None:
    """Fixed policies with findings of most compared rules, so the property cannot pass vacuously."""
    keys, _ = lint_all_formats(shipped_rules(), resource_policy, {"Version": "2012-10-17", "Statement": body},
                               FIXED_STYLE)
    assert {rule for rule, _, _ in keys["json"]} == expected
    assert all(found == keys["json"] for found in keys.values())
