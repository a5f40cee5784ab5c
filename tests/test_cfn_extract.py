"""CloudFormation extraction: exact positions of documents, statements and elements, and resources."""
from __future__ import annotations

from cfn_support import DEMO, FIXTURES, documents_of, extract, resource, span, text_at, write

from linter.model import UNKNOWN, DocKind


def test_role_policies_and_trust_in_yaml():
    path = DEMO / "secrets.yaml"
    extraction = extract(path)
    assert extraction.errors == []
    assert extraction.files_scanned == 1
    identity, trust = documents_of(extraction, "OpsRole")
    assert (identity.kind, trust.kind) == (DocKind.IDENTITY, DocKind.TRUST)
    assert identity.path == "secrets.yaml"
    (statement,) = identity.statements
    assert span(statement.node.span) == (106, 17, 108, 46)
    assert span(statement.action.span) == (107, 25, 107, 41)
    assert text_at(path, statement.action.span) == "secretsmanager:*"
    assert identity.version.value == "2012-10-17"  # unquoted date stays a string
    assert span(statement.resource.span) == (108, 27, 108, 46)
    assert text_at(path, statement.resource.span) == "!Ref DatabaseSecret"
    assert statement.resource.value == UNKNOWN and statement.resource.ref == "DatabaseSecret"
    (trust_statement,) = trust.statements
    assert trust_statement.principal.plain() == {"AWS": f"arn:{UNKNOWN}:iam::{UNKNOWN}:root"}


def test_secret_resource_links_policy_and_rotation():
    path = DEMO / "secrets.yaml"
    extraction = extract(path)
    secret = resource(extraction, "DatabaseSecret")
    assert (secret.kind, secret.type, secret.path) == ("secret", "AWS::SecretsManager::Secret", "secrets.yaml")
    assert span(secret.span) == (25, 3, 25, 17)
    assert text_at(path, secret.span) == "DatabaseSecret"
    assert secret.attributes["name"].value == "prod/app/database"
    assert secret.attributes["kms_key_id"].ref == "DatabaseKey"
    assert secret.attributes["generate_secret_string"].plain()["PasswordLength"] == 32
    assert [r.address for r in secret.links["policies"]] == ["DatabaseSecretPolicy"]
    assert [r.address for r in secret.links["rotation"]] == ["DatabaseSecretRotation"]
    (document,) = secret.documents
    assert (document.kind, document.owner) == (DocKind.SECRET_RESOURCE, "DatabaseSecretPolicy")
    allow, deny = document.statements
    assert span(allow.node.span) == (45, 13, 53, 56)
    assert span(deny.action.span) == (57, 21, 57, 48)
    assert deny.condition.plain() == {
        "StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/SecretsAdmin"}  # parameter default
    }
    policy = resource(extraction, "DatabaseSecretPolicy")
    assert policy.kind == "secret_policy"
    assert policy.attributes["secret_arn"].ref == "DatabaseSecret"
    assert policy.attributes["block_public_policy"].value is True
    rotation = resource(extraction, "DatabaseSecretRotation")
    assert rotation.kind == "secret_rotation"
    assert rotation.attributes["rotation_rules"].plain() == {"automatically_after_days": 30}
    assert rotation.attributes["rotation_rules"].key_spans["automatically_after_days"].line == 70
    assert rotation.attributes["hosted_rotation_lambda"].plain() == {"RotationType": "PostgreSQLSingleUser"}
    key = resource(extraction, "DatabaseKey")
    assert key.kind == "kms_key"
    assert key.attributes["enable_key_rotation"].value is True
    assert [d.kind for d in key.documents] == [DocKind.KEY]


def test_managed_policy_with_sub_covering_all_secrets():
    path = DEMO / "managed-policy.yaml"
    extraction = extract(path)
    (document,) = documents_of(extraction, "ReportingSecretsPolicy")
    read, listing = document.statements
    assert read.resource.value == f"arn:{UNKNOWN}:secretsmanager:{UNKNOWN}:{UNKNOWN}:secret:*"
    assert span(read.resource.span) == (17, 23, 17, 108)
    assert text_at(path, read.resource.span).startswith('!Sub "arn:${AWS::Partition}')
    assert [a.value for a in read.action.value] == ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    assert span(read.action.value[1].span) == (16, 17, 16, 46)
    assert listing.resource.value == "*"
    lonely = resource(extraction, "ReportingApiKey")
    assert lonely.documents == [] and lonely.links == {}


