"""Single-file parity over generated module trees (issue 11 item 6), differential style: for every `.tf`
file of a small tree of modules (a root, maybe a second root, an intermediate module, a leaf), `check FILE`
reports exactly the findings `check .` places in FILE, `--stdin-filename FILE` the same, and `check .` gives
byte-identical output with `--jobs 1` and `--jobs 2`; the language server shows the same for a buffer. The trees mix what makes a finding land in a file
other than the one its document is written in: literal and derived call arguments, `count`/`for_each` on
calls, outputs read back by the caller, a child's guard on the caller's secret, `dynamic "statement"` over
a caller's list, `file()` policies and variable defaults in a sibling file."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tf_helpers import places, run_check, span, write

ROOT, SECOND, MID, INNER, LEAF = "", "live", "modules/mid", "modules/inner", "modules/leaf"
POLICY = '{"Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}\n'

LEAF_JSON = ('{"resource": {"aws_iam_role_policy": {"json": {"role": "r", "policy": "{\\"Statement\\": [{\\"Effect\\":'
             ' \\"Allow\\", \\"Action\\": \\"${var.service}:Delete*\\", \\"Resource\\": \\"*\\"}]}"}}}}\n')

# Values a module passes to a call's inputs; `{each}`/`{count}` only where the call iterates.
ACTIONS = ['["secretsmanager:*"]', "var.actions", "local.acts", 'concat(var.actions, ["kms:Decrypt"])',
           '["${var.service}:Get*"]', '[for a in var.actions : a if a != ""]']
SERVICES = ['"secretsmanager"', "var.service", '"ec2"', 'lower("SecretsManager")']
SECRETS = ["var.secret_arn", '"arn:aws:secretsmanager:eu-west-1:111122223333:secret:x-AbCdEf"']
STATEMENTS = ['[{ actions = ["secretsmanager:*"] }]', "var.statements", "[for a in var.actions : { actions = [a] }]",
              '[{ actions = var.actions }, { actions = ["${var.service}:*"] }]']
DOCS = ['file("${path.module}/policy.json")', "var.doc", "data.aws_iam_policy_document.own.json",
        'jsonencode({ Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }] })']
METAS = ["", "count = 2", "count = 0", "count = var.enabled ? 1 : 0", 'for_each = toset(["a", "b"])',
         "for_each = toset(var.actions)"]
EACH_ACTIONS = ["[each.value]", '[count.index == 0 ? "secretsmanager:*" : "s3:GetObject"]']
DEFAULT_ACTIONS = ["", '["secretsmanager:GetSecretValue"]', '["secretsmanager:*"]', '["*"]', "null"]


def _variables(actions: str, service: str) -> str:
    """Every module's inputs; a default may be given (`actions`, `service`) or left out."""
    def declare(name: str, default: str) -> str:
        return f'variable "{name}" {{\n' + (f"  default = {default}\n" if default else "") + "}\n"

    return "".join([declare("actions", actions), declare("service", service), declare("secret_arn", ""),
                    declare("statements", '[{ actions = ["secretsmanager:Get*"] }]'), declare("enabled", "true"), declare("doc", "")])


def _call(name: str, source: str, meta: str, actions: str, service: str, secret: str, statements: str,
          doc: str) -> str:
    lines = [f'module "{name}" {{', f'  source     = "{source}"']
    if meta:
        lines.append(f"  {meta}")
    lines += [f"  actions    = {actions}", f"  service    = {service}", f"  secret_arn = {secret}",
              f"  statements = {statements}", f"  doc        = {doc}", "}"]
    return "\n".join(lines) + "\n"


