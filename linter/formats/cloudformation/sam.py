"""SAM `Policies`: inline documents, and policy templates expanded to the statements SAM generates.

The template definitions below restate, for the templates that grant Secrets Manager or KMS actions,
the public `policy_templates.json` of aws/serverless-application-model: `${name}` stands for the value
given for template parameter `name`, `${AWS::...}` for a pseudo parameter (unknown offline). Other
templates grant no secret or key access and are not expanded. Every node of an expanded statement is
placed on the template's usage: its name, or the parameter value it was built from.
"""
from __future__ import annotations

from linter.formats.cloudformation.intrinsics import Evaluator
from linter.model import UNKNOWN, Node, Span

_ANY_SECRET = "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:*"
_LAMBDA = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${FunctionName}"
_KEY = "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${KeyId}"

# name -> statements, with "${Param}" for template parameters (a whole-string "${Param}" is the
# parameter's own value, so `SecretArn: !Ref DatabaseSecret` stays a reference to that secret).
POLICY_TEMPLATES: dict[str, list[dict]] = {
    "AWSSecretsManagerGetSecretValuePolicy": [
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": "${SecretArn}"},
    ],
    "AWSSecretsManagerRotationPolicy": [
        {
            "Effect": "Allow",
            "Action": [
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue",
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecretVersionStage",
            ],
            "Resource": _ANY_SECRET,
            "Condition": {"StringEquals": {"secretsmanager:resource/AllowRotationLambdaArn": _LAMBDA}},
        },
        {"Effect": "Allow", "Action": ["secretsmanager:GetRandomPassword"], "Resource": "*"},
    ],
    "KMSDecryptPolicy": [{"Action": "kms:Decrypt", "Effect": "Allow", "Resource": _KEY}],
    "KMSEncryptPolicy": [{"Action": "kms:Encrypt", "Effect": "Allow", "Resource": _KEY}],
}


def policy_documents(policies: Node, evaluator: Evaluator) -> list[Node]:
    """IAM-shaped document nodes for a SAM function's or state machine's `Policies` property."""
    documents: list[Node] = []
    for alternative in evaluator.alternatives(policies):
        for entry in alternative.items_list():
            documents += _entry(entry, evaluator)
    return documents


def _entry(entry: Node, evaluator: Evaluator) -> list[Node]:
    """One `Policies` item: a managed policy name/ARN (nothing to read), a document, or a template."""
    if not isinstance(entry.value, dict):
        return []
    if "Statement" in entry.value:
        return [entry]
    if len(entry.value) != 1:
        return []
    ((name, parameters),) = entry.value.items()
    definition = POLICY_TEMPLATES.get(name)
    if definition is None:
        return []
    name_span = (entry.key_spans or {}).get(name, entry.span)
    expander = _Expander(evaluator, parameters, name_span, entry.path)
    statements = [expander.build(statement) for statement in definition]
    statement_list = Node(statements, entry.span, entry.path)
    return [Node({"Statement": statement_list}, entry.span, entry.path, {"Statement": name_span})]


class _Expander:
    """Builds a template's statement as Nodes, substituting the usage's parameter values."""

    def __init__(self, evaluator: Evaluator, parameters: Node, span: Span, path: str) -> None:
        self.evaluator = evaluator
        self.parameters = parameters.value if isinstance(parameters.value, dict) else {}
        self.span = span
        self.path = path

    def build(self, value: object) -> Node:
        if isinstance(value, dict):
            items = {key: self.build(item) for key, item in value.items()}
            return Node(items, self.span, self.path, {key: self.span for key in items})
        if isinstance(value, list):
            return Node([self.build(item) for item in value], self.span, self.path)
        return self.string(str(value))

    def string(self, text: str) -> Node:
        whole = self.parameters.get(text[2:-1]) if text.startswith("${") and text.endswith("}") else None
        if whole is not None and text.count("${") == 1:
            value = self.evaluator.value(whole)
            if value is not None and not isinstance(value.value, (dict, list)):
                return Node(value.value, whole.span, self.path, None, value.ref)
            return Node(UNKNOWN, whole.span, self.path)
        node = Node(text, self.span, self.path)
        result, _ = self.evaluator.substitute(text, self.parameters, node)
        return Node(result, self.span, self.path)
