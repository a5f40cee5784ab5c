# SM009 in Terraform: the finding is block_public_policy when written, else the policy resource's first line.

variable "block" {
  type = bool
}

locals {
  guard = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = "secretsmanager:DeleteSecret"
      Resource  = "*"
      Condition = { ArnNotEquals = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:role/secrets-admin" } }
    }]
  })
}

# ruleid: SM009 @1-54
resource "aws_secretsmanager_secret_policy" "missing" {
  secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf"
  policy     = local.guard
}

resource "aws_secretsmanager_secret_policy" "off" {
  secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:b-AbCdEf"
  policy     = local.guard
  # ruleid: SM009 @25-30
  block_public_policy = false
}

resource "aws_secretsmanager_secret_policy" "off_string" {
  secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:c-AbCdEf"
  policy     = local.guard
  # ruleid: SM009 @25-32
  block_public_policy = "false"
}

# ok: SM009
resource "aws_secretsmanager_secret_policy" "on" {
  secret_arn          = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:d-AbCdEf"
  policy              = local.guard
  block_public_policy = true
}

# A flag only known at plan time is not reported.
# ok: SM009
resource "aws_secretsmanager_secret_policy" "from_variable" {
  secret_arn          = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:e-AbCdEf"
  policy              = local.guard
  block_public_policy = var.block
}

# A secret's inline policy has no flag to set.
# ok: SM009
resource "aws_secretsmanager_secret" "inline" {
  name       = "inline"
  kms_key_id = "alias/app"
  policy     = local.guard
}
