# A local module: the actions come from the caller, so the finding is where the caller wrote them.
module "reader" {
  source = "./modules/reader"
  # ruleid: SM001 @14-32
  actions = ["secretsmanager:*"]
}

module "narrow" {
  source = "./modules/reader"
  # ok: SM001
  actions = ["secretsmanager:GetSecretValue"]
}
