"""The one severity table: how each rule severity reads in every output (SARIF level and
`security-severity` score, GitHub annotation level, LSP diagnostic severity), in order from worst."""
from __future__ import annotations

from linter.records import dataclass


@dataclass(frozen=True, slots=True)
class Severity:
    name: str
    sarif_level: str  # SARIF `level`
    score: str  # SARIF `properties.security-severity` (GitHub code scanning's scale, 0.0-10.0)
    github: str  # GitHub Actions workflow command (`::error`, `::warning`, `::notice`)
    lsp: int  # LSP DiagnosticSeverity: 1 error, 2 warning, 3 information, 4 hint


SEVERITIES: dict[str, Severity] = {
    s.name: s
    for s in (
        Severity("critical", "error", "9.5", "error", 1),
        Severity("high", "error", "8.0", "error", 1),
        Severity("medium", "warning", "5.5", "warning", 2),
        Severity("low", "note", "3.0", "notice", 3),
    )
}
ORDER = tuple(SEVERITIES)  # worst first
