"""The one interface every input format implements, and what the pipeline hands it.

A format is data plus a few functions: which file names it may read (`reads`), a cheap content test that
decides whether it reads a given file (`claims`; the registry's order breaks ties), how its files group
into units that must be read together (`group`), and how a unit becomes documents and resources
(`extract`). It also says how comments are written in it (suppressions, the editor's quick fix) and which
rule-example formats it reads. Nothing outside `linter/formats/` knows any of this about a format.
"""
from __future__ import annotations

from importlib import import_module
from typing import Callable

from linter.discover import SourceFile
from linter.model import Extraction, Node, PolicyDocument, Resource, Span, Statement
from linter.records import dataclass, field

_UNPARSED = object()


class Source:
    """A file as a format sees it: where it is, how it is shown, and its text, read once for the run.

    The text is given, or read on first use (empty when the file cannot be read: the format that reads
    it reports why). `json()` parses the text once (positions are not kept) for the formats that tell JSON
    files apart by their content; it is None when the text is not valid JSON.
    """

    __slots__ = ("file", "_text", "_json")

    def __init__(self, file: SourceFile, text: str | None = None) -> None:
        self.file = file
        self._text = text
        self._json: object = _UNPARSED

    @property
    def text(self) -> str:
        if self._text is None:
            from linter.loaders.text import read_text

            read = read_text(self.file.path, self.file.display)
            self._text = read if isinstance(read, str) else ""
        return self._text

    @property
    def display(self) -> str:
        return self.file.display

    @property
    def name(self) -> str:
        """The file name in lower case, for tests by suffix."""
        return self.file.path.name.lower()

    def json(self) -> object | None:
        if self._json is _UNPARSED:
            from linter.loaders import jsonpos

            try:
                self._json = jsonpos.check_syntax(self.text)
            except jsonpos.JSONSyntaxError:
                self._json = None
        return self._json


@dataclass(frozen=True, slots=True)
class CommentSyntax:
    """How line comments are written, so that `policylint:ignore` comments can be read and inserted.

    `markers`: what starts a comment; `single_quotes`: whether `'` quotes a string (where a marker is text);
    `hash_after_space`: a `#` starts a comment only at the line start or after white space (YAML).
    `string_lines` gives the 0-based lines that lie inside multi-line strings (heredocs, block scalars),
    where a comment would be text.
    """

    markers: tuple[str, ...]
    single_quotes: bool
    hash_after_space: bool
    string_lines: Callable[[list[str]], set[int]]


@dataclass(frozen=True, slots=True)
class ExampleFormat:
    """A way rule examples can be written: `name` in a rule's `examples[].format`, the file an example is
    written to, the Markdown fence language, the name shown in docs, and the SARIF/LSP language id."""

    name: str
    filename: str
    fence: str
    label: str


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace the text of `span` (1-based lines and character columns, end exclusive; an empty span
    inserts) with `text`. Everything outside the span stays byte-identical."""

    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Editing:
    """How a format edits its own text, for fixes. Each operation is given the file's text and the
    extracted element to change, and returns the edits, or None when the format cannot make the change
    safely there (a value computed by an intrinsic, a shape it does not know). What to change and when is
    the fix engine's business (`linter.fixes`); how to write it is the format's.

    `set_attribute`: give a resource attribute (by its Terraform name) a value, replacing or adding it.
    `add_condition`: require `operator` `key` = `value` in a statement, merging with its conditions.
    `replace`: write a new scalar value in place of an element.
    `add_statement`: append a statement (plain IAM JSON data) to a policy document.
    `replace_action`: write several actions in place of one item of a statement's Action.
    `add_policy`: attach a new resource policy (plain IAM JSON data) to a secret that has none.
    """

    set_attribute: Callable[[str, Resource, str, object], list[TextEdit] | None]
    add_condition: Callable[[str, Statement, str, str, str], list[TextEdit] | None]
    replace: Callable[[str, Node, object], list[TextEdit] | None]
    add_statement: Callable[[str, PolicyDocument, dict], list[TextEdit] | None]
    replace_action: Callable[[str, Statement, Node, list[str]], list[TextEdit] | None]
    add_policy: Callable[[str, Resource, dict], list[TextEdit] | None]


def each_file(module: str, function: str = "extract") -> Callable[[list[Source], object], Extraction]:
    """An `extract` for formats whose units are single files: `module.function(source)` for each source,
    the module imported when the first file of the format is read (so the registry stays light)."""

    def extract(sources: list[Source], context: object) -> Extraction:
        read = getattr(import_module(module), function)
        result = Extraction()
        for source in sources:
            result.extend(read(source))
        return result

    return extract


def imported(module: str, function: str) -> Callable[[], object]:
    """`module.function()`, the module imported on first call (a format's `edits`, so the registry stays light)."""
    return lambda: getattr(import_module(module), function)()


def _alone(file: SourceFile) -> str:
    return file.display


@dataclass(frozen=True)
class Format:
    """One input format. See the module docstring; `extract` is given the sources of one or more units of
    this format and the run-wide context that `prepare` computed from all of this format's files (for
    Terraform: the tree `file()` may read), which must be picklable for worker processes."""

    name: str
    reads: Callable[[str], bool]
    claims: Callable[[Source], bool]
    extract: Callable[[list[Source], object], Extraction]
    group: Callable[[SourceFile], str] = _alone
    prepare: Callable[[list[SourceFile]], object] = field(default=lambda files: None)
    # Its units run before the others: what it reads through references (Terraform's file()) is linted in
    # that context only, so other formats must know which files it consumed.
    first: bool = False
    comments: Callable[[Source], CommentSyntax | None] = field(default=lambda source: None)
    examples: tuple[ExampleFormat, ...] = ()
    # Directories a walk skips (by name and its parent's name): the format's caches and generated copies.
    skips_directory: Callable[[str, str], bool] = field(default=lambda name, parent: False)
    # Editors' language ids for this format's buffers, with the suffix an unsaved (untitled) buffer is read as.
    languages: tuple[tuple[str, str], ...] = ()
    # How fixes edit this format's text (None: its files are never fixed, e.g. generated plan JSON).
    edits: Callable[[], Editing] | None = None


def json_tree(source: Source) -> Extraction | object:
    """The file's JSON with positions (a `Node`), or an Extraction that reports its syntax error."""
    from linter.loaders import jsonpos
    from linter.model import FileError

    try:
        if source.json() is not None:  # the claim already checked the syntax: build the tree only
            return jsonpos.build(source.text, source.display)
        return jsonpos.parse(source.text, source.display)
    except jsonpos.JSONSyntaxError as exc:
        return Extraction(errors=[FileError(source.display, exc.line, exc.column, exc.message)], files_scanned=1)
