"""The shipped rules prebuilt into one JSON file, so that a run reads them without PyYAML (36 ms a start).

The YAML files under `rules/` stay the source: `python scripts/build_rules.py` rewrites `data/rules.json`,
and a test fails while it is stale. The file also records a checksum of every rule file it was built from,
so a checkout whose rules were edited but not rebuilt loads the YAML: a run never uses stale rules.
Users' rules always load from their YAML.
"""
from __future__ import annotations

import json
import zlib
from pathlib import Path

PREBUILT = Path(__file__).with_name("data") / "rules.json"


def _checksums(directory: Path, files: list[Path]) -> dict[str, int]:
    """Rule file (relative to the rules directory) -> CRC-32 of its bytes: cheap, and enough to see an edit."""
    return {path.relative_to(directory).as_posix(): zlib.crc32(path.read_bytes()) for path in files}


def build(directory: Path, files: list[Path]) -> dict:
    """The prebuilt file's content: each rule file's data exactly as the YAML safe loader reads it."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return {
        "checksums": _checksums(directory, files),
        "rules": {
            path.relative_to(directory).as_posix(): yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
            for path in files
        },
    }


def render(content: dict) -> str:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")) + "\n"


def load(directory: Path, files: list[Path]) -> dict[str, dict] | None:
    """Rule file -> its data, when the prebuilt file was built from exactly these files; else None."""
    try:
        content = json.loads(PREBUILT.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(content, dict) or content.get("checksums") != _checksums(directory, files):
        return None
    return content["rules"]
