"""The access map as text (a matrix per secret), JSON (the documented contract) and Markdown."""
from __future__ import annotations

import json

from linter import __version__
from linter.access.accessmap import SecretAccess
from linter.access.capabilities import CAPABILITIES
from linter.access.evaluate import COND, VERDICTS, Cell

_MARK = {"yes": "yes", "conditional": "cond", "may": "may"}


def _places(locations) -> list[str]:
    return [f"{l.path}:{l.line}" for l in locations]


def cell_json(cell: Cell) -> dict:
    outcome = cell.outcome
    return {
        "principal": cell.principal, "capability": cell.capability, "verdict": VERDICTS[outcome.level],
        "conditions": list(outcome.conditions),
        "allowed_by": [{"path": l.path, "line": l.line} for l in outcome.allowed_by],
        "denied_by": [{"path": l.path, "line": l.line} for l in outcome.denied_by],
    }


def as_json(secrets: list[SecretAccess]) -> str:
    report = {
        "tool": {"name": "policylint", "version": __version__},
        "secrets": [
            {"secret": s.secret, "path": s.path, "line": s.line, "access": [cell_json(c) for c in s.cells]}
            for s in secrets
        ],
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _rows(secret: SecretAccess) -> list[tuple[str, dict[str, Cell]]]:
    rows: dict[str, dict[str, Cell]] = {}
    for cell in secret.cells:
        rows.setdefault(cell.principal, {})[cell.capability] = cell
    return sorted(rows.items())


def _evidence(cell: Cell) -> str:
    outcome = cell.outcome
    parts = [f"{cell.principal} {cell.capability}: {VERDICTS[outcome.level]}"]
    if outcome.conditions:
        parts.append(("when " if outcome.level == COND else "depending on ") + "; ".join(outcome.conditions))
    parts.append("allowed by " + (", ".join(_places(outcome.allowed_by)) or "nothing written in the tree"))
    if outcome.denied_by:
        parts.append("deny at " + ", ".join(_places(outcome.denied_by)))
    return " — ".join(parts)


def as_text(secrets: list[SecretAccess]) -> str:
    """One matrix per secret (principals by capabilities), then each cell's evidence."""
    lines = []
    capabilities = list(CAPABILITIES)
    for secret in secrets:
        lines.append(f"{secret.secret} ({secret.path}:{secret.line})")
        rows = _rows(secret)
        if not rows:
            lines += ["  nobody in the tree can act on it", ""]
            continue
        width = max(len("principal"), *(len(p) for p, _ in rows))
        lines.append("  " + "principal".ljust(width) + "  " + "  ".join(capabilities))
        for principal, by_capability in rows:
            marks = [(_MARK[VERDICTS[by_capability[c].outcome.level]] if c in by_capability else "-").ljust(len(c))
                     for c in capabilities]
            lines.append(("  " + principal.ljust(width) + "  " + "  ".join(marks)).rstrip())
        lines += ["  " + _evidence(cell) for cell in secret.cells]
        lines += [f"  {role} can be assumed by {', '.join(who)}" for role, who in secret.trust] + [""]
    count = len(secrets)
    lines.append(f"{count} secret{'' if count == 1 else 's'}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def as_markdown(secrets: list[SecretAccess]) -> str:
    lines = ["## policylint access", ""]
    capabilities = list(CAPABILITIES)
    for secret in secrets:
        lines += [f"### `{_md(secret.secret)}` ({_md(secret.path)}:{secret.line})", ""]
        rows = _rows(secret)
        if not rows:
            lines += ["Nobody in the tree can act on it.", ""]
            continue
        lines.append("| principal | " + " | ".join(capabilities) + " |")
        lines.append("| --- |" + " --- |" * len(capabilities))
        for principal, by_capability in rows:
            marks = [VERDICTS[by_capability[c].outcome.level] if c in by_capability else "" for c in capabilities]
            lines.append(f"| `{_md(principal)}` | " + " | ".join(marks) + " |")
        lines += ["", *(f"- {_md(_evidence(cell))}" for cell in secret.cells)]
        lines += [f"- `{_md(role)}` can be assumed by {_md(', '.join(who))}" for role, who in secret.trust] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


RENDERERS = {"text": as_text, "json": as_json, "markdown": as_markdown}
