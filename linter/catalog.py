"""The IAM action catalog: policyuniverse's service data plus a small override of newer actions.

policyuniverse reads an 8 MB JSON file when imported (~100 ms), so it is imported on first use only, and
only by rules that need to expand a wildcard or check that an action exists.
"""
from __future__ import annotations

from functools import lru_cache

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


@lru_cache(maxsize=None)
def catalog() -> dict[str, tuple[str, ...]]:
    """Service prefix (lower case) -> its actions as `prefix:Name`, sorted."""
    import policyuniverse

    services: dict[str, set[str]] = {}
    for service in policyuniverse.service_data.values():
        prefix = service["prefix"]
        services.setdefault(prefix.lower(), set()).update(f"{prefix}:{name}" for name in service["actions"])
    for prefix, names in NEWER_ACTIONS.items():
        services.setdefault(prefix, set()).update(f"{prefix}:{name}" for name in names)
    return {prefix: tuple(sorted(names)) for prefix, names in services.items()}


def service_actions(prefix: str) -> tuple[str, ...]:
    return catalog().get(prefix.lower(), ())


def is_known_service(prefix: str) -> bool:
    return prefix.lower() in catalog()


@lru_cache(maxsize=4096)
def _known_lower(prefix: str) -> frozenset[str]:
    return frozenset(name.lower() for name in service_actions(prefix))


def is_known_action(action: str) -> bool:
    """True when `service:Action` names a catalogued action (case-insensitive, like IAM)."""
    prefix, _, _ = action.partition(":")
    return action.lower() in _known_lower(prefix.lower())
