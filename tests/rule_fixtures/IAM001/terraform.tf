# IAM001 in Terraform: Action "*" (or "*:*") on Resource "*" in an identity policy.

variable "actions" {
  type = list(string)
}

resource "aws_iam_policy" "admin" {
  name = "admin"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        # ruleid: IAM001 @20-23
        Action   = "*"
        Resource = "*"
      },
      {
        Effect = "Allow"
        # ruleid: IAM001 @37-42
        Action   = ["s3:GetObject", "*:*"]
        Resource = ["arn:aws:s3:::reports/*", "*"]
      },
      {
        Effect = "Allow"
        # Everything on one bucket is not administrator access.
        # ok: IAM001
        Action   = "*"
        Resource = "arn:aws:s3:::reports/*"
      },
      {
        Effect = "Allow"
        # ok: IAM001
        Action   = "s3:*"
        Resource = "*"
      },
      {
        Effect = "Deny"
        # ok: IAM001
        Action   = "*"
        Resource = "*"
      },
      {
        Effect = "Allow"
        # An action list only known at plan time is not "*".
        # ok: IAM001
        Action   = var.actions
        Resource = "*"
      },
    ]
  })
}

data "aws_iam_policy_document" "ci" {
  statement {
    # ruleid: IAM001 @18-21
    actions   = ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "ci" {
  role   = "ci"
  policy = data.aws_iam_policy_document.ci.json
}

resource "aws_iam_role" "ci" {
  name = "ci"
  # A trust policy is not an identity policy.
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      # ok: IAM001
      Action    = "sts:AssumeRole"
    }]
  })
}
