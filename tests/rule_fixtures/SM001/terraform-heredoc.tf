resource "aws_iam_role_policy" "heredoc" {
  role   = "app"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": ["secretsmanager:Get*", "secretsmanager:ListSecrets"],
          "Resource": "*"
        },
        {
          "Effect": "Allow",
          "NotAction": "s3:*",
          "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"
        },
        {
          "Effect": "Allow",
          "Action": "secretsmanager:${var.action}",
          "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*"
        }
      ]
    }
  EOT
}

variable "action" {
  type = string
}

resource "aws_iam_user_policy" "heredoc_plain" {
  user   = "ci"
  policy = <<EOF2
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*Secret", "Resource": "*"}]}
EOF2
}
