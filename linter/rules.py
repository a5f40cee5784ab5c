"""Rule files: finding, reading and validating the YAML rules (shipped ones and users' own).

Rules are data: a YAML mapping checked against `rule.schema.json`. Shipped rules are validated by the test
suite, so a normal run skips jsonschema (and its import cost); users' rules are always validated.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from linter import fileaccess, prebuilt
from linter.model import Node
from linter.records import dataclass, field
from linter.severity import ORDER

SEVERITIES = ORDER


class RuleError(Exception):
    """A rule file that cannot be used, with the file, line and key at fault."""

    def __init__(self, path: str, line: int, key: str, message: str) -> None:
        super().__init__(f"{path}:{line}: {key}: {message}" if key else f"{path}:{line}: {message}")
        self.path, self.line, self.key, self.message = path, line, key, message

    def __reduce__(self):  # raised in worker processes of a parallel run, so it must survive pickling
        return (RuleError, (self.path, self.line, self.key, self.message))


@dataclass(frozen=True, slots=True)
class Example:
    format: str
    code: str
    lines: tuple[int, ...]  # expected finding lines; empty for a compliant example
    title: str = ""

    @property
    def compliant(self) -> bool:
        return not self.lines


@dataclass(frozen=True, slots=True, eq=False)
class Rule:
    id: str
    title: str
    severity: str
    rationale: str
    remediation: str
    message: str
    scope: str
    match: dict
    source: str
    where: dict | None = None
    references: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    report: str = "match"
    sensitive: bool = False  # findings point at a secret: reports must not show the source text there
    examples: tuple[Example, ...] = ()
    options: dict = field(default_factory=dict)
    known_gaps: dict[str, str] = field(default_factory=dict)  # slug -> what the rule misses or wrongly flags
    fix: dict | None = None  # the rule's remedy as data (`linter.fixes` applies it)

    def option_defaults(self) -> dict[str, Any]:
        return {name: spec["default"] for name, spec in self.options.items()}

    def option_problem(self, name: str, value: Any) -> str | None:
        """Why a user's value for an option cannot be used (it must have the default's type), or None."""
        if name not in self.options:
            return f"{self.id} has no option '{name}'"
        default = self.options[name]["default"]
        if isinstance(default, bool):
            fits = isinstance(value, bool)
        elif isinstance(default, (int, float)):
            fits = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif isinstance(default, str):
            fits = isinstance(value, str)
        elif isinstance(default, list):
            fits = isinstance(value, list) and (
                not all(isinstance(item, str) for item in default) or all(isinstance(item, str) for item in value))
        else:
            fits = True
        return None if fits else f"option '{name}' of {self.id} must be like its default {json.dumps(default)}"


def shipped_rules_dir() -> Path:
    """Rules inside the installed wheel, or the checkout's `rules/` when running from source."""
    packaged = Path(__file__).with_name("_rules")
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "rules"


@lru_cache(maxsize=1)
def schema() -> dict:
    """The rule schema, with the example formats the registered input formats read."""
    from linter.formats.registry import example_formats

    data = json.loads(Path(__file__).with_name("rule.schema.json").read_text(encoding="utf-8"))
    data["properties"]["examples"]["items"]["properties"]["format"]["enum"] = list(example_formats())
    return data


def _line_of(root: Node, path: list, key: str | None = None) -> int:
    """1-based line of the value at a JSON path in the rule file (or of the deepest part that exists), or of
    the key `key` of the mapping there."""
    node = root
    for part in path:
        value = node.value
        if isinstance(value, dict) and part in value:
            node = value[part]
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            node = value[part]
        else:
            return node.span.line
    spans = node.key_spans or {}
    return spans[key].line if key in spans else node.span.line


def _key_text(path: list) -> str:
    return ".".join(str(p) for p in path) or "(rule)"


def _load(path: Path, display: str) -> Node:
    """The rule file as a positioned tree; loaded safely, aliases budgeted, duplicate keys rejected."""
    from linter.loaders import yamlpos

    try:
        root = yamlpos.load(fileaccess.read_text(path), display)
    except yamlpos.YAMLSyntaxError as exc:
        raise RuleError(display, exc.line, "", exc.message) from None
    except fileaccess.UnreadableFile as exc:
        raise RuleError(display, exc.line, "", f"cannot read rule file: {exc.message}") from None
    if root is None or not isinstance(root.value, dict):
        raise RuleError(display, 1, "", "a rule file must be a YAML mapping")
    return root


