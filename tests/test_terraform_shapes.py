"""Every place a policy lives in a `.tf` file, with the exact span of each element."""
from __future__ import annotations

from pathlib import Path

from tf_helpers import at, document, extract, write

from linter.model import UNKNOWN, DocKind, Span

JSONENCODE = """\
resource "aws_iam_policy" "app" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["secretsmanager:*", "s3:GetObject"]
      Resource = "*"
    }]
  })
}
"""


def test_jsonencode_each_element_has_its_span(tmp_path: Path) -> None:
    result = extract(write(tmp_path, {"main.tf": JSONENCODE}))
    doc = document(result, "aws_iam_policy.app")
    assert doc.kind is DocKind.IDENTITY and doc.path == f"{tmp_path.as_posix()}/main.tf"
    assert doc.node.span == Span(2, 23, 9, 4)
    (statement,) = doc.statements
    assert statement.node.span == Span(4, 18, 8, 6)
    first, second = statement.action.value
    assert (first.value, first.span) == ("secretsmanager:*", Span(6, 19, 6, 37))
    assert (second.value, second.span) == ("s3:GetObject", Span(6, 39, 6, 53))
    assert statement.resource.span == Span(7, 18, 7, 21)
    assert statement.effect.span == Span(5, 18, 5, 25)
    assert doc.version.plain() == "2012-10-17"
    assert statement.node.key_spans["Action"] == Span(6, 7, 6, 13)


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    text = (
        'resource "aws_iam_policy" "ü" {\n'
        '  policy = jsonencode({ Statement = [{ Sid = "Zugriff für ✓", Action = "secretsmanager:*" }] })\n'
        "}\n"
    )
    result = extract(write(tmp_path, {"main.tf": text}))
    (statement,) = document(result, "aws_iam_policy.ü").statements
    assert statement.action.span == at(text, '"secretsmanager:*"')
    assert statement.action.span == Span(2, 72, 2, 90)


HEREDOCS = """\
resource "aws_iam_role_policy" "plain" {
  role   = "r"
  policy = <<EOF
{
  "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]
}
EOF
}

resource "aws_iam_role_policy" "flush" {
  role   = "r"
  policy = <<-EOT
      {
        "Statement": [
          {
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",

            "Resource": "${aws_secretsmanager_secret.db.arn}"
          }
        ]
      }
  EOT
}
"""


def test_heredoc_positions_are_in_the_tf_file(tmp_path: Path) -> None:
    result = extract(write(tmp_path, {"main.tf": HEREDOCS}))
    (statement,) = document(result, "aws_iam_role_policy.plain").statements
    assert statement.action.span == at(HEREDOCS, '"secretsmanager:*"') == Span(5, 47, 5, 65)
    assert statement.resource.span == Span(5, 79, 5, 82)


def test_indented_heredoc_strips_indentation_but_keeps_source_columns(tmp_path: Path) -> None:
    result = extract(write(tmp_path, {"main.tf": HEREDOCS}))
    doc = document(result, "aws_iam_role_policy.flush")
    (statement,) = doc.statements
    assert statement.action.span == at(HEREDOCS, '"secretsmanager:GetSecretValue"') == Span(17, 23, 17, 54)
    assert statement.node.span == Span(15, 11, 20, 12)
    resource = statement.resource
    assert resource.value == UNKNOWN and resource.span == Span(19, 25, 19, 62)
    assert doc.node.span == Span(13, 7, 22, 8)


def test_flush_heredoc_value_is_dedented() -> None:
    from linter.formats.terraform import hcl
    from linter.loaders.strmap import MappedText

    text = 'x = <<-EOT\n    a\n\n      b ${y}\n${z} c\n  EOT\n'
    file, errors = hcl.parse(text, "x.tf")
    assert errors == []
    expression = hcl.attribute_parts(hcl.items(hcl.body_of(file.root))[0])[1]
    heredoc = expression.children[0].children[0]
    parts = hcl.template(file, heredoc).parts
    literal = "".join(p.text if isinstance(p, MappedText) else "#" for p in parts)
    # The line starting with an interpolation counts 0 spaces: nothing is stripped (as HCL does it).
    assert literal == "    a\n\n      b #\n# c\n"
    text = 'x = <<-EOT\n    a\n\n      b ${y}\n  EOT\n'
    file, _ = hcl.parse(text, "x.tf")
    heredoc = hcl.attribute_parts(hcl.items(hcl.body_of(file.root))[0])[1].children[0].children[0]
    parts = hcl.template(file, heredoc).parts
    assert "".join(p.text if isinstance(p, MappedText) else "#" for p in parts) == "a\n\n  b #\n"
    first = parts[0]
    assert first.offsets[0] == text.index("a")


