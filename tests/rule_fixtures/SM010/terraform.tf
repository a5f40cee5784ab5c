# SM010 in Terraform: a literal secret value in secret_string / secret_binary / secret_string_wo, judged
# field by field for JSON values; literals reaching the value through a default or a local count too.

variable "db_password" {
  type      = string
  sensitive = true
}

variable "api_token" {
  type = string
  # ruleid: SM010 @13-40
  default = "tok_live_0123456789abcdef"
}

locals {
  # ruleid: SM010 @17-42
  signing_key = "k3y-material-0123456789"
}

resource "random_password" "db" {
  length = 32
}

resource "aws_secretsmanager_secret" "db" {
  name       = "db"
  kms_key_id = "alias/app"
}

resource "aws_secretsmanager_secret_version" "plain" {
  secret_id = aws_secretsmanager_secret.db.id
  # ruleid: SM010 @19-39
  secret_string = "hunter2-but-longer"
}

resource "aws_secretsmanager_secret_version" "fields" {
  secret_id = aws_secretsmanager_secret.db.id
  secret_string = jsonencode({
    username = "app"
    host     = "db.internal"
    # ruleid: SM010 @16-39
    password = "correct-horse-battery"
    # ok: SM010
    secret_name = "app/db"
    # ok: SM010
    token_url = "https://auth.example.com/token"
  })
}

resource "aws_secretsmanager_secret_version" "generated" {
  secret_id = aws_secretsmanager_secret.db.id
  # ok: SM010
  secret_string = jsonencode({ username = "app", password = random_password.db.result })
}

resource "aws_secretsmanager_secret_version" "passed_in" {
  secret_id = aws_secretsmanager_secret.db.id
  # ok: SM010
  secret_string = var.db_password
}

resource "aws_secretsmanager_secret_version" "through_default" {
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = var.api_token
}

resource "aws_secretsmanager_secret_version" "through_local" {
  secret_id = aws_secretsmanager_secret.db.id
  secret_string_wo         = local.signing_key
  secret_string_wo_version = 1
}

resource "aws_secretsmanager_secret_version" "binary" {
  secret_id = aws_secretsmanager_secret.db.id
  # ruleid: SM010 @19-49
  secret_binary = "c2VjcmV0LWJpbmFyeS12YWx1ZQ=="
}

resource "aws_secretsmanager_secret_version" "not_secret" {
  secret_id = aws_secretsmanager_secret.db.id
  # ok: SM010
  secret_string = jsonencode({ username = "app", host = "db.internal", port = 5432 })
}
