"""The rule language is declared once, by the predicates: the schema's expression part and the docs' tables
are generated from those declarations and kept current."""
from __future__ import annotations

import shutil

import pytest

from linter import docs, language, rulecheck
from linter.messages import ENGINE_PLACEHOLDERS
from linter.predicates import PLACEHOLDERS, PREDICATES, Declaration
from linter.rules import schema


def test_schema_expression_part_is_the_declarations():
    expr = schema()["$defs"]["expr"]["properties"]
    assert list(expr) == ["all", "any", "not", *PREDICATES]
    for name, declaration in PREDICATES.items():
        assert expr[name] == {**declaration.args, "description": declaration.doc}


def test_message_description_names_every_placeholder():
    description = schema()["properties"]["message"]["description"]
    assert all("{" + name + "}" in description for name in [*PLACEHOLDERS, *ENGINE_PLACEHOLDERS])


@pytest.mark.parametrize("declaration", PREDICATES.values(), ids=list(PREDICATES))
def test_declarations_are_complete(declaration: Declaration):
    assert declaration.doc and "\n" not in declaration.doc
    assert set(declaration.scopes) <= {"statement", "document", "resource"}
    assert set(declaration.provides) <= set(PLACEHOLDERS)
    assert (declaration.nested is None) == (declaration.inner == "")
    assert set(declaration.names.values()) <= set(rulecheck.VOCABULARIES)


def test_every_placeholder_is_provided_by_some_predicate():
    provided = {name for d in PREDICATES.values() for name in d.provides}
    assert provided == set(PLACEHOLDERS)


def test_docs_tables_list_each_predicate_under_each_of_its_scopes():
    text = (docs.ROOT / "docs" / "rule-language.md").read_text(encoding="utf-8")
    for scope in ("statement", "document", "resource"):
        start, end = text.index(f"<!-- {scope}-predicates:start -->"), text.index(f"<!-- {scope}-predicates:end -->")
        rows = [line for line in text[start:end].splitlines() if line.startswith("| `")]
        names = [row.split("`")[1].split(":")[0] for row in rows]
        assert names == [name for name, d in PREDICATES.items() if scope in d.scopes]
    assert "| `standalone: true / false` |" in text and "| `grants: SET` |" in text
    assert "| `effect: Allow / Deny / {invalid}` |" in text


def test_usage_forms():
    assert language.usage(PREDICATES["linked"]) == "`linked: {rel, none, some}`"
    assert language.usage(PREDICATES["some_document"]) == "`some_document: EXPR`"
    assert language.usage(PREDICATES["not_principal"]) == "`not_principal: {}`"


def _copy_sources(tmp_path):
    (tmp_path / "docs").mkdir()
    shutil.copy(docs.ROOT / "README.md", tmp_path / "README.md")
    shutil.copy(docs.ROOT / "docs" / "rule-language.md", tmp_path / "docs" / "rule-language.md")
    docs.write(tmp_path)
    assert docs.stale(tmp_path) == []


def test_a_changed_declaration_makes_schema_and_docs_stale(tmp_path, monkeypatch):
    _copy_sources(tmp_path)
    changed = PREDICATES["grants"].__class__(**{
        **{f: getattr(PREDICATES["grants"], f) for f in Declaration.__slots__}, "doc": "a new meaning"})
    monkeypatch.setitem(PREDICATES, "grants", changed)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in docs.stale(tmp_path)) == [
        "docs/rule-language.md", "linter/rule.schema.json"]
    docs.write(tmp_path)
    assert "a new meaning" in (tmp_path / "linter" / "rule.schema.json").read_text(encoding="utf-8")
    assert "| `grants: SET` | a new meaning |" in (tmp_path / "docs" / "rule-language.md").read_text(encoding="utf-8")


def test_schema_keeps_its_hand_written_parts():
    base = {**schema(), "$defs": {**schema()["$defs"], "mine": {"type": "string"}}}
    base["properties"] = {**base["properties"], "message": {"type": "string"}, "extra": {"const": 1}}
    generated = language.rule_schema(base)
    assert generated["$defs"]["mine"] == {"type": "string"} and generated["properties"]["extra"] == {"const": 1}
    assert generated["properties"]["message"] == {"type": "string", "description": language.message_description()}
    assert {k: v for k, v in generated.items() if k not in ("$defs", "properties")} == \
        {k: v for k, v in base.items() if k not in ("$defs", "properties")}


def test_missing_markers_are_an_error():
    with pytest.raises(ValueError, match="docs/rule-language.md lacks the <!-- statement-predicates:start -->"):
        docs.rule_language("no markers here\n")


def test_docs_name_every_resource_kind_and_relation():
    text = (docs.ROOT / "docs" / "rule-language.md").read_text(encoding="utf-8")
    assert [k for k in sorted(rulecheck.known_kinds()) if f"`{k}`" not in text] == []
    assert [r for r in sorted(rulecheck.known_relations()) if f"`{r}`" not in text] == []