QUOTED = (
    'resource "aws_iam_user_policy" "q" {\n'
    '  user   = "u"\n'
    '  policy = "{\\"Statement\\": [{\\"Sid\\": \\"caf\\u00e9\\", \\"Effect\\": \\"Allow\\", '
    '\\"Action\\": \\"secretsmanager:*\\", \\"Resource\\": \\"*\\"}]}"\n'
    "}\n"
)


def test_quoted_json_maps_escapes_back_to_source(tmp_path: Path) -> None:
    result = extract(write(tmp_path, {"main.tf": QUOTED}))
    (statement,) = document(result, "aws_iam_user_policy.q").statements
    assert statement.sid.value == "café"
    assert statement.sid.span == at(QUOTED, '\\"caf\\u00e9\\"')
    assert statement.action.span == at(QUOTED, '\\"secretsmanager:*\\"')
    assert statement.resource.span == at(QUOTED, '\\"*\\"')


LOCALS_AND_VARIABLES = """\
locals {
  region  = "eu-west-1"
  actions = ["secretsmanager:GetSecretValue", "secretsmanager:*"]
}

variable "account" {
  default = "123456789012"
}

variable "environment" {}

resource "aws_iam_policy" "app" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = local.actions
      Resource = "arn:aws:secretsmanager:${local.region}:${var.account}:secret:${var.environment}/*"
    }]
  })
}
"""


