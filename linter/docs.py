"""Documentation generated from its single sources: `docs/rules/<ID>.md` and the README's rule table from
the rule files (title, rationale, remediation, options, references and examples); the rule schema's
expression part and the tables of `docs/rule-language.md` from the predicates' declarations.

`python -m linter.docs` rewrites the generated files; `python -m linter.docs --check` only reports stale
ones (the test suite does the same), so documentation cannot drift from the rules.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from linter.language import rule_schema, schema_text, sections
from linter.report.rules_format import fired_lines, scope_text
from linter.formats.registry import example_formats
from linter.rules import Rule, load_rules

ROOT = Path(__file__).resolve().parent.parent
TABLE_START, TABLE_END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"
REGENERATE = "python -m linter.docs"
SCHEMA = Path(__file__).with_name("rule.schema.json")  # its generated parts are replaced, the rest kept


def rule_markdown(rule: Rule) -> str:
    """The documentation page of one rule."""
    parts = [
        f"# {rule.id}: {rule.title}",
        "",
        f"Severity: **{rule.severity}**. Source: `{rule.source}`.",
        "",
        "## What it does",
        "",
        scope_text(rule),
        "",
        f"Message: `{rule.message}`",
        "",
        "## Why it is bad",
        "",
        rule.rationale,
        "",
        "## Examples",
    ]
    for example in sorted(rule.examples, key=lambda e: e.compliant):
        verdict = f"Non-compliant (fires on {fired_lines(example.lines)})" if example.lines else "Compliant"
        title = f": {example.title}" if example.title else ""
        written = example_formats()[example.format]
        parts += ["", f"{verdict}, {written.label}{title}", "",
                  f"```{written.fence}", example.code.rstrip("\n"), "```"]
    parts += ["", "## How to fix it", "", rule.remediation]
    parts += fix_section(rule)
    parts += ["", "## Options", ""]
    if rule.options:
        parts += ["| option | default | meaning |", "| --- | --- | --- |"]
        parts += [f"| `{name}` | `{json.dumps(spec['default'])}` | {spec['description']} |"
                  for name, spec in rule.options.items()]
        parts += ["", f"Set them in the configuration under `rule_options`, for example "
                      f"`rule_options: {{{rule.id}: {{{next(iter(rule.options))}: ...}}}}`."]
    else:
        parts.append("None.")
    parts += known_gaps_section(rule)
    if rule.references:
        parts += ["", "## References", ""] + [f"- <{ref}>" for ref in rule.references]
    return "\n".join(parts) + "\n"


# Rule options a fix needs before it can be written (SM004's admin principals), as the docs show them.
FIX_EXAMPLE_OPTIONS = {"SM004": {"admin_principals": ["arn:aws:iam::111122223333:role/secrets-admin"]}}


def fix_section(rule: Rule) -> list[str]:
    """The rule's automatic fix, shown as the diff it makes on the first non-compliant example of each
    example format where it applies (computed, so the page cannot promise what the fix does not do)."""
    if not rule.fix:
        return []
    from linter.fixes import example_fix

    how = "`policylint check --fix`" if rule.fix["safety"] == "safe" else "`policylint check --fix --unsafe-fixes` (unsafe: review it)"
    parts = ["", "## Automatic fix", "", f"{rule.fix['title']}: {how}, or the editor's quick fix."]
    options = FIX_EXAMPLE_OPTIONS.get(rule.id)
    if options:
        parts += ["", f"It needs `rule_options: {json.dumps(options)}` (your admin principals); without them there is no fix."]
    shown: set[str] = set()
    for example in rule.examples:
        if example.compliant or example.format in shown:
            continue
        result = example_fix(rule, example, load_rules(), options)
        if result.changed:
            shown.add(example.format)
            label = example_formats()[example.format].label
            parts += ["", f"{label}:", "", "```diff", result.diff().rstrip("\n"), "```"]
    return parts


def known_gaps_section(rule: Rule) -> list[str]:
    """What the rule is known to get wrong, so users are not surprised; the fixtures show each one."""
    if not rule.known_gaps:
        return []
    return ["", "## Known gaps", ""] + [f"- {text.strip()} (`{slug}`)" for slug, text in rule.known_gaps.items()]


def readme_table(rules: list[Rule]) -> str:
    rows = ["| id | severity | title |", "| --- | --- | --- |"]
    rows += [f"| [{r.id}](docs/rules/{r.id}.md) | {r.severity} | {r.title} |" for r in rules]
    return "\n".join(rows)


def with_table(readme: str, table: str) -> str:
    """The README with the text between the rule-table markers replaced."""
    return with_section(readme, "rules-table", table, "README.md")


def with_section(text: str, name: str, content: str, where: str) -> str:
    """`text` with what lies between the markers `<!-- NAME:start -->` and `<!-- NAME:end -->` replaced."""
    start_mark, end_mark = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    start, end = text.find(start_mark), text.find(end_mark)
    if start < 0 or end < start:
        raise ValueError(f"{where} lacks the {start_mark} ... {end_mark} markers")
    return text[: start + len(start_mark)] + "\n" + content + "\n" + text[end:]


def rule_language(text: str) -> str:
    """`docs/rule-language.md` with its predicate and placeholder tables generated from the declarations."""
    for name, content in sections().items():
        text = with_section(text, name, content, "docs/rule-language.md")
    return text


def generated(root: Path = ROOT) -> dict[Path, str]:
    """Every generated file and the text it should have."""
    rules = load_rules()  # shipped rules, named by their path under rules/ (the test suite validates them)
    files = {root / "docs" / "rules" / f"{rule.id}.md": rule_markdown(rule) for rule in rules}
    readme = root / "README.md"
    files[readme] = with_table(readme.read_text(encoding="utf-8"), readme_table(rules))
    files[root / "linter" / SCHEMA.name] = schema_text(rule_schema(json.loads(SCHEMA.read_text(encoding="utf-8"))))
    language = root / "docs" / "rule-language.md"
    if language.is_file():  # prose around generated tables: updated where it exists, never made up
        files[language] = rule_language(language.read_text(encoding="utf-8"))
    return files


def stale(root: Path = ROOT) -> list[Path]:
    """Generated files that differ from what the rules say, and rule pages of rules that no longer exist."""
    files = generated(root)
    out_of_date = [p for p, text in files.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    pages = root / "docs" / "rules"
    orphans = [p for p in sorted(pages.glob("*.md")) if p not in files] if pages.is_dir() else []
    return out_of_date + orphans


def write(root: Path = ROOT) -> list[Path]:
    changed = stale(root)
    files = generated(root)
    for path in changed:
        if path in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(files[path], encoding="utf-8", newline="\n")
        else:
            path.unlink()
    return changed


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--check"]:
        out_of_date = stale()
        for path in out_of_date:
            print(f"stale: {path.relative_to(ROOT).as_posix()}")
        if out_of_date:
            print(f"run '{REGENERATE}' to regenerate")
        return 1 if out_of_date else 0
    if args:
        print(f"usage: {REGENERATE} [--check]", file=sys.stderr)
        return 2
    for path in write():
        print(f"wrote {path.relative_to(ROOT).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
