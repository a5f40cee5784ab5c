"""Plan JSON (`terraform show -json`): documents and resources from planned_values, positioned in the plan."""
from __future__ import annotations

from pathlib import Path

from tf_helpers import FIXTURES, at, document, resource

from linter.discover import SourceFile
from linter.formats.api import Source
from linter.formats.terraform.plan import extract_plan
from linter.model import UNKNOWN, DocKind, Span

PLAN = FIXTURES / "plan" / "plan.json"


def _extract(path: Path = PLAN):
    text = path.read_text()
    return extract_plan(Source(SourceFile(path, "plan.json"), text)), text


def test_plan_documents_are_located_inside_their_json_strings() -> None:
    result, text = _extract()
    assert result.files_scanned == 1 and result.errors == []
    doc = document(result, "aws_iam_policy.app")
    assert doc.kind is DocKind.IDENTITY and doc.path == "plan.json"
    (statement,) = doc.statements
    assert statement.action.value == "secretsmanager:*"
    assert statement.action.span == at(text, '\\"secretsmanager:*\\"') == Span(14, 52, 14, 72)
    assert statement.resource.span == at(text, '\\"*\\"')


def test_child_module_addresses_and_secret_links() -> None:
    result, text = _extract()
    secret = resource(result, "module.secrets.aws_secretsmanager_secret.this[0]")
    assert secret.span == at(text, '"address": "module.secrets.aws_secretsmanager_secret.this[0]"')
    assert secret.attributes["recovery_window_in_days"].value == 30
    assert secret.attributes["kms_key_id"].value == UNKNOWN  # known only after apply, never absent
    (policy,) = secret.documents
    assert policy.owner == "module.secrets.aws_secretsmanager_secret_policy.this[0]"
    assert policy.kind is DocKind.SECRET_RESOURCE
    deny = policy.statements[0]
    assert deny.principal.value == "*" and deny.principal.span == at(text, '\\"*\\"', 2)
    assert [r.address for r in secret.links["policies"]] == ["module.secrets.aws_secretsmanager_secret_policy.this[0]"]
    assert [r.address for r in secret.links["rotation"]] == ["module.secrets.aws_secretsmanager_secret_rotation.this[0]"]
    rotation = resource(result, "module.secrets.aws_secretsmanager_secret_rotation.this[0]")
    assert rotation.attributes["rotation_rules"].plain() == {
        "automatically_after_days": 30, "duration": None, "schedule_expression": None,
    }
    assert rotation.attributes["secret_id"].ref == "module.secrets.aws_secretsmanager_secret.this[0]"


def test_plan_data_sources_are_not_documents() -> None:
    result, _ = _extract()
    assert "module.secrets.data.aws_iam_policy_document.this[0]" not in [d.owner for d in result.documents]


def test_plan_links_by_known_arn(tmp_path: Path) -> None:
    text = """{
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_secretsmanager_secret.s", "mode": "managed", "type": "aws_secretsmanager_secret", "name": "s",
     "values": {"arn": "arn:aws:secretsmanager:eu-west-1:1:secret:s"}},
    {"address": "aws_secretsmanager_secret_policy.p", "mode": "managed", "type": "aws_secretsmanager_secret_policy",
     "name": "p", "values": {"secret_arn": "arn:aws:secretsmanager:eu-west-1:1:secret:s", "policy": "{\\"Statement\\": {\\"Effect\\": \\"Allow\\", \\"Principal\\": \\"*\\", \\"Action\\": \\"secretsmanager:GetSecretValue\\", \\"Resource\\": \\"*\\"}}"}}
  ]}}
}
"""
    path = tmp_path / "plan.json"
    path.write_text(text)
    result, _ = _extract(path)
    secret = resource(result, "aws_secretsmanager_secret.s")
    assert [r.address for r in secret.links["policies"]] == ["aws_secretsmanager_secret_policy.p"]
    (doc,) = secret.documents
    assert doc.statements[0].action.span == at(text, '\\"secretsmanager:GetSecretValue\\"')


def test_invalid_policy_string_in_plan_is_an_error(tmp_path: Path) -> None:
    text = '{"planned_values": {"root_module": {"resources": [{"address": "aws_iam_policy.p", "mode": "managed", ' \
           '"type": "aws_iam_policy", "name": "p", "values": {"policy": "{\\"Statement\\": ["}}]}}}\n'
    path = tmp_path / "plan.json"
    path.write_text(text)
    result, _ = _extract(path)
    (error,) = result.errors
    assert error.line == 1 and error.message.startswith("policy: invalid JSON")


