"""Regenerate the AWS data policylint ships (never edit those files by hand).

    python scripts/refresh_data.py --managed-policies aws-managed-policies.json.gz --date 2026-08-22
    python scripts/refresh_data.py --sam-templates policy_templates.json --date 2026-05-29

Offline: it reads the files it is given and writes `linter/data/`:

- `aws-managed-policies.zip`: one member per AWS managed policy (`policies/<Name>.json`: ARN, version, update
  time, document; a policy name cannot hold `/`, so no name reaches another member) and `_meta.json`
  (dataset date, source, names whose document the source lacks). A zip lets a run read only the policies it
  meets; members carry a fixed time, so the same input gives the same bytes.
  The input is the gzipped JSON described in `../shared/data/README.md` (`{"_meta": ..., "policies": ...}`).
- `sam-policy-templates.json`: each SAM policy template's `Definition` and parameter names, with the date,
  from SAM's `policy_templates.json`.

The licence files next to them (`aws-managed-policies.LICENSE`, `sam-policy-templates.NOTICE`) name the
sources; update them when a source changes.
"""
from __future__ import annotations

import argparse
import gzip
import json
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "linter" / "data"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _member(archive: zipfile.ZipFile, name: str, value: object) -> None:
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, _compact(value), compresslevel=9)


def managed_policies(source: Path, date: str, target: Path) -> int:
    """Write the managed-policy archive; returns the number of policies."""
    data = json.loads(gzip.decompress(source.read_bytes()))
    meta, policies = data.get("_meta", {}), data["policies"]
    with zipfile.ZipFile(target, "w") as archive:
        _member(archive, "_meta.json", {
            "date": date,
            "source": meta.get("source", ""),
            "count": len(policies),
            "absent": sorted(meta.get("absent_from_snapshot", [])),
        })
        for name in sorted(policies):
            policy = policies[name]
            _member(archive, f"policies/{name}.json", {
                "arn": policy.get("arn"),
                "version": policy.get("version"),
                "updated": policy.get("updated"),
                "deprecated": bool(policy.get("deprecated")),
                "document": policy["document"],
            })
    return len(policies)


def sam_templates(source: Path, date: str, target: Path) -> int:
    """Write the SAM policy templates (definitions and parameter names only); returns how many."""
    templates = json.loads(source.read_text(encoding="utf-8"))["Templates"]
    compact = {
        name: {"Definition": template["Definition"], "Parameters": sorted(template.get("Parameters") or {})}
        for name, template in sorted(templates.items())
    }
    target.write_text(json.dumps({"date": date, "templates": compact}, indent=1, sort_keys=True) + "\n",
                      encoding="utf-8")
    return len(compact)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--managed-policies", type=Path, help="gzipped JSON of AWS managed policies")
    parser.add_argument("--sam-templates", type=Path, help="SAM's policy_templates.json")
    parser.add_argument("--date", required=True, help="date of the source snapshot (YYYY-MM-DD), shown to users")
    parser.add_argument("--output", type=Path, default=DATA, help="directory to write (default linter/data)")
    options = parser.parse_args()
    if not options.managed_policies and not options.sam_templates:
        parser.error("give --managed-policies and/or --sam-templates")
    options.output.mkdir(parents=True, exist_ok=True)
    if options.managed_policies:
        count = managed_policies(options.managed_policies, options.date, options.output / "aws-managed-policies.zip")
        print(f"{count} managed policies")
    if options.sam_templates:
        count = sam_templates(options.sam_templates, options.date, options.output / "sam-policy-templates.json")
        print(f"{count} SAM policy templates")


if __name__ == "__main__":
    main()
