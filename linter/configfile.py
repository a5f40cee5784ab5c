"""Where the config file is: the nearest `.policylint.yaml`, `.policylint.yml` or `pyproject.toml` with a
`[tool.policylint]` table, from a directory upwards. Its own module, free of imports, because the formats
need it too (its directory is the project root) and must not import the config reader."""
from __future__ import annotations

import re
from pathlib import Path

CONFIG_NAMES = (".policylint.yaml", ".policylint.yml", "pyproject.toml")


def find_config(start: Path) -> Path | None:
    """The nearest config file from `start` upwards; a pyproject.toml counts only with a [tool.policylint] table."""
    directory = start.absolute()
    for folder in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_tool_table(candidate)):
                return candidate
    return None


def _has_tool_table(path: Path) -> bool:
    """Judged on the bytes, so a file that is not UTF-8 is still found (and its error reported, not ignored)."""
    from linter import fileaccess

    try:
        data = fileaccess.read_bytes(path)
    except fileaccess.UnreadableFile:
        return True  # the config reader reports why it cannot be read
    return re.search(rb"^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*policylint[ \t]*[\].]", data, re.MULTILINE) is not None
