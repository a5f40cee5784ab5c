# SM007 in Terraform: the finding is the recovery_window_in_days value.

# A zero reaching the secret through a variable's default is reported where it is written.
variable "window" {
  type = number
  # ruleid: SM007 @13-14
  default = 0
}

variable "unknown_window" {
  type = number
}

resource "aws_secretsmanager_secret" "immediate" {
  name = "immediate"
  # ruleid: SM007 @29-30
  recovery_window_in_days = 0
}

resource "aws_secretsmanager_secret" "week" {
  name = "week"
  # ok: SM007
  recovery_window_in_days = 7
}

# ok: SM007
resource "aws_secretsmanager_secret" "default_window" {
  name = "default-window"
}

resource "aws_secretsmanager_secret" "string_zero" {
  name = "string-zero"
  # ruleid: SM007 @29-32
  recovery_window_in_days = "0"
}

resource "aws_secretsmanager_secret" "from_default" {
  name = "from-default"
  # ok: SM007
  recovery_window_in_days = var.window
}

resource "aws_secretsmanager_secret" "from_unknown" {
  name = "from-unknown"
  # ok: SM007
  recovery_window_in_days = var.unknown_window
}
