resource "aws_kms_key" "db" {
  description = "Encrypts prod/db; only the app role may decrypt"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "Manage"
        Effect    = "Allow"
        Principal = { AWS = aws_iam_role.admin.arn }
        Action    = ["kms:Describe*", "kms:Put*", "kms:Enable*", "kms:ScheduleKeyDeletion"]
        Resource  = "*"
      },
      {
        Sid       = "AppDecrypts"
        Effect    = "Allow"
        Principal = { AWS = aws_iam_role.app.arn }
        Action    = "kms:Decrypt"
        Resource  = "*"
      },
    ]
  })
}

resource "aws_secretsmanager_secret" "db" {
  name       = "prod/db"
  kms_key_id = aws_kms_key.db.arn
}

resource "aws_secretsmanager_secret_policy" "db" {
  secret_arn = aws_secretsmanager_secret.db.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DeleteGuard"
        Effect    = "Deny"
        Principal = "*"
        Action    = "secretsmanager:DeleteSecret"
        Resource  = "*"
        Condition = { StringNotEquals = { "aws:PrincipalArn" = aws_iam_role.admin.arn } }
      },
    ]
  })
}

resource "aws_secretsmanager_secret" "api" {
  name = "prod/api"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "PartnerAccount"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::444455556666:root" }
        Action    = ["secretsmanager:GetSecretValue", "secretsmanager:TagResource"]
        Resource  = "*"
      },
    ]
  })
}