_POLICY = '"{\\"Statement\\": [{\\"Effect\\": \\"Deny\\", \\"Principal\\": \\"*\\", \\"Action\\": \\"secretsmanager:DeleteSecret\\", \\"Resource\\": \\"*\\"}]}"'
MODULE_PLAN = """{
  "format_version": "1.2",
  "planned_values": {"root_module": {
    "resources": [
      {"address": "aws_secretsmanager_secret.db", "mode": "managed", "type": "aws_secretsmanager_secret", "name": "db",
       "values": {"name": "db"}},
      {"address": "aws_secretsmanager_secret_policy.p", "mode": "managed", "type": "aws_secretsmanager_secret_policy",
       "name": "p", "values": {"block_public_policy": true, "policy": POLICY}}
    ],
    "child_modules": [
      {"address": "module.guard", "resources": [
        {"address": "module.guard.aws_secretsmanager_secret_policy.g", "mode": "managed",
         "type": "aws_secretsmanager_secret_policy", "name": "g", "values": {"block_public_policy": true, "policy": POLICY}}]},
      {"address": "module.sec", "resources": [
        {"address": "module.sec.aws_secretsmanager_secret.this", "mode": "managed", "type": "aws_secretsmanager_secret",
         "name": "this", "values": {"name": "x"}}]}
    ]}},
  "resource_changes": [
    {"address": "aws_secretsmanager_secret.db", "change": {"after_unknown": {"arn": true, "id": true}}},
    {"address": "aws_secretsmanager_secret_policy.p", "change": {"after_unknown": {"secret_arn": true}}},
    {"address": "module.guard.aws_secretsmanager_secret_policy.g", "change": {"after_unknown": {"secret_arn": true}}},
    {"address": "module.sec.aws_secretsmanager_secret.this", "change": {"after_unknown": {"arn": true, "id": true}}}
  ],
  "configuration": {"root_module": {
    "resources": [
      {"address": "aws_secretsmanager_secret.db", "mode": "managed", "type": "aws_secretsmanager_secret", "name": "db",
       "expressions": {"name": {"constant_value": "db"}}},
      {"address": "aws_secretsmanager_secret_policy.p", "mode": "managed", "type": "aws_secretsmanager_secret_policy",
       "name": "p", "expressions": {"secret_arn": {"references": ["module.sec.arn", "module.sec"]}}}
    ],
    "module_calls": {
      "guard": {"source": "./guard",
                "expressions": {"secret_arn": {"references": ["aws_secretsmanager_secret.db.arn", "aws_secretsmanager_secret.db"]}},
                "module": {"resources": [
                  {"address": "aws_secretsmanager_secret_policy.g", "mode": "managed",
                   "type": "aws_secretsmanager_secret_policy", "name": "g",
                   "expressions": {"secret_arn": {"references": ["var.secret_arn"]}}}],
                  "variables": {"secret_arn": {}}}},
      "sec": {"source": "./sec",
              "module": {"resources": [
                {"address": "aws_secretsmanager_secret.this", "mode": "managed", "type": "aws_secretsmanager_secret",
                 "name": "this", "expressions": {"name": {"constant_value": "x"}}}],
                "outputs": {"arn": {"expression": {"references": ["aws_secretsmanager_secret.this.arn",
                                                                  "aws_secretsmanager_secret.this"]}}}}}
    }
  }}
}
""".replace("POLICY", _POLICY)


def test_plan_links_through_module_inputs_and_outputs(tmp_path: Path) -> None:
    """Secrets created by the plan have unknown ARNs: a guard in a child module fed the caller's secret
    (`secret_arn = var.secret_arn`) and a caller's policy on a child's secret (`module.sec.arn`) are linked by
    the references `configuration` records, through the call's argument and the child's output."""
    path = tmp_path / "plan.json"
    path.write_text(MODULE_PLAN)
    result, _ = _extract(path)
    links = {r.address: [p.address for p in r.links["policies"]] for r in result.resources if r.kind == "secret"}
    assert links == {"aws_secretsmanager_secret.db": ["module.guard.aws_secretsmanager_secret_policy.g"],
                     "module.sec.aws_secretsmanager_secret.this": ["aws_secretsmanager_secret_policy.p"]}
    from tf_helpers import run_check

    _, report, _ = run_check(tmp_path, "plan.json", select="SM004")
    assert report["findings"] == [] and report["errors"] == []  # both secrets are guarded
