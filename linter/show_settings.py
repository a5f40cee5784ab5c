"""`policylint check --show-settings`: the settings a run would use, and where each one came from.

When a config file is found several directories up, or a flag silently replaces its value, users need to
see the effective value and its origin (a config file line, a flag, or the default) without reading code.
"""
from __future__ import annotations

import argparse
import json
import os

from linter.config import KEYS, Settings

# Flags that replace a config value, and flags that add to one.
_REPLACING = {"select": "--select", "ignore": "--ignore", "fail_on": "--fail-on", "baseline": "--baseline",
              "include_vendored_modules": "--include-vendored-modules"}
_ADDING = {"exclude": ("exclude", "--exclude"), "rules_dirs": ("rules", "--rules")}


def _shown_path(path: str) -> str:
    relative = os.path.relpath(path) if os.path.isabs(path) else path
    return (path if relative.startswith("..") else relative).replace(os.sep, "/")


def _value(settings: Settings, key: str):
    value = getattr(settings, key)
    if key == "per_file_ignores":
        return {glob: list(ids) for glob, ids in value}
    return list(value) if isinstance(value, tuple) else value


def origin(settings: Settings, args: argparse.Namespace, key: str) -> str:
    """`default`, `<config file>:<line>`, `command line (--flag)`, or both for flags that add to the config."""
    in_config = f"{_shown_path(settings.config_path)}:{settings.config_lines[key]}" if (
        settings.config_path and key in settings.config_lines) else None
    if key in _REPLACING and getattr(args, key, None) is not None:
        return f"command line ({_REPLACING[key]})"
    if key in _ADDING and getattr(args, _ADDING[key][0], None):
        flag = f"command line ({_ADDING[key][1]})"
        return f"{in_config} + {flag}" if in_config else flag
    return in_config or "default"


def _config_line(settings: Settings, args: argparse.Namespace) -> str:
    if args.no_config:
        return "# config file: none (--no-config)"
    if settings.config_path:
        how = "--config" if args.config else "found from the current directory upwards"
        return f"# config file: {_shown_path(settings.config_path)} ({how})"
    return "# config file: none found (.policylint.yaml, .policylint.yml or pyproject.toml [tool.policylint])"


def describe(settings: Settings, args: argparse.Namespace) -> str:
    """One `key = value  # origin` line per config key (values as JSON), after the config file's name."""
    rows = [(f"{key} = {json.dumps(_value(settings, key), ensure_ascii=False)}", origin(settings, args, key)) for key in KEYS]
    width = max(len(text) for text, _ in rows)
    return "\n".join([_config_line(settings, args)] + [f"{text:<{width}}  # {where}" for text, where in rows]) + "\n"
