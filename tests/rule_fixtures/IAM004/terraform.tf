# IAM004 in Terraform: iam:PassRole (directly, by wildcard or left by NotAction) on Resource "*".

variable "actions" {
  type = list(string)
}

resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Action = "iam:PassRole"
        # ruleid: IAM004 @20-23
        Resource = "*"
      },
      {
        # Restricting the service limits where the role goes, not which role.
        Effect    = "Allow"
        Action    = ["iam:Pass*", "iam:GetRole"]
        # ruleid: IAM004 @21-24
        Resource  = "*"
        Condition = { StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" } }
      },
      {
        Effect = "Allow"
        Action = "iam:PassRole"
        # ok: IAM004
        Resource = "arn:aws:iam::111122223333:role/app/*"
      },
      {
        Effect = "Allow"
        NotAction = ["s3:*"]
        # ruleid: IAM004 @20-23
        Resource = "*"
      },
      {
        # Every role but one can still be passed (IAM003 reports the NotResource).
        Effect = "Allow"
        Action = "iam:PassRole"
        # todoruleid: IAM004 gap=notresource
        NotResource = "arn:aws:iam::111122223333:role/admin"
      },
      {
        Effect = "Allow"
        Action = "iam:GetRole"
        # ok: IAM004
        Resource = "*"
      },
      {
        Effect = "Deny"
        Action = "iam:PassRole"
        # ok: IAM004
        Resource = "*"
      },
      {
        # Actions only known at plan time are not assumed to include PassRole.
        Effect = "Allow"
        Action = var.actions
        # ok: IAM004
        Resource = "*"
      },
    ]
  })
}

data "aws_iam_policy_document" "ci" {
  statement {
    actions = ["iam:passrole"]
    # ruleid: IAM004 @18-21
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "ci" {
  role   = "ci"
  policy = data.aws_iam_policy_document.ci.json
}
