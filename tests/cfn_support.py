"""Shared helpers for the CloudFormation tests: run the pipeline's extraction on fixture files."""
from __future__ import annotations

from pathlib import Path

from linter.discover import SourceFile
from linter.model import Extraction, PolicyDocument, Resource, Span
from linter.pipeline import extract_all

FIXTURES = Path(__file__).parent / "fixtures" / "cloudformation"
DEMO = Path(__file__).parent.parent / "fixtures" / "demo" / "cloudformation"


def source_file(path: Path) -> SourceFile:
    return SourceFile(path, path.name)


def extract(path: Path) -> Extraction:
    """What the pipeline extracts from one file (reported under its bare name)."""
    return extract_all([source_file(path)])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def span(s: Span) -> tuple[int, int, int, int]:
    return (s.line, s.column, s.end_line, s.end_column)


def text_at(path: Path, s: Span) -> str:
    """The source text a span covers (columns count characters)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if s.line == s.end_line:
        return lines[s.line - 1][s.column - 1:s.end_column - 1]
    parts = [lines[s.line - 1][s.column - 1:]] + lines[s.line:s.end_line - 1] + [lines[s.end_line - 1][:s.end_column - 1]]
    return "\n".join(parts)


def documents_of(extraction: Extraction, owner: str) -> list[PolicyDocument]:
    return [d for d in extraction.documents if d.owner == owner]


def resource(extraction: Extraction, address: str) -> Resource:
    (found,) = [r for r in extraction.resources if r.address == address]
    return found


def managed_policy_template(statements: str, resources: str = "") -> str:
    """A template declaring `resources` (YAML lines under `Resources:`), then an `AWS::IAM::ManagedPolicy`
    `Reader` whose `Statement` list is `statements` (YAML lines indented for it). The statements start on
    line `resources.count("\\n") + 9`."""
    return (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n"
        f"{resources}"
        "  Reader:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n"
        "      PolicyDocument:\n"
        "        Version: '2012-10-17'\n"
        "        Statement:\n"
        f"{statements}"
    )
