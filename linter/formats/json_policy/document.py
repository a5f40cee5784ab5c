"""Standalone policy documents (`policy.json`): the document, and for a secret's policy the secret it guards."""
from __future__ import annotations

from linter.formats.api import Source, json_tree
from linter.formats.policy import build_document, looks_like_policy
from linter.model import DocKind, Extraction, Resource


def extract(source: Source) -> Extraction:
    """The document, or nothing when its `Statement` holds no statement objects (not a policy after all)."""
    node = json_tree(source)
    if isinstance(node, Extraction) or not looks_like_policy(node):
        return node if isinstance(node, Extraction) else Extraction()
    path = source.display
    document = build_document(node, path)
    result = Extraction(documents=[document], files_scanned=1)
    if document.kind is DocKind.SECRET_RESOURCE:
        # The file stands for the secret it will be attached to, so secret-level rules (SM004) can judge it.
        result.resources.append(
            Resource(
                kind="secret",
                type="policy-file",
                address="",
                path=path,
                span=node.span,
                documents=[document],
                standalone=True,
            )
        )
    return result
