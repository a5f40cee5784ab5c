"""HCL (Terraform `.tf`) parsing with tree-sitter, positions in characters.

tree-sitter keeps going after syntax errors and gives every node a (row, byte column); this module turns those
into character offsets and spans, reports ERROR/MISSING nodes as FileErrors, and decodes quoted strings and
heredocs into `MappedText` so JSON written inside them can be located in the `.tf` file. tree_sitter is
imported on first parse only, so importing policylint stays cheap.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Union

from linter.loaders.positions import LineIndex, Locator, span_of
from linter.loaders.strmap import MappedText, decode_escapes, decode_heredoc
from linter.model import FileError, Span

TSNode = Any  # tree_sitter.Node; typed loosely so this module imports without tree_sitter

MAX_ERRORS = 20
_HOLES = ("template_interpolation", "template_directive")
# Lines where a top-level Terraform block starts: the units re-parsed one by one after a syntax error.
_TOP_LEVEL = re.compile(
    r"^(?:resource|data|locals|variable|output|module|provider|terraform|moved|import|check|removed|ephemeral)\b",
    re.M,
)
_parser_instance = None


def _parser() -> Any:
    global _parser_instance
    if _parser_instance is None:
        import tree_sitter_hcl
        from tree_sitter import Language, Parser

        _parser_instance = Parser(Language(tree_sitter_hcl.language()))
    return _parser_instance


_DIGIT_EXPONENT = re.compile(rb"[0-9][eE][+-]?[0-9]")
_EXPONENT = re.compile(rb"[eE][+-]?[0-9]+(?![A-Za-z0-9_.])")


def _tree(data: bytes) -> TSNode:
    """The syntax tree of HCL source, with valid numbers tree-sitter-hcl 1.2 rejects read as numbers.

    The grammar wants a fraction before an exponent, so `1e5`, `1E5` and `1e+5` (valid HCL) parse as `1`
    and a stray `e5` (whose error recovery may swallow what follows). Such exponents are overwritten with
    zeros (same length: every position holds) and the text parsed again, until no stray exponent is left;
    number values are taken from the original text, so `1e5` is still 100000.
    """
    root = _parser().parse(data).root_node
    passes = len(_DIGIT_EXPONENT.findall(data)) if root.has_error else 0
    patched = bytearray(data)
    for _ in range(passes):
        if not _mask_exponents(root, data, patched):
            break
        root = _parser().parse(bytes(patched)).root_node
        if not root.has_error:
            break
    return root


def _mask_exponents(root: TSNode, data: bytes, patched: bytearray) -> bool:
    """Overwrite the exponent after each fraction-less numeric literal; whether anything changed."""
    changed = False
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "numeric_lit":
            exponent = _EXPONENT.match(data, node.end_byte)
            if exponent and patched[exponent.start()] not in b"0" and not any(c in data[node.start_byte:node.end_byte] for c in b".eE"):
                patched[exponent.start():exponent.end()] = b"0" * (exponent.end() - exponent.start())
                changed = True
        else:
            stack.extend(node.children)
    return changed


class HclFile:
    """A parsed HCL text: its tree, and the conversion from tree-sitter points to character offsets and spans.

    `locate` maps character offsets of `text` to (line, column) in the reported file; it is the text's own
    line index unless the text was synthesised (an HCL template taken out of a `.tf.json` string).
    """

    __slots__ = ("display", "text", "root", "index", "locate", "_lines", "templates", "_spans")

    def __init__(self, display: str, text: str, locate: Locator | None = None) -> None:
        data = text.encode("utf-8")
        self.display = display
        self.text = text
        self.index = LineIndex(text)
        self.locate = locate or self.index
        self._lines = None if len(data) == len(text) else data.split(b"\n")
        self.root = _tree(data)
        # Decoded strings and spans by node id: a module is evaluated once per instance, its text once.
        self.templates: dict[int, Template] = {}
        self._spans: dict[int, Span] = {}

    def _char(self, point: tuple[int, int]) -> int:
        row, column = point
        line = self._lines[row] if row < len(self._lines) else b""
        if column and not line.isascii():
            column = len(line[:column].decode("utf-8", "replace"))
        return self.index.starts[row] + column if row < len(self.index.starts) else len(self.text)

    def start(self, node: TSNode) -> int:
        """Character offset where the node starts."""
        return node.start_byte if self._lines is None else self._char(node.start_point)

    def end(self, node: TSNode) -> int:
        return node.end_byte if self._lines is None else self._char(node.end_point)

    def span(self, node: TSNode) -> Span:
        found = self._spans.get(node.id)
        if found is None:
            found = self._spans[node.id] = span_of(self.locate, self.start(node), self.end(node))
        return found

    def span_range(self, start: int, end: int) -> Span:
        return span_of(self.locate, start, end)

    def source(self, node: TSNode) -> str:
        return self.text[self.start(node) : self.end(node)]


def parse(text: str, display: str) -> tuple[HclFile, list[FileError]]:
    """Parse a `.tf` text; on syntax errors, report them and keep every top-level block that parses alone.

    tree-sitter's recovery can swallow the blocks after an unclosed brace into one ERROR node. So when the
    file has errors, each top-level block (a chunk starting with `resource`, `data`, ... at column 0) is
    parsed alone, the broken chunks are blanked out (same length, newlines kept, so positions hold) and the
    rest is parsed again: the intact blocks are then extracted as if the broken ones were not there.
    """
    file = HclFile(display, text)
    if not file.root.has_error:
        return file, []
    errors = syntax_errors(file)
    blanked = _blank_broken_chunks(text)
    if blanked != text:
        file = HclFile(display, blanked)
    return file, errors


def _blank_broken_chunks(text: str) -> str:
    starts = [m.start() for m in _TOP_LEVEL.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    bounds = starts + [len(text)]
    pieces = []
    for start, end in zip(bounds, bounds[1:]):
        chunk = text[start:end]
        if chunk.strip() and _tree(chunk.encode("utf-8")).has_error:
            chunk = re.sub(r"[^\n]", " ", chunk)
        pieces.append(chunk)
    return "".join(pieces)


def syntax_errors(file: HclFile) -> list[FileError]:
    """The outermost ERROR and MISSING nodes of the tree, in file order, as FileErrors."""
    found: list[TSNode] = []
    stack = [file.root]
    while stack and len(found) < MAX_ERRORS:
        node = stack.pop()
        if node.is_error or node.is_missing:
            found.append(node)
        elif node.has_error:
            stack.extend(reversed(node.children))
    found.sort(key=lambda n: n.start_byte)
    errors = []
    for node in found:
        start, message = file.start(node), _error_message(file, node)
        if node.is_error and not message.endswith("is not closed"):
            # tree-sitter's recovery may start the error node at an intact block before an unclosed one
            # (often at the top of the file): name the bracket that is never closed instead.
            opener = _unclosed_opener(file.source(node))
            if opener is not None:
                start += opener
                message = f"syntax error: '{file.text[start]}' is not closed"
        line, column = file.locate(start)
        errors.append(FileError(file.display, line, column, message))
    return errors


def _error_message(file: HclFile, node: TSNode) -> str:
    if node.is_missing:
        message = f"syntax error: missing '{node.type}'"
        block = node.parent.parent if node.parent is not None and node.parent.type == "block_end" else None
        if block is not None and block.type == "block":
            message += f" to close the block opened at line {file.span(block).line}"
        return message
    leaf = node
    while leaf.child_count:
        leaf = leaf.children[0]
    token = file.source(leaf).split("\n", 1)[0][:30] or file.source(node).split("\n", 1)[0][:30]
    if token in _CLOSERS and not _closed(file.source(node)):
        return f"syntax error: '{token}' is not closed"
    return f"syntax error: unexpected '{token}'" if token else "syntax error"


_CLOSERS = {"(": ")", "[": "]", "{": "}"}


_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)\n")


def _unclosed_opener(text: str) -> int | None:
    """Offset of the outermost bracket of `text` that is never closed (strings, comments and heredocs
    skipped), or None when every bracket is closed."""
    stack: list[int] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            i += 1
            while i < n and text[i] != '"' and text[i] != "\n":
                i += 2 if text[i] == "\\" else 1
        elif char == "#" or text.startswith("//", i):
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 1
        elif text.startswith("<<", i) and (heredoc := _HEREDOC.match(text, i)):
            end = re.compile(rf"^[ \t]*{re.escape(heredoc.group(1))}[ \t]*$", re.M).search(text, heredoc.end())
            i = n if end is None else end.end()
        elif char in "([{":
            stack.append(i)
        elif char in ")]}" and stack:
            stack.pop()
        i += 1
    return stack[0] if stack else None


def _closed(text: str) -> bool:
    """Whether the bracket opening `text` is closed within it (quoted strings skipped)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped = not escaped and char == "\\"
            if char == '"' and not escaped:
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return True
    return False


