"""Resources (secrets, their policies, rotations, versions, keys) and module-wide resolution across files."""
from __future__ import annotations

from pathlib import Path

from tf_helpers import FIXTURES, at, document, extract, resource, run_check, write

from linter.config import Settings
from linter.model import UNKNOWN, DocKind, Span
from linter.pipeline import extract_paths

MODULE = FIXTURES / "module"
MAIN = (MODULE / "main.tf").read_text()
POLICIES = (MODULE / "policies.tf").read_text()


def test_secret_resource_attributes_and_header_span() -> None:
    result = extract(MODULE)
    secret = resource(result, "aws_secretsmanager_secret.db")
    assert (secret.kind, secret.type, secret.path) == ("secret", "aws_secretsmanager_secret", f"{MODULE.as_posix()}/main.tf")
    assert secret.span == Span(1, 1, 1, 42) == at(MAIN, 'resource "aws_secretsmanager_secret" "db"')
    attributes = secret.attributes
    assert attributes["name"].value == "prod/db" and attributes["name"].span == at(MAIN, '"prod/db"')
    assert attributes["recovery_window_in_days"].value == 30
    assert attributes["kms_key_id"].value == UNKNOWN and attributes["kms_key_id"].ref == "aws_kms_key.secrets"
    assert attributes["description"].value == "Database credentials"
    assert attributes["replica"].plain() == [{"region": "eu-central-1", "kms_key_id": "alias/replica"}]
    assert attributes["replica"].value[0].span == Span(7, 3, 10, 4)


def test_secret_links_policies_rotation_and_versions_across_files() -> None:
    result = extract(MODULE)
    secret = resource(result, "aws_secretsmanager_secret.db")
    assert [r.address for r in secret.links["policies"]] == ["aws_secretsmanager_secret_policy.db"]
    assert [r.address for r in secret.links["rotation"]] == ["aws_secretsmanager_secret_rotation.db"]
    assert [r.address for r in secret.links["versions"]] == ["aws_secretsmanager_secret_version.db"]
    (policy,) = secret.documents
    assert policy.owner == "data.aws_iam_policy_document.db" and policy.kind is DocKind.SECRET_RESOURCE
    assert policy is document(result, "data.aws_iam_policy_document.db")
    other = resource(result, "aws_secretsmanager_secret.api")
    assert other.documents == [] and other.links["policies"] == []
    assert [r.address for r in other.links["versions"]] == ["aws_secretsmanager_secret_version.api"]


def test_secret_policy_document_is_merged_from_its_source() -> None:
    doc = document(extract(MODULE), "data.aws_iam_policy_document.db")
    assert [s.sid.value for s in doc.statements] == ["DenyDelete", "Read", "Extra"]
    deny, read, extra = doc.statements
    assert deny.principal.value == "*" and deny.principal.span == at(POLICIES, '["*"]', 2)
    assert deny.action.value[0].span == at(POLICIES, '"secretsmanager:DeleteSecret"')
    assert read.action.plain() == ["secretsmanager:GetSecretValue"]
    assert read.principal.plain() == {
        "AWS": ["arn:aws:iam::123456789012:role/reader", "arn:aws:iam::123456789012:role/auditor"]
    }
    assert read.principal.value["AWS"].value[0].span == at(POLICIES, '"arn:aws:iam::${local.account}:role/reader"')
    assert extra.principal.plain() == {"AWS": "arn:aws:iam::123456789012:role/reader"}
    # "base" is only a source: not reported on its own.
    assert "data.aws_iam_policy_document.base" not in [d.owner for d in extract(MODULE).documents]


def test_secret_policy_rotation_version_and_key_resources() -> None:
    result = extract(MODULE)
    policy = resource(result, "aws_secretsmanager_secret_policy.db")
    assert policy.kind == "secret_policy" and policy.span == at(POLICIES, 'resource "aws_secretsmanager_secret_policy" "db"')
    assert policy.attributes["block_public_policy"].value is True
    assert policy.attributes["secret_arn"].ref == "aws_secretsmanager_secret.db"
    assert [d.owner for d in policy.documents] == ["data.aws_iam_policy_document.db"]

    rotation = resource(result, "aws_secretsmanager_secret_rotation.db")
    rules = rotation.attributes["rotation_rules"]
    assert rules.plain() == {"automatically_after_days": 30, "duration": "2h"}
    assert rules.value["automatically_after_days"].span == Span(18, 32, 18, 34)
    assert rotation.attributes["rotation_lambda_arn"].value.startswith("arn:aws:lambda:")
    assert rotation.attributes["secret_id"].ref == "aws_secretsmanager_secret.db"

    version = resource(result, "aws_secretsmanager_secret_version.db")
    secret_string = version.attributes["secret_string"]
    assert secret_string.value["username"].value == "admin"
    assert secret_string.value["password"].value == UNKNOWN
    literal = resource(result, "aws_secretsmanager_secret_version.api").attributes["secret_string"]
    assert literal.value == "hunter2" and not literal.is_unknown

    key = resource(result, "aws_kms_key.secrets")
    assert key.kind == "kms_key" and key.attributes["enable_key_rotation"].value is True
    (key_policy,) = key.documents
    assert key_policy.kind is DocKind.KEY and key_policy.path == f"{MODULE.as_posix()}/policies/key.json"
    assert key_policy.owner == "aws_kms_key.secrets"


