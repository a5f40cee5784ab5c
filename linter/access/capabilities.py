"""The capabilities of the access map: fixed sets of Secrets Manager actions, documented in the README.

A principal has a capability when any one of its actions is allowed. `read` is decided by `GetSecretValue`
alone: `BatchGetSecretValue` returns a secret only to a caller also allowed `GetSecretValue` on it, so it
never adds a reader.
"""
from __future__ import annotations

CAPABILITIES: dict[str, tuple[str, ...]] = {
    "read": ("secretsmanager:GetSecretValue",),
    "write": (
        "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret",
        "secretsmanager:UpdateSecretVersionStage", "secretsmanager:RestoreSecret",
    ),
    "delete": ("secretsmanager:DeleteSecret",),
    "manage-policy": ("secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy"),
    "rotate": ("secretsmanager:RotateSecret", "secretsmanager:CancelRotateSecret"),
    "replicate": (
        "secretsmanager:ReplicateSecretToRegions", "secretsmanager:RemoveRegionsFromReplication",
        "secretsmanager:StopReplicationToReplica",
    ),
    "tag": ("secretsmanager:TagResource", "secretsmanager:UntagResource"),
}
DECRYPT = "kms:Decrypt"
