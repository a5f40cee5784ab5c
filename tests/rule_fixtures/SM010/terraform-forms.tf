# SM010 through other Terraform forms: quoted JSON, heredoc, nested jsonencode, interpolations.

variable "suffix" {
  type = string
}
resource "aws_secretsmanager_secret" "db" {
  name       = "db"
  kms_key_id = "alias/app"
}
resource "aws_secretsmanager_secret_version" "empty" {
  secret_id     = aws_secretsmanager_secret.db.id
  # ok: SM010
  secret_string = ""
}
resource "aws_secretsmanager_secret_version" "interp" {
  secret_id     = aws_secretsmanager_secret.db.id
  # ok: SM010
  secret_string = "${var.suffix}"
}
resource "aws_secretsmanager_secret_version" "partly" {
  secret_id     = aws_secretsmanager_secret.db.id
  # Partly unknown: the literal part alone is not judged a secret.
  # ok: SM010
  secret_string = "hunter2-${var.suffix}"
}
resource "aws_secretsmanager_secret_version" "json_string" {
  secret_id     = aws_secretsmanager_secret.db.id
  # ruleid: SM010 @19-82
  secret_string = "{\"username\": \"app\", \"password\": \"hunter2-but-longer\"}"
}
resource "aws_secretsmanager_secret_version" "heredoc" {
  secret_id     = aws_secretsmanager_secret.db.id
  # ruleid: SM010 @19-+2:6
  secret_string = <<-EOT
    {"username": "app", "password": "hunter2-but-longer"}
  EOT
}
resource "aws_secretsmanager_secret_version" "nested" {
  secret_id     = aws_secretsmanager_secret.db.id
  # ruleid: SM010 @50-70
  secret_string = jsonencode({ db = { password = "hunter2-but-longer" }, empty_password = "" })
}
