# SM001 in Terraform (heredocs: terraform-heredoc.tf): jsonencode and aws_iam_policy_document forms, string and list actions,
# NotAction, Deny, unknown values, and a secret's resource policy.

resource "aws_iam_policy" "jsonencode" {
  name = "jsonencode"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        # ruleid: SM001 @18-36
        Action = "secretsmanager:*"
        Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"
      },
      {
        Effect = "Allow"
        Action = [
          # ruleid: SM001 @11-14
          "*",
          # ruleid: SM001 @11-38
          "SECRETSMANAGER:getsecret*",
          # ok: SM001
          "secretsmanager:DescribeSecret",
          # ok: SM001
          "s3:Get*",
        ]
        Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"
      },
      {
        # A NotAction that leaves Secrets Manager actions granted.
        Effect = "Allow"
        # ruleid: SM001 @21-39
        NotAction = ["iam:*", "kms:*"]
        Resource  = "*"
      },
      {
        Effect = "Allow"
        # ok: SM001
        NotAction = ["secretsmanager:*", "iam:*"]
        Resource  = "*"
      },
      {
        # Deny statements never grant.
        Effect = "Deny"
        # ok: SM001
        Action   = "secretsmanager:*"
        Resource = "*"
      },
      {
        Effect = "Allow"
        # ok: SM001
        Action   = "ec2:*"
        Resource = "*"
      },
    ]
  })
}

variable "actions" {
  type = list(string)
}

data "aws_iam_policy_document" "reader" {
  statement {
    # ruleid: SM001 @18-49
    actions   = ["secretsmanager:GetSecretValu?", "secretsmanager:DescribeSecret"]
    resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"]
  }
  statement {
    # ok: SM001
    not_actions = ["secretsmanager:*"]
    resources   = ["*"]
  }
  statement {
    # An action only known at plan time is not a wildcard.
    # ok: SM001
    actions   = var.actions
    resources = ["*"]
  }
  statement {
    effect = "Deny"
    # ok: SM001
    actions   = ["secretsmanager:Delete*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "reader" {
  name   = "reader"
  policy = data.aws_iam_policy_document.reader.json
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
        Principal = { AWS = "arn:aws:iam::111122223333:role/app" }
        # ruleid: SM001 @21-39
        Action    = "secretsmanager:*"
        Resource  = "*"
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
