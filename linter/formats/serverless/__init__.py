"""Serverless Framework (`serverless.yml`, v3 and v4): the IAM statements Serverless turns into roles, and
the CloudFormation it deploys from `resources:`.

This module only describes the format to the registry; the work lives in `service`, imported when a
Serverless file is first read. A `serverless.yml` without a top-level `service:` or `provider:` is not a
Serverless service and is left to the other formats (which skip it unless it is a template).
"""
from __future__ import annotations

import re

from linter.formats.api import ExampleFormat, Format, each_file, imported
from linter.formats.cloudformation.syntax import YAML_COMMENTS

_NAMES = ("serverless.yml", "serverless.yaml")
_SERVICE = re.compile(r"^(?:service|provider)\s*:", re.M)


SERVERLESS = Format(
    name="serverless",
    reads=lambda name: name in _NAMES,
    claims=lambda source: _SERVICE.search(source.text) is not None,
    extract=each_file("linter.formats.serverless.service"),
    comments=lambda source: YAML_COMMENTS,
    examples=(ExampleFormat("serverless", "serverless.yml", "yaml", "Serverless Framework"),),
    languages=(("serverless", ".yml"),),
    edits=imported("linter.formats.serverless.edits", "editing"),
)
