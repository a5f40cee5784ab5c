variable "name" {
  type = string
}

variable "recovery_window_in_days" {
  type = number
  # ok: SM007
  default = 30
}

resource "aws_secretsmanager_secret" "this" {
  name       = var.name
  kms_key_id = "alias/app"
  # ok: SM007
  recovery_window_in_days = var.recovery_window_in_days
}
