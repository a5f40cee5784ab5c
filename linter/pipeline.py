"""The whole run, top to bottom: discover → load → extract → evaluate → filter → report data.

Each stage lives in its own module; this one only wires them together and keeps a failing file from
stopping the others.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from linter import filters, suppress
from linter.baseline import Entry
from linter.config import Settings
from linter.discover import SourceFile, discover
from linter.engine import fingerprints, run_rules
from linter.extract.policy import looks_like_policy
from linter.filters import SuppressedFinding, UnusedSuppression
from linter.loaders import jsonpos
from linter.loaders.text import overlaid, overlay, read_text
from linter.model import Extraction, FileError, Finding, Node, Suppression
from linter.rules import Rule


@dataclass(slots=True)
class Report:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files_scanned: int = 0
    suppressed: list[SuppressedFinding] = field(default_factory=list)  # covered by an inline suppression
    unused_suppressions: list[UnusedSuppression] = field(default_factory=list)
    baseline: str | None = None  # the baseline file used, if any
    baseline_matched: int = 0  # findings the baseline already knew (not reported)
    baseline_stale: list[Entry] = field(default_factory=list)  # baseline entries that match nothing now
    rules_run: tuple[str, ...] = ()  # ids of the rules that ran
    baseline_commit: object | None = None  # linter.gitrev.Comparison, with --baseline-commit
    # Findings after suppressions but before the baseline: what `--write-baseline` records.
    unbaselined: list[Finding] = field(default_factory=list, repr=False)


def _cloudformation():
    """The CloudFormation extractor, imported when the first template-like file turns up."""
    return import_module("linter.extract.cloudformation")


def _is_template_text(text: str) -> bool:
    return _cloudformation().looks_like_template(text)


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


# After a JSON syntax error: does the text still look like a policy, template or plan (then report the error)?
_OURS_JSON = re.compile(r'"(?:Statement|AWSTemplateFormatVersion|Resources|planned_values|terraform_version)"\s*:')


def _extract_json(file: SourceFile, text: str) -> Extraction:
    try:
        kind = _json_kind(jsonpos.check_syntax(text))
        if kind is None:
            return Extraction()
        node: Node = jsonpos.parse(text, file.display)
    except jsonpos.JSONSyntaxError as exc:
        if text.strip() and not _OURS_JSON.search(text):
            return Extraction()  # JSON with comments (tsconfig.json, editor settings) or other broken JSON: not ours
        return Extraction(errors=[FileError(file.display, exc.line, exc.column, exc.message)], files_scanned=1)
    if kind == "policy":
        if not looks_like_policy(node):
            return Extraction()
        from linter.extract import json_policy

        return json_policy.extract(node, file.display)
    if kind == "plan":
        return import_module("linter.extract.terraform").extract_plan(node, file)
    return _cloudformation().extract_template(node, file)


def _extract_file(file: SourceFile) -> Extraction:
    text = read_text(file.path, file.display)
    if isinstance(text, FileError):
        return Extraction(errors=[text], files_scanned=1)
    if file.syntax == "json":
        return _extract_json(file, text)
    return _cloudformation().extract_yaml(file, text)


def _guarded(files: list[SourceFile], step, *args) -> Extraction:
    """Run one extraction step so that a defect triggered by odd input costs that input, not the run."""
    try:
        return step(*args)
    except (RecursionError, MemoryError):
        reason = "too deeply nested or too large to read"
    except Exception as exc:  # noqa: BLE001 - reported as an input error, never as a traceback
        reason = f"internal error while reading this file ({type(exc).__name__}: {exc}); please report it"
    return Extraction(errors=[FileError(f.display, 1, 1, reason) for f in files], files_scanned=len(files))


def read_by_terraform(extraction: Extraction, terraform: list[SourceFile]) -> set[str]:
    """Files other than `terraform` whose policies Terraform read through file()/templatefile()."""
    return {d.path for d in extraction.documents} - {f.display for f in terraform}


def extract_all(
    files: list[SourceFile], terraform_root: Path | None = None, read_elsewhere: frozenset[str] = frozenset()
) -> Extraction:
    """Stage 2 and 3 for every file; Terraform is read a module (directory) at a time.

    A policy file that Terraform read (here, or in another unit of a parallel run: `read_elsewhere`) was
    linted in its Terraform context and is only counted. `terraform_root` bounds what Terraform may read.
    """
    result = Extraction()
    terraform = [f for f in files if f.syntax == "terraform"]
    if terraform:
        extract_modules = import_module("linter.extract.terraform").extract_modules
        result.extend(_guarded(terraform, extract_modules, terraform, terraform_root))
    skipped = read_elsewhere | read_by_terraform(result, terraform)
    for file in files:
        if file.display in skipped:
            result.files_scanned += 1
        elif file.syntax in ("json", "yaml"):
            result.extend(_guarded([file], _extract_file, file))
        elif file.syntax is None and not file.path.exists() and overlaid(file.path) is None:
            result.errors.append(FileError(file.display, 1, 1, "no such file or directory"))
    return result


def comment_suppressions(files: list[SourceFile]) -> list[Suppression]:
    """Suppression comments of Terraform files and CloudFormation YAML templates (only files with the
    marker are parsed; YAML that names no AWS resource type is not a template and is left alone)."""
    found = []
    for file in files:
        if file.syntax in ("terraform", "yaml") and suppress.has_comments(file.display):
            text = read_text(file.path, file.display)
            if isinstance(text, str) and (file.syntax == "terraform" or _is_template_text(text)):
                found += suppress.parse_comments(file.display, text)
    return found


def evaluate_unit(
    files: list[SourceFile],
    rules: list[Rule],
    settings: Settings,
    terraform_root: Path | None = None,
    read_elsewhere: frozenset[str] = frozenset(),
) -> tuple[list[tuple], Extraction]:
    """Extraction, raw findings and suppressions of some files (all of them, or one unit of a parallel run)."""
    extraction = extract_all(files, terraform_root, read_elsewhere)
    raw = run_rules(rules, settings.rule_options, extraction.documents, extraction.resources)
    extraction.suppressions += comment_suppressions(files)
    return raw, extraction


def _shown(path: str) -> str:
    """A path for reports: relative to the current directory when it is below it, with '/' separators."""
    relative = os.path.relpath(path) if os.path.isabs(path) else path
    return (path if relative.startswith("..") else relative).replace(os.sep, "/")


def run(
    paths: list[str],
    rules: list[Rule],
    settings: Settings,
    jobs: int | None = 1,
    sources: dict[str, str] | None = None,
    baseline: list[Entry] | None = None,
    root: Path | None = None,
) -> Report:
    """Lint the given paths with the given rules: every stage, in order.

    `jobs` > 1 (None: automatic) spreads files over worker processes with identical output; `sources`
    maps paths to text that replaces the file on disk (standard input, an editor's buffer); `baseline`
    entries are findings to stop reporting; `root` (`--project-root`) is what reported paths are relative to
    (None: as reached from `paths`).
    """
    files = discover(paths, settings.exclude)
    if root is not None:
        from linter.project import rebase

        files = rebase(files, root)
    active = [rule for rule in rules if settings.wants(rule.id)]
    with overlay({Path(p): t for p, t in (sources or {}).items()}):
        from linter import parallel

        raw, extraction = parallel.evaluate(files, active, settings, jobs, sources or {})
    findings = fingerprints(raw)
    errors = sorted(set(extraction.errors), key=lambda e: (e.path, e.line, e.column, e.message))
    scanned = {f.display for f in files} | {f.path for f in findings}
    result = filters.apply(
        findings, extraction.suppressions, settings, {r.id for r in active}, {r.id for r in rules}, baseline, scanned
    )
    return Report(
        findings=sorted(result.findings, key=Finding.sort_key),
        errors=errors,
        files_scanned=extraction.files_scanned,
        suppressed=sorted(result.suppressed, key=lambda s: s.finding.sort_key()),
        unused_suppressions=result.unused,
        baseline=_shown(settings.baseline or "") if baseline is not None else None,
        baseline_matched=result.baseline_matched,
        baseline_stale=result.baseline_stale,
        rules_run=tuple(r.id for r in active),
        unbaselined=sorted(result.current, key=Finding.sort_key),
    )

