# KMS001 in Terraform: key policies (aws_kms_key.policy, aws_kms_key_policy) open to every principal.

resource "aws_kms_key" "app" {
  description         = "app"
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        # ok: KMS001
        Principal = { AWS = "arn:aws:iam::111122223333:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Effect    = "Allow"
        # ruleid: KMS001 @21-34
        Principal = { AWS = "*" }
        Action    = ["kms:Decrypt", "kms:DescribeKey"]
        Resource  = "*"
      },
      {
        # kms:ViaService says which service calls, not who.
        Effect    = "Allow"
        # ruleid: KMS001 @21-24
        Principal = "*"
        Action    = "kms:Decrypt"
        Resource  = "*"
        Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.eu-west-1.amazonaws.com" } }
      },
      {
        Effect    = "Allow"
        # ok: KMS001
        Principal = "*"
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "kms:CallerAccount" = "111122223333", "kms:ViaService" = "secretsmanager.eu-west-1.amazonaws.com" } }
      },
      {
        # Reading key metadata only.
        Effect    = "Allow"
        # ok: KMS001
        Principal = "*"
        Action    = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:List*"]
        Resource  = "*"
      },
      {
        Effect    = "Deny"
        # ok: KMS001
        Principal = "*"
        Action    = "kms:ScheduleKeyDeletion"
        Resource  = "*"
      },
    ]
  })
}

resource "aws_kms_key" "shared" {
  description         = "shared"
  enable_key_rotation = true
}

data "aws_iam_policy_document" "shared" {
  statement {
    effect = "Allow"
    # ruleid: KMS001 @5-+3:6
    not_principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/intruder"]
    }
    actions   = ["kms:PutKeyPolicy"]
    resources = ["*"]
  }
}

resource "aws_kms_key_policy" "shared" {
  key_id = aws_kms_key.shared.id
  policy = data.aws_iam_policy_document.shared.json
}
