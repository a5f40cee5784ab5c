"""Running a rule's inline examples: the test suite's rule tests and `policylint rules validate` share this.

A non-compliant example must make its rule fire on exactly the listed lines; a compliant one must make no
rule of the set it is checked against fire, so no rule is noisy on another rule's good code (every shipped
rule for a shipped rule's example; the user's own rules for a house rule's). Each example is written to a
fresh temporary directory under the file name its format implies and linted like any user file.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from linter.formats.registry import example_formats
from linter.records import dataclass
from linter.rules import Example, Rule



@dataclass(frozen=True, slots=True)
class ExampleResult:
    """The outcome of one example: `problems` is empty when it behaved as its rule file says."""

    rule: Rule
    index: int
    example: Example
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def name(self) -> str:
        kind = "compliant" if self.example.compliant else "non-compliant"
        title = f" ({self.example.title})" if self.example.title else ""
        return f"{self.rule.id} example {self.index + 1}, {kind}, {self.example.format}{title}"


def lint_example(example: Example, rules: list[Rule], directory: Path):
    """Lint one example's code, written into `directory`, with `rules`; the pipeline's Report."""
    from linter.config import Settings
    from linter.pipeline import run

    target = directory / example_formats()[example.format].filename
    target.write_text(example.code, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(directory)  # report paths relative to the example, as a user would run it
    try:
        return run(["."], rules, Settings())
    finally:
        os.chdir(cwd)


def check_example(rule: Rule, index: int, rules: list[Rule]) -> ExampleResult:
    """Run example `index` of `rule` against all `rules` and say what, if anything, went wrong."""
    example = rule.examples[index]
    with tempfile.TemporaryDirectory(prefix="policylint-example-") as tmp:
        report = lint_example(example, rules, Path(tmp))
    problems = [f"cannot be read: line {e.line}, column {e.column}: {e.message}" for e in report.errors]
    if example.compliant:
        problems += [f"{f.rule_id} fires on line {f.span.line}: {f.message}" for f in report.findings]
    else:
        lines = sorted(f.span.line for f in report.findings if f.rule_id == rule.id)
        if lines != sorted(example.lines):
            problems.append(f"{rule.id} should fire on line(s) {_lines(example.lines)}, fired on {_lines(lines)}")
    return ExampleResult(rule, index, example, tuple(problems))


def coverage_problems(rule: Rule) -> list[str]:
    """A rule needs at least one compliant and one non-compliant example to show both sides of it."""
    problems = []
    if not any(e.compliant for e in rule.examples):
        problems.append(f"{rule.id} needs a compliant example (one without `lines`)")
    if not any(not e.compliant for e in rule.examples):
        problems.append(f"{rule.id} needs a non-compliant example (with the `lines` where it fires)")
    return problems


def check_rules(selected: list[Rule], rules: list[Rule]) -> list[ExampleResult]:
    """Every example of every selected rule, each run against all `rules`."""
    return [check_example(rule, index, rules) for rule in selected for index in range(len(rule.examples))]


def _lines(lines) -> str:
    return ", ".join(map(str, lines)) if lines else "none"
