"""The whole run, top to bottom: discover → load → extract → evaluate → filter → report data.

Each stage lives in its own module; this one only wires them together and keeps a failing file from
stopping the others.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from linter.config import Settings
from linter.discover import SourceFile, discover, syntax_of
from linter.engine import evaluate_rules
from linter.extract.policy import looks_like_policy
from linter.loaders import jsonpos
from linter.loaders.text import buffers, read_text
from linter.model import Extraction, FileError, Finding, Node
from linter.rules import Rule


@dataclass(slots=True)
class Report:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files_scanned: int = 0


def _json_kind(value: object) -> str | None:
    """What a parsed JSON file is, judged by content; None for JSON that policylint does not read."""
    if not isinstance(value, dict):
        return None
    resources = value.get("Resources")
    if "AWSTemplateFormatVersion" in value or (
        isinstance(resources, dict)
        and any(
            isinstance(r, dict) and str(r.get("Type", "")).startswith(("AWS::", "Custom::"))
            for r in resources.values()
        )
    ):
        return "cloudformation"
    if "planned_values" in value or ("terraform_version" in value and "format_version" in value):
        return "plan"
    if "Statement" in value:
        return "policy"
    return None


def _extract_json(file: SourceFile, text: str) -> Extraction:
    try:
        kind = _json_kind(jsonpos.check_syntax(text))
        if kind is None:
            return Extraction()
        node: Node = jsonpos.parse(text, file.display)
    except jsonpos.JSONSyntaxError as exc:
        return Extraction(errors=[FileError(file.display, exc.line, exc.column, exc.message)], files_scanned=1)
    if kind == "policy":
        if not looks_like_policy(node):
            return Extraction()
        from linter.extract import json_policy

        return json_policy.extract(node, file.display)
    if kind == "plan":
        return import_module("linter.extract.terraform").extract_plan(node, file)
    return import_module("linter.extract.cloudformation").extract_template(node, file)


def _extract_file(file: SourceFile) -> Extraction:
    text = read_text(file.path, file.display)
    if isinstance(text, FileError):
        return Extraction(errors=[text], files_scanned=1)
    if file.syntax == "json":
        return _extract_json(file, text)
    return import_module("linter.extract.cloudformation").extract_yaml(file, text)


def _guarded(files: list[SourceFile], step, *args) -> Extraction:
    """Run one extraction step so that a defect triggered by odd input costs that input, not the run."""
    try:
        return step(*args)
    except (RecursionError, MemoryError):
        reason = "too deeply nested or too large to read"
    except Exception as exc:  # noqa: BLE001 - reported as an input error, never as a traceback
        reason = f"internal error while reading this file ({type(exc).__name__}: {exc}); please report it"
    return Extraction(errors=[FileError(f.display, 1, 1, reason) for f in files], files_scanned=len(files))


def extract_all(files: list[SourceFile]) -> Extraction:
    """Stage 2 and 3 for every file; Terraform is read a module (directory) at a time."""
    result = Extraction()
    terraform = [f for f in files if f.syntax == "terraform"]
    if terraform:
        extract_modules = import_module("linter.extract.terraform").extract_modules
        result.extend(_guarded(terraform, extract_modules, terraform))
    for file in files:
        if file.syntax in ("json", "yaml"):
            result.extend(_guarded([file], _extract_file, file))
        elif file.syntax is None and not file.path.exists():
            result.errors.append(FileError(file.display, 1, 1, "no such file or directory"))
    return result


def run(paths: list[str], rules: list[Rule], settings: Settings) -> Report:
    """Lint the given paths with the given rules: every stage, in order."""
    return run_files(discover(paths, settings.exclude), rules, settings)


def run_text(text: str, path: str | Path, rules: list[Rule], settings: Settings, display: str | None = None) -> Report:
    """Lint unsaved text (an editor buffer, standard input) as if it were the file at `path` (reported as
    `display`); the rest of a Terraform module is still read from disk, for resolution only."""
    file = SourceFile(Path(path), display or Path(path).as_posix(), syntax_of(Path(path).name))
    with buffers({file.path: text}):
        return run_files([file], rules, settings)


def run_files(files: list[SourceFile], rules: list[Rule], settings: Settings) -> Report:
    """Lint already discovered files: every stage after discovery, in order."""
    extraction = extract_all(files)
    active = [rule for rule in rules if settings.wants(rule.id)]
    findings = evaluate_rules(active, settings.rule_options, extraction.documents, extraction.resources)
    errors = sorted(set(extraction.errors), key=lambda e: (e.path, e.line, e.column, e.message))
    return Report(sorted(findings, key=Finding.sort_key), errors, extraction.files_scanned)