# --- structure helpers -------------------------------------------------------------------------------------


def body_of(node: TSNode) -> TSNode | None:
    """The `body` child of a config file or block (None for an empty block)."""
    for child in node.children:
        if child.type == "body":
            return child
    return None


def items(body: TSNode | None) -> list[TSNode]:
    """The attributes and blocks of a body, in order."""
    if body is None:
        return []
    return [child for child in body.children if child.type in ("attribute", "block")]


def attribute_parts(node: TSNode) -> tuple[TSNode, TSNode | None]:
    """(name identifier, expression) of an `attribute` node; the expression is None when recovery lost it."""
    name = node.children[0]
    expression = next((c for c in node.children if c.type == "expression"), None)
    return name, expression


def block_labels(file: HclFile, node: TSNode) -> list[tuple[str, Span]]:
    """The labels of a block (`resource "aws_x" "name"` -> two labels), as written, with their spans."""
    labels = []
    for child in node.children[1:]:
        if child.type == "string_lit":
            labels.append((file.text[file.start(child) + 1 : file.end(child) - 1], file.span(child)))
        elif child.type == "identifier":
            labels.append((file.source(child), file.span(child)))
        else:
            break
    return labels


def block_header(file: HclFile, node: TSNode) -> Span:
    """From the block type keyword to the end of its last label: `resource "aws_secretsmanager_secret" "db"`."""
    last = node.children[0]
    for child in node.children[1:]:
        if child.type not in ("string_lit", "identifier"):
            break
        last = child
    return file.span_range(file.start(node), file.end(last))


