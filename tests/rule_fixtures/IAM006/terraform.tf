# IAM006 in Terraform: unknown actions, invalid Effect, unknown condition operators, outdated Version, and
# a missing Version where policy variables need it.

resource "aws_iam_policy" "typos" {
  name = "typos"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Action = [
          # ruleid: IAM006 @11-43
          "secretsmanager:GetSecretValues",
          # ok: IAM006
          "SecretsManager:describesecret",
          # ruleid: IAM006 @11-38
          "secretmanager:ListSecrets",
          # A wildcard that matches a catalogued action is valid.
          # ok: IAM006
          "s3:Get*",
        ]
        Resource = "*"
      },
      {
        # ruleid: IAM006 @20-27
        Effect   = "allow"
        Action   = "s3:GetObject"
        Resource = "arn:aws:s3:::reports/*"
      },
      {
        Effect   = "Deny"
        # ruleid: IAM006 @22-41
        NotAction = ["iam:ChangePasword"]
        Resource = "*"
      },
      {
        Effect    = "Allow"
        Action    = "s3:ListBucket"
        Resource  = "arn:aws:s3:::reports"
        Condition = {
          # ruleid: IAM006 @11-22
          StringEqual = { "s3:prefix" = "public/" }
          # ok: IAM006
          "ForAnyValue:StringLikeIfExists" = { "aws:TagKeys" = ["team*"] }
        }
      },
    ]
  })
}

resource "aws_iam_user_policy" "home" {
  user = "alice"
  # ruleid: IAM006 @23-+6:4
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:GetObject"
      Resource = "arn:aws:s3:::home/$${aws:username}/*"
    }]
  })
}

resource "aws_iam_user_policy" "no_variables" {
  user = "bob"
  # Without policy variables a missing Version changes nothing in IaC.
  # ok: IAM006
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::reports/*" }]
  })
}

resource "aws_iam_role_policy" "old" {
  role = "old"
  policy = jsonencode({
    # ruleid: IAM006 @17-29
    Version   = "2008-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::reports/*" }]
  })
}

data "aws_iam_policy_document" "ds" {
  statement {
    # ruleid: IAM006 @18-50
    actions   = ["secretsmanager:DescribeSecrets"]
    resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"]
  }
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::home/$${aws:username}/*"]
    condition {
      # ruleid: IAM006 @18-32
      test     = "StringEqualz"
      variable = "s3:prefix"
      values   = ["home/"]
    }
  }
}

resource "aws_iam_policy" "ds" {
  name   = "ds"
  policy = data.aws_iam_policy_document.ds.json
}
