variable "actions" {
  type = list(string)
}

data "aws_iam_policy_document" "this" {
  statement {
    # ok: SM001
    actions   = var.actions
    resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"]
  }
  statement {
    # The module's own wildcard is reported once, in the module.
    # ruleid: SM001 @18-44
    actions   = ["secretsmanager:Describe*"]
    resources = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"]
  }
}

resource "aws_iam_policy" "this" {
  name   = "reader"
  policy = data.aws_iam_policy_document.this.json
}
