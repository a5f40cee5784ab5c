"""The HCL loader and string maps: decoded characters map back to the raw characters they came from."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from linter.formats.terraform import hcl
from linter.loaders.strmap import MappedText, map_json_string
from linter.model import Span

_HCL_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="$%"), max_size=40)


def _encode_hcl(value: str) -> tuple[str, list[int]]:
    """An HCL quoted-string body for `value`, and the raw offset where each character's encoding starts."""
    raw, offsets = [], []
    position = 0
    for char in value:
        encoded = _HCL_ESCAPES.get(char) or (f"\\u{ord(char):04x}" if char < " " else char)
        offsets.append(position)
        raw.append(encoded)
        position += len(encoded)
    return "".join(raw), offsets


def _first_attribute_template(text: str) -> hcl.Template:
    file, errors = hcl.parse(text, "t.tf")
    assert errors == []
    expression = hcl.attribute_parts(hcl.items(hcl.body_of(file.root))[0])[1]
    node = expression
    while node.type not in ("string_lit", "quoted_template", "heredoc_template"):
        node = node.children[0]
    return hcl.template(file, node)


@settings(max_examples=150, deadline=None)
@given(value=TEXT)
def test_quoted_string_decodes_and_maps_every_character(value: str) -> None:
    body, offsets = _encode_hcl(value)
    prefix = 'x = "'
    template = _first_attribute_template(prefix + body + '"\n')
    pieces = [p for p in template.parts if isinstance(p, MappedText)]
    decoded = "".join(p.text for p in pieces)
    assert decoded == value
    assert [o for p in pieces for o in p.offsets] == [len(prefix) + o for o in offsets]
    assert template.end == len(prefix) + len(body)


@settings(max_examples=150, deadline=None)
@given(value=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_json_string_decodes_and_maps_every_character(value: str) -> None:
    for ensure_ascii in (True, False):
        raw = json.dumps(value, ensure_ascii=ensure_ascii)
        text = "  " + raw + " "
        mapped = map_json_string(text, 2, 2 + len(raw))
        assert mapped.text == value
        assert mapped.end == 2 + len(raw) - 1
        # each offset starts the raw encoding of its character
        for char, offset in zip(value, mapped.offsets):
            encoding = json.dumps(char, ensure_ascii=ensure_ascii)[1:-1]
            assert text.startswith(encoding, offset) or text[offset] == "\\"


def test_template_escapes_for_literal_interpolation_markers() -> None:
    template = _first_attribute_template('x = "a$${b}%%{c}"\n')
    (piece,) = template.parts
    assert piece.text == "a${b}%{c}"
    assert piece.offsets == [5, 6, 8, 9, 10, 11, 13, 14, 15]


def test_heredoc_keeps_content_and_skips_markers() -> None:
    template = _first_attribute_template("x = <<EOT\n  a $${b}\nEOT\n")
    (piece,) = template.parts
    assert piece.text == "  a ${b}\n" and template.heredoc
    assert piece.offsets[0] == len("x = <<EOT\n")


def test_interpolations_are_holes() -> None:
    template = _first_attribute_template('x = "a${var.b}c"\n')
    first, hole, last = template.parts
    assert first.text == "a" and hole.type == "template_interpolation" and last.text == "c"


def test_spans_convert_bytes_to_characters() -> None:
    text = 'a = "😀é" \nb = "x"\n'
    file, _ = hcl.parse(text, "t.tf")
    second = hcl.items(hcl.body_of(file.root))[1]
    assert file.span(second) == Span(2, 1, 2, 8)
    first = hcl.items(hcl.body_of(file.root))[0]
    value = hcl.attribute_parts(first)[1]
    assert file.span(value) == Span(1, 5, 1, 9)


def test_block_header_and_labels() -> None:
    text = 'resource "aws_secretsmanager_secret" "db" {\n}\nresource aws_x y {\n}\n'
    file, _ = hcl.parse(text, "t.tf")
    first, second = hcl.items(hcl.body_of(file.root))
    assert hcl.block_header(file, first) == Span(1, 1, 1, 42)
    assert [label for label, _ in hcl.block_labels(file, second)] == ["aws_x", "y"]
    assert hcl.block_header(file, second) == Span(3, 1, 3, 17)


def test_importing_the_extractor_does_not_import_tree_sitter() -> None:
    import subprocess
    import sys

    code = "import sys, linter.formats.terraform.modules; print('tree_sitter' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False"
