resource "aws_secretsmanager_secret" "s" {
  name                    = "x"
  recovery_window_in_days = 0e5
}

locals {
  a = 1e5
  b = 1E5
  c = 1e+5
}
