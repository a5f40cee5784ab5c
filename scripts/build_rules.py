"""Rebuild `linter/data/rules.json` from the shipped YAML rules (run after editing a file under `rules/`).

Run from the repository root: `python scripts/build_rules.py`. The test suite fails while the file is stale.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from linter import prebuilt  # noqa: E402
from linter.rules import rule_files, shipped_rules_dir  # noqa: E402


def main() -> None:
    directory = shipped_rules_dir()
    prebuilt.PREBUILT.write_text(prebuilt.render(prebuilt.build(directory, rule_files(directory))), encoding="utf-8")
    print(f"wrote {prebuilt.PREBUILT}")


if __name__ == "__main__":
    main()
