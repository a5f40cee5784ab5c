"""Run settings: what to check and how strictly, from a config file and the command line (flags win).

A config file is `.policylint.yaml` or the `[tool.policylint]` table of `pyproject.toml`, found from the
current directory upwards. It is validated strictly: an unknown key or a wrong type is an error that names
the file, the line and the key. Paths and path globs in a config file are relative to the file's directory.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable

from linter.configfile import find_config
from linter.records import dataclass, field, replace
from linter.rules import SEVERITIES
from linter.suggest import did_you_mean

_RULE_REF = re.compile(r"^[A-Za-z]+[0-9]*$")


class ConfigError(Exception):
    """A config file that cannot be used, with the file, line and key at fault."""

    def __init__(self, path: str, line: int, key: str, message: str) -> None:
        where = f"{path}:{line}" if line else path  # line 0: not from a file (a command-line flag)
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")
        self.path, self.line, self.key, self.message = path, line, key, message


@dataclass(slots=True)
class Settings:
    select: tuple[str, ...] = ()  # rule ids or prefixes to run; empty means all
    ignore: tuple[str, ...] = ()
    fail_on: str = "low"
    exclude: tuple[str, ...] = ()
    rules_dirs: tuple[str, ...] = ()
    rule_options: dict[str, dict] = field(default_factory=dict)
    severity_overrides: dict[str, str] = field(default_factory=dict)  # rule id or prefix -> severity
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (path glob, rule ids or prefixes)
    baseline: str | None = None
    rule_docs_url: str | None = None  # where a rule's documentation is online, `{id}` standing for its id
    include_vendored_modules: bool = False  # report installed modules' own code (Terraform's .terraform/modules)
    config_path: str | None = None  # the config file these settings came from, if any
    # Where each config key was written (dotted key -> line), for errors found after loading.
    config_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def wants(self, rule_id: str) -> bool:
        """Is a rule selected? Ids and prefixes (`SM`, `IAM00`) both work; ignore wins over select."""
        selected = not self.select or _matches(rule_id, self.select)
        return selected and not _matches(rule_id, self.ignore)

    def fails(self, severity: str) -> bool:
        return SEVERITIES.index(severity) <= SEVERITIES.index(self.fail_on)

    def severity_for(self, rule_id: str, severity: str) -> str:
        """A finding's severity after `severity_overrides` (the longest matching id or prefix wins)."""
        best = max((p for p in self.severity_overrides if rule_id.upper().startswith(p.upper())), key=len, default=None)
        return self.severity_overrides[best] if best is not None else severity

    def ignored_in_file(self, rule_id: str, path: str) -> bool:
        """Does `per_file_ignores` switch this rule off for this file?"""
        from linter.discover import path_matches

        return any(_matches(rule_id, ids) and path_matches(path, glob) for glob, ids in self.per_file_ignores)

    def merged(self, **flags: Any) -> Settings:
        """These settings with command-line values laid over them; None means "not given"."""
        return replace(self, **{k: v for k, v in flags.items() if v is not None})


def _matches(rule_id: str, refs: tuple[str, ...]) -> bool:
    return any(rule_id.upper().startswith(ref.upper()) for ref in refs)


# ---- finding and reading config files --------------------------------------------------------------------------

def discover_settings(start: Path | None = None) -> Settings:
    """Settings from the config file found from `start` (default: the current directory) upwards, or defaults."""
    path = find_config(start or Path.cwd())
    return load_config(path) if path else Settings()


def load_config(path: Path) -> Settings:
    """Read and validate one config file."""
    from linter import fileaccess

    display = path.as_posix()
    try:
        text = fileaccess.read_text(path)
    except fileaccess.UnreadableFile as exc:
        raise ConfigError(display, exc.line, "", f"cannot read config file: {exc.message}") from None
    if path.name == "pyproject.toml":
        data, line_of = _read_toml(text, display)
    else:
        data, line_of = _read_yaml(text, display)
    return _settings_from(data, path, line_of)


def _read_yaml(text: str, display: str) -> tuple[dict, Callable[[list], int]]:
    from linter.loaders import yamlpos
    from linter.rules import _line_of

    try:
        root = yamlpos.load(text, display)
    except yamlpos.YAMLSyntaxError as exc:
        raise ConfigError(display, exc.line, "", exc.message) from None
    if root is None:
        return {}, lambda keys: 1
    data = root.plain()
    if not isinstance(data, dict):
        raise ConfigError(display, 1, "", "a config file must be a YAML mapping")
    return data, lambda keys: _line_of(root, keys)


def _read_toml(text: str, display: str) -> tuple[dict, Callable[[list], int]]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ConfigError(display, int(match.group(1)) if match else 1, "", f"invalid TOML: {exc}") from None
    except (ValueError, RecursionError) as exc:  # valid TOML that Python cannot hold
        raise ConfigError(display, *_unreadable_toml(text, exc)) from None
    data = document.get("tool", {}).get("policylint", {})
    if not isinstance(data, dict):
        raise ConfigError(display, 1, "tool.policylint", "must be a table")
    lines = _toml_key_lines(text)
    return data, lambda keys: _nearest_line(lines, ["tool", "policylint", *map(str, keys)])


