"""Standalone policy documents (`policy.json`): the document, and for a secret's policy the secret it guards."""
from __future__ import annotations

from linter.extract.policy import build_document
from linter.model import DocKind, Extraction, Node, Resource


def extract(node: Node, path: str) -> Extraction:
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
