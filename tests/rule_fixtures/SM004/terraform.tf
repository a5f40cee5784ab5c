# SM004 in Terraform: the finding is the secret's first line; a guard is a Deny of DeleteSecret to everyone
# but named admins, in a policy attached to this secret (inline `policy` or aws_secretsmanager_secret_policy).

variable "policy" {
  type = string
}

locals {
  guard = {
    Effect    = "Deny"
    Principal = "*"
    Action    = "secretsmanager:DeleteSecret"
    Resource  = "*"
    Condition = { ArnNotEquals = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:role/secrets-admin" } }
  }
}

# ruleid: SM004 @1-49
resource "aws_secretsmanager_secret" "no_policy" {
  name = "no-policy"
}

# ok: SM004
resource "aws_secretsmanager_secret" "inline_guard" {
  name = "inline-guard"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [local.guard]
  })
}

# ok: SM004
resource "aws_secretsmanager_secret" "attached_guard" {
  name = "attached-guard"
}

resource "aws_secretsmanager_secret_policy" "attached_guard" {
  secret_arn          = aws_secretsmanager_secret.attached_guard.arn
  block_public_policy = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = { AWS = "*" }
      Action    = "secretsmanager:Delete*"
      Resource  = "*"
      Condition = { StringNotEquals = { "aws:PrincipalArn" = ["arn:aws:iam::111122223333:role/secrets-admin", "arn:aws:iam::111122223333:role/break-glass"] } }
    }]
  })
}

# An exemption of a whole account is no guard.
# ruleid: SM004 @1-54
resource "aws_secretsmanager_secret" "account_exempt" {
  name = "account-exempt"
}

resource "aws_secretsmanager_secret_policy" "account_exempt" {
  secret_arn          = aws_secretsmanager_secret.account_exempt.arn
  block_public_policy = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = "secretsmanager:DeleteSecret"
      Resource  = "*"
      Condition = { StringNotEquals = { "aws:PrincipalAccount" = "111122223333" } }
    }]
  })
}

# Neither is a wildcard role path, nor a Deny of one principal.
# ruleid: SM004 @1-51
resource "aws_secretsmanager_secret" "weak_guards" {
  name = "weak-guards"
}

data "aws_iam_policy_document" "weak_guards" {
  statement {
    effect  = "Deny"
    actions = ["secretsmanager:DeleteSecret"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    resources = ["*"]
    condition {
      test     = "ArnNotLike"
      variable = "aws:PrincipalArn"
      values   = ["arn:aws:iam::111122223333:role/*"]
    }
  }
  statement {
    effect  = "Deny"
    actions = ["secretsmanager:*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/app"]
    }
    resources = ["*"]
  }
}

resource "aws_secretsmanager_secret_policy" "weak_guards" {
  secret_arn = aws_secretsmanager_secret.weak_guards.arn
  policy     = data.aws_iam_policy_document.weak_guards.json
}

# A guard that names only another secret does not guard this one.
# ruleid: SM004 @1-52
resource "aws_secretsmanager_secret" "other_secret" {
  name = "other-secret"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [merge(local.guard, { Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:other-AbCdEf" })]
  })
}

# A policy only known at plan time cannot be judged offline: not reported when attached ...
# ok: SM004
resource "aws_secretsmanager_secret" "attached_variable" {
  name = "attached-variable"
}

resource "aws_secretsmanager_secret_policy" "attached_variable" {
  secret_arn          = aws_secretsmanager_secret.attached_variable.arn
  block_public_policy = true
  policy              = var.policy
}

# ... nor when it is the secret's inline `policy`.
# ok: SM004
resource "aws_secretsmanager_secret" "from_variable" {
  name   = "from-variable"
  policy = var.policy
}

# NotPrincipal with Deny: everyone except the admin is denied.
# ok: SM004
resource "aws_secretsmanager_secret" "not_principal" {
  name = "not-principal"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect       = "Deny"
      NotPrincipal = { AWS = "arn:aws:iam::111122223333:role/secrets-admin" }
      Action       = "secretsmanager:DeleteSecret"
      Resource     = "*"
    }]
  })
}

# A policy that names its secret by a literal ARN is not linked to it.
# todook: SM004 @1-46 gap=terraform-link-by-name
resource "aws_secretsmanager_secret" "by_arn" {
  name = "by-arn"
}

resource "aws_secretsmanager_secret_policy" "by_arn" {
  secret_arn          = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:by-arn-AbCdEf"
  block_public_policy = true
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [local.guard]
  })
}