def test_variable_defaults_keep_the_position_of_the_default() -> None:
    doc = document(extract(MODULE), "aws_iam_group_policy.admins")
    (statement,) = doc.statements
    variables = (MODULE / "variables.tf").read_text()
    assert statement.action.plain() == ["secretsmanager:Describe*", "secretsmanager:List*"]
    assert statement.action.path == f"{MODULE.as_posix()}/variables.tf"
    assert statement.action.value[1].span == at(variables, '"secretsmanager:List*"')


def test_only_passed_files_are_reported_but_the_whole_module_is_resolved() -> None:
    """A file named alone is resolved with its module, and every document and resource it reaches is
    extracted (a sibling's document may place a finding in it) and what lies in the other files is hidden;
    a policy file a sibling reads is that sibling's, not extracted."""
    result = extract(MODULE / "main.tf")
    assert result.files_scanned == 1
    secret = resource(result, "aws_secretsmanager_secret.db")
    assert [d.owner for d in secret.documents] == ["data.aws_iam_policy_document.db"]  # from policies.tf
    assert {r.address for r in result.resources} >= {
        "aws_secretsmanager_secret.db", "aws_secretsmanager_secret_rotation.db",
        "aws_secretsmanager_secret_version.db", "aws_secretsmanager_secret.api",
        "aws_secretsmanager_secret_version.api", "aws_kms_key.secrets", "aws_secretsmanager_secret_policy.db",
    }
    assert sorted(Path(path).name for path in result.hidden) == ["admin.tf", "policies.tf", "variables.tf"]
    read = {Path(d.path).name for d in result.documents if not d.path.endswith(".tf")}
    assert read == {"key.json"}  # main.tf's; policies.tf's read.json and read.json.tpl are not extracted

    result = extract(MODULE / "policies.tf")
    assert {"aws_iam_policy.reader", "aws_iam_role_policy.file", "data.aws_iam_policy_document.db"} <= {
        d.owner for d in result.documents}
    assert sorted(Path(path).name for path in result.hidden) == ["admin.tf", "main.tf", "variables.tf"]
    assert {Path(d.path).name for d in result.documents} >= {"read.json", "read.json.tpl"}
    assert "key.json" not in {Path(d.path).name for d in result.documents}  # main.tf reads it


def test_a_document_in_an_unpassed_sibling_places_nothing_in_the_named_file(tmp_path: Path) -> None:
    write(tmp_path, {
        "locals.tf": 'locals {\n  p = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })\n}\n',
        "main.tf": 'resource "aws_iam_policy" "p" {\n  policy = local.p\n}\n',
    })
    alone = extract(tmp_path / "main.tf")
    (doc,) = alone.documents
    assert doc.owner == "aws_iam_policy.p" and doc.path == f"{tmp_path.as_posix()}/locals.tf"
    assert alone.hidden == {doc.path}  # every finding of it lies in locals.tf
    assert extract(tmp_path / "locals.tf").hidden == {f"{tmp_path.as_posix()}/main.tf"}
    assert run_check(tmp_path, "main.tf")[1]["findings"] == []
    # `policylint access` maps the documents written in the files named, as before.
    assert extract_paths([str(tmp_path / "main.tf")], Settings()).documents == []
    assert [d.owner for d in extract_paths([str(tmp_path / "locals.tf")], Settings()).documents] == ["aws_iam_policy.p"]
    assert {f["path"] for f in run_check(tmp_path, "locals.tf")[1]["findings"]} == {"locals.tf"}


