"""Issue 18, item 4: a JSON template that names nothing rules read is not given positions, and gives
exactly what the full extraction gives."""
from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from linter.discover import SourceFile
from linter.formats import catalogue
from linter.formats.api import Source, json_tree
from linter.formats.cloudformation import prefilter, template
from linter.model import Extraction

_OTHER_TYPES = ["AWS::S3::Bucket", "AWS::EC2::VPC", "AWS::SNS::Topic", "Custom::Thing", "Vendor::X::Y"]
_POLICY_TYPES = sorted(prefilter.policy_types())


def _source(text: str) -> Source:
    return Source(SourceFile(Path("stack.json"), "stack.json"), text)


def _full(source: Source) -> Extraction:
    """The extraction without the prefilter: positioned tree, then the template extractor."""
    root = json_tree(source)
    return root if isinstance(root, Extraction) else template.extract_root(root, source)


def _summary(result: Extraction) -> tuple:
    return (
        [(d.path, d.kind, d.owner, d.node.plain()) for d in result.documents],
        [(r.kind, r.address, r.span) for r in result.resources],
        result.errors, result.suppressions, result.files_scanned,
    )


_VALUES = st.recursive(st.one_of(st.integers(), st.text(max_size=5), st.booleans()),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                       max_leaves=6)
_RESOURCE = st.fixed_dictionaries(
    {"Type": st.one_of(st.sampled_from(_OTHER_TYPES + _POLICY_TYPES), _VALUES)},
    optional={"Properties": _VALUES, "Metadata": st.sampled_from([{"policylint": {"ignore": ["SM001"]}}, {"x": 1}])},
)
_TEMPLATES = st.fixed_dictionaries(
    {"Resources": st.one_of(st.dictionaries(st.sampled_from(["A", "B", "C"]), st.one_of(_RESOURCE, _VALUES), max_size=3),
                            _VALUES)},
    optional={"AWSTemplateFormatVersion": st.just("2010-09-09"), "Metadata": _VALUES},
)


@settings(max_examples=300, deadline=None)
@given(_TEMPLATES)
def test_a_template_gives_what_the_full_extraction_gives(value):
    text = json.dumps(value, indent=1)
    assert _summary(template.extract(_source(text))) == _summary(_full(_source(text)))


def test_a_template_of_other_types_is_skipped_and_counted():
    text = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}}}})
    assert prefilter.yields_nothing(json.loads(text), text)
    assert _summary(template.extract(_source(text))) == ([], [], [], [], 1)


def test_every_type_the_catalogue_names_takes_the_full_path():
    section = catalogue.section("cloudformation")
    named = set(section["resources"]) | set(section["documents"]) | set(section["sam_policies"]) | set(
        section["attachments"])
    assert named and named <= prefilter.policy_types()
    for type_ in named:
        value = {"Resources": {"R": {"Type": type_, "Properties": {}}}}
        assert not prefilter.yields_nothing(value, json.dumps(value)), type_


def test_what_the_positioned_parser_judges_itself_takes_the_full_path():
    deep: object = "x"
    for _ in range(prefilter._DEPTH + 1):
        deep = [deep]
    for value in ({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Deep": deep}}}},
                  {"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Name": "\ud800"}}}},
                  {"Resources": {"B": {"Type": "AWS::S3::Bucket", "Metadata": {"policylint": {}}}}}):
        text = json.dumps(value)
        assert not prefilter.yields_nothing(json.loads(text), text)
    deeper = json.dumps({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Deep": [deep] * 1}}}})
    deeper = deeper.replace('"x"', "[" * 60 + '"x"' + "]" * 60)
    assert template.extract(_source(deeper)).errors == _full(_source(deeper)).errors != []
