"""`rules validate` checks a rule against the vocabulary the predicates declare: resource kinds, relations,
predicates' subjects and message placeholders, each rejected with the file, line and key (exit 2); and a
message can never print Python internals when it runs."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from linter import messages
from linter.engine import run_rule
from linter.predicates import PREDICATES
from linter.rules import Rule
from test_cli import run_cli
from test_user_rules import MFA_RULE

DESCRIPTION_RULE = """\
id: ACME002
title: Secrets have a description
severity: low
scope: resource
resources: [secret]
rationale: A description tells the next person what the secret is for.
remediation: Set the secret's description.
message: "Secret {resource} has no description ({found})"
match:
  attribute: {name: description, missing: true}
examples:
  - format: terraform
    lines: [1]
    code: |
      resource "aws_secretsmanager_secret" "a" {
        name = "app/db"
      }
  - format: terraform
    code: |
      resource "aws_secretsmanager_secret" "a" {
        name        = "app/db"
        description = "database password of app"
      }
"""


def validate(tmp_path: Path, capsys, text: str) -> tuple[int, str, str]:
    directory = tmp_path / "house"
    directory.mkdir(exist_ok=True)
    (directory / "rule.yaml").write_text(text, encoding="utf-8")
    return run_cli(["rules", "validate", "house"], tmp_path, capsys)


def rejected(tmp_path: Path, capsys, text: str) -> str:
    """The one error line of a rule that must not load."""
    code, out, err = validate(tmp_path, capsys, text)
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err.removeprefix("policylint: rule error: ").rstrip("\n")


def test_a_minimal_compliant_secret_is_judged_by_the_users_rules_only(tmp_path, capsys):
    # SM004-SM006 fire on a bare secret; a house rule about descriptions must not inherit their noise.
    code, out, _ = validate(tmp_path, capsys, DESCRIPTION_RULE)
    assert code == 0, out
    assert out.splitlines()[-1] == "1 rule, 2 examples, 0 failed"


def test_the_users_other_rules_still_judge_a_compliant_example(tmp_path, capsys):
    (tmp_path / "more").mkdir()
    literal_names = DESCRIPTION_RULE.replace("ACME002", "ACME004").replace(
        "attribute: {name: description, missing: true}", "attribute: {name: name, literal: true}")
    (tmp_path / "more" / "ACME004.yaml").write_text(literal_names, encoding="utf-8")
    (tmp_path / "house").mkdir()
    (tmp_path / "house" / "ACME002.yaml").write_text(DESCRIPTION_RULE, encoding="utf-8")
    code, out, _ = run_cli(["rules", "--rules", "more", "validate", "house"], tmp_path, capsys)
    assert code == 1
    assert out.splitlines()[2:4] == [
        "FAIL ACME002 example 2, compliant, terraform",
        "       ACME004 fires on line 2: Secret aws_secretsmanager_secret.a has no description (name is 'app/db')",
    ]


def test_shipped_rules_keep_the_cross_check():
    from linter.rules import Example, load_rules
    from linter.ruletest import check_example

    rules = load_rules()
    sm001 = next(r for r in rules if r.id == "SM001")
    bare = Example("terraform", 'resource "aws_secretsmanager_secret" "a" {\n  name = "app/db"\n}\n', ())
    result = check_example(Rule(**{**_fields(sm001), "examples": (bare,)}), 0, rules)
    assert [p.split(":")[0] for p in result.problems] == [
        "SM004 fires on line 1", "SM005 fires on line 1", "SM006 fires on line 1"]


def _fields(rule: Rule) -> dict:
    return {name: getattr(rule, name) for name in Rule.__slots__}


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("scope: resource", "scop: resource", "house/rule.yaml:4: (rule): unknown key 'scop' (did you mean 'scope'?)"),
        ("  attribute: {", "  atribute: {",
         "house/rule.yaml:10: match: unknown predicate 'atribute' (did you mean 'attribute'?)"),
        ("missing: true}", "mising: true}",
         "house/rule.yaml:10: match.attribute: unknown key 'mising' (did you mean 'missing'?)"),
        ("  - format: terraform\n    lines", "  - format: terraform\n    line",
         "house/rule.yaml:13: examples.0: unknown key 'line' (did you mean 'lines'?)"),
        ("resources: [secret]", "resources: [secrte]",
         "house/rule.yaml:5: resources.0: unknown resource kind 'secrte' (did you mean 'secret'?); known kinds: "
         "iam_attachment, iam_group, iam_membership, iam_policy, iam_role, iam_user, kms_key, lambda_function, secret, "
         "secret_policy, secret_rotation, secret_version"),
        ("  attribute: {name: description, missing: true}", "  linked: {rel: rotaton, none: true}",
         "house/rule.yaml:10: match.linked.rel: unknown relation 'rotaton' (did you mean 'rotation'?); known "
         "relations: policies, rotation, versions"),
        ("({found})", "({fonud})",
         "house/rule.yaml:8: message: unknown placeholder '{fonud}' (did you mean '{found}'?); this rule's "
         "predicates fill in {attribute}, {element}, {field}, {found}, {resource}, {value}"),
        ("({found})", "({granted})",
         "house/rule.yaml:8: message: placeholder '{granted}' is never filled in by this rule's predicates; they "
         "fill in {attribute}, {element}, {field}, {found}, {resource}, {value}"),
        ("({found})", "({0})",
         "house/rule.yaml:8: message: '{0}': placeholders are named, not numbered (for example {element})"),
        ("({found})", "({}", "house/rule.yaml:8: message: '{}': placeholders are named, not numbered (for example "
                             "{element})"),
        ("({found})", "({found)",
         "house/rule.yaml:8: message: a '{' that is never closed (write '{{' or '}}' for a literal brace)"),
        ("({found})", "(found})",
         "house/rule.yaml:8: message: a single '}' that closes no placeholder (write '{{' or '}}' for a literal brace)"),
        ("({found})", "({found:>300000000})",
         "house/rule.yaml:8: message: '{found:>300000000}': format specs are not supported"),
        ("({found})", "({found!r})", "house/rule.yaml:8: message: '{found!r}': conversions (!r, !s, !a) are not supported"),
        ("({found})", "({resource.__class__})",
         "house/rule.yaml:8: message: '{resource.__class__}': attribute and index access are not supported (only "
         "{option[NAME]})"),
        ("({found})", "({option[max_days]})",
         "house/rule.yaml:8: message: placeholder '{option[max_days]}' names no declared option (declared: none)"),
        ("({found})", "({option})", "house/rule.yaml:8: message: placeholder '{option}' must name the option: "
                                    "{option[NAME]}"),
        ("({found})", "({_granted})",
         "house/rule.yaml:8: message: unknown placeholder '{_granted}' (did you mean '{granted}'?); this rule's "
         "predicates fill in {attribute}, {element}, {field}, {found}, {resource}, {value}"),
        ("  attribute: {name: description, missing: true}", "  effect: Allow",
         "house/rule.yaml:10: match: 'effect' judges a statement, but the subject here is a resource; use it "
         "inside {some_document: {some_statement: ...}}"),
        ("  attribute: {name: description, missing: true}", "  some_document: {effect: Allow}",
         "house/rule.yaml:10: match.some_document: 'effect' judges a statement, but the subject here is a document "
         "in a resource; use it inside {some_statement: ...}"),
    ],
)
def test_validate_rejects_with_file_line_and_message(tmp_path, capsys, old, new, error):
    assert old in DESCRIPTION_RULE
    assert rejected(tmp_path, capsys, DESCRIPTION_RULE.replace(old, new, 1)) == error


@pytest.mark.parametrize(("new", "error"), [
    ("  attribute: {name: description, missing: true}\n  documents_known: true",
     "house/rule.yaml:10: match: an expression names exactly one predicate (or all, any, not), but this one names "
     "attribute, documents_known: list them under all: [...]"),
    ("  all: [{}]", "house/rule.yaml:10: match.all.0: an expression names exactly one predicate (or all, any, not), "
                    "but this one is empty"),
])
def test_an_expression_names_one_predicate(tmp_path, capsys, new, error):
    text = DESCRIPTION_RULE.replace("  attribute: {name: description, missing: true}", new)
    assert rejected(tmp_path, capsys, text) == error


def test_an_unknown_key_is_reported_on_its_own_line_in_block_style(tmp_path, capsys):
    text = DESCRIPTION_RULE.replace("  attribute: {name: description, missing: true}",
                                    "  attribute:\n    name: description\n    missing: true\n    equal: x")
    assert rejected(tmp_path, capsys, text) == \
        "house/rule.yaml:13: match.attribute: unknown key 'equal' (did you mean 'equals'?)"


def test_document_predicates_need_a_document(tmp_path, capsys):
    text = DESCRIPTION_RULE.replace("  attribute: {name: description, missing: true}", "  policy_variables: true")
    assert rejected(tmp_path, capsys, text) == (
        "house/rule.yaml:10: match: 'policy_variables' judges a document, but the subject here is a resource; use "
        "it inside {some_document: ...}")


WHERE_GRANTS = MFA_RULE.replace("where: {effect: Allow}", 'where: {action: {grants: "secretsmanager:*"}}')


def test_where_fills_in_its_placeholders(tmp_path, capsys):
    code, _, err = validate(tmp_path, capsys, WHERE_GRANTS.replace("'{element}' allows", "allows {granted}:"))
    assert code == 0, err


def test_where_never_fills_in_the_element(tmp_path, capsys):
    only_not = WHERE_GRANTS.replace('    - grants: "secretsmanager:DeleteSecret"\n', "")
    assert rejected(tmp_path, capsys, only_not) == (
        "house/rule.yaml:8: message: placeholder '{element}' is never filled in by this rule's predicates; they "
        "fill in {actions}, {count}, {granted}, {including}, {label}, {plural}, {problem}, {resource}")


def test_report_subject_never_fills_in_the_element(tmp_path, capsys):
    subject = MFA_RULE.replace("where: {effect: Allow}", "where: {effect: Allow}\nreport: subject")
    assert rejected(tmp_path, capsys, subject) == (
        "house/rule.yaml:8: message: placeholder '{element}' is never filled in by this rule's predicates; they "
        "fill in {actions}, {count}, {granted}, {including}, {label}, {plural}, {problem}, {resource}")


def test_placeholders_under_not_are_never_filled_in(tmp_path, capsys):
    negated = DESCRIPTION_RULE.replace("  attribute: {name: description, missing: true}",
                                       "  not: {attribute: {name: description, missing: true}}")
    assert rejected(tmp_path, capsys, negated) == (
        "house/rule.yaml:8: message: placeholder '{found}' is never filled in by this rule's predicates; they "
        "fill in {resource}")


def test_an_option_placeholder_names_a_declared_option(tmp_path, capsys):
    text = DESCRIPTION_RULE.replace("({found})", "({option[team]})").replace(
        "match:", "options:\n  team: {default: platform, description: Who owns the secrets.}\nmatch:")
    code, out, err = validate(tmp_path, capsys, text)
    assert code == 0, (out, err)


# ---- at run time ----------------------------------------------------------------------------------------

def _unvalidated(message: str) -> Rule:
    """A rule that never went through `rules validate` (as a shipped rule loads)."""
    return Rule(id="ACME003", title="t", severity="low", rationale="r", remediation="r", message=message,
                scope="resource", match={"attribute": {"name": "name", "missing": True}}, source="x.yaml",
                resources=("secret",), options={"days": {"default": 90, "description": "d"},
                                                "keys": {"default": ["a", "b"], "description": "d"}})


def test_a_message_never_prints_python_internals():
    from linter.model import Resource, Span

    secret = Resource(kind="secret", type="aws_secretsmanager_secret", address="aws_secretsmanager_secret.a",
                      path="main.tf", span=Span(1, 1, 3, 2))
    message = ("{resource} {resource.__class__} {option} {option[days]} {option[keys]} {_granted} {found!r} "
               "{found:>300000000} {0} {} {{x}} {found} {unknown} { }")
    rule = _unvalidated(message)
    (raw,) = run_rule(rule, rule.option_defaults(), [], [secret])
    assert raw.message == ('aws_secretsmanager_secret.a {resource.__class__} {option} 90 ["a", "b"] {_granted} {found!r} '
                      '{found:>300000000} {0} {} {x} name is not set {unknown} { }')


@given(st.text(alphabet="{}[]!:.0a_ x", max_size=40))
def test_without_values_every_piece_prints_as_written(template):
    if "{{" not in template and "}}" not in template:
        assert messages.render(template, {}) == template


PIECES = st.one_of(st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=5),
                   st.sampled_from(["{a}", "{x}", "{option[a]}", "{{", "}}"]))


@given(st.lists(PIECES, max_size=8))
def test_valid_messages_read_as_python_formats_them(pieces):
    template = "".join(pieces)
    values = {"a": "A", "x": 1, "option": {"a": "on"}}
    assert messages.render(template, values) == template.format_map(values)


@given(st.text(max_size=60))
def test_parse_never_raises_and_round_trips(template):
    parts = messages.parse(template)
    written = "".join(p.text if p.name or p.problem else p.text.replace("{", "{{").replace("}", "}}") for p in parts)
    assert messages.parse(written) == parts


def test_values_are_shown_as_text_or_json():
    assert messages.shown(True) == "true" and messages.shown(2.5) == "2.5" and messages.shown(None) == "null"
    assert messages.shown({"b": [1], "a": "x"}) == '{"a": "x", "b": [1]}'
    assert messages.shown(object()) == "…"


TOP_KEYS = [(line.split(":")[0], number) for number, line in enumerate(DESCRIPTION_RULE.splitlines(), 1)
            if line[:1].isalpha()]


@pytest.mark.parametrize(("key", "line"), TOP_KEYS, ids=[key for key, _ in TOP_KEYS])
def test_every_misspelled_rule_key_is_named_at_its_line(tmp_path, capsys, key, line):
    typo = key[:-1] if len(key) > 3 else key + key[-1]  # `scop:`, `idd:`
    lines = DESCRIPTION_RULE.splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].replace(key, typo, 1)
    assert rejected(tmp_path, capsys, "".join(lines)) == \
        f"house/rule.yaml:{line}: (rule): unknown key '{typo}' (did you mean '{key}'?)"


def test_check_rejects_a_broken_house_rule_too(tmp_path, capsys):
    (tmp_path / "house").mkdir()
    (tmp_path / "house" / "rule.yaml").write_text(DESCRIPTION_RULE.replace("({found})", "({fonud})"))
    (tmp_path / "policy.json").write_text('{"Version": "2012-10-17", "Statement": []}')
    code, out, err = run_cli(["check", "policy.json", "--rules", "house"], tmp_path, capsys)
    assert (code, out) == (2, "")
    assert err.startswith("policylint: rule error: house/rule.yaml:8: message: unknown placeholder '{fonud}'")


# ---- any rule that validates can run ---------------------------------------------------------------------

TREE = {
    "main.tf": 'resource "aws_secretsmanager_secret" "a" {\n  name = "app/db"\n  policy = jsonencode({\n'
               '    Version = "2012-10-17"\n    Statement = [{Effect = "Deny", Principal = "*",\n'
               '      Action = "secretsmanager:DeleteSecret", Resource = "*"}]\n  })\n}\n'
               'resource "aws_secretsmanager_secret_rotation" "r" {\n  secret_id = aws_secretsmanager_secret.a.id\n'
               '  rotation_rules {\n    automatically_after_days = 400\n  }\n}\n',
    "policy.json": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*",'
                   ' "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"}}}]}\n',
}
SHARED = {"#/$defs/actionSet": st.sampled_from(["secretsmanager:Get*", ["*"], {"include": ["secretsmanager:*"]}]),
          "#/$defs/stringList": st.just(["aws:PrincipalArn", "aws:PrincipalTag/team"]),
          "#/$defs/number": st.integers(0, 500), "#/$defs/scalarList": st.just(["app/db", 400])}


def arguments(schema: dict, expr: st.SearchStrategy) -> st.SearchStrategy:
    """Values that a predicate's declared argument schema accepts (as far as it constrains them)."""
    if "anyOf" in schema:
        return st.one_of([arguments(s, expr) for s in schema["anyOf"]])
    if "$ref" in schema:
        return expr if schema["$ref"] == "#/$defs/expr" else SHARED[schema["$ref"]]
    if "enum" in schema or "const" in schema:
        return st.sampled_from(schema.get("enum", [schema.get("const")]))
    if schema.get("type") == "boolean":
        return st.booleans()
    if schema.get("type") == "string":
        return st.sampled_from(["name", "rotation", "rotation_rules.automatically_after_days", "kms_key_id",
                                "aws:PrincipalTag/team"])
    if schema.get("type") == "object":
        properties = {k: arguments(v, expr) for k, v in schema.get("properties", {}).items()}
        required = {k: properties.pop(k) for k in schema.get("required", ())}
        return st.fixed_dictionaries(required, optional=properties)
    return st.sampled_from(["app/db", 400, True])


