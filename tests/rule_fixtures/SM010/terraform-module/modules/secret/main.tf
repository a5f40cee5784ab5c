variable "value" {
  type      = string
  sensitive = true
}

resource "aws_secretsmanager_secret" "this" {
  kms_key_id = "alias/app"
}

resource "aws_secretsmanager_secret_version" "this" {
  secret_id = aws_secretsmanager_secret.this.id
  # ok: SM010
  secret_string = var.value
}
