# IAM003 in Terraform: an Allow with NotResource, in any kind of policy.

resource "aws_iam_policy" "reader" {
  name = "reader"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Action = "s3:GetObject"
        # ruleid: IAM003 @23-47
        NotResource = "arn:aws:s3:::payroll/*"
      },
      {
        Effect = "Allow"
        Action = "s3:GetObject"
        # ruleid: IAM003 @23-70
        NotResource = ["arn:aws:s3:::payroll/*", "arn:aws:s3:::hr/*"]
      },
      {
        Effect = "Deny"
        Action = "s3:*"
        # ok: IAM003
        NotResource = ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
      },
      {
        Effect = "Allow"
        Action = "s3:GetObject"
        # ok: IAM003
        Resource = "arn:aws:s3:::reports/*"
      },
    ]
  })
}

data "aws_iam_policy_document" "reader" {
  statement {
    actions = ["secretsmanager:GetSecretValue"]
    # ruleid: IAM003 @21-43
    not_resources = [var.admin_secret_arn]
  }
}

variable "admin_secret_arn" {
  type = string
}

resource "aws_iam_role_policy" "reader" {
  role   = "reader"
  policy = data.aws_iam_policy_document.reader.json
}