LEAF_BLOCKS = {
    "policy": ('resource "aws_iam_policy" "leaf" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow",'
               ' Action = var.actions, Resource = "*" }] })\n}\n'),
    "service": ('resource "aws_iam_role_policy" "svc" {\n  role   = "r"\n  policy = jsonencode({ Statement = [{'
                ' Effect = "Allow", Action = "${var.service}:*", Resource = "*" }] })\n}\n'),
    "dynamic": ('data "aws_iam_policy_document" "dyn" {\n  dynamic "statement" {\n    for_each = var.statements\n'
                '    content {\n      actions   = statement.value.actions\n      resources = ["*"]\n    }\n  }\n}\n'
                'resource "aws_iam_policy" "dyn" {\n  policy = data.aws_iam_policy_document.dyn.json\n}\n'),
    "guard": ('resource "aws_secretsmanager_secret_policy" "guard" {\n  secret_arn = var.secret_arn\n'
              '  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = "*",'
              ' Action = "secretsmanager:GetSecretValue", Resource = "*" }] })\n}\n'),
    "file": 'resource "aws_iam_policy" "file" {\n  policy = file("${path.module}/policy.json")\n}\n',
    "output": 'output "granted" {\n  value = var.actions\n}\n',
    "given": 'resource "aws_iam_policy" "given" {\n  policy = var.doc\n}\n',
    "output_doc": 'output "doc" {\n  value = data.aws_iam_policy_document.dyn.json\n}\n',
    "output_literal": 'output "granted" {\n  value = ["secretsmanager:Put*", "kms:*"]\n}\n',
    "rotation": ('resource "aws_secretsmanager_secret_rotation" "rot" {\n  secret_id           = var.secret_arn\n'
                 '  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:r"\n'
                 '  rotation_rules {\n    automatically_after_days = 400\n  }\n}\n'),
    "own_secret": 'resource "aws_secretsmanager_secret" "own" {\n  name = "leaf/${var.service}"\n}\n',
    "heredoc": ('resource "aws_iam_policy" "doc" {\n  policy = <<EOT\n{"Statement": [{"Effect": "Allow",'
                ' "Action": "${var.service}:*", "Resource": "*"}]}\nEOT\n}\n'),
    "counted": ('resource "aws_iam_policy" "counted" {\n  count  = var.enabled ? 1 : 0\n  policy = jsonencode({'
                ' Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }] })\n}\n'),
}

MID_OWN = {
    "document": ('data "aws_iam_policy_document" "own" {\n  statement {\n    actions   = var.actions\n'
                 '    resources = ["*"]\n  }\n}\n'),
    "output_doc": 'output "doc" {\n  value = module.leaf.doc\n}\n',
    "policy": ('resource "aws_iam_policy" "mid" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow",'
               ' Action = local.acts, Resource = "*" }] })\n}\n'),
    "output": 'output "granted" {\n  value = module.leaf.granted\n}\n',
    "reads": ('resource "aws_iam_role_policy" "back" {\n  role   = "r"\n  policy = jsonencode({ Statement = [{'
              ' Effect = "Allow", Action = module.leaf.granted, Resource = "*" }] })\n}\n'),
}

ROOT_OWN = {
    "document": ('data "aws_iam_policy_document" "own" {\n  statement {\n    actions   = var.actions\n'
                 '    resources = ["*"]\n  }\n}\n'),
    "reads_doc": 'resource "aws_iam_policy" "outdoc" {\n  policy = module.mid.doc\n}\n',
    "splat": ('resource "aws_iam_role_policy" "splat" {\n  role   = "r"\n  policy = jsonencode({ Statement = [{'
              ' Effect = "Allow", Action = flatten(module.mid[*].granted), Resource = "*" }] })\n}\n'),
    "guard": ('resource "aws_secretsmanager_secret_policy" "root" {\n  secret_arn = aws_secretsmanager_secret.s.arn\n'
              '  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" },'
              ' Action = module.mid.granted, Resource = "*" }] })\n}\n'),
    "kms": ('data "aws_kms_alias" "sm" {\n  name = "alias/aws/secretsmanager"\n}\nresource "aws_secretsmanager_secret" "k" {\n'
            '  name       = "k"\n  kms_key_id = data.aws_kms_alias.sm.arn\n}\n'),
    "secret": 'resource "aws_secretsmanager_secret" "s" {\n  name = "app/db"\n}\n',
    "reads": ('resource "aws_iam_role_policy" "back" {\n  role   = "r"\n  policy = jsonencode({ Statement = [{'
              ' Effect = "Allow", Action = module.mid.granted, Resource = "*" }] })\n}\n'),
    "file": 'resource "aws_iam_policy" "file" {\n  policy = file("${path.module}/policy.json")\n}\n',
}


def _spellings(source: str) -> list[str]:
    """A call's source and other spellings of the same directory (`./modules/x/`, `./modules/../modules/x`,
    `../../modules/x` from a sibling module)."""
    folder, _, name = source.rpartition("/")
    other = f"{folder}/../{folder.rpartition('/')[2]}/{name}" if "modules" in folder else f"../../modules/{name}"
    return [source, source + "/", other]


