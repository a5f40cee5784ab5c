"""argparse without `shutil`: the command's parser and help formatter, sized to the terminal directly.

argparse builds a help formatter on every `add_argument` (to check metavars), and its formatter imports
`shutil`, which imports `bz2` and `lzma`, only to read the terminal width: about 1.5 ms of every run,
although help is rarely printed. The width read here is the one `shutil.get_terminal_size` gives.
"""
from __future__ import annotations

import argparse
import os
import sys


def terminal_columns() -> int:
    """`$COLUMNS`, else the width of the terminal on standard output, else 80 (as `shutil` decides)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class HelpFormatter(argparse.HelpFormatter):
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, terminal_columns() - 2 if width is None else width)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser (and, through `add_subparsers`, its sub-parsers) using that formatter."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
