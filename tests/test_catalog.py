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


def test_corrupt_or_unwritable_cache_is_ignored(fresh_catalog):
    (fresh_catalog / "policylint").write_text("not a directory")  # the cache directory cannot be created
    assert "secretsmanager:GetSecretValue" in catalog.catalog()["secretsmanager"]


def test_cache_can_be_turned_off(fresh_catalog, monkeypatch):
    monkeypatch.setenv("POLICYLINT_NO_CACHE", "1")
    assert len(catalog.catalog()["secretsmanager"]) == 23
    assert not (fresh_catalog / "policylint").exists()
