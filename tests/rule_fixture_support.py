"""Per-rule fixtures: finding them, reading their annotations, comparing findings, writing snapshots.

The layout and the annotation grammar are documented in `tests/rule_fixtures/README.md`. A fixture is a
file or a directory (a Terraform module tree) inside `tests/rule_fixtures/<RULE>/`; whatever the format,
it is linted as the pipeline would lint it, so a new input format's fixtures (a `serverless.yml`) are
picked up by their file name alone. Files with `#` comments carry their annotations inline; files without
comments (JSON) carry them in a sidecar `<file>.annotations`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).with_name("rule_fixtures")
SIDECAR = ".annotations"
SNAPSHOT = ".findings.json"
# Kinds whose rule fires today: their spans are checked exactly.
FIRING = ("ruleid", "todook")

_COMMENT = re.compile(r"^\s*#\s*(?P<kind>todoruleid|todook|ruleid|ok):\s*(?P<items>.*?)\s*$")
_SIDECAR_LINE = re.compile(r"^\s*(?P<line>\d+):\s*(?P<kind>todoruleid|todook|ruleid|ok):\s*(?P<items>.*?)\s*$")
_ITEM = re.compile(r"^(?P<rule>[A-Z]+[0-9]+)(?P<rest>(?:\s+\S+)*)$")
_SPAN = re.compile(r"^@(?P<col>\d+)-(?:\+(?P<lines>\d+):)?(?P<end>\d+)$")
_GAP = re.compile(r"^gap=(?P<slug>[a-z0-9][a-z0-9-]*)$")


class AnnotationError(ValueError):
    """An annotation the harness cannot read; names the file and line."""


@dataclass(frozen=True)
class Expectation:
    """One annotation for one rule: what it says about the code line it stands above."""

    path: str  # relative to the fixture (the file name for a single-file fixture)
    line: int  # the annotated code line
    kind: str
    rule_id: str
    spans: tuple[tuple[int, int, int, int], ...] = ()  # (line, column, end_line, end_column)
    gap: str = ""
    written_at: int = 0  # line of the annotation itself (of the sidecar entry for JSON)


@dataclass
class Fixture:
    """A fixture of one rule: where it is, its files (relative name -> text) and its annotations."""

    rule_id: str
    path: Path
    files: dict[str, str]
    expectations: list[Expectation] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # annotations that could not be read, with file:line

    @property
    def name(self) -> str:
        return f"{self.rule_id}/{self.path.name}"

    @property
    def snapshot(self) -> Path:
        return self.path.with_name(self.path.name + SNAPSHOT)

    @property
    def checked_rules(self) -> set[str]:
        """The fixture's own rule, and every other rule an annotation names."""
        return {self.rule_id} | {e.rule_id for e in self.expectations}


def _is_fixture_part(path: Path) -> bool:
    return not (path.name.endswith(SNAPSHOT) or path.name.endswith(SIDECAR) or path.name.startswith("."))


def discover(root: Path = ROOT) -> list[Fixture]:
    """Every fixture under root, sorted by rule and name."""
    fixtures = []
    for rule_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for entry in sorted(p for p in rule_dir.iterdir() if _is_fixture_part(p)):
            fixtures.append(load(rule_dir.name, entry))
    return fixtures


def load(rule_id: str, path: Path) -> Fixture:
    """Read a fixture file or directory and its annotations."""
    if path.is_dir():
        parts = sorted(p for p in path.rglob("*") if p.is_file() and _is_fixture_part(p))
        files = {p.relative_to(path).as_posix(): p.read_text(encoding="utf-8") for p in parts}
        sources = {p.relative_to(path).as_posix(): p for p in parts}
    else:
        files = {path.name: path.read_text(encoding="utf-8")}
        sources = {path.name: path}
    fixture = Fixture(rule_id, path, files)
    for name, source in sources.items():
        sidecar = source.with_name(source.name + SIDECAR)
        try:
            if sidecar.is_file():
                fixture.expectations += sidecar_annotations(sidecar.read_text(encoding="utf-8"), name)
            else:
                fixture.expectations += comment_annotations(files[name], name)
        except AnnotationError as exc:  # reported by the fixture's own test, not at collection
            fixture.unreadable.append(str(exc))
    return fixture


def _items(text: str, kind: str, path: str, line: int, written_at: int) -> list[Expectation]:
    """The comma-separated `RULE [@SPAN ...] [gap=SLUG]` items of one annotation."""
    out = []
    for item in (i.strip() for i in text.split(",")):
        match = _ITEM.match(item)
        if not match:
            raise AnnotationError(f"{path}:{written_at}: cannot read annotation item {item!r}")
        spans, gap = [], ""
        for word in match.group("rest").split():
            span, gap_match = _SPAN.match(word), _GAP.match(word)
            if span:
                end_line = line + int(span.group("lines") or 0)
                spans.append((line, int(span.group("col")), end_line, int(span.group("end"))))
            elif gap_match and not gap:
                gap = gap_match.group("slug")
            else:
                raise AnnotationError(f"{path}:{written_at}: cannot read {word!r} in {item!r}")
        out.append(Expectation(path, line, kind, match.group("rule"), tuple(spans), gap, written_at))
    return out


