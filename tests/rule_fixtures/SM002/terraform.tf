# SM002 in Terraform: "*", ARN patterns covering every secret, NotResource, scoping conditions, unknowns.

variable "secret_arn" {
  type = string
}

resource "aws_iam_policy" "app" {
  name = "app"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Action = "secretsmanager:GetSecretValue"
        # ruleid: SM002 @20-23
        Resource = "*"
      },
      {
        Effect = "Allow"
        Action = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        Resource = [
          # ok: SM002
          "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf",
          # ruleid: SM002 @11-67
          "arn:aws:secretsmanager:eu-west-1:111122223333:secret:*",
          # ruleid: SM002 @11-41
          "arn:aws:secretsmanager:*:*:*",
        ]
      },
      {
        # Actions that only accept "*" may stay on "*".
        Effect = "Allow"
        Action = ["secretsmanager:ListSecrets", "secretsmanager:GetRandomPassword", "secretsmanager:BatchGetSecretValue"]
        # ok: SM002
        Resource = "*"
      },
      {
        Effect = "Allow"
        Action = "secretsmanager:GetSecretValue"
        # ruleid: SM002 @23-85
        NotResource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:admin/*"
      },
      {
        # A fixed resource tag narrows the statement (ABAC).
        Effect    = "Allow"
        Action    = "secretsmanager:GetSecretValue"
        # ok: SM002
        Resource  = "*"
        Condition = { StringEquals = { "aws:ResourceTag/team" = "payments" } }
      },
      {
        # ... and so does the caller's own tag.
        Effect    = "Allow"
        Action    = "secretsmanager:GetSecretValue"
        # ok: SM002
        Resource  = "*"
        Condition = { StringEquals = { "aws:ResourceTag/team" = "$${aws:PrincipalTag/team}" } }
      },
      {
        # A condition on another key, or a wildcard tag value, does not.
        Effect    = "Allow"
        Action    = "secretsmanager:GetSecretValue"
        # ruleid: SM002 @21-24
        Resource  = "*"
        Condition = { StringLike = { "aws:ResourceTag/team" = "*" }, Bool = { "aws:SecureTransport" = "true" } }
      },
      {
        Effect   = "Deny"
        Action   = "secretsmanager:*"
        # ok: SM002
        Resource = "*"
      },
      {
        Effect   = "Allow"
        Action   = "secretsmanager:GetSecretValue"
        # ok: SM002
        Resource = var.secret_arn
      },
      {
        Effect   = "Allow"
        Action   = "s3:GetObject"
        # ok: SM002
        Resource = "*"
      },
    ]
  })
}

data "aws_iam_policy_document" "rotation" {
  statement {
    actions = ["secretsmanager:PutSecretValue"]
    # ruleid: SM002 @18-148
    resources = ["arn:${data.aws_partition.current.partition}:secretsmanager:${var.region}:${data.aws_caller_identity.current.account_id}:secret:*"]
  }
  statement {
    actions = ["secretsmanager:PutSecretValue"]
    # ok: SM002
    resources = ["arn:aws:secretsmanager:${var.region}:111122223333:secret:app/*"]
  }
  statement {
    actions = ["secretsmanager:GetSecretValue"]
    # ruleid: SM002 @21-85
    not_resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:admin/*"]
  }
  statement {
    actions = ["secretsmanager:GetSecretValue"]
    # ruleid: SM002 @21-86
    not_resources = ["arn:aws:secretsmanager:eu-west-1:${var.region}:secret:admin/*"]
  }
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    # ok: SM002
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "secretsmanager:SecretId"
      values   = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf"]
    }
  }
}

variable "region" {
  type = string
}

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

resource "aws_iam_role_policy" "rotation" {
  role   = "rotation"
  policy = data.aws_iam_policy_document.rotation.json
}

resource "aws_secretsmanager_secret" "db" {
  name       = "db"
  kms_key_id = "alias/app"
}

resource "aws_secretsmanager_secret_policy" "db" {
  secret_arn          = aws_secretsmanager_secret.db.arn
  block_public_policy = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:role/app" }
      Action    = "secretsmanager:DescribeSecret"
      # In a secret's own policy "*" means that secret.
      # ok: SM002
      Resource  = "*"
    }]
  })
}