# --- templates ---------------------------------------------------------------------------------------------


class Template:
    """A quoted string or heredoc split into decoded literal pieces, interpolations (`${...}` nodes) and
    directives (`%{ for }`, `%{ if }`), with the whitespace their strip markers (`~`) take off removed."""

    __slots__ = ("parts", "end", "heredoc")

    def __init__(self, parts: list[Part], end: int, heredoc: bool) -> None:
        self.parts, self.end, self.heredoc = parts, end, heredoc


class Directive:
    """`%{ for k, v in collection }...%{ endfor }` (`names` the for's names, one branch: its body) or
    `%{ if condition }...%{ else }...%{ endif }` (`names` None, two branches); `expression` is the
    collection or the condition, `start` where the directive begins. Each branch is template parts."""

    __slots__ = ("names", "expression", "start", "branches")

    def __init__(self, file: HclFile, marker: TSNode) -> None:
        self.expression = next((c for c in marker.children if c.type == "expression"), None)
        self.start = file.start(marker)
        is_for = marker.type == "template_for_start"
        self.names = [file.source(c) for c in marker.children if c.type == "identifier"] if is_for else None
        self.branches: tuple[list[Part], ...] = ([],) if is_for else ([], [])


Part = Union[MappedText, TSNode, Directive]
_OPENERS = ("template_for_start", "template_if_intro")
_MARKERS = frozenset({*_OPENERS, "template_else_intro", "template_for_end", "template_if_end"})
_CONSTRUCTS = frozenset({*_HOLES, "template_for", "template_if"})


def template(file: HclFile, node: TSNode) -> Template:
    """Decode a `string_lit`, `quoted_template` or `heredoc_template` node (once per node and file)."""
    found = file.templates.get(node.id)
    if found is None:
        found = file.templates[node.id] = _template(file, node)
    return found


def _template(file: HclFile, node: TSNode) -> Template:
    if node.type == "heredoc_template":
        return _heredoc(file, node)
    children = node.children
    start = file.start(node) + 1
    closed = len(children) > 1 and children[-1].type == "quoted_template_end" and not children[-1].is_missing
    end = file.end(node) - 1 if closed else file.end(node)
    tokens = _tokens([c for c in children if c.type in _HOLES])
    parts = _assemble(file, start, end, tokens, lambda a, b, piece: decode_escapes(file.text, a, b, piece), False)
    return Template(parts, end, heredoc=False)


def _tokens(holes: list[TSNode]) -> list[TSNode]:
    """The interpolations and directive markers (`%{ for }`, `%{ else }`, `%{ endif }`, ...) of a
    template in text order, inside directives too: the flat sequence HCL reads a template as."""
    found = []
    stack = list(reversed(holes))
    while stack:
        node = stack.pop()
        if node.type == "template_interpolation" or node.type in _MARKERS:
            found.append(node)
        else:
            stack.extend(reversed([c for c in node.children if c.type in _CONSTRUCTS or c.type in _MARKERS]))
    return found


def _assemble(file: HclFile, start: int, end: int, tokens: list[TSNode],
              decode: Callable[[int, int, MappedText], None], heredoc: bool) -> list[Part]:
    """The template's parts: the literal text between tokens decoded (and trimmed by the strip markers
    next to it), interpolations, and directives holding their branches' parts."""
    root: list[Part] = []
    open_: list[tuple[Directive, list[Part]]] = []  # directives not yet ended, each with its branch being read
    current, previous = root, None
    for gap_start, gap_end, token in _gaps(file, start, end, tokens):
        piece = MappedText()
        decode(gap_start, gap_end, piece)
        piece.end = gap_end
        if previous is not None and _strips(previous)[1]:
            _trim_start(piece, heredoc)
        if token is not None and _strips(token)[0]:
            _trim_end(piece, heredoc)
        if piece.chars:
            current.append(piece)
        if token is None:
            break
        previous = token
        if token.type == "template_interpolation":
            current.append(token)
        elif token.type in _OPENERS:
            directive = Directive(file, token)
            current.append(directive)
            open_.append((directive, directive.branches[0]))
            current = directive.branches[0]
        elif token.type == "template_else_intro" and open_ and len(open_[-1][0].branches) == 2:
            open_[-1] = (open_[-1][0], open_[-1][0].branches[1])
            current = open_[-1][1]
        elif open_ and token.type != "template_else_intro":
            open_.pop()
            current = open_[-1][1] if open_ else root
    return root


