"""Benchmark policylint: start-up, a generated 1,000-file tree per format, and the real-world corpus.

Run from the repository root: `python scripts/bench.py [--files N] [--repeat R]`. Numbers are wall-clock
medians of R runs of the real command in a subprocess (what a pre-commit hook or CI step pays). Tests never
assert timings; this script is where speed is measured.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "realworld"

JSON_POLICY = """{{
  "Version": "2012-10-17",
  "Statement": [
    {{"Sid": "Read{i}", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:Describe*"],
     "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app{i}/*"}},
    {{"Sid": "Logs{i}", "Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}}
  ]
}}
"""

TERRAFORM = """resource "aws_secretsmanager_secret" "db{i}" {{
  name       = "app{i}/db"
  kms_key_id = aws_kms_key.k{i}.arn
}}

resource "aws_kms_key" "k{i}" {{
  description = "key {i}"
}}

resource "aws_iam_policy" "read{i}" {{
  name = "read{i}"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["secretsmanager:GetSecretValue", "secretsmanager:Describe*"]
      Resource = aws_secretsmanager_secret.db{i}.arn
    }}]
  }})
}}

data "aws_iam_policy_document" "trust{i}" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }}
  }}
}}
"""

CLOUDFORMATION = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Secret{i}:
    Type: AWS::SecretsManager::Secret
    Properties:
      GenerateSecretString: {{PasswordLength: 32}}
  Role{i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: lambda.amazonaws.com}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [secretsmanager:GetSecretValue, secretsmanager:Describe*]
                Resource: !Ref Secret{i}
"""

GENERATORS = {
    "json": ("policy-{i}.json", JSON_POLICY),
    "terraform": ("main.tf", TERRAFORM),  # one module (directory) per file, as in a real monorepo
    "cloudformation": ("stack-{i}.yaml", CLOUDFORMATION),
}


NESTED_CALL = """
module "child{c}" {{
  source = "../m{child:04d}"
  name   = "${{var.name}}/{c}"
}}
"""


def generate_nested(count: int, root: Path) -> Path:
    """The Terraform tree again, each module calling two others (a binary tree, about 8 levels deep) with
    an argument: what module evaluation costs per file, next to the flat tree."""
    base = root / "terraform-modules"
    for i in range(count):
        folder = base / f"m{i:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = 'variable "name" {\n  default = "root"\n}\n' + TERRAFORM.format(i=i).replace(f'"app{i}/db"', "var.name")
        text += "".join(NESTED_CALL.format(c=c, child=2 * i + c) for c in (1, 2) if 2 * i + c < count)
        (folder / "main.tf").write_text(text, encoding="utf-8")
    return base


def generate(kind: str, count: int, root: Path) -> Path:
    name, template = GENERATORS[kind]
    base = root / kind
    for i in range(count):
        folder = base / f"m{i:04d}" if kind == "terraform" else base
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name.format(i=i)).write_text(template.format(i=i), encoding="utf-8")
    return base


def timed(args: list[str], repeat: int) -> tuple[float, int]:
    """Median wall time of the command, and its exit code."""
    samples, code = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        code = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), code


def checkov(executable: str, target: Path) -> list[str]:
    """The comparable checkov run: the same directory, Terraform framework, quiet JSON output."""
    return [executable, "-d", str(target), "--framework", "terraform", "--quiet", "--compact", "-o", "json"]


def baseline_commit_rows(command: list[str], tree: Path, repeat: int) -> list[tuple[str, float, int]]:
    """`--baseline-commit HEAD` against a plain run of the same tree, committed to a fresh repository."""
    env = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.com", "PATH": os.environ.get("PATH", "")}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
        subprocess.run(["git", *args], cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
    plain = timed(command + [str(tree), "--project-root", str(tree)], repeat)
    compared = timed(command + [str(tree), "--project-root", str(tree), "--baseline-commit", "HEAD"], repeat)
    return [(f"  {tree.name} again, plain", *plain), (f"  with --baseline-commit HEAD ({compared[0] / plain[0]:.2f}x)", *compared)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--extra", nargs="*", default=[], help="extra arguments for policylint check (e.g. --jobs 2)")
    parser.add_argument("--checkov", metavar="PATH", help="a checkov executable to time on the Terraform targets too")
    options = parser.parse_args()
    command = [sys.executable, "-m", "linter", "check", *options.extra]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        single = Path(tmp) / "one.json"
        single.write_text(JSON_POLICY.format(i=0), encoding="utf-8")
        rows.append(("start-up: one JSON policy", *timed(command + [str(single)], options.repeat * 3)))
        for kind in GENERATORS:
            tree = generate(kind, options.files, Path(tmp))
            rows.append((f"{options.files} generated {kind} files", *timed(command + [str(tree)], options.repeat)))
            if options.checkov and kind == "terraform":
                rows.append((f"  checkov, same {kind} tree", *timed(checkov(options.checkov, tree), 1)))
            if kind == "terraform":
                nested = generate_nested(options.files, Path(tmp))
                rows.append((f"{options.files} terraform modules calling modules", *timed(command + [str(nested)], options.repeat)))
                rows += baseline_commit_rows(command, tree, options.repeat)
        if CORPUS.is_dir():
            for folder in sorted(CORPUS.iterdir()):
                rows.append((f"corpus: {folder.name}", *timed(command + [str(folder)], options.repeat)))
                if options.checkov and folder.name.startswith("terraform"):
                    rows.append(("  checkov, same folder", *timed(checkov(options.checkov, folder), 1)))
    width = max(len(label) for label, _, _ in rows)
    for label, seconds, code in rows:
        print(f"{label:<{width}}  {seconds * 1000:9.0f} ms  (exit {code})")


if __name__ == "__main__":
    main()
