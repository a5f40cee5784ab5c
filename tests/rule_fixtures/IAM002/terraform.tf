# IAM002 in Terraform: an Allow with NotAction, in any kind of policy.

resource "aws_iam_policy" "power_user" {
  name = "power-user"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        # ruleid: IAM002 @21-49
        NotAction = ["iam:*", "organizations:*"]
        Resource  = "*"
      },
      {
        Effect = "Allow"
        # ruleid: IAM002 @21-38
        NotAction = "s3:DeleteBucket"
        Resource  = "arn:aws:s3:::reports"
      },
      {
        Effect = "Deny"
        # ok: IAM002
        NotAction = ["iam:ChangePassword", "sts:GetSessionToken"]
        Resource  = "*"
        Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "false" } }
      },
      {
        Effect = "Allow"
        # ok: IAM002
        Action   = ["ec2:DescribeInstances"]
        Resource = "*"
      },
    ]
  })
}

data "aws_iam_policy_document" "ops" {
  statement {
    # ruleid: IAM002 @19-28
    not_actions = ["iam:*"]
    resources   = ["*"]
  }
}

resource "aws_iam_role_policy" "ops" {
  role   = "ops"
  policy = data.aws_iam_policy_document.ops.json
}

resource "aws_kms_key" "reports" {
  description         = "reports"
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      # ruleid: IAM002 @19-44
      NotAction = "kms:ScheduleKeyDeletion"
      Resource  = "*"
    }]
  })
}
