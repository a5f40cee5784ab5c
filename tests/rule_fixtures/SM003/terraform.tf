# SM003 in Terraform: the finding spans the whole statement; pins must be StringEquals AWSCURRENT exactly.

variable "stage" {
  type = string
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
    Statement = [
      # ruleid: SM003 @7-+5:8
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/app" }
        Action    = "secretsmanager:GetSecretValue"
        Resource  = "*"
      },
      # ok: SM003
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/app" }
        Action    = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        Resource  = "*"
        Condition = { StringEquals = { "SecretsManager:VersionStage" = "AWSCURRENT" } }
      },
      # IfExists does not pin: a request by VersionId alone passes.
      # ruleid: SM003 @7-+6:8
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/app" }
        Action    = "secretsmanager:Get*"
        Resource  = "*"
        Condition = { StringEqualsIfExists = { "secretsmanager:VersionStage" = "AWSCURRENT" } }
      },
      # Values are case-sensitive, and a list of stages lets AWSPREVIOUS through.
      # ruleid: SM003 @7-+6:8
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/app" }
        Action    = "secretsmanager:GetSecretValue"
        Resource  = "*"
        Condition = { StringEquals = { "secretsmanager:VersionStage" = "awscurrent" } }
      },
      # ruleid: SM003 @7-+6:8
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/app" }
        Action    = "secretsmanager:GetSecretValue"
        Resource  = "*"
        Condition = { StringEquals = { "secretsmanager:VersionStage" = ["AWSCURRENT", "AWSPREVIOUS"] } }
      },
      # A stage only known at plan time is not a pin to AWSCURRENT.
      # ruleid: SM003 @7-+6:8
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/app" }
        Action    = "secretsmanager:GetSecretValue"
        Resource  = "*"
        Condition = { StringEquals = { "secretsmanager:VersionStage" = var.stage } }
      },
      # ok: SM003
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/app" }
        Action    = "secretsmanager:DescribeSecret"
        Resource  = "*"
      },
      # ok: SM003
      {
        Effect    = "Deny"
        Principal = "*"
        Action    = "secretsmanager:*"
        Resource  = "*"
        Condition = { ArnNotEquals = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:role/secrets-admin" } }
      },
    ]
  })
}

resource "aws_secretsmanager_secret" "api" {
  name       = "api"
  kms_key_id = "alias/app"
}

data "aws_iam_policy_document" "api" {
  # ruleid: SM003 @3-+7:4
  statement {
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/app"]
    }
    actions   = ["secretsmanager:*"]
    resources = ["*"]
  }
  # ok: SM003
  statement {
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/reporting"]
    }
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "secretsmanager:VersionStage"
      values   = ["AWSCURRENT"]
    }
  }
}

resource "aws_secretsmanager_secret_policy" "api" {
  secret_arn          = aws_secretsmanager_secret.api.arn
  block_public_policy = true
  policy              = data.aws_iam_policy_document.api.json
}

resource "aws_iam_policy" "identity" {
  name = "identity"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      # Identity policies are not the secret's resource policy.
      # ok: SM003
      {
        Effect   = "Allow"
        Action   = "secretsmanager:GetSecretValue"
        Resource = aws_secretsmanager_secret.db.arn
      },
    ]
  })
}
