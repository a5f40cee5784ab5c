"""Offline evaluation of intrinsic functions: known parts are computed, the rest is UNKNOWN (never `*`)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cfn_support import managed_policy_template
from linter.formats.cloudformation.syntax import INTRINSIC_TAGS
from linter.formats.cloudformation.intrinsics import MAX_VARIANTS, Evaluator, Template
from linter.loaders.yamlpos import load
from linter.model import UNKNOWN

HEADER = (
    "Parameters:\n"
    "  Env: {Type: String, Default: prod}\n"
    "  Free: {Type: String}\n"
    "  Port: {Type: Number, Default: 5432}\n"
    "  List: {Type: CommaDelimitedList, Default: 'a,b, c'}\n"
    "  Ssm: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /app/name}\n"
    "Mappings:\n"
    "  M: {prod: {Name: db, Names: [x, y]}}\n"
    "Resources:\n"
    "  Secret: {Type: AWS::SecretsManager::Secret}\n"
)


def evaluate(expression: str) -> list:
    root = load(HEADER + f"Outputs:\n  X:\n    Value: {expression}\n", "t.yaml", INTRINSIC_TAGS)
    evaluator = Evaluator(Template.of(root, "t.yaml"))
    node = root.get("Outputs").get("X").get("Value")
    return [(alt.plain(), alt.ref) for alt in evaluator.alternatives(node)]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("!Ref Env", [("prod", None)]),
        ("!Ref Free", [(UNKNOWN, None)]),
        ("!Ref Port", [(5432, None)]),
        ("!Ref List", [(["a", "b", "c"], None)]),
        ("!Ref Ssm", [(UNKNOWN, None)]),
        ("!Ref Secret", [(UNKNOWN, "Secret")]),
        ("!Ref AWS::Region", [(UNKNOWN, None)]),
        ("!Ref AWS::NoValue", []),
        ("!Ref Undeclared", [(UNKNOWN, None)]),
        ("!GetAtt Secret.Id", [(UNKNOWN, "Secret")]),
        ("!GetAtt [Secret, Id]", [(UNKNOWN, "Secret")]),
        ("!GetAtt Other.Arn", [(UNKNOWN, None)]),
        ("!Sub '${Secret}'", [(UNKNOWN, "Secret")]),
        ("!Sub 'arn:${AWS::Partition}:x:${Env}:${Port}:${!Literal}'", [(f"arn:{UNKNOWN}:x:prod:5432:${{Literal}}", None)]),
        ("!Sub ['${A}-${B}', {A: !Ref Env, B: !GetAtt Secret.Id}]", [(f"prod-{UNKNOWN}", None)]),
        ("!Sub '${Secret.Arn}'", [(UNKNOWN, "Secret")]),
        ("!Join [':', [a, !Ref Free, !Ref Env]]", [(f"a:{UNKNOWN}:prod", None)]),
        ("!Join ['', [!Ref Secret]]", [(UNKNOWN, "Secret")]),
        ("!Join [',', !Ref List]", [("a,b,c", None)]),
        ("!Select [1, !Ref List]", [("b", None)]),
        ("!Select [9, !Ref List]", [(UNKNOWN, None)]),
        ("!Split [',', 'x,y']", [(["x", "y"], None)]),
        ("!FindInMap [M, !Ref Env, Name]", [("db", None)]),
        ("!FindInMap [M, !Ref Env, Names]", [(["x", "y"], None)]),
        ("!FindInMap [M, !Ref Free, Name]", [(UNKNOWN, None)]),
        ("!If [C, a, b]", [("a", None), ("b", None)]),
        ("!If [C, a, !Ref AWS::NoValue]", [("a", None)]),
        ("[a, !If [C, b, !Ref AWS::NoValue], !If [C, [c, d], e]]", [(["a", "b", "c", "d", "e"], None)]),
        ("{Effect: !If [C, Allow, Deny], Action: !If [C, x, y]}",
         [({"Effect": "Allow", "Action": ["x", "y"]}, None), ({"Effect": "Deny", "Action": ["x", "y"]}, None)]),
        ("!ImportValue shared", [(UNKNOWN, None)]),
        ("!Base64 x", [(UNKNOWN, None)]),
        ("!GetAZs ''", [(UNKNOWN, None)]),
        ("!Cidr [10.0.0.0/16, 2, 8]", [(UNKNOWN, None)]),
        ("!Transform {Name: AWS::Include}", [(UNKNOWN, None)]),
        ("{'Fn::Unheard': x}", [(UNKNOWN, None)]),
        ("'{{resolve:secretsmanager:other:SecretString:password}}'", [(UNKNOWN, None)]),
        ("'{\"password\": \"{{resolve:ssm-secure:/db/password:1}}\"}'", [(f'{{"password": "{UNKNOWN}"}}', None)]),
        ("'arn:aws:kms:{{resolve:ssm:/region}}:111122223333:key/{{resolve:ssm:/key}}'",
         [(f"arn:aws:kms:{UNKNOWN}:111122223333:key/{UNKNOWN}", None)]),
        ("!Sub '{{resolve:ssm:/${Env}/name}}-x'", [(f"{UNKNOWN}-x", None)]),
        ("!Join ['', ['{{resolve:ssm:', !Ref Env, '}}']]", [(UNKNOWN, None)]),
        ("'{{resolve half-open'", [("{{resolve half-open", None)]),
    ],
)
def test_evaluation(expression, expected):
    assert evaluate(expression) == expected


def test_evaluated_values_are_placed_at_the_usage():
    root = load(HEADER + "Outputs:\n  X:\n    Value: !FindInMap [M, prod, Names]\n", "t.yaml", INTRINSIC_TAGS)
    node = root.get("Outputs").get("X").get("Value")
    (value,) = Evaluator(Template.of(root, "t.yaml")).alternatives(node)
    assert all(item.span == node.span for item in value.value)


def test_variants_are_capped():
    value = ("{Sid: !If [C, '1', '2'], Effect: !If [C, a, b], Version: !If [C, x, y], "
             "Condition: !If [C, {A: {k: v}}, {B: {k: v}}]}")
    root = load(f"Outputs: {{X: {{Value: {value}}}}}\n", tags=INTRINSIC_TAGS)
    node = root.get("Outputs").get("X").get("Value")
    alternatives = Evaluator(Template.of(root, "")).alternatives(node)
    assert len(alternatives) == MAX_VARIANTS  # 16 combinations, capped
    assert alternatives[0].plain() == {"Sid": "1", "Effect": "a", "Version": "x", "Condition": {"A": {"k": "v"}}}


@given(st.text(alphabet="ab${}!:.-*/ ", max_size=30))
def test_sub_never_produces_a_bare_wildcard_from_unknowns(text):
    root = load(HEADER, tags=INTRINSIC_TAGS)
    evaluator = Evaluator(Template.of(root, ""))
    result, _ = evaluator.substitute(text, {}, root)
    assert result.count("*") <= text.count("*")


def test_a_dynamic_reference_is_a_deploy_time_value_in_policies(lint):
    """`{{resolve:...}}` is not a malformed ARN (no IAM006), and an ARN whose account is resolved at deploy
    time on `secret:*` still covers every secret of that account (SM002)."""
    template = managed_policy_template(
        "          - Effect: Allow\n"
        "            Action: secretsmanager:GetSecretValue\n"
        "            Resource: '{{resolve:ssm:/app/secret-arn}}'\n"
        "          - Effect: Allow\n"
        "            Action: secretsmanager:GetSecretValue\n"
        "            Resource: 'arn:aws:secretsmanager:eu-west-1:{{resolve:ssm:/app/account}}:secret:*'\n"
    )
    report = lint({"template.yaml": template})
    assert [(f.rule_id, f.span.line, f.span.column, f.span.end_line, f.span.end_column) for f in report.findings] == [
        ("SM002", 14, 23, 14, 23 + len("'arn:aws:secretsmanager:eu-west-1:{{resolve:ssm:/app/account}}:secret:*'"))]
    assert report.findings[0].message.startswith("'arn:aws:secretsmanager:eu-west-1:…:secret:*' covers every secret")