def test_locals_and_variables_resolve_with_their_own_positions(tmp_path: Path) -> None:
    result = extract(write(tmp_path, {"main.tf": LOCALS_AND_VARIABLES}))
    (statement,) = document(result, "aws_iam_policy.app").statements
    first, second = statement.action.value
    assert second.value == "secretsmanager:*" and second.span == at(LOCALS_AND_VARIABLES, '"secretsmanager:*"')
    resource = statement.resource
    assert resource.value == f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{UNKNOWN}/*"
    assert resource.span == at(LOCALS_AND_VARIABLES, '"arn:aws').cover(at(LOCALS_AND_VARIABLES, '/*"'))


def test_unknown_is_never_a_wildcard(tmp_path: Path) -> None:
    text = """\
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = module.x.arn }]
  })
}
"""
    (statement,) = document(extract(write(tmp_path, {"main.tf": text})), "aws_iam_policy.p").statements
    assert statement.action.value == UNKNOWN and statement.action.span == at(text, "var.actions")
    assert statement.resource.value == UNKNOWN and statement.resource.span == at(text, "module.x.arn")


POLICY_DOCUMENT = """\
data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Read"
    actions   = ["secretsmanager:*"]
    resources = ["*"]
  }
  statement {
    sid     = "Keep"
    actions = ["kms:Decrypt"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "merged" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [jsonencode({ Statement = [{ Sid = "Extra", Effect = "Deny", Action = "s3:*", Resource = "*" }] })]

  statement {
    sid       = "Read"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:role/a"]
    }
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:role/b"]
    }
    condition {
      test     = "StringEquals"
      variable = "secretsmanager:VersionStage"
      values   = ["AWSCURRENT"]
    }
  }
}

resource "aws_iam_policy" "uses" {
  policy = data.aws_iam_policy_document.merged.minified_json
}
"""


def test_policy_document_merges_sources_and_overrides_by_sid(tmp_path: Path) -> None:
    result = extract(write(tmp_path, {"main.tf": POLICY_DOCUMENT}))
    # "base" is only a source of "merged": its statements are reported through the merged document.
    assert [d.owner for d in result.documents] == ["data.aws_iam_policy_document.merged"]
    doc = result.documents[0]
    assert doc.kind is DocKind.IDENTITY  # it has a principal, but its use (aws_iam_policy) decides
    assert [s.sid.value for s in doc.statements] == ["Read", "Keep", "Extra"]
    read, keep, extra = doc.statements
    assert read.node.span == Span(18, 3, 36, 4)  # the own statement replaced the source's "Read" in place
    assert read.action.span == at(POLICY_DOCUMENT, '["secretsmanager:GetSecretValue"]')
    assert keep.action.span == at(POLICY_DOCUMENT, '["kms:Decrypt"]')
    assert extra.effect.value == "Deny" and extra.effect.span == at(POLICY_DOCUMENT, '"Deny"')
    assert doc.where == Span(14, 1, 14, 40)


def test_policy_document_principals_and_conditions(tmp_path: Path) -> None:
    result = extract(write(tmp_path, {"main.tf": POLICY_DOCUMENT}))
    read = result.documents[0].statements[0]
    assert read.effect.value == "Allow" and read.effect.span == Span(18, 3, 18, 12)  # the default, at `statement`
    assert read.principal.plain() == {
        "AWS": ["arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"]
    }
    assert read.principal.key_spans["AWS"] == at(POLICY_DOCUMENT, '"AWS"')
    assert read.principal.value["AWS"].value[1].span == at(POLICY_DOCUMENT, '"arn:aws:iam::123456789012:role/b"')
    assert read.condition.plain() == {"StringEquals": {"secretsmanager:VersionStage": ["AWSCURRENT"]}}
    inner = read.condition.value["StringEquals"]
    assert inner.key_spans["secretsmanager:VersionStage"] == at(POLICY_DOCUMENT, '"secretsmanager:VersionStage"')
    assert inner.value["secretsmanager:VersionStage"].value[0].span == at(POLICY_DOCUMENT, '"AWSCURRENT"')


def test_policy_document_kind_follows_use(tmp_path: Path) -> None:
    text = """\
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "secret" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_secretsmanager_secret_policy" "p" {
  secret_arn = aws_secretsmanager_secret.s.arn
  policy     = data.aws_iam_policy_document.secret.json
}

data "aws_iam_policy_document" "unused" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}
"""
    result = extract(write(tmp_path, {"main.tf": text}))
    assert document(result, "data.aws_iam_policy_document.trust").kind is DocKind.TRUST
    assert document(result, "data.aws_iam_policy_document.secret").kind is DocKind.SECRET_RESOURCE
    assert document(result, "data.aws_iam_policy_document.unused").kind is DocKind.IDENTITY


def test_dynamic_statement_lints_what_is_static(tmp_path: Path) -> None:
    text = """\
data "aws_iam_policy_document" "d" {
  dynamic "statement" {
    for_each = var.statements
    content {
      actions   = ["secretsmanager:*"]
      resources = statement.value.resources
      dynamic "principals" {
        for_each = statement.value.principals
        content {
          type        = principals.value.type
          identifiers = principals.value.identifiers
        }
      }
    }
  }
}
"""
    result = extract(write(tmp_path, {"main.tf": text}))
    (statement,) = document(result, "data.aws_iam_policy_document.d").statements
    assert statement.action.plain() == ["secretsmanager:*"]
    assert statement.action.value[0].span == at(text, '"secretsmanager:*"')
    assert statement.resource.value == UNKNOWN
    assert statement.principal.plain() == {UNKNOWN: UNKNOWN}


def test_unknown_count_keeps_the_address_and_known_count_makes_instances(tmp_path: Path) -> None:
    text = """\
resource "aws_iam_policy" "p" {
  count    = var.create ? 1 : 0
  for_each = toset(["a"])
  policy = jsonencode({
    Statement = [for s in var.statements : { Effect = "Allow", Action = s }]
  })
}

resource "aws_iam_policy" "q" {
  count  = 2
  policy = data.aws_iam_policy_document.d[count.index].json
}

data "aws_iam_policy_document" "d" {
  count = 2
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
  }
}
"""
    result = extract(write(tmp_path, {"main.tf": text}))
    assert document(result, "aws_iam_policy.p").statements == []
    assert document(result, "data.aws_iam_policy_document.d[0]").kind is DocKind.IDENTITY
    assert document(result, "data.aws_iam_policy_document.d[1]").kind is DocKind.IDENTITY


def test_same_document_used_twice_is_reported_once(tmp_path: Path) -> None:
    text = """\
locals {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:*", Resource = "*" }] })
}

resource "aws_iam_policy" "a" {
  policy = local.policy
}

resource "aws_iam_policy" "b" {
  policy = local.policy
}
"""
    result = extract(write(tmp_path, {"main.tf": text}))
    (doc,) = result.documents
    assert doc.owner == "aws_iam_policy.a"
    assert doc.statements[0].action.span == at(text, '"secretsmanager:*"')


def test_file_and_templatefile_point_into_the_read_file() -> None:
    module = Path(__file__).parent / "fixtures" / "terraform" / "module"
    result = extract(module)
    display = module.as_posix()
    doc = document(result, "aws_iam_role_policy.file")
    json_text = (module / "policies" / "read.json").read_text()
    assert doc.path == f"{display}/policies/read.json"
    (statement,) = doc.statements
    assert statement.resource.path == doc.path
    assert statement.resource.span == at(json_text, '"arn:aws:secretsmanager:*:*:secret:*"') == Span(7, 19, 7, 56)

    template = (module / "templates" / "read.json.tpl").read_text()
    doc = document(result, "aws_iam_policy.reader")
    assert doc.path == f"{display}/templates/read.json.tpl"
    (statement,) = doc.statements
    assert statement.action.value[0].span == at(template, '"secretsmanager:GetSecretValue"')
    assert statement.resource.value == UNKNOWN and statement.resource.span == at(template, '"${secret_arn}"')
    stage = statement.condition.value["StringEquals"].value["secretsmanager:VersionStage"]
    assert stage.value == "AWSCURRENT" and stage.span == at(template, '"${stage}"')


def test_file_outside_the_scanned_tree_is_never_read(tmp_path: Path) -> None:
    write(tmp_path, {"secret.json": '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'})
    module = write(tmp_path / "mod", {"main.tf": 'resource "aws_iam_policy" "p" {\n  policy = file("../secret.json")\n}\n'})
    result = extract(module)
    assert result.documents == [] and result.errors == []


def test_invalid_literal_json_policy_is_an_error(tmp_path: Path) -> None:
    text = 'resource "aws_iam_policy" "p" {\n  policy = <<EOF\n{"Statement": [}\nEOF\n}\n'
    result = extract(write(tmp_path, {"main.tf": text}))
    (error,) = result.errors
    assert (error.line, error.column) == (3, 16) and "policy" in error.message
    assert result.documents == []


def test_policy_text_with_unknown_values_outside_strings_still_parses(tmp_path: Path) -> None:
    text = """\
resource "aws_iam_policy" "p" {
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": ${jsonencode(var.arns)}}]}
EOF
}
"""
    (statement,) = document(extract(write(tmp_path, {"main.tf": text})), "aws_iam_policy.p").statements
    assert statement.resource.value == UNKNOWN
    assert statement.resource.span == at(text, "${jsonencode(var.arns)}")
    assert statement.action.span == at(text, '"secretsmanager:*"')


AMPERSAND = """\
data "aws_iam_policy_document" "abac" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:&{aws:username}/*", "*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/&{aws:PrincipalTag/team}"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/team"
      values   = ["&{aws:PrincipalTag/team}"]
    }
  }
}
"""


def test_data_source_ampersand_is_a_policy_variable(tmp_path: Path) -> None:
    """The AWS provider writes `&{...}` in resources, principals and condition values as `${...}` (so that
    Terraform does not interpolate it): the document policylint reads is the one the provider renders."""
    result = extract(write(tmp_path, {"main.tf": AMPERSAND}))
    (statement,) = document(result, "data.aws_iam_policy_document.abac").statements
    mine, star = statement.resource.value
    assert mine.value == "arn:aws:secretsmanager:eu-west-1:111122223333:secret:${aws:username}/*"
    assert mine.span == at(AMPERSAND, '"arn:aws:secretsmanager:eu-west-1:111122223333:secret:&{aws:username}/*"')
    assert star.value == "*"
    (role,) = statement.principal.get("AWS").value
    assert role.value == "arn:aws:iam::111122223333:role/${aws:PrincipalTag/team}"
    (team,) = statement.condition.get("StringEquals").get("aws:ResourceTag/team").value
    assert team.value == "${aws:PrincipalTag/team}" and team.span == at(AMPERSAND, '"&{aws:PrincipalTag/team}"')


def test_data_source_ampersand_condition_is_not_a_fixed_tag(lint) -> None:
    """`team-&{aws:PrincipalTag/team}` holds a policy variable, so it is not a fixed tag value (nor exactly the
    caller's own tag, which attribute-based access may use): SM002 fires as for the JSON."""
    text = AMPERSAND.replace('values   = ["&{aws:PrincipalTag/team}"]', 'values   = ["team-&{aws:PrincipalTag/team}"]')
    text += 'resource "aws_iam_policy" "abac" {\n  policy = data.aws_iam_policy_document.abac.json\n}\n'
    findings = lint({"main.tf": text}).findings
    assert [(f.rule_id, f.span) for f in findings if f.rule_id == "SM002"] == [("SM002", at(text, '"*"'))]
