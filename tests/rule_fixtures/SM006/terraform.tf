# SM006 in Terraform: the finding is the secret's first line; rotation comes from
# aws_secretsmanager_secret_rotation resources that name the secret.

# ruleid: SM006 @1-45
resource "aws_secretsmanager_secret" "never" {
  name = "never"
}

# ok: SM006
resource "aws_secretsmanager_secret" "monthly" {
  name = "monthly"
}

resource "aws_secretsmanager_secret_rotation" "monthly" {
  secret_id           = aws_secretsmanager_secret.monthly.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate"
  rotation_rules {
    automatically_after_days = 30
  }
}

# The rotation is reported where its interval is written.
# ok: SM006
resource "aws_secretsmanager_secret" "yearly" {
  name = "yearly"
}

resource "aws_secretsmanager_secret_rotation" "yearly" {
  secret_id           = aws_secretsmanager_secret.yearly.arn
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate"
  rotation_rules {
    # ruleid: SM006 @32-35
    automatically_after_days = 365
  }
}

resource "aws_secretsmanager_secret" "rate" {
  name = "rate"
}

resource "aws_secretsmanager_secret_rotation" "rate" {
  secret_id           = aws_secretsmanager_secret.rate.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate"
  rotation_rules {
    # ruleid: SM006 @27-43
    schedule_expression = "rate(120 days)"
  }
}

# ok: SM006
resource "aws_secretsmanager_secret" "hours" {
  name = "hours"
}

resource "aws_secretsmanager_secret_rotation" "hours" {
  secret_id           = aws_secretsmanager_secret.hours.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate"
  rotation_rules {
    # ok: SM006
    schedule_expression = "rate(12 hours)"
  }
}

resource "aws_secretsmanager_secret" "cron" {
  name = "cron"
}

resource "aws_secretsmanager_secret_rotation" "cron" {
  secret_id           = aws_secretsmanager_secret.cron.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate"
  rotation_rules {
    # Every six months by cron.
    # ruleid: SM006 @27-48
    schedule_expression = "cron(0 4 1 1,7 ? *)"
  }
}

# The first Sunday of every month.
# ok: SM006
resource "aws_secretsmanager_secret" "cron_monthly" {
  name = "cron-monthly"
}

resource "aws_secretsmanager_secret_rotation" "cron_monthly" {
  secret_id           = aws_secretsmanager_secret.cron_monthly.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate"
  rotation_rules {
    # ok: SM006
    schedule_expression = "cron(0 4 ? * SUN#1 *)"
  }
}

variable "days" {
  type = number
}

# A schedule only known at plan time is not reported.
# ok: SM006
resource "aws_secretsmanager_secret" "from_variable" {
  name = "from-variable"
}

resource "aws_secretsmanager_secret_rotation" "from_variable" {
  secret_id           = aws_secretsmanager_secret.from_variable.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate"
  rotation_rules {
    automatically_after_days = var.days
  }
}

# A rotation that names its secret by a literal name is not linked to it.
# todook: SM006 @1-47 gap=terraform-link-by-name
resource "aws_secretsmanager_secret" "by_name" {
  name       = "by-name"
  kms_key_id = "alias/app"
}

resource "aws_secretsmanager_secret_rotation" "by_name" {
  secret_id           = "by-name"
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate"
  rotation_rules {
    schedule_expression = "rate(4 hours)"
  }
}

# ok: SM006
resource "aws_secretsmanager_secret" "inline" {
  name                = "inline"
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate"
  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_secretsmanager_secret" "inline_slow" {
  name                = "inline-slow"
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:rotate"
  rotation_rules {
    # ruleid: SM006 @32-35
    automatically_after_days = 365
  }
}
