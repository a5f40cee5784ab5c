"""Findings point at the most specific element, with exact start and end."""
from __future__ import annotations

from linter.model import Span

POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": ["secretsmanager:GetSecretValue", "secretsmanager:Get*"],
      "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:*"
    }
  ]
}
"""


def spans(report, rule_id):
    return [f.span for f in report.findings if f.rule_id == rule_id]


def test_action_and_resource_positions(lint):
    report = lint({"iam/app.json": POLICY})
    assert spans(report, "SM001") == [Span(7, 51, 7, 72)]
    assert spans(report, "SM002") == [Span(8, 19, 8, 75)]
    assert {f.path for f in report.findings} == {"iam/app.json"}


def test_statement_object_without_list(lint):
    report = lint({"p.json": '{"Statement": {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}}'})
    assert spans(report, "SM001") == [Span(1, 45, 1, 63)]
    assert spans(report, "SM002") == [Span(1, 77, 1, 80)]


def test_statement_span_for_sm003_and_document_span_for_sm004(lint):
    text = (
        '{"Statement": [\n'
        '  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},\n'
        '   "Action": "secretsmanager:GetSecretValue", "Resource": "*"}\n'
        "]}\n"
    )
    report = lint({"secret-policy.json": text})
    assert spans(report, "SM003") == [Span(2, 3, 3, 63)]
    assert spans(report, "SM004") == [Span(1, 1, 4, 3)]


def test_crlf_and_bom_do_not_shift_columns(lint):
    text = "\ufeff{\r\n\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"secretsmanager:*\", \"Resource\": \"*\"}]}\r\n"
    report = lint({"p.json": text})
    assert spans(report, "SM001")[0] == Span(2, 45, 2, 63)
