"""The action catalog: policyuniverse's data plus the override, cached outside the project."""
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
    assert catalog.is_known_action("secretsmanager:BatchGetSecretValue")  # from the override
    assert not catalog.is_known_action("secretsmanager:GetSecretValues")
    assert catalog.is_known_service("s3") and not catalog.is_known_service("secretmanager")


def test_cache_is_written_once_and_reused(fresh_catalog):
    first = catalog.catalog()
    [cached] = (fresh_catalog / "policylint").glob("catalog-*.json")
    assert json.loads(cached.read_text())["secretsmanager"] == list(first["secretsmanager"])
    catalog.catalog.cache_clear()
    cached.write_text(json.dumps({"secretsmanager": ["secretsmanager:OnlyFromCache"]}))
    assert catalog.catalog() == {"secretsmanager": ("secretsmanager:OnlyFromCache",)}


def _fake_install(tmp_path, name: str, content: bytes):
    """Another policyuniverse install: its own data file (a copy, or other content)."""
    data = tmp_path / name / "data.json"
    data.parent.mkdir()
    data.write_bytes(content)
    return data


def test_installs_with_the_same_data_share_one_file_and_unused_versions_are_pruned(fresh_catalog, tmp_path_factory, monkeypatch):
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
    assert {recorded[str(real)][2], recorded[str(copy)][2]} == {recorded[str(real)][2]} != {recorded[str(small)][2]}
    assert catalog.catalog()["secretsmanager"] == ("secretsmanager:BatchGetSecretValue", "secretsmanager:Only")
    # The small install goes away: the next install that rebuilds prunes its version.
    small.unlink()
    new = _fake_install(installs, "venv-d", b'{"k": {"prefix": "kms", "actions": ["Decrypt"]}}')
    monkeypatch.setattr(catalog, "_data_file", lambda: new)
    catalog.catalog.cache_clear()
    assert catalog.catalog()["kms"] == ("kms:Decrypt",)
    versions = {e[2] for e in json.loads((cache / "installs.json").read_text()).values()}
    assert {p.name.removeprefix("catalog-").removesuffix(".json") for p in cache.glob("catalog-*.json")} == versions
    assert len(versions) == 2 and str(small) not in json.loads((cache / "installs.json").read_text())
    monkeypatch.setattr(catalog, "_data_file", lambda: real)
    catalog.catalog.cache_clear()
    assert catalog.catalog() == first


def test_a_changed_data_file_is_a_new_version(fresh_catalog, tmp_path_factory, monkeypatch):
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
