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
_FILE_CALL = re.compile(r"\b(?:file|templatefile)[ \t]*\(")
_BUDGETED = re.compile(r'^[ \t]*module[ \t]+"|\bdynamic[ \t]+"|[\[{][ \t\n]*for[ \t]+[A-Za-z_]', re.M)
_FILE_NAME = "file()"  # files reading the same file share one value: they are linked like a name


class Names(NamedTuple):
    defines: frozenset[str]  # `var.x`, `local.x`, `aws_x.y`, `data.aws_x.y`, `module.x`
    mentions: frozenset[str]  # every dotted name the text holds, in the same spelling
    budgeted: bool  # calls a module, or expands values (counted per module)


def names(text: str) -> Names:
    """The names a file's text defines and mentions (generously: comments and strings count)."""
    defines = set()
    for kind, *labels in _HEADER.findall(text):
        first, second = labels[0] or labels[1], labels[2] or labels[3]
        if kind in ("resource", "data") and second:
            defines.add(f"{first}.{second}" if kind == "resource" else f"data.{first}.{second}")
        elif kind == "module":
            defines.add(f"module.{first}")
        elif kind == "variable":
            defines.add(f"var.{first}")
    if _LOCALS.search(text):
        defines.update(f"local.{name}" for name in _ASSIGNED.findall(text))
    mentions = set()
    for first, second, third in _REFERENCE.findall(text):
        mentions.add(f"{first}.{second}")
        if third:
            mentions.add(f"{first}.{second}.{third}")
    if _FILE_CALL.search(text):
        defines.add(_FILE_NAME)
        mentions.add(_FILE_NAME)
    return Names(frozenset(defines), frozenset(mentions), _BUDGETED.search(text) is not None)


def reached(files: list[str], named: set[str], text: Callable[[str], str | None]) -> set[str]:
    """The files (of `files`, one module's) to evaluate for the `named` ones: those and every file linked
    to them through names, as described above. `text` gives a file's text (None: unreadable, left out)."""
    if any(name.lower().endswith(".json") for name in files):
        return set(files)
    chosen = set(named)
    others: dict[str, Names] = {}
    for name in files:
        if name in chosen:
            continue
        content = text(name)
        if content is not None:
            others[name] = names(content)
    defined: set[str] = set()
    mentioned: set[str] = set()
    pending = [n for n in files if n in chosen]
    while pending:
        for name in pending:
            content = text(name)
            if content is not None:
                found = others.pop(name, None) or names(content)
                defined |= found.defines
                mentioned |= found.mentions
        pending = [name for name, found in others.items()
                   if found.budgeted or not found.defines.isdisjoint(defined | mentioned)
                   or not found.mentions.isdisjoint(defined)]
        chosen.update(pending)
    return chosen
