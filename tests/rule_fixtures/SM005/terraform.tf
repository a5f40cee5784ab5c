# SM005 in Terraform: the finding is the secret's first line.

variable "kms_key_id" {
  type = string
}

resource "aws_kms_key" "secrets" {
  description         = "secrets"
  enable_key_rotation = true
}

# ruleid: SM005 @1-51
resource "aws_secretsmanager_secret" "default_key" {
  name = "default-key"
}

resource "aws_secretsmanager_secret" "aws_managed_alias" {
  name       = "aws-managed-alias"
  # ruleid: SM005 @16-42
  kms_key_id = "alias/aws/secretsmanager"
}

resource "aws_secretsmanager_secret" "aws_managed_arn" {
  name       = "aws-managed-arn"
  # ruleid: SM005 @16-77
  kms_key_id = "arn:aws:kms:eu-west-1:111122223333:alias/aws/secretsmanager"
}

resource "aws_secretsmanager_secret" "empty" {
  name       = "empty"
  # ruleid: SM005 @16-18
  kms_key_id = ""
}

# ok: SM005
resource "aws_secretsmanager_secret" "customer_key" {
  name       = "customer-key"
  # ok: SM005
  kms_key_id = aws_kms_key.secrets.arn
}

# ok: SM005
resource "aws_secretsmanager_secret" "customer_alias" {
  name       = "customer-alias"
  # ok: SM005
  kms_key_id = "alias/secrets"
}

# A key only known at plan time is not assumed to be the AWS managed one.
# ok: SM005
resource "aws_secretsmanager_secret" "from_variable" {
  name       = "from-variable"
  # ok: SM005
  kms_key_id = var.kms_key_id
}
