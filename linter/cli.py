"""The `policylint` command: argument parsing and exit codes; the work happens in `pipeline`."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from linter import __version__, ci
from linter.baseline import BaselineError
from linter.config import ConfigError, Settings
from linter.gctune import exit_with, tuned as tuned_gc
from linter.helpformat import Parser
from linter.ci import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from linter.rules import SEVERITIES, RuleError, load_rules, rule_files


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip().upper() for part in value.split(",") if part.strip())


def _jobs(value: str) -> int:
    count = int(value)
    if count < 0:
        raise argparse.ArgumentTypeError("must be 0 (automatic) or more")
    return count


def build_parser() -> argparse.ArgumentParser:
    from linter.report import FORMATS

    parser = Parser(prog="policylint", description="Lint AWS IAM and Secrets Manager policies in IaC.")
    parser.add_argument("--version", action="version", version=f"policylint {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="lint files and directories")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    check.add_argument("--format", choices=FORMATS, default="text")
    check.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--fail-on", choices=SEVERITIES, default=None, help="lowest severity that fails the run (default: low)")
    check.add_argument("--select", type=_csv, default=None, metavar="IDS", help="only these rule ids or prefixes")
    check.add_argument("--ignore", type=_csv, default=None, metavar="IDS", help="skip these rule ids or prefixes")
    check.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip matching paths (adds to the config's)")
    check.add_argument("--rules", action="append", default=[], metavar="DIR", help="load extra YAML rules from DIR")
    check.add_argument("--config", metavar="FILE", help="use this config file instead of searching for one")
    check.add_argument("--no-config", action="store_true", help="ignore config files")
    check.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in this baseline")
    check.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE and exit")
    check.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N", help="worker processes (default: automatic)")
    check.add_argument("--stdin-filename", metavar="PATH", help="read the file's content from standard input, report it as PATH")
    check.add_argument("--quiet", "-q", action="store_true", help="text format: only the finding lines")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="text format colours")
    check.add_argument("--fix", action="store_true", help="apply safe fixes, then report what remains")
    check.add_argument("--unsafe-fixes", action="store_true", help="with --fix, --diff or --show-fixes: unsafe fixes too")
    check.add_argument("--diff", action="store_true", help="print the fixes as a unified diff, write nothing")
    check.add_argument("--show-fixes", action="store_true", help="text format: list the applicable fixes")
    check.add_argument("--statistics", action="store_true", help="print how many findings each rule has instead of the report")
    check.add_argument("--junit-gitlab", action="store_true", help="junit format: add GitLab's file attribute to test cases")
    check.add_argument("--include-vendored-modules", action="store_true", default=None,
                       help="also report the own code of installed (vendored) modules, not only what your values cause there")
    check.add_argument("--show-settings", action="store_true", help="print the effective settings and where each came from, then exit")
    ci.add_arguments(check)

    access = commands.add_parser("access", help="who can read, change or delete each secret")
    access.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    access.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    access.add_argument("--output", metavar="FILE", help="write the map to FILE instead of standard output")
    access.add_argument("--baseline-commit", metavar="REV", help="report what changed since git revision REV")
    access.add_argument("--fail-on-widening", action="store_true", help="exit 1 when a principal gains a capability")
    access.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip matching paths (adds to the config's)")
    access.add_argument("--config", metavar="FILE", help="use this config file instead of searching for one")
    access.add_argument("--no-config", action="store_true", help="ignore config files")
    access.add_argument("--project-root", metavar="DIR", help="the project's root (default: the config file's directory, else git's, else .)")
    access.add_argument("--include-vendored-modules", action="store_true", default=None,
                        help="also map the own code of installed (vendored) modules")

    listing = commands.add_parser("rules", help="list the rules; 'rules validate DIR' checks your own rules")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.add_argument("--rules", action="append", default=[], metavar="DIR")
    rules_commands = listing.add_subparsers(dest="rules_command", metavar="validate")
    validate = rules_commands.add_parser(
        "validate", help="check rule files against the schema and run their inline examples"
    )
    validate.add_argument("dirs", nargs="+", metavar="DIR")

    explain = commands.add_parser("explain", help="show what a rule checks, why, and how to fix it")
    explain.add_argument("rule_id")
    explain.add_argument("--rules", action="append", default=[], metavar="DIR")

    lsp = commands.add_parser("lsp", help="run the language server on stdin/stdout (needs policylint[lsp])")
    lsp.add_argument("--stdio", action="store_true", help="accepted for editors that pass it; stdio is the only transport")
    return parser


def _configured(args: argparse.Namespace) -> Settings:
    """The config file's settings: `--config FILE`, none with `--no-config`, else the one found from the
    current directory upwards."""
    from linter.config import discover_settings, load_config

    if args.no_config:
        return Settings()
    if args.config:
        return load_config(Path(args.config))
    return discover_settings()


def _settings(args: argparse.Namespace) -> Settings:
    """Config file settings (found from the current directory upwards) with the command line laid over them."""
    base = _configured(args)
    return base.merged(
        select=args.select,
        ignore=args.ignore,
        fail_on=args.fail_on,
        exclude=base.exclude + tuple(args.exclude),
        rules_dirs=base.rules_dirs + tuple(args.rules),
        baseline=args.baseline,
        include_vendored_modules=args.include_vendored_modules,
    )


def _use_color(choice: str, output: str | None) -> bool:
    """Colour for a terminal, never for a file or pipe; NO_COLOR (non-empty) turns it off."""
    if choice != "auto":
        return choice == "always"
    return output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _write(text: str, output: str | None) -> None:
    """Reports are UTF-8 whatever the locale (a C locale would make stdout ASCII)."""
    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)  # `--output reports/x.sarif` in a fresh checkout
        with open(output, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        return
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    binary.write(text.encode("utf-8", "replace"))
    binary.flush()


def _complain(message: str) -> None:
    """An error on standard error; it may quote a file name or content, so it is cleaned like a report."""
    from linter.sanitise import clean

    print(f"policylint: {clean(message)}", file=sys.stderr)


def _read_stdin() -> str | None:
    """Standard input as UTF-8 text, under the size limit of files; None (after saying why) when it is not."""
    from linter import fileaccess

    binary = getattr(sys.stdin, "buffer", None)
    if binary is None:
        return sys.stdin.read()
    data = binary.read(fileaccess.MAX_BYTES + 1)
    try:
        if len(data) > fileaccess.MAX_BYTES:
            raise fileaccess.UnreadableFile(f"more than {fileaccess.MAX_BYTES // 1048576} MiB")
        return fileaccess.decode(data)
    except fileaccess.UnreadableFile as exc:
        _complain(f"standard input:{exc.line}:{exc.column}: {exc.message}")
        return None


def cmd_check(args: argparse.Namespace) -> int:
    from linter.pipeline import run
    from linter.report import render

    from linter import baseline as baselines
    from linter.config import check_rule_options, check_rule_refs
    from linter.fileaccess import scoped
    from linter.pipeline import reading_scope

    settings = _settings(args)
    rules = load_rules(settings.rules_dirs)
    check_rule_options(settings, rules)
    check_rule_refs(settings, rules, {"select": args.select, "ignore": args.ignore})
    if args.show_settings:
        from linter.show_settings import describe

        _write(describe(settings, args), None)
        return EXIT_OK
    if args.statistics and args.format not in ("text", "json"):
        print("policylint: --statistics prints text or JSON (--format text or json)", file=sys.stderr)
        return EXIT_ERROR
    paths, sources = args.paths or ["."], {}
    if "-" in args.paths and args.paths != ["-"]:
        print("policylint: '-' (standard input) cannot be combined with other PATHs", file=sys.stderr)
        return EXIT_ERROR
    if args.stdin_filename or args.paths == ["-"]:
        if args.paths and args.paths != ["-"]:
            print("policylint: --stdin-filename lints standard input only; give no PATH (or '-')", file=sys.stderr)
            return EXIT_ERROR
        if args.stdin_filename and os.path.isdir(args.stdin_filename):
            _complain("--stdin-filename names the file standard input stands for, not a directory")
            return EXIT_ERROR
        from linter.formats.stdin import stdin_name

        text = _read_stdin()
        if text is None:
            return EXIT_ERROR
        name = args.stdin_filename or stdin_name(text)
        paths, sources = [name], {name: text}
    known = baselines.load(settings.baseline) if settings.baseline and not args.write_baseline else None
    root = ci.project_root(args)
    report = run(paths, rules, settings, jobs=args.jobs or None, sources=sources, baseline=known, root=root)
    if args.baseline_commit and not args.write_baseline:
        from linter.gitrev import compare_with_revision

        report = compare_with_revision(args.baseline_commit, report, paths, rules, settings, root, args.jobs or None)
    if args.write_baseline:
        baselines.write(args.write_baseline, report.unbaselined)
        count = len(report.unbaselined)
        print(f"policylint: recorded {count} finding{'' if count == 1 else 's'} in {args.write_baseline}", file=sys.stderr)
        return EXIT_ERROR if report.errors else EXIT_OK
    options = {"color": _use_color(args.color, args.output), "quiet": args.quiet, **ci.render_options(args, root),
               "docs_url": settings.rule_docs_url, "gitlab": args.junit_gitlab}
    with scoped(reading_scope(paths, root)):  # what reports read obeys the same file policy as linting
        if args.fix or args.diff or args.show_fixes:
            from linter.fixcli import check_fixes

            outcome = lambda result: ci.exit_code(result, settings, args.exit_zero)  # noqa: E731
            return check_fixes(args, report, rules, settings, (known, sources, root), (_write, options, outcome))
        if args.statistics:
            from linter.report.statistics import statistics

            _write(statistics(report, rules, args.format), args.output)
        else:
            _write(render(args.format, report, rules, **options), args.output)
        ci.write_reports(args, report, rules, options, _use_color)
    return ci.exit_code(report, settings, args.exit_zero)


def cmd_access(args: argparse.Namespace) -> int:
    """The same files, exclusions, project root and reading bounds as `check` with the same options."""
    from linter.access.command import run_access

    base = _configured(args)
    settings = base.merged(exclude=base.exclude + tuple(args.exclude), include_vendored_modules=args.include_vendored_modules)
    return run_access(args, _write, settings, ci.project_root(args))


def cmd_rules(args: argparse.Namespace) -> int:
    from linter.report.rules_format import rule_list

    if getattr(args, "rules_command", None) == "validate":
        return cmd_rules_validate(args)
    _write(rule_list(load_rules(tuple(args.rules)), args.format), None)
    return EXIT_OK


def cmd_rules_validate(args: argparse.Namespace) -> int:
    """Schema errors exit 2 (naming file, line and key, via RuleError); a failing example exits 1."""
    from linter.report.rules_format import validation_report
    from linter.ruletest import check_rules, coverage_problems

    rules = load_rules(tuple(args.rules) + tuple(args.dirs))
    # Shipped rules are shown as `rules/...`, which may resolve under the current directory: select by file.
    own = {p.as_posix() for d in args.dirs for p in rule_files(Path(d))}
    selected = [r for r in rules if r.source in own]
    if not selected:
        raise RuleError(args.dirs[0], 1, "", "no rule files (*.yaml, *.yml) found")
    coverage = [p for rule in selected for p in coverage_problems(rule)]
    # A house rule's compliant example is minimal code for that rule: the user's rules judge it, not the
    # shipped ones (a bare secret is fine for a naming rule, though SM004-SM006 would fire on it).
    users = own | {p.as_posix() for d in args.rules for p in rule_files(Path(d))}
    results = check_rules(selected, [r for r in rules if r.source in users])
    _write(validation_report(selected, results, coverage), None)
    return EXIT_FINDINGS if coverage or any(not r.passed for r in results) else EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from linter.report.rules_format import explain

    rules = {rule.id: rule for rule in load_rules(tuple(args.rules))}
    rule = rules.get(args.rule_id.upper())
    if rule is None:
        from linter.suggest import did_you_mean

        hint = did_you_mean(args.rule_id.upper(), rules)
        print(f"policylint: unknown rule id {args.rule_id!r}{hint} (see 'policylint rules')", file=sys.stderr)
        return EXIT_ERROR
    _write(explain(rule), None)
    return EXIT_OK


def cmd_lsp(args: argparse.Namespace) -> int:
    try:
        from linter.lsp import main as serve
    except ImportError as exc:
        print(f"policylint: the language server needs pygls ({exc}); install 'policylint[lsp]'", file=sys.stderr)
        return EXIT_ERROR
    return serve()


COMMANDS = {"check": cmd_check, "access": cmd_access, "rules": cmd_rules, "explain": cmd_explain, "lsp": cmd_lsp}


def entry() -> None:
    """The `policylint` command and `python -m linter`: `main`, then the process ends (`exit_with`)."""
    exit_with(main())


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with tuned_gc():
            return COMMANDS[args.command](args)
    except ci.UsageError as exc:
        print(f"policylint: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (RuleError, ConfigError, BaselineError) as exc:
        kind = {RuleError: "rule", ConfigError: "config", BaselineError: "baseline"}[type(exc)]
        _complain(f"{kind} error: {exc}")
        return EXIT_ERROR
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _complain(f"{where}{exc.strerror or exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