def test_json_template_positions_and_string_policy():
    path = FIXTURES / "template.json"
    extraction = extract(path)
    assert extraction.errors == []
    (policy,) = documents_of(extraction, "TokenPolicy")
    assert policy.kind == DocKind.SECRET_RESOURCE
    (statement,) = policy.statements
    # The policy is a JSON string inside the JSON template: spans land on the escaped source characters.
    assert span(statement.action.span) == (12, 172, 12, 192)
    assert text_at(path, statement.action.span) == '\\"secretsmanager:*\\"'
    assert span(statement.resource.span) == (12, 208, 12, 213)
    assert span(policy.node.span) == (12, 28, 12, 216)
    # The secret is found from the ARN in SecretId (its name plus the random suffix).
    secret = resource(extraction, "TokenSecret")
    assert span(secret.span) == (4, 5, 4, 18)
    assert text_at(path, secret.span) == '"TokenSecret"'
    assert [r.address for r in secret.links["policies"]] == ["TokenPolicy"]
    assert secret.documents == [policy]
    assert secret.attributes["secret_string"].value == "not-a-real-token"
    identity, trust = documents_of(extraction, "ServiceRole")
    (statement,) = identity.statements
    assert statement.resource.value == f"arn:{UNKNOWN}:secretsmanager:*:*:secret:*"
    assert span(statement.resource.span) == (30, 31, 30, 118)
    assert span(statement.action.value[0].span) == (29, 30, 29, 61)
    assert trust.kind == DocKind.TRUST


def test_nested_stacks_are_not_followed_and_not_errors():
    extraction = extract(FIXTURES / "template.json")
    assert all(d.owner != "Nested" for d in extraction.documents)
    assert all(r.address != "Nested" for r in extraction.resources)


def test_json_string_policies_in_yaml():
    path = FIXTURES / "string-policy.yaml"
    extraction = extract(path)
    (literal,) = documents_of(extraction, "LiteralPolicy")
    (statement,) = literal.statements
    assert span(statement.action.span) == (9, 55, 9, 73)
    assert text_at(path, statement.action.span) == '"secretsmanager:*"'
    assert span(literal.node.span) == (7, 9, 10, 10)
    (sub,) = documents_of(extraction, "SubPolicy")
    (statement,) = sub.statements
    assert statement.resource.value == f"arn:{UNKNOWN}:secretsmanager:{UNKNOWN}:{UNKNOWN}:secret:*"
    assert span(statement.resource.span) == (16, 23, 16, 103)
    assert span(statement.action.span) == (15, 54, 15, 85)
    (quoted,) = documents_of(extraction, "QuotedPolicy")
    (statement,) = quoted.statements
    assert text_at(path, statement.action.span) == '"secretsmanager:Get*"'
    assert span(statement.action.span) == (20, 68, 20, 89)
    # An invalid policy string is an error at its position in the template; the rest is still read.
    error, sub_error = extraction.errors
    assert (error.path, error.line, error.column) == ("string-policy.yaml", 24, 39)
    assert error.message.startswith("policy string: invalid JSON")
    assert documents_of(extraction, "BrokenPolicy") == []
    # In a !Sub string, JSON is checked as written (once), before substitution.
    assert (sub_error.line, sub_error.column) == (28, 43)  # at the "$"
    assert documents_of(extraction, "BrokenSubPolicy") == []


def test_intrinsics_in_statements():
    path = FIXTURES / "intrinsics.yaml"
    extraction = extract(path)
    assert extraction.errors == []
    (document,) = documents_of(extraction, "AppPolicy")
    joined, conditional, union, unknown = document.statements
    # !Join of pseudo parameters and a !Sub with a !FindInMap variable.
    assert joined.resource.value == f"arn:{UNKNOWN}:secretsmanager:{UNKNOWN}:{UNKNOWN}:secret:prod/app/*"
    assert span(joined.resource.span) == (35, 23, 45, 70)
    # !Ref of a CommaDelimitedList parameter's default.
    assert [a.value for a in joined.action.value] == ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    assert span(joined.action.span) == (34, 21, 34, 33)
    # A statement under !If with an AWS::NoValue branch: the one real statement, at its own position.
    assert span(conditional.node.span) == (48, 15, 50, 39)
    assert conditional.resource.ref == "AppSecret"
    # !If inside an element: both branches are read, as an "any of" list.
    assert [a.value for a in union.action.value] == ["secretsmanager:DeleteSecret", "secretsmanager:*"]
    assert span(union.action.value[1].span) == (53, 83, 53, 101)
    assert text_at(path, union.action.value[1].span) == '"secretsmanager:*"'
    assert [(r.value, r.ref) for r in union.resource.value] == [(UNKNOWN, "AppSecret"), ("*", None)]
    assert span(union.resource.span) == (54, 23, 54, 62)
    # A parameter without default stays unknown, never "*".
    assert unknown.resource.value == UNKNOWN
    assert document.version.value == "2012-10-17"
    # An !If around a whole document gives both documents.
    first, second = documents_of(extraction, "AppRole")
    assert [d.kind for d in (first, second)] == [DocKind.TRUST, DocKind.TRUST]
    assert first.statements[0].principal.plain() == {"Service": "lambda.amazonaws.com"}
    assert second.statements[0].principal.plain() == {"AWS": "*"}
    assert span(second.statements[0].principal.span) == (69, 26, 69, 36)
    # Attributes: a !Sub with a parameter default; a KmsKeyId set in one branch only counts as unset.
    secret = resource(extraction, "AppSecret")
    assert secret.attributes["name"].value == "prod/app/db"
    assert "kms_key_id" not in secret.attributes


