"""The rule documentation and the README's rule table are generated from the rule files and kept current."""
from __future__ import annotations

from linter import docs
from linter.rules import load_rules


def test_generated_docs_are_current():
    out_of_date = [p.relative_to(docs.ROOT).as_posix() for p in docs.stale()]
    assert out_of_date == [], f"stale generated docs {out_of_date}: run '{docs.REGENERATE}' to regenerate"


def test_every_rule_has_a_page_and_a_table_row():
    readme = (docs.ROOT / "README.md").read_text(encoding="utf-8")
    for rule in load_rules():
        assert (docs.ROOT / "docs" / "rules" / f"{rule.id}.md").is_file()
        assert f"| [{rule.id}](docs/rules/{rule.id}.md) | {rule.severity} | {rule.title} |" in readme


def test_page_sections():
    page = docs.rule_markdown(next(r for r in load_rules() if r.id == "SM006"))
    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings == ["## What it does", "## Why it is bad", "## Examples", "## How to fix it", "## Options",
                        "## Known gaps", "## References"]
    assert "| `max_days` | `90` |" in page and "```hcl" in page and "```yaml" in page


def test_stale_files_are_detected_and_rewritten(tmp_path):
    (tmp_path / "README.md").write_text(f"# x\n\n{docs.TABLE_START}\nold\n{docs.TABLE_END}\n", encoding="utf-8")
    (tmp_path / "docs" / "rules").mkdir(parents=True)
    (tmp_path / "docs" / "rules" / "XX999.md").write_text("a rule that no longer exists\n")
    assert tmp_path / "README.md" in docs.stale(tmp_path)
    docs.write(tmp_path)
    assert docs.stale(tmp_path) == []
    assert not (tmp_path / "docs" / "rules" / "XX999.md").exists()
    assert "| [SM001](docs/rules/SM001.md) |" in (tmp_path / "README.md").read_text()


def test_check_mode_tells_how_to_regenerate(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(docs, "ROOT", tmp_path)
    (tmp_path / "README.md").write_text(f"{docs.TABLE_START}\n{docs.TABLE_END}\n", encoding="utf-8")
    monkeypatch.setattr(docs, "stale", lambda root=tmp_path: [tmp_path / "README.md"])
    assert docs.main(["--check"]) == 1
    assert capsys.readouterr().out == "stale: README.md\nrun 'python -m linter.docs' to regenerate\n"


def test_rule_language_documents_every_predicate():
    from linter.predicates import PREDICATES

    text = (docs.ROOT / "docs" / "rule-language.md").read_text(encoding="utf-8")
    assert [name for name in PREDICATES if f"`{name}" not in text] == []


def test_explain_shows_scope_options_and_examples():
    from linter.report.rules_format import explain

    text = explain(next(r for r in load_rules() if r.id == "SM006"))
    assert "What it checks\nLooks at each `secret` resource" in text
    assert "max_days (default 90): Longest accepted time between two rotations, in days." in text
    assert "Example, non-compliant (fires on lines 1, 15), terraform: no rotation, and a yearly rotation" in text
    assert "Example, compliant, cloudformation: rotated monthly" in text


def test_every_fixable_rule_page_shows_its_fix_as_a_diff():
    """A fix that needs options (SM004's admin principals) is shown with them, not silently left out."""
    for rule in load_rules():
        if rule.fix:
            section = "\n".join(docs.fix_section(rule))
            assert "## Automatic fix" in section and "```diff\n--- a/" in section, rule.id