def comment_annotations(text: str, path: str) -> list[Expectation]:
    """Annotations written as `#` comments; each applies to the next line that is neither blank nor a comment."""
    out: list[Expectation] = []
    pending: list[tuple[int, str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _COMMENT.match(line)
        if match:
            pending.append((number, match.group("kind"), match.group("items")))
            continue
        if not line.strip() or line.lstrip().startswith(("#", "//")):
            continue
        for written_at, kind, items in pending:
            out += _items(items, kind, path, number, written_at)
        pending = []
    if pending:
        raise AnnotationError(f"{path}:{pending[0][0]}: annotation stands above no code line")
    return out


def sidecar_annotations(text: str, path: str) -> list[Expectation]:
    """Annotations of a file without comments: `LINE: KIND: ITEMS` per line; `#` lines are remarks."""
    out: list[Expectation] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _SIDECAR_LINE.match(line)
        if not match:
            raise AnnotationError(f"{path}{SIDECAR}:{number}: expected 'LINE: KIND: RULE ...', got {line!r}")
        out += _items(match.group("items"), match.group("kind"), path, int(match.group("line")), number)
    return out


def annotation_problems(fixture: Fixture) -> list[str]:
    """Annotations that say too little: a firing one without its exact span, a todo one without its gap."""
    problems = list(fixture.unreadable)
    for e in fixture.expectations:
        where = f"{fixture.name}: {e.path}:{e.written_at}"
        if e.kind in FIRING and not e.spans:
            problems.append(f"{where}: '{e.kind}: {e.rule_id}' needs the exact span (@COLUMN-END_COLUMN)")
        if e.kind.startswith("todo") and not e.gap:
            problems.append(f"{where}: '{e.kind}: {e.rule_id}' needs gap=SLUG naming a known gap of the rule")
        if not e.kind.startswith("todo") and e.gap:
            problems.append(f"{where}: gap= belongs on todoruleid/todook only")
        if e.kind not in FIRING and e.spans:
            problems.append(f"{where}: '{e.kind}' annotations say the rule does not fire: no span")
    if not fixture.expectations and not fixture.unreadable:
        problems.append(f"{fixture.name}: no annotations")
    return problems


def finding_record(finding, single_file: bool) -> dict:
    """A finding as the snapshot records it (path only for directory fixtures)."""
    span = finding.span
    record = {"rule_id": finding.rule_id}
    if not single_file:
        record["path"] = finding.path
    record.update(line=span.line, column=span.column, end_line=span.end_line, end_column=span.end_column,
                  resource=finding.resource, message=finding.message)
    return record


def snapshot_text(records: list[dict]) -> str:
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def mismatches(fixture: Fixture, findings: list) -> list[str]:
    """How the findings of the fixture's checked rules differ from its annotations (empty when they agree)."""
    checked = fixture.checked_rules
    actual: dict[tuple[str, str, int], list[tuple[int, int, int, int]]] = {}
    for f in findings:
        if f.rule_id in checked:
            s = f.span
            actual.setdefault((f.path, f.rule_id, s.line), []).append((s.line, s.column, s.end_line, s.end_column))
    problems = []
    claimed: set[tuple[str, str, int]] = set()
    for e in fixture.expectations:
        key = (e.path, e.rule_id, e.line)
        got = sorted(actual.get(key, []))
        where = f"{e.path}:{e.line}"
        if e.kind in FIRING:
            claimed.add(key)
            if got != sorted(e.spans):
                problems.append(f"{where}: '{e.kind}: {e.rule_id}' expects {format_spans(e.spans)}, found {format_spans(got)}")
        elif got:
            problems.append(f"{where}: '{e.kind}: {e.rule_id}' expects no finding, found {format_spans(got)}")
    for key in sorted(set(actual) - claimed):
        path, rule_id, line = key
        if not any(e.path == path and e.rule_id == rule_id and e.line == line for e in fixture.expectations):
            problems.append(f"{path}:{line}: unannotated {rule_id} finding {format_spans(actual[key])}")
    return problems


def format_spans(spans) -> str:
    """Spans in the annotation grammar (`@11-29 @3-+2:8`), for messages."""
    if not spans:
        return "nothing"
    return " ".join(f"@{c}-{e}" if l2 == l1 else f"@{c}-+{l2 - l1}:{e}" for l1, c, l2, e in sorted(spans))