def validate(data: dict, root: Node, display: str) -> None:
    """Check a rule against the schema, then that it can work (`linter.rulecheck`); the first error names
    its line and key. An unknown key comes first: it explains the errors it causes (`scop:` for `scope:`)."""
    import jsonschema

    from linter import rulecheck

    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        problem = rulecheck.schema_problem(errors)
        if problem is not None:
            _raise(problem, root, display)
        best = jsonschema.exceptions.best_match(errors)
        where = list(best.absolute_path)
        raise RuleError(display, _line_of(root, where), _key_text(where), best.message)
    for part in ("where", "match", "fix"):
        for name in _undefined_options(data.get(part, {})):
            if name not in data.get("options", {}):
                raise RuleError(display, _line_of(root, [part]), part, f"option '{name}' is not declared")
    for problem in rulecheck.problems(data):
        _raise(problem, root, display)


def _raise(problem: Any, root: Node, display: str) -> None:
    """A `rulecheck.Problem` as the RuleError naming its line (the key's own line, for an unknown key)."""
    where = list(problem.path)
    raise RuleError(display, _line_of(root, where, problem.key), _key_text(where), problem.message)


def _undefined_options(expr: Any) -> list[str]:
    if isinstance(expr, dict):
        if set(expr) == {"option"} and isinstance(expr["option"], str):
            return [expr["option"]]
        return [n for v in expr.values() for n in _undefined_options(v)]
    if isinstance(expr, list):
        return [n for v in expr for n in _undefined_options(v)]
    return []


def _build(data: dict, display: str) -> Rule:
    examples = tuple(
        Example(e["format"], e["code"], tuple(e.get("lines", ())), e.get("title", ""))
        for e in data.get("examples", [])
    )
    return Rule(
        id=data["id"],
        title=data["title"],
        severity=data["severity"],
        rationale=data["rationale"].strip(),
        remediation=data["remediation"].strip(),
        message=data["message"],
        scope=data["scope"],
        match=data["match"],
        source=display,
        where=data.get("where"),
        references=tuple(data.get("references", ())),
        documents=tuple(data.get("documents", ())),
        resources=tuple(data.get("resources", ())),
        report=data.get("report", "match"),
        sensitive=data.get("sensitive", False),
        examples=examples,
        options=data.get("options", {}),
        known_gaps=data.get("known_gaps", {}),
        fix=data.get("fix"),
    )


def load_rule_file(path: Path, display: str, check: bool = True) -> Rule:
    """A rule from its file; unchecked (shipped, validated by the test suite) files skip positions and schema."""
    if not check:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return _build(yaml.load(fileaccess.read_text(path), Loader=loader), display)
    root = _load(path, display)
    data = root.plain()
    validate(data, root, display)
    return _build(data, display)


def rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_rules(extra_dirs: tuple[str, ...] = (), check_shipped: bool = False) -> list[Rule]:
    """Shipped rules plus users' rule directories, sorted by id; an id defined twice is an error."""
    rules: dict[str, Rule] = {}
    sources = [(shipped_rules_dir(), check_shipped)] + [(Path(d), True) for d in extra_dirs]
    for directory, check in sources:
        if not directory.is_dir():
            raise RuleError(directory.as_posix(), 1, "", "rules directory not found")
        files = rule_files(directory)
        ready = None if check else prebuilt.load(directory, files)  # shipped: read without PyYAML
        for path in files:
            relative = path.relative_to(directory).as_posix()
            display = path.as_posix() if check else f"rules/{relative}"
            rule = _build(ready[relative], display) if ready is not None else load_rule_file(path, display, check)
            if rule.id in rules:
                raise RuleError(display, 1, "id", f"rule id {rule.id} is already defined in {rules[rule.id].source}")
            rules[rule.id] = rule
    return [rules[key] for key in sorted(rules)]
