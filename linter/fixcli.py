"""`policylint check --fix / --diff / --show-fixes`: the command-line side of `linter.fixes`.

Files are read as bytes here, not through the linter's reader (which drops a BOM and reads CRLF as LF),
so that a fixed file keeps its BOM and line endings and differs from the original only in the edits.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from linter.config import Settings
from linter.fixes import FileFix, Fix, fix_file, plan
from linter.results import Report
from linter.rules import Rule

_BOM = "\ufeff"


def _read(path: str) -> tuple[str, str, bool] | None:
    """The file's text with LF line ends, its BOM ("" if none) and whether it used CRLF; None when it
    cannot be fixed as text (unreadable, or mixed line endings that a rewrite would not keep)."""
    try:
        raw = Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    bom = _BOM if raw.startswith(_BOM) else ""
    raw = raw[len(bom) :]
    crlf = "\r\n" in raw
    text = raw.replace("\r\n", "\n")
    if "\r" in text or (crlf and "\n" in raw.replace("\r\n", "")):
        return None
    return text, bom, crlf


def _write(path: str, text: str, bom: str, crlf: bool) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(bom + (text.replace("\n", "\r\n") if crlf else text))


def _fixable_paths(report: Report, rules: list[Rule]) -> list[str]:
    with_fix = {r.id for r in rules if r.fix}
    return sorted({f.path for f in report.findings if f.rule_id in with_fix})


def _line(fix: Fix) -> str:
    unsafe = "" if fix.safe else " (unsafe: needs --unsafe-fixes)"
    return f"  {fix.path}:{fix.span.line}:{fix.span.column}: {fix.rule_id} {fix.title}{unsafe}"


def _hints(report: Report, rules: list[Rule], settings: Settings) -> list[str]:
    """Findings whose fix needs configuration first (SM004's admin principals): say how to give it."""
    hints = []
    for rule in rules:
        spec = (rule.fix or {}).get("add_statement")
        if spec is None or not any(f.rule_id == rule.id for f in report.findings):
            continue
        name = spec["exempt"]["option"]
        if not settings.rule_options.get(rule.id, {}).get(name, rule.option_defaults().get(name)):
            hints.append(
                f"{rule.id} has no fix until rule_options.{rule.id}.{name} names the admin principals to exempt "
                f"(e.g. in .policylint.yaml: rule_options: {{{rule.id}: {{{name}: [arn:aws:iam::111122223333:role/admin]}}}})"
            )
    return hints


def _where(path: str, root: Path | None) -> Path:
    """Where a reported path is: reports give it relative to the project root (or absolute)."""
    return Path(path) if root is None or Path(path).is_absolute() else root / path


def _source(path: str, inputs) -> tuple[str, str, bool] | None:
    """The text of a file to fix: standard input's (the run's only file), else the file's bytes."""
    _, sources, root = inputs
    if sources:
        return next(iter(sources.values())), "", False
    return _read(str(_where(path, root)))


def _fix_all(report: Report, rules: list[Rule], settings: Settings, unsafe: bool, inputs) -> list[tuple[FileFix, str, bool]]:
    known, sources, root = inputs
    results = []
    for path in _fixable_paths(report, rules):
        read = _source(path, inputs)
        if read is None:
            results.append((FileFix(path, "", "", [], "cannot be rewritten as UTF-8 text with one kind of line ending"), "", False))
            continue
        text, bom, crlf = read
        file = Path(next(iter(sources))) if sources else _where(path, root)
        results.append((fix_file(path, text, report.findings, rules, settings, unsafe, known, file, root), bom, crlf))
    return results


def _problems(results: list[tuple[FileFix, str, bool]]) -> None:
    for result, _, _ in results:
        if result.problem:
            print(f"policylint: {result.path}: not fixed: {result.problem}", file=sys.stderr)


def check_fixes(args: argparse.Namespace, report: Report, rules: list[Rule], settings: Settings, inputs, output) -> int:
    """Run `check` with fixes: --diff prints, --fix writes (standard input: prints the fixed text), and
    --show-fixes lists them under the text report. `inputs` are the run's (baseline entries, standard
    input by path, project root); `output` the command's (write, render options, exit code of a report).
    Exit codes as `check`; --diff exits 1 when anything is fixable."""
    from linter.ci import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
    from linter.pipeline import run
    from linter.report import render

    known, sources, root = inputs
    write_output, options, outcome = output
    unsafe = args.unsafe_fixes
    if args.diff or args.fix:
        results = _fix_all(report, rules, settings, unsafe, inputs)
        _problems(results)
        changed = [(r, bom, crlf) for r, bom, crlf in results if r.changed]
        if args.diff:
            write_output("".join(r.diff() for r, _, _ in changed), args.output)
            count = sum(len(r.applied) for r, _, _ in changed)
            print(f"policylint: {count} fix{'' if count == 1 else 'es'} available in {len(changed)} file{'' if len(changed) == 1 else 's'}", file=sys.stderr)
            return EXIT_ERROR if report.errors else (EXIT_FINDINGS if changed else EXIT_OK)
        if sources:  # standard input: the fixed text is the output
            sys.stdout.write(changed[0][0].fixed if changed else next(iter(sources.values())))
            return EXIT_ERROR if report.errors else EXIT_OK
        for result, bom, crlf in changed:
            _write(str(_where(result.path, root)), result.fixed, bom, crlf)
        applied = [fix for r, _, _ in changed for fix in r.applied]
        report = run(args.paths or ["."], rules, settings, jobs=args.jobs or None, baseline=known, root=root)
        print(f"policylint: fixed {len(applied)} finding{'' if len(applied) == 1 else 's'} in {len(changed)} file{'' if len(changed) == 1 else 's'}, {len(report.findings)} remaining", file=sys.stderr)
        listed = ["Fixed:"] + [_line(f) for f in applied] if applied and args.show_fixes else []
    else:
        fixes = [f for path in _fixable_paths(report, rules) for f in _planned(path, report, rules, settings, inputs)]
        listed = (["Applicable fixes (apply with --fix):"] + [_line(f) for f in fixes]) if fixes else []
    text = render(args.format, report, rules, **options)
    if args.show_fixes and args.format == "text":
        extra = listed + _hints(report, rules, settings)
        text += ("\n" + "\n".join(extra) + "\n") if extra else ""
    write_output(text, args.output)
    return outcome(report)


def _planned(path: str, report: Report, rules: list[Rule], settings: Settings, inputs) -> list[Fix]:
    _, sources, root = inputs
    read = _source(path, inputs)
    file = Path(next(iter(sources))) if sources else _where(path, root)
    return plan(path, read[0], report.findings, rules, settings, file) if read else []