def test_deprecated_inline_secret_policy_and_role_policies(tmp_path: Path) -> None:
    text = """\
resource "aws_secretsmanager_secret" "s" {
  name   = "s"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "secretsmanager:GetSecretValue", Resource = "*" }] })
}

resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }] })
  inline_policy {
    name   = "inline"
    policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:*", Resource = "*" }] })
  }
}

resource "aws_ssoadmin_permission_set_inline_policy" "sso" {
  inline_policy      = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = "*" }] })
  instance_arn       = "arn"
  permission_set_arn = "arn"
}

resource "aws_kms_key" "k" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "kms:*", Resource = "*" }] })
}
"""
    result = extract(write(tmp_path, {"main.tf": text}))
    secret = resource(result, "aws_secretsmanager_secret.s")
    (inline,) = secret.documents
    assert inline.kind is DocKind.SECRET_RESOURCE and inline.owner == "aws_secretsmanager_secret.s"
    kinds = sorted((d.owner, d.kind.value) for d in result.documents)
    assert kinds == [
        ("aws_iam_role.r", "identity"),
        ("aws_iam_role.r", "trust"),
        ("aws_kms_key.k", "key"),
        ("aws_secretsmanager_secret.s", "secret-resource"),
        ("aws_ssoadmin_permission_set_inline_policy.sso", "identity"),
    ]
    identity = next(d for d in result.documents if d.owner == "aws_iam_role.r" and d.kind is DocKind.IDENTITY)
    assert identity.statements[0].action.span == at(text, '"secretsmanager:*"')


def test_tf_json_module(tmp_path: Path) -> None:
    text = r"""{
  "locals": {"reader": "arn:aws:iam::123456789012:role/reader"},
  "resource": {
    "aws_secretsmanager_secret": {
      "db": {"name": "db", "recovery_window_in_days": 7}
    },
    "aws_secretsmanager_secret_policy": {
      "db": {
        "secret_arn": "${aws_secretsmanager_secret.db.arn}",
        "policy": "${data.aws_iam_policy_document.db.json}"
      }
    },
    "aws_iam_policy": {
      "app": {
        "policy": "${jsonencode({Statement = [{Effect = \"Allow\", Action = \"secretsmanager:*\", Resource = \"*\"}]})}"
      },
      "text": {
        "policy": "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"${local.reader}\"}]}"
      }
    }
  },
  "data": {
    "aws_iam_policy_document": {
      "db": {
        "statement": [
          {
            "actions": ["secretsmanager:GetSecretValue"],
            "resources": ["*"],
            "principals": {"type": "AWS", "identifiers": ["${local.reader}"]}
          }
        ]
      }
    }
  }
}
"""
    result = extract(write(tmp_path, {"main.tf.json": text}))
    assert result.errors == []
    secret = resource(result, "aws_secretsmanager_secret.db")
    assert secret.span == Span(5, 7, 5, 11)  # the resource name's key
    assert [d.owner for d in secret.documents] == ["data.aws_iam_policy_document.db"]
    doc = document(result, "data.aws_iam_policy_document.db")
    (statement,) = doc.statements
    assert statement.action.value[0].span == at(text, '"secretsmanager:GetSecretValue"')
    assert statement.principal.value["AWS"].value[0].value == "arn:aws:iam::123456789012:role/reader"
    app = document(result, "aws_iam_policy.app").statements[0]
    assert app.action.span == at(text, r'\"secretsmanager:*\"')
    text_doc = document(result, "aws_iam_policy.text").statements[0]
    assert text_doc.resource.value == "arn:aws:iam::123456789012:role/reader"
    assert text_doc.resource.span == at(text, r'\"${local.reader}\"')


def test_legacy_interpolation_only_strings_keep_documents_and_links(tmp_path: Path) -> None:
    text = """\
resource "aws_secretsmanager_secret" "s" {
  name = "s"
}

resource "aws_secretsmanager_secret_policy" "p" {
  secret_arn = "${aws_secretsmanager_secret.s.arn}"
  policy     = "${data.aws_iam_policy_document.d.json}"
}

data "aws_iam_policy_document" "d" {
  statement {
    effect    = "Deny"
    actions   = ["secretsmanager:DeleteSecret"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}
"""
    result = extract(write(tmp_path, {"main.tf": text}))
    secret = resource(result, "aws_secretsmanager_secret.s")
    assert [r.address for r in secret.links["policies"]] == ["aws_secretsmanager_secret_policy.p"]
    policy = resource(result, "aws_secretsmanager_secret_policy.p")
    assert policy.attributes["secret_arn"].span == at(text, '"${aws_secretsmanager_secret.s.arn}"')
    assert [d.owner for d in secret.documents] == ["data.aws_iam_policy_document.d"]
    assert secret.documents[0].statements[0].principal.plain() == {"AWS": ["*"]}