@st.composite
def _module_call(draw, name: str, source: str, secrets: list[str], more: tuple[str, ...] = ()) -> str:
    meta = draw(st.sampled_from(METAS))
    iterates = "for_each" in meta or meta.startswith("count = 2")
    actions = draw(st.sampled_from(ACTIONS + list(more) + (EACH_ACTIONS[:1] if "for_each" in meta else EACH_ACTIONS[1:]
                                              if iterates else [])))
    source = draw(st.sampled_from(_spellings(source)))
    return _call(name, source, meta, actions, draw(st.sampled_from(SERVICES)), draw(st.sampled_from(secrets)),
                 draw(st.sampled_from(STATEMENTS)), draw(st.sampled_from(DOCS)))


@st.composite
def _directory(draw, own: dict[str, str], calls: list[str]) -> dict[str, str]:
    """One module's blocks spread over `main.tf` and `other.tf` (a sibling), with its variables and locals."""
    blocks = [own[name] for name in draw(st.lists(st.sampled_from(sorted(own)), unique=True))] + calls
    blocks.append(_variables(draw(st.sampled_from(DEFAULT_ACTIONS)), draw(st.sampled_from(['', '"secretsmanager"', '"s3"']))))
    blocks.append('locals {\n  acts = concat(var.actions, ["secretsmanager:DescribeSecret"])\n}\n')
    files: dict[str, str] = {}
    for block in blocks:
        name = draw(st.sampled_from(["main.tf", "other.tf"]))
        if draw(st.integers(0, 5)) == 0:  # a suppression above the block
            block = "# policylint:ignore=SM001,SM002,IAM006 generated\n" + block
        files[name] = files.get(name, "") + block
    return files


@st.composite
def trees(draw) -> dict[str, str]:
    """A root calling an intermediate module (and maybe the leaf directly), the intermediate module calling
    the leaf (maybe through a second intermediate one), and maybe a second root calling the first
    intermediate module too; the leaf may have a `.tf.json` file."""
    secrets = SECRETS + ["aws_secretsmanager_secret.s.arn"]
    files: dict[str, str] = {}

    def add(folder: str, content: dict[str, str]) -> None:
        files.update({f"{folder}/{name}" if folder else name: text for name, text in content.items()})

    add(LEAF, draw(_directory(LEAF_BLOCKS, [])))
    if draw(st.booleans()):
        files[f"{LEAF}/extra.tf.json"] = LEAF_JSON
    below = "../leaf"
    if draw(st.booleans()):
        add(INNER, draw(_directory(MID_OWN, [draw(_module_call("leaf", "../leaf", SECRETS))])))
        below = "../inner"
    add(MID, draw(_directory(MID_OWN, [draw(_module_call("leaf", below, SECRETS))])))
    root_calls = [draw(_module_call("mid", "./modules/mid", secrets))]
    if draw(st.booleans()):
        root_calls.append(draw(_module_call("direct", "./modules/leaf", secrets, ["module.mid.granted"])))
    add(ROOT, draw(_directory(ROOT_OWN, root_calls)))
    if draw(st.booleans()):
        add(SECOND, draw(_directory(ROOT_OWN, [draw(_module_call("mid", "../modules/mid", secrets))])))
    for folder in (ROOT, SECOND, MID, INNER, LEAF):
        prefix = f"{folder}/" if folder else ""
        if any(name.startswith(prefix) and 'file("' in text for name, text in files.items()
               if name.count("/") == prefix.count("/")):
            files[f"{prefix}policy.json"] = POLICY
    return files


def _stdin(root: Path, name: str) -> dict:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", io.StringIO((root / name).read_text(encoding="utf-8")))
        return run_check(root, "--stdin-filename", name)[1]


def assert_parity(root: Path, files: dict[str, str], stdin: str | None = None) -> None:
    """Every file alone reports what `check .` places in it (findings, errors, what its comments suppress and
    which of them suppress nothing), the other files it may
    report being only the policy files it reads; `--stdin-filename` as the file; `--jobs` changes nothing."""
    _, whole, one_job = run_check(root, ".", "--jobs", "1")
    _, _, two_jobs = run_check(root, ".", "--jobs", "2")
    assert one_job == two_jobs
    for name in sorted(n for n in files if n.endswith((".tf", ".tf.json"))):
        alone = _stdin(root, name) if name == stdin else run_check(root, name)[1]
        for key in ("findings", "errors", "suppressed", "unused_suppressions"):
            assert [f for f in alone[key] if f["path"] == name] == [f for f in whole[key] if f["path"] == name], (name, key)
        # A policy file goes with the policies that read it: the file alone reports, at the places `check .`
        # reports, what its own readers find there. Another file reading the same policy may speak for
        # the place in `check .` (one finding per rule and range), so the resource may differ.
        places_whole = {_place(f) for f in whole["findings"]}
        others = [f for f in alone["findings"] if f["path"] != name]
        assert all(f["path"].endswith(".json") and _place(f) in places_whole for f in others), name