def _strips(token: TSNode) -> tuple[bool, bool]:
    """Does the token strip the whitespace before it (`${~`, `%{~`), after it (`~}`)?"""
    kinds = [c.type for c in token.children]
    return len(kinds) > 2 and kinds[1] == "strip_marker", len(kinds) > 2 and kinds[-2] == "strip_marker"


def _trim_end(piece: MappedText, heredoc: bool) -> None:
    """Remove the whitespace ending the literal before a `~` marker. A heredoc's literal text is read a
    line at a time, so only the marker's own line is trimmed (with the newline before it when the marker
    starts its line)."""
    chars = piece.chars
    floor = "".join(chars).rfind("\n", 0, len(chars) - 1) + 1 if heredoc else 0
    end = len(chars)
    while end > floor and chars[end - 1].isspace():
        end -= 1
    if end < len(chars):
        piece.end = piece.offsets[end]
    del chars[end:], piece.offsets[end:]


def _trim_start(piece: MappedText, heredoc: bool) -> None:
    """Remove the whitespace starting the literal after a `~` marker (in a heredoc, up to the end of the
    marker's line)."""
    chars = piece.chars
    newline = "".join(chars).find("\n") if heredoc else -1
    limit = newline + 1 if newline >= 0 else len(chars)
    begin = 0
    while begin < limit and chars[begin].isspace():
        begin += 1
    del chars[:begin], piece.offsets[:begin]


def _gaps(file: HclFile, start: int, end: int, holes: list[TSNode]) -> list[tuple[int, int, TSNode | None]]:
    """Literal stretches between holes: (gap start, gap end, the hole after it or None)."""
    result = []
    position = start
    for hole in holes:
        hole_start = file.start(hole)
        result.append((position, hole_start, hole))
        position = file.end(hole)
    result.append((position, end, None))
    return result


def _heredoc(file: HclFile, node: TSNode) -> Template:
    children = node.children
    identifiers = [c for c in children if c.type == "heredoc_identifier"]
    flush = bool(children) and file.source(children[0]) == "<<-"
    text = file.text
    opener_end = file.end(identifiers[0]) if identifiers else file.end(children[0]) if children else file.start(node)
    newline = text.find("\n", opener_end)
    content_start = newline + 1 if newline != -1 else len(text)
    if len(identifiers) > 1:
        content_end = file.index.starts[identifiers[-1].start_point[0]]
    else:
        content_end = file.end(node)
    content_end = max(content_end, content_start)
    tokens = _tokens([c for c in children if c.type in _HOLES])
    hole_ranges = [(file.start(t), file.end(t)) for t in tokens]
    dropped = _flush_dropped(text, content_start, content_end, hole_ranges) if flush else frozenset()
    parts = _assemble(file, content_start, content_end, tokens,
                      lambda a, b, piece: decode_heredoc(text, a, b, piece, dropped), True)
    return Template(parts, content_end, heredoc=True)


def _flush_dropped(text: str, start: int, end: int, holes: list[tuple[int, int]]) -> frozenset[int]:
    """Offsets of the indentation a `<<-` heredoc strips, as HCL does it.

    The smallest leading-whitespace count over the lines (ignoring blank lines, counting 0 for a line that
    starts with an interpolation) is removed from every line that starts with literal text.
    """
    hole_starts = {s for s, _ in holes}
    line_starts = [start]
    position = text.find("\n", start, end)
    while position != -1 and position + 1 < end:
        line_starts.append(position + 1)
        position = text.find("\n", position + 1, end)
    smallest = None
    adjust = []
    for line_start in line_starts:
        if any(s < line_start < e for s, e in holes):
            continue
        j = line_start
        while j < end and j not in hole_starts and text[j] != "\n" and text[j].isspace():
            j += 1
        if j not in hole_starts and (j >= end or text[j] == "\n"):
            continue  # a blank line does not count
        count = j - line_start
        smallest = count if smallest is None else min(smallest, count)
        if count:
            adjust.append(line_start)
    if not smallest:
        return frozenset()
    return frozenset(line_start + k for line_start in adjust for k in range(smallest))
