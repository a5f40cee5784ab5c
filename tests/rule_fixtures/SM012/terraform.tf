# SM012 in Terraform: the finding is the resource element that reaches every secret.

resource "aws_iam_policy" "rotation" {
  name = "rotation"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Action = ["secretsmanager:UpdateSecretVersionStage", "secretsmanager:DescribeSecret"]
        # ruleid: SM012 @20-23
        Resource = "*"
      },
      {
        Effect = "Allow"
        Action = "secretsmanager:Rotate*"
        # ruleid: SM012 @20-76
        Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:*"
      },
      {
        Effect = "Allow"
        Action = "secretsmanager:UpdateSecretVersionStage"
        # ok: SM012
        Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf"
      },
      {
        # The rotation function's own ARN scopes the statement (what SAM's rotation policy template does).
        Effect = "Allow"
        Action = ["secretsmanager:UpdateSecretVersionStage", "secretsmanager:PutSecretValue"]
        # ok: SM012
        Resource  = "*"
        Condition = { StringEquals = { "secretsmanager:resource/AllowRotationLambdaArn" = "arn:aws:lambda:eu-west-1:111122223333:function:rotate" } }
      },
      {
        Effect = "Allow"
        Action = "secretsmanager:RotateSecret"
        # ruleid: SM012 @23-85
        NotResource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:admin/*"
      },
      {
        Effect = "Allow"
        Action = "secretsmanager:GetSecretValue"
        # ok: SM012
        Resource = "*"
      },
    ]
  })
}

data "aws_iam_policy_document" "rotation" {
  statement {
    actions = ["secretsmanager:RotateSecret"]
    # ok: SM012
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/rotated-by"
      values   = ["$${aws:PrincipalTag/team}"]
    }
  }
  statement {
    actions = ["secretsmanager:*"]
    # ruleid: SM012 @18-21
    resources = ["*"]
    condition {
      test     = "StringLike"
      variable = "aws:ResourceTag/team"
      values   = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "rotation" {
  role   = "rotation"
  policy = data.aws_iam_policy_document.rotation.json
}
