"""SAM `Policies`: inline statements and policy templates expanded as SAM expands them."""
from __future__ import annotations

from cfn_support import DEMO, documents_of, extract, span, text_at, write

from linter.model import UNKNOWN, DocKind

ANY_SECRET = f"arn:{UNKNOWN}:secretsmanager:{UNKNOWN}:{UNKNOWN}:secret:*"


def test_get_secret_value_template_points_at_its_usage():
    path = DEMO / "sam-function.yaml"
    extraction = extract(path)
    template_doc, inline, basic = documents_of(extraction, "ApiFunction")
    assert basic.origin == "AWS managed policy AWSLambdaBasicExecutionRole"  # `- AWSLambdaBasicExecutionRole`
    assert text_at(path, basic.statements[0].action.span) == "AWSLambdaBasicExecutionRole"
    assert template_doc.kind == DocKind.IDENTITY
    (statement,) = template_doc.statements
    assert statement.effect.value == "Allow"
    assert [a.value for a in statement.action.value] == ["secretsmanager:GetSecretValue"]
    # Statement, effect and action sit on the template name; the resource on the SecretArn value.
    assert span(statement.node.span) == (34, 11, 34, 48)
    assert text_at(path, statement.action.span) == "AWSSecretsManagerGetSecretValuePolicy"
    assert span(statement.resource.span) == (35, 24, 35, 43)
    assert (statement.resource.value, statement.resource.ref) == (UNKNOWN, "ApiCredentials")
    # The inline statement keeps its own positions.
    (statement,) = inline.statements
    assert span(statement.action.span) == (38, 23, 38, 42)
    assert statement.resource.value == f"arn:{UNKNOWN}:secretsmanager:{UNKNOWN}:{UNKNOWN}:secret:api/*"


def test_rotation_template_expands_to_both_statements():
    path = DEMO / "sam-function.yaml"
    (document,) = documents_of(extract(path), "RotationFunction")
    rotate, password = document.statements
    assert [a.value for a in rotate.action.value] == [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecretVersionStage",
    ]
    assert rotate.resource.value == ANY_SECRET
    assert rotate.condition.plain() == {
        "StringEquals": {
            "secretsmanager:resource/AllowRotationLambdaArn":
                f"arn:{UNKNOWN}:lambda:{UNKNOWN}:{UNKNOWN}:function:api-credentials-rotation"
        }
    }
    assert [a.value for a in password.action.value] == ["secretsmanager:GetRandomPassword"]
    assert password.resource.value == "*"
    assert span(rotate.resource.span) == span(password.node.span) == (48, 11, 48, 42)


def test_state_machine_single_document_templates_and_managed_arns(tmp_path):
    path = write(tmp_path, "sam.yaml", (
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Flow:\n"
        "    Type: AWS::Serverless::StateMachine\n"
        "    Properties:\n"
        "      Policies:\n"
        "        Version: '2012-10-17'\n"
        "        Statement:\n"
        "          - Effect: Allow\n"
        "            Action: secretsmanager:*\n"
        "            Resource: '*'\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Policies:\n"
        "        - S3ReadPolicy: {BucketName: b}\n"
        "        - arn:aws:iam::aws:policy/ReadOnlyAccess\n"
        "        - KMSDecryptPolicy: {KeyId: !Ref Key}\n"
        "  Key:\n"
        "    Type: AWS::KMS::Key\n"
    ))
    extraction = extract(path)
    (flow,) = documents_of(extraction, "Flow")
    assert span(flow.statements[0].action.span) == (10, 21, 10, 37)
    read, decrypt, read_only = documents_of(extraction, "Fn")
    # Every SAM template is expanded from AWS's definitions; the bucket is placed on the value given.
    (statement,) = read.statements
    assert statement.resource.plain() == [f"arn:{UNKNOWN}:s3:::b", f"arn:{UNKNOWN}:s3:::b/*"]
    assert span(statement.resource.value[0].span) == (16, 38, 16, 39)
    assert span(statement.action.span) == (16, 11, 16, 23)
    assert read_only.origin == "AWS managed policy ReadOnlyAccess"
    assert span(read_only.statements[0].node.span) == (17, 11, 17, 49)
    (statement,) = decrypt.statements
    assert statement.action.value == "kms:Decrypt"
    assert statement.resource.value == f"arn:{UNKNOWN}:kms:{UNKNOWN}:{UNKNOWN}:key/{UNKNOWN}"
    assert span(statement.action.span) == (18, 11, 18, 27)


def test_policies_under_if(tmp_path):
    path = write(tmp_path, "sam.yaml", (
        "Transform: AWS::Serverless-2016-10-31\n"
        "Conditions:\n"
        "  Wide: !Equals [a, b]\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Policies:\n"
        "        - !If\n"
        "          - Wide\n"
        "          - AWSSecretsManagerGetSecretValuePolicy: {SecretArn: '*'}\n"
        "          - !Ref AWS::NoValue\n"
    ))
    (document,) = documents_of(extract(path), "Fn")
    (statement,) = document.statements
    assert statement.resource.value == "*"
    assert span(statement.resource.span) == (11, 64, 11, 67)


def _with_role(role: str) -> str:
    return ("Transform: AWS::Serverless-2016-10-31\n"
            "Conditions:\n"
            "  Own: !Equals [a, b]\n"
            "Resources:\n"
            "  Fn:\n"
            "    Type: AWS::Serverless::Function\n"
            "    Properties:\n"
            f"      Role: {role}\n"
            "      Policies:\n"
            "        - AWSSecretsManagerGetSecretValuePolicy: {SecretArn: '*'}\n"
            "        - arn:aws:iam::aws:policy/SecretsManagerReadWrite\n"
            "  Flow:\n"
            "    Type: AWS::Serverless::StateMachine\n"
            "    Properties:\n"
            f"      Role: {role}\n"
            "      Policies:\n"
            "        Statement:\n"
            "          - {Effect: Allow, Action: 'secretsmanager:*', Resource: '*'}\n")


def test_a_function_or_state_machine_with_its_own_role_has_no_policies_of_its_own(tmp_path):
    """SAM makes a role from `Policies` only when `Role` is not given: with a role in every deployment
    they are never deployed (no document, so no finding and no grant); a role set under a condition
    leaves the other deployments' role made from them."""
    for role in ("arn:aws:iam::111122223333:role/app", "!GetAtt Other.Arn", "!If [Own, !GetAtt A.Arn, !GetAtt B.Arn]"):
        extraction = extract(write(tmp_path, "sam.yaml", _with_role(role)))
        assert documents_of(extraction, "Fn") == documents_of(extraction, "Flow") == [], role
    for role in ("!If [Own, !GetAtt A.Arn, !Ref AWS::NoValue]", "!Ref AWS::NoValue", "null"):
        extraction = extract(write(tmp_path, "sam.yaml", _with_role(role)))
        read, read_write = documents_of(extraction, "Fn")
        (flow,) = documents_of(extraction, "Flow")
        assert span(read.statements[0].resource.span) == (10, 62, 10, 65), role
        assert read_write.origin == "AWS managed policy SecretsManagerReadWrite"
        assert span(flow.statements[0].action.span) == (18, 37, 18, 55)
