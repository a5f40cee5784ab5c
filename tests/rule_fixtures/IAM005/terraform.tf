# IAM005 in Terraform: an Allow with NotPrincipal in a resource policy (secret, key, trust).

resource "aws_secretsmanager_secret_policy" "db" {
  secret_arn          = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf"
  block_public_policy = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect       = "Allow"
        # ruleid: IAM005 @24-75
        NotPrincipal = { AWS = "arn:aws:iam::111122223333:role/intruder" }
        Action       = "secretsmanager:DescribeSecret"
        Resource     = "*"
      },
      {
        Effect       = "Deny"
        # ok: IAM005
        NotPrincipal = { AWS = ["arn:aws:iam::111122223333:role/secrets-admin", "arn:aws:iam::111122223333:root"] }
        Action       = "secretsmanager:DeleteSecret"
        Resource     = "*"
      },
    ]
  })
}

data "aws_iam_policy_document" "key" {
  statement {
    # ruleid: IAM005 @5-+3:6
    not_principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:user/contractor"]
    }
    actions   = ["kms:Decrypt"]
    resources = ["*"]
  }
  statement {
    # ok: IAM005
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
    actions   = ["kms:*"]
    resources = ["*"]
  }
}

resource "aws_kms_key" "app" {
  description         = "app"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.key.json
}
