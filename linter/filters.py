"""Stage 5: what happens to findings between the rules and the report.

In order: `severity_overrides` change severities; `per_file_ignores` drop a rule for matching files; inline
suppressions move covered findings to the `suppressed` list (with their reason; a finding that stands for
several raw findings at one range only when each of them is covered); a baseline drops findings
it already knows. Suppressions that cover nothing and baseline entries that match nothing are collected
so they can be reported and cleaned up.
"""
from __future__ import annotations

from typing import Iterable

from linter.baseline import Entry
from linter.config import Settings
from linter.collapse import one_of
from linter.model import Finding, RawFinding, Suppression
from linter.records import dataclass, field, replace
from linter.results import SuppressedFinding, UnusedSuppression
from linter.suggest import did_you_mean


@dataclass(slots=True)
class Filtered:
    findings: list[Finding]
    suppressed: list[SuppressedFinding] = field(default_factory=list)
    unused: list[UnusedSuppression] = field(default_factory=list)
    baseline_matched: int = 0
    baseline_stale: list[Entry] = field(default_factory=list)
    current: list[Finding] = field(default_factory=list)  # after suppressions, before the baseline


def covers(suppression: Suppression, finding: Finding | RawFinding) -> bool:
    """Does a suppression cover a finding, or one raw finding a collapsed finding stands for? Same file, its
    rule, and a span around the finding starting on the suppression's target line (line 0: the whole file)."""
    return (
        finding.path == suppression.path
        and finding.rule_id in suppression.rule_ids
        and (suppression.target_line == 0 or any(s.line == suppression.target_line for s in finding.context))
    )


def _suppress(findings: list[Finding], suppressions: list[Suppression]):
    """Findings split into kept and suppressed, and the (suppression, rule id) pairs that covered something.

    A collapsed finding is judged on each raw finding it stands for, exactly as a lone one: it is suppressed
    when every one of them is (listed with the suppression of the first), and each suppression that covers
    one of them is used, even when another keeps the finding reported."""
    by_line: dict[tuple[str, int], list[Suppression]] = {}
    for s in suppressions:
        by_line.setdefault((s.path, s.target_line), []).append(s)
    kept, suppressed, used = [], [], set()
    for finding in findings:
        parts = finding.parts or (finding,)
        matches = [_match(part, by_line) for part in parts]
        used.update((m, finding.rule_id) for m in matches if m is not None)
        rest = [part for part, m in zip(parts, matches) if m is None]
        if not rest:
            suppressed.append(SuppressedFinding(finding, matches[0]))
        else:
            kept.append(finding if len(rest) == len(parts) else _unsuppressed(finding, rest))
    return kept, suppressed, used


def _match(part: Finding | RawFinding, by_line: dict[tuple[str, int], list[Suppression]]) -> Suppression | None:
    """The suppression that covers one (raw) finding: a file-level one first, then by target line."""
    lines = [0] + sorted({span.line for span in part.context})
    candidates = [s for line in lines for s in by_line.get((part.path, line), ())]
    return next((s for s in candidates if covers(s, part)), None)


def _unsuppressed(finding: Finding, rest: list[RawFinding]) -> Finding:
    """A collapsed finding some of whose raw findings are suppressed, reported as if only `rest` had fired:
    the first of them speaks (message, resource, the spans an editor's ignore comment targets) and names
    the other elements among them. The fingerprint stays the collapsed finding's, so adding a suppression
    for one statement does not make the finding look new to a baseline; it is `held`: a fix of the shared
    element would change what the suppressed statements read too."""
    speaker = one_of(rest)
    return replace(finding, message=speaker.message, resource=speaker.owner, context=speaker.context, parts=tuple(rest),
                   held=True)


def _unused(suppressions: Iterable[Suppression], used: set, active: set[str], known: set[str]) -> list[UnusedSuppression]:
    unused = []
    for s in suppressions:
        if s.problem:
            unused.append(UnusedSuppression(s, (), s.problem))
            continue
        if not s.rule_ids:
            unused.append(UnusedSuppression(s, (), "names no rule id (write policylint:ignore=SM001 reason)"))
            continue
        unknown = tuple(i for i in s.rule_ids if i not in known)
        idle = tuple(i for i in s.rule_ids if i in active and (s, i) not in used)
        if unknown:
            hint = did_you_mean(unknown[0], known) if len(unknown) == 1 else ""
            unused.append(UnusedSuppression(s, unknown, f"unknown rule id{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}{hint}"))
        if idle:
            unused.append(UnusedSuppression(s, idle, f"suppression of {', '.join(idle)} matches no finding"))
    return unused


def apply(
    findings: list[Finding],
    suppressions: list[Suppression],
    settings: Settings,
    active: set[str],
    known: set[str],
    baseline: list[Entry] | None = None,
    scanned: set[str] = frozenset(),
) -> Filtered:
    """Run every filter; `active` are the ids of the rules that ran, `known` of all loaded rules,
    `scanned` the paths read (baseline entries of other files are not called stale)."""
    if settings.severity_overrides:
        findings = [replace(f, severity=settings.severity_for(f.rule_id, f.severity)) for f in findings]
    if settings.per_file_ignores:
        findings = [f for f in findings if not settings.ignored_in_file(f.rule_id, f.path)]
    findings, suppressed, used = _suppress(findings, suppressions)
    unused = sorted(
        _unused(suppressions, used, active, known),
        key=lambda u: (u.suppression.path, u.suppression.declared, u.rule_ids),
    )
    result = Filtered(findings, suppressed, unused, current=findings)
    if baseline is not None:
        known_prints = {e.fingerprint for e in baseline}
        result.findings = [f for f in findings if f.fingerprint not in known_prints]
        result.baseline_matched = len(findings) - len(result.findings)
        current = {f.fingerprint for f in findings}
        result.baseline_stale = sorted(
            e for e in set(baseline)
            if e.fingerprint not in current and e.rule_id in active and e.path in scanned
        )
    return result
