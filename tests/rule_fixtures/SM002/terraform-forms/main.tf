# SM002 through the other places Terraform policies come from: a quoted JSON string, file(),
# templatefile(), locals, variable defaults, merged policy documents and dynamic statements.

variable "reader_resources" {
  type = list(string)
  # ruleid: SM002 @14-17
  default = ["*"]
}

locals {
  # ruleid: SM002 @18-74
  every_secret = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:*"
  # ok: SM002
  app_secrets = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"
}

resource "aws_iam_policy" "quoted" {
  name = "quoted"
  # ruleid: SM002 @144-149
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"secretsmanager:GetSecretValue\", \"Resource\": \"*\"}]}"
}

resource "aws_iam_policy" "from_file" {
  name   = "from-file"
  policy = file("${path.module}/policies/reader.json")
}

resource "aws_iam_policy" "from_template" {
  name = "from-template"
  policy = templatefile("${path.module}/policies/scoped.json.tftpl", {
    # ok: SM002
    prefix = "app/"
  })
}

data "aws_iam_policy_document" "base" {
  statement {
    sid     = "Read"
    actions = ["secretsmanager:GetSecretValue"]
    # Reported where the default is written.
    # ok: SM002
    resources = var.reader_resources
  }
}

data "aws_iam_policy_document" "merged" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    sid     = "Describe"
    actions = ["secretsmanager:DescribeSecret"]
    resources = [
      local.app_secrets,
      local.every_secret,
    ]
  }
}

resource "aws_iam_role_policy" "merged" {
  role   = "app"
  policy = data.aws_iam_policy_document.merged.minified_json
}

data "aws_iam_policy_document" "dynamic" {
  dynamic "statement" {
    for_each = toset(["GetSecretValue", "DescribeSecret"])
    content {
      # for_each is known: two statements, DescribeSecret and GetSecretValue (a set iterates in order),
      # both on every secret: one finding at the shared "*", about the statement made first.
      actions = ["secretsmanager:${statement.value}"]
      # ruleid: SM002 @20-23
      resources = ["*"]
    }
  }
  dynamic "statement" {
    for_each = toset(["reader", "writer"])
    content {
      sid     = statement.value
      actions = ["secretsmanager:GetSecretValue"]
      # ruleid: SM002 @20-23
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "dynamic" {
  role   = "app"
  policy = data.aws_iam_policy_document.dynamic.json
}
