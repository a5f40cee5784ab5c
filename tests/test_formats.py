"""The input-format interface: one registry, no format knowledge outside `linter/formats/`, no import cycle."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from linter.discover import SourceFile
from linter.formats import registry
from linter.formats.api import Source
from linter.model import Span

PACKAGE = Path(__file__).resolve().parent.parent / "linter"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """Every linter module a module imports, at module level or inside functions (lazy imports count), or
    names as a string to be imported later."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("linter")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("linter"):
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in MODULES else node.module)
        elif isinstance(node, ast.Constant) and node.value in MODULES:
            found.add(node.value)  # a module named to be imported by name (`import_module`, `each_file`)
    return {name for name in found if name in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for target in sorted(graph[name]):
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in on_stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == name:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return components


def test_the_import_graph_has_no_cycle():
    graph = {name: _imports(path) - {name} for name, path in MODULES.items()}
    assert _cycles(graph) == []


def test_cycle_detection_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# Format names, input file suffixes and Terraform address forms, as they would appear in code.
FORMAT_WORDS = re.compile(r"terraform|cloudformation|serverless|\bhcl\b|\.tf\b|\.template\b|^module\.|AWS::|\baws_", re.I)


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """String constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_module_outside_formats_names_a_format():
    outside = [(name, path) for name, path in MODULES.items() if not name.startswith("linter.formats")]
    named = [(name, line, text) for name, path in outside for line, text in _code_strings(path)
             if FORMAT_WORDS.search(text)]
    assert named == []


def test_every_format_is_a_package_in_the_registry():
    names = [f.name for f in registry.formats()]
    assert names == ["terraform", "serverless", "cloudformation", "terraform-plan", "json-policy"]
    assert len(set(registry.example_formats())) == sum(len(f.examples) for f in registry.formats())


def _claim(name: str, text: str) -> str | None:
    fmt = registry.claim(Source(SourceFile(Path(name), name), text))
    return fmt.name if fmt else None


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("main.tf", "", "terraform"),
        ("x.tf.json", "{}", "terraform"),
        ("serverless.yml", "service: a\nprovider: {name: aws}\n", "serverless"),
        ("serverless.yml", "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n", "cloudformation"),
        ("serverless.yml", "plugins: [a]\n", None),
        ("template.yaml", "Resources:\n  A: {Type: AWS::SNS::Topic}\n", "cloudformation"),
        ("stack.template", '{"Resources": {"A": {"Type": "AWS::SNS::Topic"}}}', "cloudformation"),
        ("ci.yml", "on: push\njobs: {}\n", None),
        ("t.json", '{"AWSTemplateFormatVersion": "2010-09-09", "planned_values": {}}', "cloudformation"),
        ("plan.json", '{"format_version": "1.2", "terraform_version": "1.9.0"}', "terraform-plan"),
        ("policy.json", '{"Statement": []}', "json-policy"),
        ("package.json", '{"name": "x"}', None),
        ("broken.json", '{"Statement": [', "json-policy"),
        ("broken.json", '{"Resources": {', "cloudformation"),
        ("tsconfig.json", "{ // comments\n}", None),
    ],
)
def test_the_registry_decides_which_format_reads_a_file(name, text, expected):
    assert _claim(name, text) == expected


def test_units_group_what_a_format_reads_together():
    files = [SourceFile(Path(p), p) for p in ["m/a.tf", "m/b.tf", "m/p.json", "serverless.yml"]]
    assert [(first, [f.display for f in unit]) for first, unit in registry.units(files)] == [
        (True, ["m/a.tf", "m/b.tf"]), (False, ["m/p.json"]), (False, ["serverless.yml"])]


def test_the_text_report_shows_the_text_that_was_linted(lint, tmp_path):
    from linter.report import render

    text = '{"Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}\n'
    report = lint({"p.json": text})
    (tmp_path / "p.json").write_text("{}\n")  # changed after linting: the excerpt must not move
    output = render("text", report, [])
    assert text.rstrip() in output and "    1 | {}" not in output


def test_one_shape_for_numbers_booleans_and_single_blocks(lint):
    files = {
        "main.tf.json": '{"resource": {"aws_secretsmanager_secret": {"s": {"recovery_window_in_days": "0",'
                        ' "kms_key_id": "arn:aws:kms:eu-west-1:111122223333:key/k"}}}}\n',
        "t.yaml": "Resources:\n  P:\n    Type: AWS::SecretsManager::ResourcePolicy\n    Properties:\n"
                  "      SecretId: x\n      BlockPublicPolicy: 'false'\n"
                  "      ResourcePolicy: {Statement: [{Effect: Deny, Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*'}]}\n",
    }
    found = {(f.rule_id, f.path, f.span) for f in lint(files).findings}
    assert ("SM007", "main.tf.json", Span(1, 78, 1, 81)) in found
    assert ("SM009", "t.yaml", Span(6, 26, 6, 33)) in found
