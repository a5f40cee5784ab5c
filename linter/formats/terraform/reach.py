"""Which files of a module a run naming only some of them (pre-commit, the editor) has to evaluate.

Every file of a module is read for resolution, but a file that shares no name with the named ones can change
nothing reported for them: its blocks are neither referenced by theirs nor refer to them. So the files
are chosen from their text, before any parse, as the connected part of the module's name graph that holds
the named files: a file joins when it defines a name a chosen file mentions (a variable, local, resource,
data source or module call), mentions a name a chosen file defines (a policy attached to a named secret,
a statement merged into a named document, the same `file()`), or defines a name again (the first or last
definition wins, as Terraform's evaluation here decides). The reading is generous (a name in a comment or a
string counts), so it may choose more than needed, never less.

What counts against a budget of the whole module keeps every file that could spend it: module calls (the
bound on module instances) and `for` expressions and dynamic blocks (the bound on expanded values), with
every file that touches them; so the named files' findings and errors are exactly those of `check .`.
A module with `.tf.json` files (no cheap reading of their names) is evaluated whole.
"""
from __future__ import annotations

import re
from typing import Callable, NamedTuple

_LABEL = r'(?:"([^"]*)"|([A-Za-z_][\w-]*))'
_HEADER = re.compile(rf"^[ \t]*(resource|data|module|variable)[ \t]+{_LABEL}(?:[ \t]*{_LABEL})?", re.M)
_LOCALS = re.compile(r"^[ \t]*locals[ \t]*\{", re.M)
_ASSIGNED = re.compile(r"^[ \t]*([A-Za-z_][\w-]*)[ \t]*=", re.M)
_REFERENCE = re.compile(r"\b([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?")
# Patterns that start with a literal (the regex engine then skims to it), tried only when it is there.
_FILE_CALL = re.compile(r"file[ \t]*\(")  # file( and templatefile(
_BUDGETED = (("module", re.compile(r'module[ \t]+"')), ("dynamic", re.compile(r'dynamic[ \t]+"')),
             ("for", re.compile(r"for[ \t]+[A-Za-z_][\w-]*(?:[ \t]*,[ \t]*[A-Za-z_][\w-]*)?[ \t]+in\b")))
_FILE_NAME = "file()"  # files reading the same file share one value: they are linked like a name


class Names(NamedTuple):
    defines: frozenset[str]  # `var.x`, `local.x`, `aws_x.y`, `data.aws_x.y`, `module.x`
    budgeted: bool  # calls a module, or expands values (counted per module)


def names(text: str) -> Names:
    """The names a file's text defines (generously: a `locals` file defines every name it assigns)."""
    defines = set()
    for kind, *labels in _HEADER.findall(text):
        first, second = labels[0] or labels[1], labels[2] or labels[3]
        if kind in ("resource", "data") and second:
            defines.add(f"{first}.{second}" if kind == "resource" else f"data.{first}.{second}")
        elif kind == "module":
            defines.add(f"module.{first}")
        elif kind == "variable":
            defines.add(f"var.{first}")
    if "locals" in text and _LOCALS.search(text):
        defines.update(f"local.{name}" for name in _ASSIGNED.findall(text))
    if _calls_file(text):
        defines.add(_FILE_NAME)
    budgeted = any(word in text and pattern.search(text) for word, pattern in _BUDGETED)
    return Names(frozenset(defines), budgeted)


def _calls_file(text: str) -> bool:
    return "file" in text and _FILE_CALL.search(text) is not None


def mentions(text: str) -> set[str]:
    """Every dotted name the text holds (comments and strings count), spelled as `names` spells them."""
    found = {_FILE_NAME} if _calls_file(text) else set()
    for first, second, third in _REFERENCE.findall(text):
        found.add(f"{first}.{second}")
        if third:
            found.add(f"{first}.{second}.{third}")
    return found


def _mentioning(defined: set[str]) -> Callable[[str], bool]:
    """Does a text mention one of these names? (A substring search per name rather than reading all the
    names of every file; a hit is confirmed as a whole name.)"""
    dotted = [(name, re.compile(r"(?<![\w-])%s(?![\w-])" % re.escape(name))) for name in sorted(defined)
              if name != _FILE_NAME]
    calls = _FILE_NAME in defined
    return lambda text: any(name in text and pattern.search(text) for name, pattern in dotted) or (
        calls and _calls_file(text))


def reached(files: list[str], named: set[str], text: Callable[[str], str | None]) -> set[str]:
    """The files (of `files`, one module's) to evaluate for the `named` ones: those and every file linked
    to them through names, as described above. `text` gives a file's text (None: unreadable, left out)."""
    if any(name.lower().endswith(".json") for name in files):
        return set(files)
    chosen = set(named)
    others: dict[str, tuple[str, Names]] = {}
    for name in files:
        content = text(name) if name not in chosen else None
        if content is not None:
            others[name] = (content, names(content))
    defined: set[str] = set()
    mentioned: set[str] = set()
    pending = [n for n in files if n in chosen]
    while pending:
        new: set[str] = set()
        for name in pending:
            content, found = others.pop(name) if name in others else (text(name), None)
            if content is not None:
                new |= (found or names(content)).defines - defined
                mentioned |= mentions(content)
        defined |= new
        mentions_new = _mentioning(new)
        pending = [name for name, (content, found) in others.items()
                   if found.budgeted or not found.defines.isdisjoint(defined | mentioned) or mentions_new(content)]
        chosen.update(pending)
    return chosen
