# SM004 when the secret's policy is a merged or partly dynamic aws_iam_policy_document: a guard from a source
# document counts; a document that cannot be read whole is not judged.

variable "extra_statements" {
  type = list(any)
}

variable "source_policy" {
  type = string
}

data "aws_iam_policy_document" "guard" {
  statement {
    sid     = "DenyDelete"
    effect  = "Deny"
    actions = ["secretsmanager:DeleteSecret"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    resources = ["*"]
    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = ["arn:aws:iam::111122223333:role/secrets-admin"]
    }
  }
}

data "aws_iam_policy_document" "merged" {
  source_policy_documents = [data.aws_iam_policy_document.guard.json]
  statement {
    sid     = "Read"
    actions = ["secretsmanager:GetSecretValue"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/app"]
    }
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "secretsmanager:VersionStage"
      values   = ["AWSCURRENT"]
    }
  }
}

# ok: SM004
resource "aws_secretsmanager_secret" "merged" {
  name       = "merged"
  kms_key_id = "alias/app"
}

resource "aws_secretsmanager_secret_policy" "merged" {
  secret_arn          = aws_secretsmanager_secret.merged.arn
  block_public_policy = true
  policy              = data.aws_iam_policy_document.merged.json
}

# A source document from a variable may hold the guard.
# ok: SM004
resource "aws_secretsmanager_secret" "from_source" {
  name       = "from-source"
  kms_key_id = "alias/app"
}

data "aws_iam_policy_document" "from_source" {
  source_policy_documents = [var.source_policy]
}

resource "aws_secretsmanager_secret_policy" "from_source" {
  secret_arn          = aws_secretsmanager_secret.from_source.arn
  block_public_policy = true
  policy              = data.aws_iam_policy_document.from_source.json
}

# So may a dynamic statement.
# ok: SM004
resource "aws_secretsmanager_secret" "dynamic" {
  name       = "dynamic"
  kms_key_id = "alias/app"
}

data "aws_iam_policy_document" "dynamic" {
  dynamic "statement" {
    for_each = var.extra_statements
    content {
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = ["*"]
    }
  }
}

resource "aws_secretsmanager_secret_policy" "dynamic" {
  secret_arn          = aws_secretsmanager_secret.dynamic.arn
  block_public_policy = true
  policy              = data.aws_iam_policy_document.dynamic.json
}

# A statement with the guard's Sid replaces the guard from the source document: no guard is left.
# ruleid: SM004 @1-50
resource "aws_secretsmanager_secret" "overridden" {
  name       = "overridden"
  kms_key_id = "alias/app"
}

data "aws_iam_policy_document" "weakened" {
  source_policy_documents = [data.aws_iam_policy_document.guard.json]
  statement {
    # Replaces the guard of the same Sid with an Allow.
    sid     = "DenyDelete"
    effect  = "Allow"
    actions = ["secretsmanager:DescribeSecret"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/app"]
    }
    resources = ["*"]
  }
}

resource "aws_secretsmanager_secret_policy" "overridden" {
  secret_arn          = aws_secretsmanager_secret.overridden.arn
  block_public_policy = true
  policy              = data.aws_iam_policy_document.weakened.json
}
