"""`policylint check` in CI: the project root, several reports from one run, `--exit-zero`, the GitHub job summary.

Kept apart from `cli` so that the command's core stays short: `cli` calls `add_arguments` when it builds the
parser, and `project_root`, `write_reports` and `exit_code` when it checks.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2  # CONVENTIONS.md; `cli` uses these too

def _format_and_file(value: str) -> tuple[str, str]:
    """`FORMAT:FILE` (the file may itself contain ':'; only the first one separates)."""
    from linter.report import FORMATS

    fmt, sep, file = value.partition(":")
    if not sep or not file:
        raise argparse.ArgumentTypeError(f"expected FORMAT:FILE, got {value!r}")
    if fmt not in FORMATS:
        raise argparse.ArgumentTypeError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    return fmt, file


def add_arguments(check: argparse.ArgumentParser) -> None:
    """The CI flags of `policylint check` (CONVENTIONS.md: `--output-format`, `--baseline-commit`,
    `--project-root`, `--exit-zero`)."""
    check.add_argument("--output-format", action="append", type=_format_and_file, default=[], metavar="FORMAT:FILE",
                       help="also write the report in FORMAT to FILE (repeatable)")
    check.add_argument("--baseline-commit", metavar="REV",
                       help="report only findings whose fingerprint does not exist at git revision REV")
    check.add_argument("--project-root", metavar="DIR",
                       help="reported paths, SARIF URIs and fingerprints are relative to DIR "
                            "(default: the config file's directory, else the git work tree, else .)")
    check.add_argument("--exit-zero", action="store_true", help="findings never fail the run (errors still exit 2)")
    check.add_argument("--sarif-include-suppressed", action="store_true",
                       help="SARIF: keep inline-suppressed findings as results marked with `suppressions`")


class UsageError(Exception):
    """A flag value that cannot be used (exit 2)."""


def project_root(args: argparse.Namespace) -> Path:
    """`--project-root`, or CONVENTIONS' default from the config file that `_settings` reads."""
    from linter.config import find_config
    from linter.project import default_root

    if args.project_root:
        root = Path(args.project_root)
        if not root.is_dir():
            raise UsageError(f"--project-root {args.project_root}: not a directory")
        return Path(os.path.normpath(root.absolute()))
    if args.no_config:
        config = None
    else:
        config = Path(args.config) if args.config else find_config(Path.cwd())
    return default_root(config)


def render_options(args: argparse.Namespace, root: Path) -> dict:
    """What formats may use besides the report: the project root (SARIF's `originalUriBaseIds`) and the
    SARIF choice; the text format's colour and quiet flags are added per output by `cli`."""
    return {"root": root, "include_suppressed": args.sarif_include_suppressed}


def write_reports(args: argparse.Namespace, report, rules, options: dict, use_color) -> None:
    """The `--output-format` files, each exactly what `--format FORMAT --output FILE` would write, and
    (for `--format github` under GitHub Actions) the Markdown job summary appended to $GITHUB_STEP_SUMMARY."""
    from linter.report import render

    for fmt, file in args.output_format:
        text = render(fmt, report, rules, **{**options, "color": use_color(args.color, file)})
        Path(file).parent.mkdir(parents=True, exist_ok=True)  # like --output
        with open(file, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary and "github" in {args.format, *(fmt for fmt, _ in args.output_format)}:
        with open(summary, "a", encoding="utf-8", newline="\n") as handle:
            handle.write(render("markdown", report, rules, **{**options, "color": False}))


def exit_code(report, settings, exit_zero: bool) -> int:
    """2 for any input error, else 1 for findings at or above `fail_on` unless `--exit-zero`, else 0."""
    if report.errors:
        return EXIT_ERROR
    if exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if any(settings.fails(f.severity) for f in report.findings) else EXIT_OK