def _place(finding: dict) -> tuple:
    return tuple(finding[k] for k in ("rule_id", "path", "line", "column", "end_line", "end_column"))


# --- counterexamples the trees found, reduced ------------------------------------------------------------

LEAF_POLICY = ('variable "actions" {}\nresource "aws_iam_policy" "leaf" {\n  policy = jsonencode({ Statement = [{'
               ' Effect = "Allow", Action = var.actions, Resource = "*" }] })\n}\n')
MID_LITERAL = 'module "leaf" {\n  source  = "../leaf"\n  actions = ["secretsmanager:*"]\n}\n'


def _leaf_alone(tmp_path: Path, select: str) -> tuple[list[tuple], list[tuple]]:
    """What `check .` reports (all files) and what `check modules/leaf/main.tf` reports, for these rules."""
    _, whole, _ = run_check(tmp_path, ".", select=select)
    _, alone, _ = run_check(tmp_path, "modules/leaf/main.tf", select=select)
    return places(whole), places(alone)


def test_a_leaf_named_alone_gets_what_the_intermediate_module_passes_it(tmp_path: Path) -> None:
    """The root calls mid with nothing; mid passes the leaf a literal wildcard. `check .` reports it at the
    leaf's `"*"` resource through mid's own lint (the root's instance of mid passes the same, so its twin
    drops it there): the leaf named alone must lint mid as `check .` does, not only the root modules."""
    write(tmp_path, {"main.tf": 'module "mid" {\n  source = "./modules/mid"\n}\n',
                     "modules/mid/main.tf": MID_LITERAL, "modules/leaf/main.tf": LEAF_POLICY})
    expected = [span(rule, "modules/leaf/main.tf", LEAF_POLICY, '"*"', "module.leaf.aws_iam_policy.leaf")
                for rule in ("SM002", "SM012")]
    whole, alone = _leaf_alone(tmp_path, "SM002,SM012")
    assert whole == alone == expected


def test_a_policy_file_read_below_a_keyed_call_is_reported_by_its_reader_only(tmp_path: Path) -> None:
    """mid calls the leaf with `for_each` over its input: known in the root's instance of mid (a key per
    action), unknown in mid on its own (one instance standing for all). The leaf reads a policy file; the
    root's keyed instances of it are the same as mid's, so their twin is mid's one instance: the root named
    alone reports nothing, as in `check .`, where the leaf reports the file (its reader)."""
    write(tmp_path, {"main.tf": 'module "mid" {\n  source  = "./modules/mid"\n  actions = ["secretsmanager:*"]\n}\n',
                     "modules/mid/main.tf": ('variable "actions" {}\nmodule "leaf" {\n  source   = "../leaf"\n'
                                             '  for_each = toset(var.actions)\n}\n'),
                     "modules/leaf/main.tf": 'resource "aws_iam_policy" "f" {\n  policy = file("${path.module}/p.json")\n}\n',
                     "modules/leaf/p.json": POLICY})
    expected = [span("SM002", "modules/leaf/p.json", POLICY, '"*"', "aws_iam_policy.f")]
    whole, alone = _leaf_alone(tmp_path, "SM002")
    assert whole == alone == expected
    assert run_check(tmp_path, "main.tf", select="SM002")[1]["findings"] == []


def test_a_rotation_a_child_links_to_the_callers_secret_is_reported_in_the_child_named_alone(tmp_path: Path) -> None:
    """The root's secret is rotated by the leaf it passes the ARN to; SM006 is about the root's secret but
    points at the leaf's `400`, where it can be changed: the leaf named alone gets the root's resources."""
    leaf = ('variable "secret_arn" {}\nresource "aws_secretsmanager_secret_rotation" "rot" {\n  secret_id = var.secret_arn\n'
            '  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:111122223333:function:r"\n'
            '  rotation_rules {\n    automatically_after_days = 400\n  }\n}\n')
    write(tmp_path, {"main.tf": ('resource "aws_secretsmanager_secret" "s" {\n  name = "app/db"\n}\nmodule "leaf" {\n'
                                 '  source     = "./modules/leaf"\n  secret_arn = aws_secretsmanager_secret.s.arn\n}\n'),
                     "modules/leaf/main.tf": leaf})
    expected = [span("SM006", "modules/leaf/main.tf", leaf, "400", "aws_secretsmanager_secret.s")]
    whole, alone = _leaf_alone(tmp_path, "SM006")
    assert whole == alone == expected
    assert run_check(tmp_path, "main.tf", select="SM006")[1]["findings"] == []


