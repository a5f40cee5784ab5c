# SM011 in Terraform: identity policies allowing PutResourcePolicy without requiring BlockPublicPolicy.

resource "aws_iam_policy" "admin" {
  name = "secrets-admin"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        # ruleid: SM011 @20-54
        Action   = "secretsmanager:PutResourcePolicy"
        Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"
      },
      {
        Effect = "Allow"
        # ruleid: SM011 @54-78
        Action   = ["secretsmanager:DescribeSecret", "secretsmanager:*Policy"]
        Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"
      },
      {
        Effect = "Allow"
        # ok: SM011
        Action    = "secretsmanager:PutResourcePolicy"
        Resource  = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"
        Condition = { Bool = { "secretsmanager:BlockPublicPolicy" = "true" } }
      },
      {
        Effect = "Allow"
        # ruleid: SM011 @21-55
        Action    = "secretsmanager:PutResourcePolicy"
        Resource  = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"
        Condition = { Bool = { "secretsmanager:BlockPublicPolicy" = "false" } }
      },
      {
        Effect = "Allow"
        # ruleid: SM011 @21-55
        Action    = "secretsmanager:PutResourcePolicy"
        Resource  = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"
        Condition = { BoolIfExists = { "secretsmanager:BlockPublicPolicy" = "true" } }
      },
      {
        Effect = "Allow"
        # Nothing here reaches a secret.
        # ok: SM011
        Action   = "secretsmanager:*"
        Resource = "arn:aws:s3:::bucket/*"
      },
      {
        Effect = "Deny"
        # ok: SM011
        Action   = "secretsmanager:PutResourcePolicy"
        Resource = "*"
      },
    ]
  })
}

data "aws_iam_policy_document" "ops" {
  statement {
    # ruleid: SM011 @19-50
    not_actions = ["secretsmanager:DeleteSecret"]
    resources   = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"]
  }
  statement {
    # ok: SM011
    actions   = ["secretsmanager:PutResourcePolicy"]
    resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"]
    condition {
      test     = "StringEquals"
      variable = "SecretsManager:BlockPublicPolicy"
      values   = ["true"]
    }
  }
}

resource "aws_iam_policy" "ops" {
  name   = "ops"
  policy = data.aws_iam_policy_document.ops.json
}
