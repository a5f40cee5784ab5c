# A zero passed to a local module is reported where the caller wrote it.
module "scratch" {
  source = "./modules/secret"
  name   = "scratch"
  # ruleid: SM007 @29-30
  recovery_window_in_days = 0
}

module "kept" {
  source = "./modules/secret"
  name   = "kept"
}
