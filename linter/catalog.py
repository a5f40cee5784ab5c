"""The IAM action catalog: policyuniverse's service data plus a small override of newer actions.

Importing policyuniverse costs ~100 ms (it parses an 8 MB JSON file and builds indexes we do not use), so
its data file is read directly, on first use only, and the small prefix -> actions index derived from it is
kept in the user's cache directory, keyed by the data file's size and time and by the override version.
A run that finds the cache loads the catalog in about a millisecond; one that cannot write it still works.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from functools import lru_cache
from pathlib import Path

# Actions AWS added after policyuniverse's catalog (November 2023). Bump the version when adding entries.
OVERRIDE_VERSION = "2026.11.2"
NEWER_ACTIONS: dict[str, tuple[str, ...]] = {
    "secretsmanager": ("BatchGetSecretValue",),
    # mTLS trust stores (2023), listener attributes (2024), capacity reservations (2024), IPAM pools (2025).
    "elasticloadbalancing": (
        "AddTrustStoreRevocations", "CreateTrustStore", "DeleteSharedTrustStoreAssociation", "DeleteTrustStore",
        "DescribeTrustStoreAssociations", "DescribeTrustStoreRevocations", "DescribeTrustStores",
        "GetResourcePolicy", "GetTrustStoreCaCertificatesBundle", "GetTrustStoreRevocationContent",
        "ModifyTrustStore", "RemoveTrustStoreRevocations",
        "DescribeListenerAttributes", "ModifyListenerAttributes",
        "DescribeCapacityReservation", "ModifyCapacityReservation", "ModifyIpPools",
    ),
}


def _data_file() -> Path:
    """policyuniverse's data.json, located without running the package's import-time work."""
    spec = importlib.util.find_spec("policyuniverse")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("policyuniverse is not installed")
    return Path(spec.submodule_search_locations[0]) / "data.json"


def _cache_file(data: Path) -> Path | None:
    if os.environ.get("POLICYLINT_NO_CACHE"):
        return None
    stat = data.stat()
    key = hashlib.sha256(f"{data}|{stat.st_size}|{stat.st_mtime_ns}|{OVERRIDE_VERSION}".encode()).hexdigest()[:16]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "policylint" / f"catalog-{key}.json"


def _build(data: Path) -> dict[str, list[str]]:
    services: dict[str, set[str]] = {}
    for service in json.loads(data.read_bytes()).values():
        prefix = service["prefix"]
        services.setdefault(prefix.lower(), set()).update(f"{prefix}:{name}" for name in service["actions"])
    for prefix, names in NEWER_ACTIONS.items():
        services.setdefault(prefix, set()).update(f"{prefix}:{name}" for name in names)
    return {prefix: sorted(names) for prefix, names in sorted(services.items())}


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
