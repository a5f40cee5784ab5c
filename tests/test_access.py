"""`policylint access`: the fixture repository's matrix cell by cell, the formats, and `--baseline-commit`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from linter.cli import main

FIXTURE = Path(__file__).parent / "access_fixture"
ADMIN_ALL = ("delete", "manage-policy", "read", "replicate", "rotate", "tag", "write")

# (principal, capability) -> (verdict, conditions, allowed_by, denied_by), per secret.
EXPECTED = {
    "ReportsSecret": {
        # The resource policy alone suffices in the same account.
        ("CiRole", "read"): ("yes", [], ["stack/template.yaml:14"], []),
        ("CiRole", "write"): ("conditional", ['StringEquals aws:SourceVpc "vpc-0123456789abcdef0"'],
                              ["stack/template.yaml:34"], []),
    },
    "aws_secretsmanager_secret.api": {
        # Cross-account: the partner's own identity policies are not in the tree, so "may"; the AWS managed
        # key decrypts only for the secret's own account, which the partner's may or may not be.
        ("arn:aws:iam::444455556666:root", "read"): (
            "may", ["identity policies outside the tree", "the AWS managed key decrypts only for the secret's own account"],
            ["infra/secrets.tf:51"], []),
        ("arn:aws:iam::444455556666:root", "tag"): ("may", ["identity policies outside the tree"],
                                                    ["infra/secrets.tf:51"], []),
        **{("aws_iam_role.admin", c): ("yes", [], ["infra/iam.tf:36"], []) for c in ADMIN_ALL},
        ("aws_iam_role.app", "read"): ("yes", [], ["infra/iam.tf:18"], []),
        # The AWS managed policy SecretsManagerReadWrite, read from the dataset, allows secretsmanager:*.
        **{("aws_iam_role.reader", c): ("yes", [], ["infra/iam.tf:57"], []) for c in ADMIN_ALL},
    },
    "aws_secretsmanager_secret.db": {
        # The customer key lets only the app role decrypt: admin and reader cannot read, whatever IAM says.
        # The delete guard exempts admin; reader is denied delete outright.
        **{("aws_iam_role.admin", c): ("yes", [], ["infra/iam.tf:36"], []) for c in ADMIN_ALL if c != "read"},
        ("aws_iam_role.app", "read"): ("yes", [], ["infra/iam.tf:18", "infra/secrets.tf:13"], []),
        **{("aws_iam_role.reader", c): ("yes", [], ["infra/iam.tf:57"], [])
           for c in ADMIN_ALL if c not in ("read", "delete")},
    },
}


def run_cli(args: list[str], cwd: Path, capsys) -> tuple[int, str]:
    code, out, _ = run_cli_err(args, cwd, capsys)
    return code, out


def run_cli_err(args: list[str], cwd: Path, capsys) -> tuple[int, str, str]:
    """The exit code, standard output and standard error of `policylint ARGS` run in `cwd`."""
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        code = main(args)
    finally:
        os.chdir(previous)
    out, err = capsys.readouterr()
    return code, out, err


def places(locations: list[dict]) -> list[str]:
    return [f"{l['path']}:{l['line']}" for l in locations]


def test_fixture_matrix_cell_by_cell(capsys) -> None:
    code, out = run_cli(["access", ".", "--format", "json", "--project-root", "."], FIXTURE, capsys)
    assert code == 0
    report = json.loads(out)
    assert [(s["secret"], s["path"], s["line"]) for s in report["secrets"]] == [
        ("ReportsSecret", "stack/template.yaml", 3),
        ("aws_secretsmanager_secret.api", "infra/secrets.tf", 46),
        ("aws_secretsmanager_secret.db", "infra/secrets.tf", 24),
    ]
    for secret in report["secrets"]:
        found = {
            (c["principal"], c["capability"]): (c["verdict"], c["conditions"], places(c["allowed_by"]), places(c["denied_by"]))
            for c in secret["access"]
        }
        assert found == EXPECTED[secret["secret"]], secret["secret"]
        keys = [(c["principal"], c["capability"]) for c in secret["access"]]
        assert keys == sorted(keys)


def test_conditional_deny_is_listed_and_makes_the_grant_conditional(tmp_path: Path, capsys) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "app" {\n  name = "app"\n}\n'
        'resource "aws_iam_role_policy" "app" {\n  role = aws_iam_role.app.name\n'
        '  policy = jsonencode({Version = "2012-10-17", Statement = [\n'
        '    {Effect = "Allow", Action = "secretsmanager:*", Resource = "*"},\n'
        '    {Effect = "Deny", Action = "secretsmanager:DeleteSecret", Resource = "*",\n'
        '     Condition = {Bool = {"aws:MultiFactorAuthPresent" = "false"}}},\n'
        '  ]})\n}\n'
        'resource "aws_secretsmanager_secret" "s" {\n  name = "s"\n}\n',
        encoding="utf-8",
    )
    code, out = run_cli(["access", "--format", "json"], tmp_path, capsys)
    cells = {c["capability"]: c for c in json.loads(out)["secrets"][0]["access"]}
    assert code == 0
    assert cells["delete"] == {
        "principal": "aws_iam_role.app", "capability": "delete", "verdict": "conditional",
        "conditions": ['unless Bool aws:MultiFactorAuthPresent "false"'],
        "allowed_by": [{"path": "main.tf", "line": 7}], "denied_by": [{"path": "main.tf", "line": 8}],
    }
    assert cells["read"]["verdict"] == "yes" and cells["read"]["denied_by"] == []


def test_text_and_markdown_show_the_matrix(capsys) -> None:
    code, text = run_cli(["access", "--project-root", "."], FIXTURE, capsys)
    assert code == 0
    assert "  CiRole     yes   cond   -       -              -       -          -" in text.splitlines()
    assert "  aws_iam_role.app read: yes — allowed by infra/iam.tf:18, infra/secrets.tf:13" in text.splitlines()
    assert "  aws_iam_role.app can be assumed by ec2.amazonaws.com" in text.splitlines()
    assert text.endswith("3 secrets\n")
    code, markdown = run_cli(["access", "--format", "markdown", "--project-root", "."], FIXTURE, capsys)
    assert "| `CiRole` | yes | conditional |  |  |  |  |  |" in markdown.splitlines()
    assert markdown.startswith("## policylint access\n")


def test_output_is_byte_identical_across_runs(capsys) -> None:
    first = run_cli(["access", "--format", "json"], FIXTURE, capsys)[1]
    assert run_cli(["access", "--format", "json"], FIXTURE, capsys)[1] == first


def test_unreadable_input_exits_2_and_maps_the_rest(tmp_path: Path, capsys) -> None:
    shutil.copytree(FIXTURE, tmp_path / "repo")
    (tmp_path / "repo" / "broken.tf").write_text('resource "aws_iam_role" "x" {\n', encoding="utf-8")
    code, out = run_cli(["access", "--format", "json"], tmp_path / "repo", capsys)
    assert code == 2
    assert len(json.loads(out)["secrets"]) == 3


GRANT = ('resource "aws_iam_role" "{name}" {{\n  name = "{name}"\n}}\n'
         'resource "aws_iam_role_policy" "{name}" {{\n  role = aws_iam_role.{name}.name\n'
         '  policy = jsonencode({{Statement = [{{Effect = "Allow", Action = "secretsmanager:GetSecretValue",'
         ' Resource = "*"}}]}})\n}}\n')
SECRET = 'resource "aws_secretsmanager_secret" "s" {\n  name = "s"\n}\n'


def _readers(out: str) -> list[tuple[str, str, str]]:
    return [(s["path"], c["principal"], c["allowed_by"][0]["path"])
            for s in json.loads(out)["secrets"] for c in s["access"] if c["capability"] == "read"]


def test_access_reads_the_config_file_and_paths_are_the_project_roots_as_in_check(tmp_path: Path, capsys) -> None:
    """The config's `exclude` applies (unless `--no-config`), and paths are relative to the project root
    (the config file's directory), as `check` reports them, from whichever directory it runs in."""
    (tmp_path / "infra" / "legacy").mkdir(parents=True)
    (tmp_path / "infra" / "main.tf").write_text(SECRET + GRANT.format(name="app"), encoding="utf-8")
    (tmp_path / "infra" / "legacy" / "main.tf").write_text(SECRET + GRANT.format(name="old"), encoding="utf-8")
    (tmp_path / ".policylint.yaml").write_text("exclude:\n  - infra/legacy/**\n", encoding="utf-8")
    code, out = run_cli(["access", "--format", "json"], tmp_path / "infra", capsys)
    assert code == 0 and _readers(out) == [("infra/main.tf", "aws_iam_role.app", "infra/main.tf")]
    code, out = run_cli(["access", "--format", "json", "--no-config"], tmp_path / "infra", capsys)
    assert code == 0 and _readers(out) == [("legacy/main.tf", "aws_iam_role.old", "legacy/main.tf"),
                                           ("main.tf", "aws_iam_role.app", "main.tf")]
    code, out = run_cli(["access", "--format", "json", "--no-config", "--project-root", ".."], tmp_path / "infra", capsys)
    assert [p for p, _, _ in _readers(out)] == ["infra/legacy/main.tf", "infra/main.tf"]


def test_access_does_not_read_through_a_link_out_of_the_tree(tmp_path: Path, capsys) -> None:
    """A policy file linked from outside the project is not read, as in `check`: an input error at the
    link (exit 2), and no grant through it."""
    outside, project = tmp_path / "outside", tmp_path / "project"
    outside.mkdir()
    project.mkdir()
    (outside / "policy.json").write_text('{"Statement": [{"Effect": "Allow", "Action": "secretsmanager:*",'
                                         ' "Resource": "*"}]}', encoding="utf-8")
    (project / "main.tf").write_text(SECRET + 'resource "aws_iam_role" "app" {\n  name = "app"\n}\n'
                                     'resource "aws_iam_role_policy" "app" {\n  role   = aws_iam_role.app.name\n'
                                     '  policy = file("${path.module}/linked.json")\n}\n', encoding="utf-8")
    (project / "linked.json").symlink_to(outside / "policy.json")
    code, out, err = run_cli_err(["access", "--format", "json"], project, capsys)
    assert code == 2
    assert err.splitlines() == ["linked.json:1:1: error: a symbolic link to a file outside the scanned tree: not read "
                                "(name the file itself to lint it)"]
    assert json.loads(out)["secrets"] == [{"secret": "aws_secretsmanager_secret.s", "path": "main.tf", "line": 1,
                                           "access": []}]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t"})


@pytest.fixture
def two_commits(tmp_path: Path) -> Path:
    """The fixture committed, then a change: the app role may now delete prod/api and no longer read prod/db."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    iam = repo / "infra" / "iam.tf"
    text = iam.read_text(encoding="utf-8")
    text = text.replace(
        'Action   = "secretsmanager:GetSecretValue"\n        Resource = [aws_secretsmanager_secret.db.arn, aws_secretsmanager_secret.api.arn]',
        'Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DeleteSecret"]\n'
        '        Resource = [aws_secretsmanager_secret.api.arn]',
    )
    iam.write_text(text, encoding="utf-8")
    return repo


def test_baseline_commit_reports_exactly_what_changed(two_commits: Path, capsys) -> None:
    code, out = run_cli(["access", "--baseline-commit", "HEAD", "--format", "json"], two_commits, capsys)
    assert code == 0
    changes = [(c["secret"], c["principal"], c["capability"], c["change"]) for c in json.loads(out)["changes"]]
    assert changes == [
        ("aws_secretsmanager_secret.api", "aws_iam_role.app", "delete", "gains"),
        ("aws_secretsmanager_secret.db", "aws_iam_role.app", "read", "loses"),
    ]
    code, text = run_cli(["access", "--baseline-commit", "HEAD", "--fail-on-widening"], two_commits, capsys)
    assert code == 1
    assert text.splitlines() == [
        "aws_iam_role.app gains delete on secret aws_secretsmanager_secret.api (yes) — allowed by infra/iam.tf:18, no deny",
        "aws_iam_role.app loses read on secret aws_secretsmanager_secret.db (yes) — was allowed by infra/iam.tf:18, "
        "infra/secrets.tf:13, no deny",
        "",
        "2 changes in access since HEAD",
    ]
    code, markdown = run_cli(["access", "--baseline-commit", "HEAD", "--format", "markdown"], two_commits, capsys)
    assert markdown.splitlines()[:3] == [
        "## policylint access since `HEAD`", "",
        "- aws_iam_role.app gains **delete** on secret aws_secretsmanager_secret.api (yes) — allowed by "
        "infra/iam.tf:18, no deny",
    ]


def test_baseline_commit_without_changes_passes_fail_on_widening(two_commits: Path, capsys) -> None:
    _git(two_commits, "commit", "-q", "-am", "change")
    code, out = run_cli(["access", "--baseline-commit", "HEAD", "--fail-on-widening"], two_commits, capsys)
    assert (code, out) == (0, "0 changes in access since HEAD\n")


def test_baseline_commit_that_does_not_exist_is_a_usage_error(two_commits: Path, capsys) -> None:
    code, _, err = run_cli_err(["access", "--baseline-commit", "no-such-rev"], two_commits, capsys)
    assert code == 2
    assert "--baseline-commit no-such-rev: no such commit in this repository" in err


def access_of(root: Path, files: dict[str, str], capsys) -> dict[str, dict[tuple[str, str], str]]:
    """secret -> (principal, capability) -> verdict, for files written under root."""
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    code, out = run_cli(["access", "--format", "json"], root, capsys)
    assert code == 0
    return {s["secret"]: {(c["principal"], c["capability"]): c["verdict"] for c in s["access"]}
            for s in json.loads(out)["secrets"]}


READ_ALL = '{Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = "*"}]}'


def test_users_get_their_groups_policies_and_unknown_targets_give_may(tmp_path: Path, capsys) -> None:
    found = access_of(tmp_path, {"main.tf": (
        'resource "aws_iam_user" "dev" {\n  name = "dev"\n}\n'
        'resource "aws_iam_user" "ops" {\n  name = "ops"\n}\n'
        'resource "aws_iam_group" "readers" {\n  name = "readers"\n}\n'
        'resource "aws_iam_group_policy" "readers" {\n  group = aws_iam_group.readers.name\n'
        f'  policy = jsonencode({READ_ALL})\n}}\n'
        'resource "aws_iam_user_group_membership" "dev" {\n  user = aws_iam_user.dev.name\n'
        '  groups = [aws_iam_group.readers.name]\n}\n'
        'variable "who" {}\n'
        'resource "aws_iam_user_policy" "someone" {\n  user = var.who\n'
        '  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "secretsmanager:DeleteSecret", Resource = "*"}]})\n}\n'
        'resource "aws_secretsmanager_secret" "s" {\n  name = "s"\n}\n')}, capsys)
    assert found == {"aws_secretsmanager_secret.s": {
        ("aws_iam_user.dev", "read"): "yes",
        ("aws_iam_user.dev", "delete"): "may", ("aws_iam_user.ops", "delete"): "may",
    }}


def test_cloudformation_managed_policy_reaches_its_roles(tmp_path: Path, capsys) -> None:
    found = access_of(tmp_path, {"stack.yaml": (
        "Resources:\n"
        "  Secret:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      Name: s\n"
        "  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n"
        "  Other:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n"
        "  Reader:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      Roles: [!Ref Role]\n"
        "      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n"
        "          - Effect: Allow\n            Action: secretsmanager:GetSecretValue\n            Resource: !Ref Secret\n")},
        capsys)
    assert found == {"Secret": {("Role", "read"): "yes"}}


def test_a_key_policy_that_delegates_to_the_account_leaves_reading_to_may(tmp_path: Path, capsys) -> None:
    found = access_of(tmp_path, {"main.tf": (
        'data "aws_caller_identity" "current" {}\n'
        'resource "aws_kms_key" "k" {\n  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",\n'
        '    Principal = {AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"},\n'
        '    Action = "kms:*", Resource = "*"}]})\n}\n'
        'resource "aws_iam_role" "app" {\n  name = "app"\n}\n'
        'resource "aws_iam_role_policy" "app" {\n  role = aws_iam_role.app.name\n'
        '  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",\n'
        '    Action = ["secretsmanager:GetSecretValue", "kms:Decrypt"], Resource = "*"}]})\n}\n'
        'resource "aws_iam_role" "other" {\n  name = "other"\n}\n'
        'resource "aws_iam_role_policy" "other" {\n  role = aws_iam_role.other.name\n'
        f'  policy = jsonencode({READ_ALL})\n}}\n'
        'resource "aws_secretsmanager_secret" "s" {\n  name = "s"\n  kms_key_id = aws_kms_key.k.arn\n}\n')}, capsys)
    # Whether the root principal is the role's own account is not known offline; without kms:Decrypt in its
    # identity policy, `other` cannot read through the account's delegation at all.
    assert found == {"aws_secretsmanager_secret.s": {("aws_iam_role.app", "read"): "may"}}


def test_a_policy_whose_document_is_not_in_the_tree_makes_every_cell_may(tmp_path: Path, capsys) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "app" {\n  name = "app"\n}\n'
        'resource "aws_iam_role_policy_attachment" "app" {\n  role = aws_iam_role.app.name\n'
        '  policy_arn = "arn:aws:iam::123456789012:policy/shared"\n}\n'
        'resource "aws_secretsmanager_secret" "s" {\n  name = "s"\n}\n', encoding="utf-8")
    code, out = run_cli(["access", "--format", "json"], tmp_path, capsys)
    cells = json.loads(out)["secrets"][0]["access"]
    assert code == 0
    assert [(c["capability"], c["verdict"], c["conditions"]) for c in cells] == [
        (c, "may", ["a policy outside the tree"]) for c in ADMIN_ALL
    ]


def test_an_aws_managed_policy_the_dataset_lacks_makes_every_cell_may(tmp_path: Path, capsys) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "app" {\n  name = "app"\n}\n'
        'resource "aws_iam_role_policy_attachment" "app" {\n  role = aws_iam_role.app.name\n'
        '  policy_arn = "arn:aws:iam::aws:policy/NoSuchPolicyEver"\n}\n'
        'resource "aws_secretsmanager_secret" "s" {\n  name = "s"\n}\n', encoding="utf-8")
    code, out = run_cli(["access", "--format", "json"], tmp_path, capsys)
    cells = json.loads(out)["secrets"][0]["access"]
    assert [(c["capability"], c["verdict"], c["conditions"]) for c in cells] == [
        (c, "may", ["the AWS managed policy NoSuchPolicyEver, whose document is not known"]) for c in ADMIN_ALL
    ]


def test_two_templates_with_the_same_logical_ids_stay_apart(tmp_path: Path, capsys) -> None:
    def template(action: str) -> str:
        return ("Resources:\n  Secret:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      Name: s\n"
                "  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n"
                "      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Version: '2012-10-17'\n"
                f"            Statement:\n              - Effect: Allow\n                Action: {action}\n"
                "                Resource: !Ref Secret\n")

    (tmp_path / "a.yaml").write_text(template("secretsmanager:GetSecretValue"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(template("secretsmanager:DeleteSecret"), encoding="utf-8")
    code, out = run_cli(["access", "--format", "json"], tmp_path, capsys)
    assert code == 0
    assert [(s["path"], [(c["principal"], c["capability"], places(c["allowed_by"])) for c in s["access"]])
            for s in json.loads(out)["secrets"]] == [
        ("a.yaml", [("Role", "read", ["a.yaml:15"])]),
        ("b.yaml", [("Role", "delete", ["b.yaml:15"])]),
    ]


def test_an_aws_managed_policy_in_an_unknown_partition_is_read(tmp_path: Path, capsys) -> None:
    found = access_of(tmp_path, {"stack.yaml": (
        "Resources:\n"
        "  Secret:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      Name: s\n"
        "  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n"
        "      ManagedPolicyArns:\n        - !Sub arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore\n")},
        capsys)
    assert found == {"Secret": {}}  # that policy grants nothing on Secrets Manager


def test_functions_are_their_roles_and_a_sam_functions_policies_its_own_principal(tmp_path: Path, capsys) -> None:
    """A function is no principal of its own when it has a role (its role is); a SAM function's `Policies`
    still are one, named by the function, unless it is given a role (SAM then ignores them)."""
    found = access_of(tmp_path, {"stack.yaml": (
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Secret:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      Name: s\n"
        "  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n"
        "      Policies:\n        - PolicyName: read\n          PolicyDocument:\n            Version: '2012-10-17'\n"
        "            Statement:\n              - {Effect: Allow, Action: secretsmanager:GetSecretValue, Resource: !Ref Secret}\n"
        "  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt Role.Arn\n"
        "  SamFn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.h\n      Runtime: python3.12\n"
        "      Policies:\n        - Statement:\n            - {Effect: Allow, Action: secretsmanager:DeleteSecret, Resource: !Ref Secret}\n"
        "  SamFnWithRole:\n    Type: AWS::Serverless::Function\n    Properties:\n      Role: !GetAtt Role.Arn\n"
        "      Policies:\n        - Statement:\n            - {Effect: Allow, Action: secretsmanager:PutSecretValue, Resource: !Ref Secret}\n")},
        capsys)
    assert found == {"Secret": {("Role", "read"): "yes", ("SamFn", "delete"): "yes"}}
