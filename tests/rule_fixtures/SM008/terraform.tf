# SM008 in Terraform: Principal "*" / {AWS = "*"} / NotPrincipal in a secret's policy, unless a condition
# pins the caller to fixed values.

variable "org_id" {
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
      {
        Effect    = "Allow"
        # ruleid: SM008 @21-24
        Principal = "*"
        Action    = "secretsmanager:DescribeSecret"
        Resource  = "*"
      },
      {
        Effect    = "Allow"
        # ruleid: SM008 @21-34
        Principal = { AWS = "*" }
        Action    = "secretsmanager:DescribeSecret"
        Resource  = "*"
        Condition = { StringLike = { "aws:PrincipalOrgID" = "o-*" } }
      },
      {
        Effect    = "Allow"
        # ok: SM008
        Principal = { AWS = ["*"] }
        Action    = "secretsmanager:DescribeSecret"
        Resource  = "*"
        Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
      },
      {
        Effect    = "Allow"
        # IfExists does not pin: a caller without the key passes.
        # ruleid: SM008 @21-24
        Principal = "*"
        Action    = "secretsmanager:DescribeSecret"
        Resource  = "*"
        Condition = { StringEqualsIfExists = { "aws:PrincipalAccount" = "111122223333" } }
      },
      {
        Effect       = "Allow"
        # ruleid: SM008 @24-75
        NotPrincipal = { AWS = "arn:aws:iam::111122223333:role/intruder" }
        Action       = "secretsmanager:DescribeSecret"
        Resource     = "*"
      },
      {
        Effect    = "Allow"
        # ok: SM008
        Principal = { AWS = "arn:aws:iam::111122223333:role/app" }
        Action    = "secretsmanager:DescribeSecret"
        Resource  = "*"
      },
      {
        Effect    = "Deny"
        # ok: SM008
        Principal = "*"
        Action    = "secretsmanager:DeleteSecret"
        Resource  = "*"
        Condition = { ArnNotEquals = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:role/secrets-admin" } }
      },
    ]
  })
}

resource "aws_secretsmanager_secret" "shared" {
  name       = "shared"
  kms_key_id = "alias/app"
}

data "aws_iam_policy_document" "shared" {
  statement {
    # A principals block is reported whole.
    # ruleid: SM008 @5-+3:6
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    actions   = ["secretsmanager:DescribeSecret"]
    resources = ["*"]
  }
  statement {
    # An organization id only known at plan time is still a fixed value.
    # ok: SM008
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    actions   = ["secretsmanager:DescribeSecret"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = [var.org_id]
    }
  }
}

resource "aws_secretsmanager_secret_policy" "shared" {
  secret_arn          = aws_secretsmanager_secret.shared.arn
  block_public_policy = true
  policy              = data.aws_iam_policy_document.shared.json
}