EXPRESSIONS = st.deferred(lambda: st.one_of(
    *[arguments(d.args, EXPRESSIONS).map(lambda arg, name=name: {name: arg}) for name, d in PREDICATES.items()],
    st.lists(EXPRESSIONS, min_size=1, max_size=3).map(lambda parts: {"all": parts}),
    st.lists(EXPRESSIONS, min_size=1, max_size=3).map(lambda parts: {"any": parts}),
    EXPRESSIONS.map(lambda part: {"not": part}),
))
PLACEHOLDER_TEXT = st.lists(st.sampled_from(["{element}", "{found}", "{granted}", "{resource}", "{label}", "x "]),
                            min_size=1, max_size=3).map("".join)


@given(scope=st.sampled_from(["statement", "document", "resource"]), match=EXPRESSIONS, message=PLACEHOLDER_TEXT)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_rule_that_validates_runs_without_crashing(tmp_path, scope, match, message):
    import yaml

    from linter.config import Settings
    from linter.pipeline import run
    from linter.rules import RuleError, load_rule_file

    data = yaml.safe_load(DESCRIPTION_RULE)
    data.update(scope=scope, match=match, message=message + " here")
    if scope != "resource":
        data.pop("resources")
        data["documents"] = ["identity", "secret-resource"]
    path = tmp_path / "rule.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    try:
        rule = load_rule_file(path, "rule.yaml")
    except RuleError:
        event("rejected")
        return  # rejected with a line: fine
    tree = tmp_path / "tree"
    tree.mkdir(exist_ok=True)
    for name, text in TREE.items():
        (tree / name).write_text(text, encoding="utf-8")
    event("validated")
    assert run([str(tree)], [rule], Settings()).errors == []


@pytest.mark.parametrize(("kinds", "linked", "error"), [
    ("[kms_key]", "{rel: rotation, none: true}",
     "house/rule.yaml:10: match.linked.rel: a kms_key has no relation 'rotation' (its relations: none)"),
    ("[secret]", "{rel: rotation, some: {linked: {rel: versions, none: true}}}",
     "house/rule.yaml:10: match.linked.some.linked.rel: a secret_rotation has no relation 'versions' (its "
     "relations: none)"),
])
def test_a_relation_the_rules_kinds_never_have_is_an_error(tmp_path, capsys, kinds, linked, error):
    text = DESCRIPTION_RULE.replace("[secret]", kinds).replace("{name: description, missing: true}", "{}")
    assert rejected(tmp_path, capsys, text.replace("attribute: {}", f"linked: {linked}")) == error
