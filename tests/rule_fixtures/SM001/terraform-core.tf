# Annotated fixture: `# ruleid: X` says rule X must fire on the next code line, `# ok: X` that it must not.
# Every finding of a rule named here must be annotated (tests/test_rule_fixtures.py).

resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Action = [
          # ruleid: SM001 @11-29, SM011 @11-29
          "secretsmanager:*",
          # ruleid: SM001 @11-37
          "SecretsManager:Get*Value",
          # ok: SM001
          "secretsmanager:DescribeSecret",
        ]
        # ruleid: SM002 @20-23
        Resource = "*"
      },
      {
        Effect = "Allow"
        # ok: SM001
        Action   = "secretsmanager:GetSecretValue"
        # ok: SM002
        Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/*"
      },
      {
        Effect = "Allow"
        # ok: SM001, SM002
        Action   = "secretsmanager:ListSecrets"
        Resource = "*"
      },
      {
        # Deny statements never grant.
        Effect = "Deny"
        # ok: SM001
        Action   = "secretsmanager:*"
        Resource = "*"
      },
    ]
  })
}

data "aws_iam_policy_document" "reader" {
  statement {
    # ruleid: SM001 @16-47
    actions = ["secretsmanager:GetSecretValu?"]
    # ruleid: SM002 @18-83
    resources = ["arn:aws:secretsmanager:${var.region}:${var.account_id}:secret:*"]
  }
  statement {
    actions = ["secretsmanager:GetSecretValue"]
    # ok: SM002
    resources = [var.secret_arn]
  }
}

resource "aws_iam_role_policy" "reader" {
  role   = "reader"
  policy = data.aws_iam_policy_document.reader.json
}

# ruleid: SM004 @1-49
resource "aws_secretsmanager_secret" "unguarded" {
  name       = "unguarded"
  kms_key_id = "alias/app"
}

resource "aws_secretsmanager_secret_rotation" "unguarded" {
  secret_id           = aws_secretsmanager_secret.unguarded.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate"
  rotation_rules {
    automatically_after_days = 30
  }
}

# ok: SM004
resource "aws_secretsmanager_secret" "guarded" {
  name       = "guarded"
  kms_key_id = "alias/app"
}

resource "aws_secretsmanager_secret_rotation" "guarded" {
  secret_id           = aws_secretsmanager_secret.guarded.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate"
  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_secretsmanager_secret_policy" "guarded" {
  secret_arn          = aws_secretsmanager_secret.guarded.arn
  block_public_policy = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      # ruleid: SM003 @7-+6:8
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/reporting" }
        Action    = "secretsmanager:GetSecretValue"
        Resource  = "*"
        Condition = { StringEqualsIfExists = { "secretsmanager:VersionStage" = "AWSCURRENT" } }
      },
      # ok: SM003
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/app" }
        Action    = "secretsmanager:GetSecretValue"
        Resource  = "*"
        Condition = { StringEquals = { "secretsmanager:VersionStage" = "AWSCURRENT" } }
      },
      {
        Effect    = "Deny"
        Principal = "*"
        Action    = "secretsmanager:DeleteSecret"
        Resource  = "*"
        Condition = { ArnNotEquals = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:role/secrets-admin" } }
      },
    ]
  })
}
