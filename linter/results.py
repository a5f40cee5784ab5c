"""What a run hands the report formats: the output contract every format renders.

`Report` is the whole result of one run; findings are `linter.model.Finding`, input errors
`linter.model.FileError`. Formats read these and nothing else: never the disk (the linted text of each
reported file is in `Report.texts`).
"""
from __future__ import annotations

from linter.baseline import Entry
from linter.model import FileError, Finding, ModuleCall, Suppression
from linter.records import dataclass, field


@dataclass(frozen=True, slots=True)
class SuppressedFinding:
    """A finding an inline suppression covers: reported as suppressed, with the suppression's reason."""

    finding: Finding
    suppression: Suppression


@dataclass(frozen=True, slots=True)
class UnusedSuppression:
    """A suppression that covered nothing (a fixed finding, a typo in a rule id)."""

    suppression: Suppression
    rule_ids: tuple[str, ...]  # the ids that matched nothing (empty when the comment names none)
    problem: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """What `--baseline-commit` found: the revision as given and its full id, how many current findings it
    already had (counted, not listed), and the findings it had that are gone now."""

    rev: str
    commit: str
    unchanged: int
    fixed: list[Finding] = field(default_factory=list)


@dataclass(slots=True)
class Report:
    """Everything one run found, after filters, in the order every format writes it."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files_scanned: int = 0
    suppressed: list[SuppressedFinding] = field(default_factory=list)  # covered by an inline suppression
    unused_suppressions: list[UnusedSuppression] = field(default_factory=list)
    baseline: str | None = None  # the baseline file used, if any
    baseline_matched: int = 0  # findings the baseline already knew (not reported)
    baseline_stale: list[Entry] = field(default_factory=list)  # baseline entries that match nothing now
    rules_run: tuple[str, ...] = ()  # ids of the rules that ran
    baseline_commit: Comparison | None = None  # with --baseline-commit
    modules_not_followed: list[ModuleCall] = field(default_factory=list)  # remote calls nothing installed resolves
    # Findings after suppressions but before the baseline: what `--write-baseline` records.
    unbaselined: list[Finding] = field(default_factory=list, repr=False)
    # The text each reported file was linted as (by path), so excerpts never re-read a file that changed.
    texts: dict[str, str] = field(default_factory=dict, repr=False, metadata={"sanitise": "keys"})
