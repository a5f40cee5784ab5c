"""The IAM action catalog: policyuniverse's service data plus a small override of newer actions.

Importing policyuniverse costs ~100 ms (it parses an 8 MB JSON file and builds indexes we do not use), so
its data file is read directly, on first use only, and the small prefix -> actions index derived from it is
kept in the user's cache directory (`$XDG_CACHE_HOME/policylint`, else `~/.cache/policylint`): one file per
catalog version (a hash of the data file's content and of the override), shared by every install with the
same data; versions no install uses any more are deleted. A run that finds the cache loads the catalog in
about a millisecond; one that cannot write it still works. `POLICYLINT_NO_CACHE=1` turns the cache off.
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


INSTALLS = "installs.json"  # in the cache: data file path -> [size, mtime_ns, catalog version], per install


def _data_file() -> Path:
    """policyuniverse's data.json, located without running the package's import-time work."""
    spec = importlib.util.find_spec("policyuniverse")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("policyuniverse is not installed")
    return Path(spec.submodule_search_locations[0]) / "data.json"


def _cache_dir() -> Path | None:
    if os.environ.get("POLICYLINT_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "policylint"


def _version(content: bytes) -> str:
    """The catalog version: a hash of the data file's content and of the override, so every install with the
    same policyuniverse data shares one cache file, and a changed override makes a new one."""
    override = json.dumps([OVERRIDE_VERSION, NEWER_ACTIONS], sort_keys=True).encode()
    return hashlib.sha256(content + b"\0" + override).hexdigest()[:16]


def _build(content: bytes) -> dict[str, list[str]]:
    services: dict[str, set[str]] = {}
    for service in json.loads(content).values():
        prefix = service["prefix"]
        services.setdefault(prefix.lower(), set()).update(f"{prefix}:{name}" for name in service["actions"])
    for prefix, names in NEWER_ACTIONS.items():
        services.setdefault(prefix, set()).update(f"{prefix}:{name}" for name in names)
    return {prefix: sorted(names) for prefix, names in sorted(services.items())}


def _write_atomically(path: Path, value: object) -> None:
    """A read-only or full disk only costs the next run some time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(value, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _prune(cache: Path, keep: set[str]) -> None:
    """Delete catalog files of versions no install uses any more (and those of older cache layouts)."""
    for old in cache.glob("catalog-*.json"):
        if old.name.removeprefix("catalog-").removesuffix(".json") not in keep:
            try:
                old.unlink()
            except OSError:
                pass


def _from_cache(data: Path, cache: Path) -> dict | None:
    """The cached index when `installs.json` says which version this install's data file is (by its size and
    time, so a run that finds the cache never reads the 8 MB data file)."""
    stat = data.stat()
    installs = _read_json(cache / INSTALLS)
    entry = installs.get(str(data)) if isinstance(installs, dict) else None
    if not (isinstance(entry, list) and len(entry) == 3 and entry[:2] == [stat.st_size, stat.st_mtime_ns]):
        return None
    index = _read_json(cache / f"catalog-{entry[2]}.json")
    return index if isinstance(index, dict) else None


def _rebuild(data: Path, cache: Path | None) -> dict:
    """Hash and (unless another install already built this version) build the index; record this install's
    version and prune the versions that no install still has."""
    content = data.read_bytes()
    if cache is None:
        return _build(content)
    version = _version(content)
    target = cache / f"catalog-{version}.json"
    index = _read_json(target)
    if not isinstance(index, dict):
        index = _build(content)
        _write_atomically(target, index)
    installs = _read_json(cache / INSTALLS)
    installs = {p: e for p, e in (installs.items() if isinstance(installs, dict) else ()) if os.path.exists(p)}
    stat = data.stat()
    installs[str(data)] = [stat.st_size, stat.st_mtime_ns, version]
    _write_atomically(cache / INSTALLS, installs)
    if cache.is_dir():
        _prune(cache, {e[2] for e in installs.values() if isinstance(e, list) and len(e) == 3})
    return index


@lru_cache(maxsize=None)
def catalog() -> dict[str, tuple[str, ...]]:
    """Service prefix (lower case) -> its actions as `prefix:Name`, sorted."""
    data = _data_file()
    cache = _cache_dir()
    index = _from_cache(data, cache) if cache is not None else None
    if index is None:
        index = _rebuild(data, cache)
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
