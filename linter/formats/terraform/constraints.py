"""Terraform's module version constraints (`version = "~> 2.0"`), to tell whether the copy `terraform init`
installed still satisfies a call's `version`.

When it does not (the constraint was raised after `init`), Terraform refuses to plan ("Module version
requirements have changed"), so the copy is not what the call deploys. Only what is read with certainty
decides: a pre-release, build metadata or a malformed constraint (which Terraform rejects on its own) leaves
the copy trusted, so a doubt here never hides a module that was installed right.
"""
from __future__ import annotations

import re

_VERSION = re.compile(r"v?(\d+(?:\.\d+)*)")
_CONSTRAINT = re.compile(r"\s*(=|!=|>=|<=|>|<|~>)?\s*(v?\d+(?:\.\d+)*)\s*")


def allows(constraint: str, version: str) -> bool:
    """Does `constraint` (comma-separated parts, each an operator and a version) allow the installed
    `version`? True when either is empty or not read with certainty."""
    installed = _segments(version)
    if not constraint.strip() or installed is None:
        return True
    parts = [_CONSTRAINT.fullmatch(part) for part in constraint.split(",")]
    if any(part is None for part in parts):
        return True
    return all(_holds(part[1] or "=", _segments(part[2]) or (), installed) for part in parts)


def _segments(version: str) -> tuple[int, ...] | None:
    """A release version's numbers (`1.2.3`, `v1.2`); None for a pre-release, metadata or anything else."""
    match = _VERSION.fullmatch(version.strip())
    return tuple(int(number) for number in match[1].split(".")) if match else None


def _holds(operator: str, written: tuple[int, ...], installed: tuple[int, ...]) -> bool:
    """One part of a constraint, compared as Terraform compares versions (missing segments are 0); `~>`
    allows the last segment written to rise, the ones before it fixed (`~> 1.2` is >= 1.2, < 2.0; `~> 1`
    is >= 1)."""
    width = max(len(written), len(installed), 3)
    wanted, have = written + (0,) * (width - len(written)), installed + (0,) * (width - len(installed))
    if operator == "~>":
        return have >= wanted and have[:len(written) - 1] == written[:len(written) - 1]
    return {"=": have == wanted, "!=": have != wanted, ">": have > wanted, ">=": have >= wanted,
            "<": have < wanted, "<=": have <= wanted}[operator]
