"""Run settings: what to check and how strictly, from the command line (and, later, config files)."""
from __future__ import annotations

from dataclasses import dataclass, field

from linter.rules import SEVERITIES


@dataclass(slots=True)
class Settings:
    select: tuple[str, ...] = ()  # rule ids or prefixes to run; empty means all
    ignore: tuple[str, ...] = ()
    fail_on: str = "low"
    exclude: tuple[str, ...] = ()
    rules_dirs: tuple[str, ...] = ()
    rule_options: dict[str, dict] = field(default_factory=dict)
    severity_overrides: dict[str, str] = field(default_factory=dict)

    def wants(self, rule_id: str) -> bool:
        """Is a rule selected? Ids and prefixes (`SM`, `IAM00`) both work; ignore wins over select."""
        selected = not self.select or any(rule_id.startswith(p) for p in self.select)
        return selected and not any(rule_id.startswith(p) for p in self.ignore)

    def fails(self, severity: str) -> bool:
        return SEVERITIES.index(severity) <= SEVERITIES.index(self.fail_on)