def test_a_keyed_call_below_a_borrowed_instance_has_the_twin_a_fresh_one_has(tmp_path: Path) -> None:
    """inner calls the leaf with `for_each` over its input; mid passes it a list. Linting the root first
    makes mid's instance of inner once below a twin; mid's own lint then takes it (`_Run._borrowed`), with
    its keyed leaf instance. That instance's twin is inner's one instance standing for all keys, whichever
    run made it: nothing but the leaf's own finding is reported, with one process or two, and for mid named
    alone."""
    guard = 'resource "aws_secretsmanager_secret_policy" "guard" {\n}\n'
    write(tmp_path, {"other.tf": 'module "mid" {\n  source = "./modules/mid"\n}\n',
                     "modules/mid/main.tf": 'module "inner" {\n  source  = "../inner"\n  actions = ["secretsmanager:*"]\n}\n',
                     "modules/inner/main.tf": 'variable "actions" {}\nmodule "leaf" {\n  source   = "../leaf"\n  for_each = toset(var.actions)\n}\n',
                     "modules/leaf/main.tf": guard})
    expected = [span("SM009", "modules/leaf/main.tf", guard, 'resource "aws_secretsmanager_secret_policy" "guard"',
                     "aws_secretsmanager_secret_policy.guard")]
    outputs = [run_check(tmp_path, ".", "--jobs", jobs, select="SM009") for jobs in ("1", "2")]
    assert outputs[0][2] == outputs[1][2] and places(outputs[0][1]) == expected
    assert run_check(tmp_path, "modules/mid/main.tf", select="SM009")[1]["findings"] == []


def test_a_document_the_caller_takes_from_a_module_output_is_reported_in_the_child_named_alone(tmp_path: Path) -> None:
    """The root attaches the document the leaf outputs, built from the root's actions: SM002 points at the
    leaf's `"*"`. The root's own document is not a policy file it read (its findings go with the reader):
    it is written in the leaf's Terraform, so the leaf named alone reports it, as `check .` does."""
    leaf = ('variable "actions" {}\ndata "aws_iam_policy_document" "d" {\n  statement {\n    actions   = var.actions\n'
            '    resources = ["*"]\n  }\n}\noutput "doc" {\n  value = data.aws_iam_policy_document.d.json\n}\n')
    write(tmp_path, {"main.tf": ('module "leaf" {\n  source  = "./modules/leaf"\n  actions = ["secretsmanager:*"]\n}\n'
                                 'resource "aws_iam_policy" "out" {\n  policy = module.leaf.doc\n}\n'),
                     "modules/leaf/main.tf": leaf})
    expected = [span("SM002", "modules/leaf/main.tf", leaf, '"*"', "aws_iam_policy.out")]
    whole, alone = _leaf_alone(tmp_path, "SM002")
    assert whole == alone == expected



LEAF_DEFAULT = ('variable "actions" {\n  default = ["secretsmanager:*"]\n}\nresource "aws_iam_policy" "p" {\n'
                '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }] })\n}\n')


@pytest.mark.parametrize("caller", [
    {"main.tf.json": '{"module": {"leaf": {"source": "./modules/leaf", "actions": ["secretsmanager:*"]}}}\n'},
    {"main.tf.json": '{"module": [{"leaf": [{"source": "./modules/leaf", "actions": ["secretsmanager:*"]}]}]}\n'},
    {"main.tf": 'module "leaf" { source = "./modules/leaf" }\n'},
    {"main.tf": 'module "leaf" {\n  source = "./modules/leaf" # ours\n}\n'},
])
def test_a_caller_in_json_or_a_one_line_block_is_found_for_the_child_named_alone(tmp_path: Path, caller) -> None:
    """The cheap scan of who calls a directory reads `.tf.json` module objects, one-line blocks and a
    source followed by a comment too:
    the leaf is then a called module (its default is the caller's value, reported as the instance's), and
    named alone it gets the findings the caller's instance places in it, as `check .` does."""
    write(tmp_path, {**caller, "modules/leaf/main.tf": LEAF_DEFAULT})
    owner = "module.leaf.aws_iam_policy.p"
    where = '"secretsmanager:*"' if "main.tf" in caller else '"*"'
    expected = [span("SM002", "modules/leaf/main.tf", LEAF_DEFAULT, '"*"', owner)]
    if "main.tf" in caller:  # the default is what the call passes
        expected.insert(0, span("SM001", "modules/leaf/main.tf", LEAF_DEFAULT, where, owner))
    whole, alone = _leaf_alone(tmp_path, "SM001,SM002")
    assert [f for f in whole if f[1] == "modules/leaf/main.tf"] == alone == expected


