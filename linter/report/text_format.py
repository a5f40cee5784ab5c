"""`--format text`: for people at a terminal, and still parseable by editors.

Each finding starts with a compiler-style line (`path:line:col: SEVERITY RULE message`), followed by the
offending source line with a `^~~~` marker under the element. Findings are grouped by file (a blank line
between files), and a summary line ends the report. Colour only when asked for (the CLI decides: a
terminal, and `NO_COLOR` unset). `quiet` keeps only the finding and error lines.
"""
from __future__ import annotations

from linter.sanitise import clean
from linter.severity import ORDER

RESET, BOLD, DIM = "\033[0m", "\033[1m", "\033[2m"
COLORS = {"critical": "\033[1;35m", "high": "\033[1;31m", "medium": "\033[1;33m", "low": "\033[1;36m",
          "error": "\033[1;31m", "warning": "\033[1;33m", "note": "\033[1;36m"}
WIDTH = 160  # longest source excerpt shown; longer lines (minified JSON) are windowed around the element


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self.color and text else text


class _Sources:
    """Source lines for snippets, from the text each file was linted as (never read again: a file that
    changed since would show, or unmask, the wrong columns)."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self.cache: dict[str, list[str] | None] = {}

    def line(self, path: str, number: int) -> str | None:
        if path not in self.cache:
            text = self.texts.get(path)
            self.cache[path] = text.split("\n") if text is not None else None
        lines = self.cache[path]
        return lines[number - 1] if lines is not None and 0 < number <= len(lines) else None


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _window(line: str, start: int, end: int) -> tuple[str, int, int]:
    """The part of a long line around [start, end) (0-based), with '…' where it was cut."""
    if len(line) <= WIDTH:
        return line, start, end
    begin = max(0, min(start - 20, len(line) - WIDTH))
    piece = line[begin:begin + WIDTH]
    prefix = "…" if begin else ""
    suffix = "…" if begin + WIDTH < len(line) else ""
    shift = len(prefix) - begin
    return prefix + piece + suffix, start + shift, min(end, begin + WIDTH) + shift


def snippet(line: str, number: int, column: int, end_column: int | None, style: _Style, severity: str) -> list[str]:
    """Two lines: the source line with its number, and a `^~~~` marker under [column, end_column)."""
    start = column - 1
    end = end_column - 1 if end_column is not None else len(line)
    end = max(start + 1, min(end, len(line.rstrip())))
    text, start, end = _window(line, start, end)
    # Source text is cleaned piece by piece so the marker stays under the element once escapes widen it.
    before, inside, after = (clean(part, line_start=False) for part in (text[:start], text[start:end], text[end:]))
    text, start, end = before + inside + after, len(before), len(before) + len(inside)
    shown = text.expandtabs(4)
    left = len(text[:start].expandtabs(4))
    width = max(1, len(text[:end].expandtabs(4)) - left)
    gutter = f"{number:>5} | "
    marker = "^" + "~" * (width - 1)
    return [style(DIM, gutter) + shown.rstrip(), style(DIM, " " * (len(gutter) - 2) + "| ") + " " * left + style(COLORS.get(severity, BOLD), marker)]


def _masked(line: str, column: int, end_column: int | None) -> str:
    """The line with [column, end_column) blanked out, so a secret value never reaches a CI log."""
    start = column - 1
    end = len(line) if end_column is None else end_column - 1
    return line[:start] + "*" * max(0, min(end, len(line)) - start) + line[end:]


def _finding_lines(f, sources: _Sources, style: _Style, quiet: bool, sensitive: bool = False) -> list[str]:
    s = f.span
    head = f"{style(BOLD, f'{f.path}:{s.line}:{s.column}:')} {style(COLORS[f.severity], f.severity.upper())} {style(BOLD, f.rule_id)} {f.message}"
    if quiet:
        return [head]
    line = sources.line(f.path, s.line)
    if line is None:
        return [head]
    if sensitive:
        line = _masked(line, s.column, s.end_column if s.end_line == s.line else None)
    return [head] + snippet(line, s.line, s.column, s.end_column if s.end_line == s.line else None, style, f.severity)


def _error_lines(e, sources: _Sources, style: _Style, quiet: bool) -> list[str]:
    head = f"{style(BOLD, f'{e.path}:{e.line}:{e.column}:')} {style(COLORS['error'], 'ERROR')} {e.message}"
    line = None if quiet else sources.line(e.path, e.line)
    return [head] + (snippet(line, e.line, e.column, e.column + 1, style, "error") if line is not None and line.strip() else [])


def _unused_lines(u, style: _Style) -> list[str]:
    d = u.suppression.declared
    return [f"{style(BOLD, f'{u.suppression.path}:{d.line}:{d.column}:')} {style(COLORS['warning'], 'WARNING')} unused suppression: {u.problem}"]


def files_with_findings(report) -> int:
    """How many files have a reported finding (suppressed and baselined ones do not count)."""
    return len({f.path for f in report.findings})


def summary(report) -> str:
    """The closing line (the markdown format opens with it too): `27 findings (3 high, 24 medium) in 6 files,
    11 files scanned, 1 error, ...`; the files with findings and the files read are counted apart."""
    counts = {}
    for f in report.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    text = plural(len(report.findings), "finding")
    if counts:
        text += " (" + ", ".join(f"{counts[s]} {s}" for s in ORDER if s in counts) + ")"
    if report.findings:
        text += f" in {plural(files_with_findings(report), 'file')}"
    extras = [f"{plural(report.files_scanned, 'file')} scanned"]
    if report.errors:
        extras.append(plural(len(report.errors), "error"))
    if report.suppressed:
        extras.append(f"{len(report.suppressed)} suppressed")
    if report.baseline is not None:
        extras.append(f"{report.baseline_matched} in baseline")
    if report.baseline_commit is not None:
        c = report.baseline_commit
        extras.append(f"{c.unchanged} unchanged since {c.rev}, {len(c.fixed)} fixed")
    if report.unused_suppressions:
        extras.append(plural(len(report.unused_suppressions), "unused suppression"))
    if report.modules_not_followed:
        remedies = "; ".join(sorted({c.remedy for c in report.modules_not_followed if c.remedy}))
        extras.append(f"{plural(len(report.modules_not_followed), 'module call')} not followed" + (f" ({remedies})" if remedies else ""))
    return ", ".join([text] + extras)


def render(report, rules, color: bool = False, quiet: bool = False, **options) -> str:
    style, reader = _Style(color), _Sources(report.texts)
    sensitive = {rule.id for rule in rules if rule.sensitive}
    groups: dict[str, list[tuple[tuple, list[str]]]] = {}
    for e in report.errors:
        groups.setdefault(e.path, []).append(((e.line, e.column, 0), _error_lines(e, reader, style, quiet)))
    for f in report.findings:
        groups.setdefault(f.path, []).append(((f.span.line, f.span.column, 1), _finding_lines(f, reader, style, quiet, f.rule_id in sensitive)))
    if not quiet:
        for u in report.unused_suppressions:
            d = u.suppression.declared
            groups.setdefault(u.suppression.path, []).append(((d.line, d.column, 2), _unused_lines(u, style)))
    blocks = []
    for path in sorted(groups):
        entries = [line for _, lines in sorted(groups[path], key=lambda item: item[0]) for line in lines]
        blocks.append("\n".join(entries))
    if quiet:
        return "".join(block + "\n" for block in blocks)
    if report.baseline_stale:
        stale = [f"baseline {report.baseline}: {len(report.baseline_stale)} {'entry' if len(report.baseline_stale) == 1 else 'entries'} no longer match (fixed or moved); "
                 "rewrite it with --write-baseline"]
        stale += [f"  {e.path}: {e.rule_id} {e.resource or '(file)'} {e.fingerprint}" for e in report.baseline_stale]
        blocks.append("\n".join(stale))
    if report.baseline_commit is not None and report.baseline_commit.fixed:
        blocks.append("\n".join([f"fixed since {report.baseline_commit.rev}:"] + [
            f"  {f.path}:{f.span.line}:{f.span.column}: {f.severity.upper()} {f.rule_id} {f.message}"
            for f in report.baseline_commit.fixed]))
    blocks.append(style(BOLD, summary(report)))
    return "\n\n".join(blocks) + "\n"
