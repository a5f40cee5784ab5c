# A literal passed to a local module is reported where the caller wrote it.
module "db" {
  source = "./modules/secret"
  # ruleid: SM010 @53-76
  value = jsonencode({ username = "app", password = "correct-horse-battery" })
}

variable "api_token" {
  type      = string
  sensitive = true
}

module "api" {
  source = "./modules/secret"
  # ok: SM010
  value = var.api_token
}