def test_a_policy_file_two_files_read_is_reported_by_each_reader_as_its_own(tmp_path: Path) -> None:
    """By design, not a parity gap: `main.tf` reads `policy.json` for its own policy and `other.tf` passes
    it to a module. A policy file goes with its readers: `check .` reports each place once (the first
    reader speaks: `aws_iam_policy.file`), `check other.tf` reports the same places for the one reader it
    names (`module.direct...`), and `check main.tf` what `check .` reports."""
    write(tmp_path, {"main.tf": 'resource "aws_iam_policy" "file" {\n  policy = file("${path.module}/policy.json")\n}\n',
                     "other.tf": 'module "direct" {\n  source = "./modules/leaf"\n  doc    = file("${path.module}/policy.json")\n}\n',
                     "modules/leaf/main.tf": 'variable "doc" {}\nresource "aws_iam_policy" "given" {\n  policy = var.doc\n}\n',
                     "policy.json": POLICY})
    def expected(owner: str) -> list[tuple]:
        return [span("SM002", "policy.json", POLICY, '"*"', owner)]

    assert places(run_check(tmp_path, ".", select="SM002")[1]) == expected("aws_iam_policy.file")
    assert places(run_check(tmp_path, "main.tf", select="SM002")[1]) == expected("aws_iam_policy.file")
    assert places(run_check(tmp_path, "other.tf", select="SM002")[1]) == expected("module.direct.aws_iam_policy.given")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(files=trees(), data=st.data())
def test_every_file_of_a_module_tree_alone_reports_what_check_dot_reports(tmp_path_factory, files, data) -> None:
    _one_tree(tmp_path_factory, files, data)


def _one_tree(tmp_path_factory, files: dict[str, str], data) -> None:
    """Parity for every file, one of them through standard input and the editor's lint of a buffer, and
    for a few files named together (a pre-commit run of the staged files)."""
    root = write(tmp_path_factory.mktemp("tree"), files)
    names = sorted(n for n in files if n.endswith((".tf", ".tf.json")))
    stdin = data.draw(st.sampled_from([n for n in names if n.endswith(".tf")]))
    assert_parity(root, files, stdin)
    _, whole, _ = run_check(root, ".")
    staged = data.draw(st.lists(st.sampled_from(names), min_size=2, max_size=3, unique=True))
    _, together, _ = run_check(root, *staged)
    assert [f for f in together["findings"] if f["path"] in staged] == [
        f for f in whole["findings"] if f["path"] in staged], staged
    assert _editor(root, stdin) == sorted(
        [(f["rule_id"], f["line"], f["column"], f["end_line"], f["end_column"]) for f in whole["findings"] if f["path"] == stdin]
        + [("", u["line"], u["column"]) for u in whole["unused_suppressions"] if u["path"] == stdin])


def _editor(root: Path, name: str) -> list[tuple]:
    """What the language server shows for the file as a buffer: (rule, 1-based range), and ("", where it
    starts) for a suppression that suppresses nothing."""
    from pygls.workspace.position_codec import PositionCodec

    from linter.lsp import folder_context, lint_buffer

    text = (root / name).read_text(encoding="utf-8")
    shown = lint_buffer(text, name, folder_context(root), PositionCodec())
    return sorted((d.code or "", d.range.start.line + 1, d.range.start.character + 1) + (
        (d.range.end.line + 1, d.range.end.character + 1) if d.code else ()) for d in shown)


@pytest.mark.long
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(files=trees(), data=st.data())
def test_many_module_trees_keep_parity(tmp_path_factory, files, data) -> None:
    _one_tree(tmp_path_factory, files, data)