def test_cdk_output_is_a_plain_json_template():
    path = FIXTURES / "cdk.out" / "AppStack.template.json"
    extraction = extract(path)
    (document,) = documents_of(extraction, "HandlerServiceRoleDefaultPolicy")
    (statement,) = document.statements
    assert statement.resource.ref == "DbSecret685A0FA5"
    assert span(statement.resource.span) == (14, 20, 16, 9)
    secret = resource(extraction, "DbSecret685A0FA5")
    assert secret.attributes["metadata"].plain() == {"aws:cdk:path": "AppStack/DbSecret/Resource"}


def test_yaml_syntax_error_in_a_template_is_reported():
    extraction = extract(FIXTURES / "syntax-error.yaml")
    (error,) = extraction.errors
    assert (error.path, error.line, error.column) == ("syntax-error.yaml", 7, 18)
    assert error.message.startswith("invalid YAML")
    assert extraction.documents == [] and extraction.files_scanned == 1


def test_duplicate_keys_and_alias_bombs_are_errors():
    (duplicate,) = extract(FIXTURES / "duplicate.yaml").errors
    assert (duplicate.line, duplicate.column, duplicate.message) == (5, 3, "duplicate key 'Secret'")
    (bomb,) = extract(FIXTURES / "bomb.yaml").errors
    assert "alias" in bomb.message and bomb.line == 3


def test_non_templates_produce_nothing():
    other = FIXTURES / "other"
    for name in (".pre-commit-config.yaml", "deploy.yml", "k8s.yaml", "helm-deployment.yaml", "package.json"):
        extraction = extract(other / name)
        assert (extraction.documents, extraction.resources, extraction.errors, extraction.files_scanned) == (
            [], [], [], 0), name


def test_json_written_template_with_yaml_extension(tmp_path):
    path = write(tmp_path, "stack.template", '{\n  "Resources": {\n    "S": {"Type": "AWS::SecretsManager::Secret"}\n  }\n}\n')
    extraction = extract(path)
    secret = resource(extraction, "S")
    assert span(secret.span) == (3, 5, 3, 8)


def test_secret_id_by_name_and_getatt(tmp_path):
    path = write(tmp_path, "t.yaml", (
        "Resources:\n"
        "  Named:\n"
        "    Type: AWS::SecretsManager::Secret\n"
        "    Properties: {Name: team/db}\n"
        "  ByName:\n"
        "    Type: AWS::SecretsManager::ResourcePolicy\n"
        "    Properties:\n"
        "      SecretId: team/db\n"
        "      ResourcePolicy: {Statement: [{Effect: Deny, Principal: '*', Action: 'secretsmanager:Delete*', Resource: '*'}]}\n"
        "  Rotation:\n"
        "    Type: AWS::SecretsManager::RotationSchedule\n"
        "    Properties:\n"
        "      SecretId: !GetAtt Named.Id\n"
        "      RotationLambdaARN: arn:aws:lambda:eu-west-1:123456789012:function:rotate\n"
        "      RotationRules: {ScheduleExpression: rate(10 days), Duration: 2h}\n"
        "  Elsewhere:\n"
        "    Type: AWS::SecretsManager::ResourcePolicy\n"
        "    Properties:\n"
        "      SecretId: arn:aws:secretsmanager:eu-west-1:123456789012:secret:other-AbCdEf\n"
        "      ResourcePolicy: {Statement: []}\n"
    ))
    extraction = extract(path)
    secret = resource(extraction, "Named")
    assert [r.address for r in secret.links["policies"]] == ["ByName"]
    assert [r.address for r in secret.links["rotation"]] == ["Rotation"]
    rotation = resource(extraction, "Rotation")
    assert rotation.attributes["rotation_rules"].plain() == {"schedule_expression": "rate(10 days)", "duration": "2h"}
    assert rotation.attributes["rotation_lambda_arn"].value.endswith(":function:rotate")
    assert resource(extraction, "Elsewhere").kind == "secret_policy"  # kept, linked to nothing
    assert len(secret.documents) == 1
