"""Baselines: accept today's findings, report only new ones.

The file records findings by their line-independent fingerprint (plus rule, path and resource, for people
reading a diff). It is sorted JSON without timestamps, so two branches that each update it merge cleanly.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from linter.records import dataclass

VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read."""


@dataclass(frozen=True, slots=True, order=True)
class Entry:
    path: str
    rule_id: str
    resource: str
    fingerprint: str

    def as_dict(self) -> dict:
        return {"fingerprint": self.fingerprint, "rule_id": self.rule_id, "path": self.path, "resource": self.resource}


def entries(findings) -> list[Entry]:
    return sorted({Entry(f.path, f.rule_id, f.resource, f.fingerprint) for f in findings})


def dumps(findings) -> str:
    """The baseline file's text for these findings."""
    document = {"version": VERSION, "findings": [e.as_dict() for e in entries(findings)]}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(path: str, findings) -> None:
    Path(path).write_text(dumps(findings), encoding="utf-8", newline="\n")


def load(path: str) -> list[Entry]:
    """The entries of a baseline file; any defect is a BaselineError naming the file."""
    from linter import fileaccess
    from linter.loaders import jsonpos

    if not os.path.lexists(path):
        raise BaselineError(f"{path}: baseline file not found (create it with --write-baseline)")
    try:
        text = fileaccess.read_text(path)
        data = jsonpos.check_syntax(text)
    except fileaccess.UnreadableFile as exc:
        raise BaselineError(f"{path}:{exc.line}: cannot read baseline: {exc.message}") from None
    except jsonpos.JSONSyntaxError as exc:
        raise BaselineError(f"{path}:{exc.line}:{exc.column}: cannot read baseline: {exc.message}") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not a policylint baseline (version {VERSION})")
    result = []
    for index, item in enumerate(data["findings"]):
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
            raise BaselineError(f"{path}: findings[{index}] has no fingerprint")
        result.append(Entry(str(item.get("path", "")), str(item.get("rule_id", "")), str(item.get("resource", "")), item["fingerprint"]))
    return result