def _unreadable_toml(text: str, exc: Exception) -> tuple[int, str, str]:
    """Line, key and message for TOML the parser accepts but cannot build: an integer of thousands of digits
    (Python's conversion limit) or arrays nested past the recursion limit."""
    if isinstance(exc, ValueError):
        digits = re.search(r"\d{4000,}", text)
        line = text.count("\n", 0, digits.start()) + 1 if digits else 1
        return line, "", "invalid TOML: number too long to read"
    depth = 0
    for offset, char in enumerate(text):
        depth += (char in "[{") - (char in "]}")
        if depth > 100:
            return text.count("\n", 0, offset) + 1, "", "invalid TOML: nested too deeply"
    return 1, "", "invalid TOML: nested too deeply"


_TOML_PART = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([A-Za-z0-9_-]+))\s*')


def _toml_key(text: str) -> tuple[list[str], int] | None:
    """A dotted TOML key at the start of `text`: its parts and where it ends, or None."""
    parts, pos = [], 0
    while True:
        match = _TOML_PART.match(text, pos)
        if not match or match.end() == pos:
            return None
        parts.append(next(g for g in match.groups() if g is not None))
        pos = match.end()
        if pos < len(text) and text[pos] == ".":
            pos += 1
            continue
        return parts, pos


def _toml_key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Where each table header and `key =` line is: full dotted key -> 1-based line (good enough for errors)."""
    lines: dict[tuple[str, ...], int] = {}
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            parsed = _toml_key(stripped.strip("[]"))
            if parsed:
                table = parsed[0]
                lines.setdefault(tuple(table), number)
            continue
        parsed = _toml_key(stripped)
        if parsed and stripped[parsed[1]:].startswith("="):
            lines.setdefault(tuple(table + parsed[0]), number)
    return lines


def _nearest_line(lines: dict[tuple[str, ...], int], keys: list[str]) -> int:
    for end in range(len(keys), 0, -1):
        if tuple(keys[:end]) in lines:
            return lines[tuple(keys[:end])]
    return 1


# ---- validation ---------------------------------------------------------------------------------------------------

class _Checker:
    """Type checks for config values that raise ConfigError at the value's line."""

    def __init__(self, display: str, line_of: Callable[[list], int]) -> None:
        self.display, self.line_of = display, line_of

    def fail(self, keys: list, message: str) -> None:
        raise ConfigError(self.display, self.line_of(keys), ".".join(map(str, keys)), message)

    def strings(self, value: Any, keys: list) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(keys, "expected a list of strings")
        return tuple(value)

    def rule_refs(self, value: Any, keys: list) -> tuple[str, ...]:
        refs = self.strings(value, keys)
        for index, ref in enumerate(refs):
            if not _RULE_REF.match(ref):
                self.fail(keys + [index], f"'{ref}' is not a rule id or prefix (like SM001 or SM)")
        return tuple(r.upper() for r in refs)

    def severity(self, value: Any, keys: list) -> str:
        if value not in SEVERITIES:
            self.fail(keys, f"expected one of {', '.join(SEVERITIES)}, got {value!r}")
        return value

    def mapping(self, value: Any, keys: list) -> dict:
        if not isinstance(value, dict):
            self.fail(keys, "expected a mapping")
        return value


def config_glob(pattern: str, base: Path) -> str:
    """A path glob from a config file: one with a '/' is anchored at the config's directory (made absolute)."""
    pattern = pattern.rstrip("/") or pattern
    if "/" not in pattern:
        return pattern
    return Path(os.path.normpath(os.path.join(os.path.abspath(base), pattern))).as_posix()


def _settings_from(data: dict, path: Path, line_of: Callable[[list], int]) -> Settings:
    display = path.as_posix()
    check = _Checker(display, line_of)
    base = path.parent
    values: dict[str, Any] = {}
    for key, value in data.items():
        keys = [key]
        if key in ("select", "ignore"):
            values[key] = check.rule_refs(value, keys)
        elif key == "fail_on":
            values[key] = check.severity(value, keys)
        elif key == "exclude":
            values[key] = tuple(config_glob(p, base) for p in check.strings(value, keys))
        elif key == "rules_dirs":
            dirs = check.strings(value, keys)
            for index, directory in enumerate(dirs):
                if not (base / directory).is_dir():
                    check.fail(keys + [index], f"rules directory not found: {directory}")
            values[key] = tuple(os.path.abspath(base / p) for p in dirs)
        elif key == "baseline":
            if not isinstance(value, str):
                check.fail(keys, "expected a file path (string)")
            values[key] = os.path.abspath(base / value)
        elif key == "per_file_ignores":
            values[key] = tuple(
                (config_glob(str(glob), base), check.rule_refs(ids, keys + [glob]))
                for glob, ids in check.mapping(value, keys).items()
            )
        elif key == "severity_overrides":
            overrides = {}
            for ref, severity in check.mapping(value, keys).items():
                check.rule_refs(str(ref), keys + [ref])
                overrides[str(ref).upper()] = check.severity(severity, keys + [ref])
            values[key] = overrides
        elif key == "rule_docs_url":
            values[key] = _docs_url(check, value, keys)
        elif key == "include_vendored_modules":
            if not isinstance(value, bool):
                check.fail(keys, "expected true or false")
            values[key] = value
        elif key == "rule_options":
            options = {}
            for rule_id, rule_values in check.mapping(value, keys).items():
                options[str(rule_id).upper()] = dict(check.mapping(rule_values, keys + [rule_id]))
            values[key] = options
        else:
            check.fail(keys, f"unknown key{did_you_mean(str(key), KEYS)} (known keys: {', '.join(KEYS)})")
    lines = {".".join(map(str, k)): line_of(list(k)) for k in _key_paths(data)}
    return Settings(**values, config_path=display, config_lines=lines)


