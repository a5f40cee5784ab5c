"""The package as users install it: licence, metadata, what the sdist and wheel carry, and no claims that
the README or the shipped files cannot keep (a package-index release, a documentation site)."""
from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Files users read or run: none may point at a repository or docs site that does not exist.
SHIPPED = [ROOT / "README.md", ROOT / ".pre-commit-hooks.yaml", *ROOT.glob("docs/**/*.md"), *ROOT.glob("examples/**/*.y*ml"),
           *ROOT.glob("linter/**/*.py"), *ROOT.glob("linter/*.json")]
# `pip install policylint`, `pip install -q "policylint[lsp]"`, but not `"policylint @ git+..."` or `./policylint`.
NAME_ONLY_INSTALL = re.compile(r"""pip install\s+(?:-\S+\s+)*(["']?)policylint(?:\[[\w,]+\])?\1(?!\s*@)(?![\w./-])""")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The sdist and wheel, built by the project's build backend as pip would."""
    out = tmp_path_factory.mktemp("dist")
    script = "import sys, hatchling.build as b; print(b.build_sdist(sys.argv[1])); print(b.build_wheel(sys.argv[1]))"
    names = subprocess.run([sys.executable, "-c", script, str(out)], cwd=ROOT, check=True, capture_output=True, text=True)
    sdist, wheel = names.stdout.split()
    return {"sdist": out / sdist, "wheel": out / wheel}


@pytest.mark.parametrize(
    ("text", "claims"),
    [("pip install policylint\n", True), ("`pip install 'policylint[lsp]'`", True), ('pip install -q "policylint"', True),
     ('pip install "policylint @ git+https://h/p.git@abc"', False), ("pip install ./policylint", False),
     ("pip install policylint-extras", False)],
)
def test_name_only_install_pattern(text, claims):
    assert bool(NAME_ONLY_INSTALL.search(text)) is claims


def test_licence_file_is_the_apache_2_text():
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text


def test_wheel_carries_licence_rules_schema_and_metadata(built):
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = wheel.namelist()
        metadata = Parser().parsestr(wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode())
        licence = wheel.read(next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))).decode()
    assert licence == (ROOT / "LICENSE").read_text()
    assert "linter/_rules/sm/SM001.yaml" in names or any(n.startswith("linter/_rules/") and n.endswith("SM001.yaml") for n in names)
    assert "linter/report.schema.json" in names and "linter/rule.schema.json" in names
    assert metadata["License-Expression"] == "Apache-2.0"
    classifiers = metadata.get_all("Classifier")
    assert "Topic :: Security" in classifiers and "Programming Language :: Python :: 3.10" in classifiers


def test_sdist_carries_licence_and_docs(built):
    with tarfile.open(built["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "pyproject.toml", "docs/conventions.md", "linter/report.schema.json"} <= names
    assert not any(name.startswith(".venv/") for name in names)


def test_contract_is_in_the_repository_and_linked():
    readme = (ROOT / "README.md").read_text()
    assert "[docs/conventions.md](docs/conventions.md)" in readme
    conventions = (ROOT / "docs" / "conventions.md").read_text()
    for contract in ("## `policylint check`", "## JSON report", "## Inline suppression", "## Configuration", "rule_docs_url"):
        assert contract in conventions


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_placeholder_repository_or_release_claims(path):
    text = path.read_text()
    assert "github.com/policylint" not in text
    assert "policylint==" not in text
    # Installing by name alone would ask a package index, where there is no release.
    assert not NAME_ONLY_INSTALL.search(text)
    assert "rev: v0." not in text


def test_report_schema_rejects_what_consumers_could_not_read(report_schema_validator):
    import jsonschema

    good = {"tool": {"name": "policylint", "version": "0.1.0"}, "findings": [], "errors": [],
            "summary": {"files_scanned": 0, "files_with_findings": 0, "findings": 0, "errors": 0}}
    report_schema_validator.validate(good)
    finding = {"rule_id": "SM001", "severity": "high", "title": "t", "message": "m", "path": "a.json", "line": 1,
               "column": 1, "end_line": 1, "end_column": 2, "resource": "", "fingerprint": "f"}
    report_schema_validator.validate({**good, "findings": [finding]})
    for bad in ({**good, "summary": {"findings": 0}}, {**good, "findings": [{**finding, "line": 0}]},
                {**good, "findings": [{**finding, "severity": "error"}]}, {**good, "findings": [{**finding, "path": "a\\b"}]}):
        with pytest.raises(jsonschema.ValidationError):
            report_schema_validator.validate(bad)