KEYS = ("select", "ignore", "fail_on", "exclude", "per_file_ignores", "severity_overrides", "rules_dirs", "rule_options",
        "baseline", "rule_docs_url", "include_vendored_modules")


def _docs_url(check: _Checker, value: Any, keys: list) -> str:
    """`rule_docs_url` (SARIF helpUri, editor links): an http(s) URL, either with `{id}` where the rule id goes
    or a base URL that the rule pages (`<ID>.md`, as docs/rules/ names them) are under. Kept as a template."""
    if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+\S*$", value):
        check.fail(keys, "expected an http(s) URL, such as https://<your docs site>/rules/ or .../rules/{id}.html")
    return value if "{id}" in value else value.rstrip("/") + "/{id}.md"


def _key_paths(data: dict, prefix: tuple = ()) -> list[tuple]:
    paths = []
    for key, value in data.items():
        paths.append(prefix + (key,))
        if isinstance(value, dict) and len(prefix) < 2:
            paths += _key_paths(value, prefix + (key,))
    return paths


def check_rule_refs(settings: Settings, rules: list, flags: dict[str, tuple[str, ...] | None]) -> None:
    """Every rule id or prefix in the settings must match a loaded rule: a typo in `select` would otherwise run
    no rule at all, and one in `ignore` would switch nothing off. `flags` holds what the command line gave
    (it replaced the config's value); those are reported as the option, the rest at their config line."""
    ids = [rule.id for rule in rules]

    def check(refs: tuple[str, ...], key: str) -> None:
        for ref in refs:
            if not any(rule_id.upper().startswith(ref.upper()) for rule_id in ids):
                families = {re.match(r"[A-Za-z]+", rule_id).group() for rule_id in ids}
                problem = f"'{ref}' matches no rule{did_you_mean(ref, [*ids, *families])} (see 'policylint rules')"
                if flags.get(key) is not None:
                    raise ConfigError("command line", 0, f"--{key}", problem)
                line = settings.config_lines.get(key, 1)
                raise ConfigError(settings.config_path or "command line", line, key, problem)

    check(settings.select, "select")
    check(settings.ignore, "ignore")
    for ref in settings.severity_overrides:
        check((ref,), f"severity_overrides.{ref}")
    for glob, refs in settings.per_file_ignores:
        check(refs, f"per_file_ignores.{_written_glob(settings, glob)}")


def _written_glob(settings: Settings, glob: str) -> str:
    """A per_file_ignores glob as written in the config (anchored ones were made absolute on loading)."""
    for key in settings.config_lines:
        written = key.removeprefix("per_file_ignores.")
        if key.startswith("per_file_ignores.") and (written == glob or glob.endswith("/" + written.lstrip("./"))):
            return written
    return glob


def check_rule_options(settings: Settings, rules: list) -> None:
    """`rule_options` may only name loaded rules and the options they declare (checked once rules are loaded)."""
    rules_by_id = {rule.id: rule for rule in rules}
    declared = {rule.id: rule.options for rule in rules}
    where = settings.config_path or "(command line)"
    for rule_id, options in settings.rule_options.items():
        line = settings.config_lines.get(f"rule_options.{rule_id}", 1)
        if rule_id not in declared:
            raise ConfigError(where, line, f"rule_options.{rule_id}", f"no such rule{did_you_mean(rule_id, declared)}")
        for name, value in options.items():
            key = f"rule_options.{rule_id}.{name}"
            if name not in declared[rule_id]:
                known = ", ".join(declared[rule_id]) or "none"
                hint = did_you_mean(name, declared[rule_id])
                raise ConfigError(where, settings.config_lines.get(key, line), key, f"unknown option{hint} (declared: {known})")
            problem = rules_by_id[rule_id].option_problem(name, value)
            if problem:
                raise ConfigError(where, settings.config_lines.get(key, line), key, problem)
