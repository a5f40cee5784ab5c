"""Terraform: every IAM and Secrets Manager policy of a module, and the secrets, rotations, versions and keys.

A module is a directory: all its `.tf` and `.tf.json` files are read together, so references cross files
(a secret in `main.tf`, its `aws_secretsmanager_secret_policy` in `policies.tf`). Only the files that were
passed are reported: the documents and resources of their siblings are extracted too (one may place a
finding in a passed file, a variable's default written there), and every Terraform file read but not passed
(siblings, callers, called modules) is `hidden`: a finding placed there is not reported.

Positions: a resource's span is its header, from the `resource` keyword to the end of its last label
(`resource "aws_secretsmanager_secret" "db"`); in `.tf.json` it is the resource name's key. Findings about a
resource as a whole (SM004) point there. A policy document's elements keep the spans where they were written
(in the `.tf` file, in a heredoc, or in a file read by `file()`); a document used by several resources is
reported once.

Module calls are followed (a local `source = "../modules/x"` inside the project root, or a registry or git
module installed under `.terraform/modules`, see `layout`): the child module is evaluated as an instance
(one per `count` index or `for_each` key), its variables bound to the call's arguments evaluated in the
caller (positions stay where the caller wrote them). Resources and data sources are expanded into their
instances the same way (`expand`). An instance's resources are placed at the module call (`module "db"`, address
`module.db.<address>`); each instance document and resource carries its `twin`, the same one in the child
evaluated on its own, and the engine drops the findings the twin has too, so only what the caller's values
add is reported for the call (the rest is reported once, by the child). The child's files are read for
resolution only, so a parallel run that puts caller and child in different units gives the same output.
"""
from __future__ import annotations

import os
import re
import weakref
from pathlib import Path

from linter.discover import SourceFile
from linter.formats import catalogue
from linter.formats.policy import build_document
from linter.formats.terraform import expand, reach
from linter.formats.terraform.constraints import allows
from linter.formats.terraform.documents import Documents
from linter.formats.terraform.evaluate import Evaluator, ResourceNode, Scope
from linter.formats.terraform.layout import Installed, module_callers, project_root, read_manifest, same_source, shown, upstream
from linter.formats.terraform.syntax import Block, Expr, HclExpr, Parsed, Unit, top_blocks
from linter.formats.terraform.values import TextNode, leaf_places, unknown
from linter.formats.terraform.vendored import internals, is_vendored
from linter.formats.terraform import hcl
from linter.loaders import jsonpos
from linter.loaders.positions import LineIndex
from linter.loaders.text import file_names, is_dir, read_text
from linter.model import UNKNOWN, DocKind, Extraction, FileError, ModuleCall, Node, PolicyDocument, Resource, Span
from linter.recent import Recent
from linter.records import dataclass, field, replace
from linter.runcontext import current as current_run

AWS_MANAGED_ALIAS = "alias/aws/secretsmanager"


def is_terraform_name(name: str) -> bool:
    return name.lower().endswith((".tf", ".tf.json"))


def resource_kinds() -> dict[str, str]:
    """Terraform resource type -> catalogue kind, for the resources rules judge as a whole."""
    return catalogue.section("terraform")["resources"]


def single_blocks() -> frozenset[str]:
    """Nested blocks that appear at most once: read as one object, not a list of them."""
    return frozenset(catalogue.section("terraform")["single_blocks"])


@dataclass(slots=True)
class Tree:
    """What every module of a run shares: the tree `file()`, `templatefile()` and module calls may reach (the
    project root when it holds the run's modules, else their common parent; computed once from every
    Terraform file of the run so that it does not depend on how a parallel run splits them), the
    directories some module of that tree calls (their variables are the callers' inputs), and child
    modules' files, parsed once (pure, shared)."""

    root: Path
    parsed: dict[tuple[Path, str], Parsed] = field(default_factory=Recent)  # bounded: see linter.recent
    callers: dict[Path, frozenset[Path]] = field(default_factory=dict)  # called directory -> its callers
    linted: frozenset[Path] = frozenset()  # the directories of the run's Terraform files
    named: frozenset[tuple[Path, str]] = frozenset()  # the run's Terraform files: (directory, name)
    # Per called module directory (and how it is shown, and its files): what its evaluations share in this
    # process (results that read no input, see `Evaluator.independent`; where module calls lead).
    shared: dict[tuple, dict] = field(default_factory=dict)
    include_vendored: bool = False  # report installed modules' own code too (`vendored`)
    # Instances a module on its own made for its calls, until the module's own lint borrows them
    # (`_Run._borrowed`); bounded like `shared` (what is not found is evaluated again, the same).
    loans: dict[tuple, object] = field(default_factory=lambda: Recent(LOANS_LIMIT))
    # Instances made below twins (modules on their own), whose subtree depended on nothing but their
    # directory and arguments (`_Module.pure`): every run that needs the same one takes it (`_Run._reused`).
    twins: dict[tuple, object] = field(default_factory=lambda: Recent(LOANS_LIMIT))
    # The variables each called directory declares (what a call to it binds): a few names per directory,
    # kept apart from the bounded caches so that they never push out what those share.
    declared: dict[tuple[Path, str], frozenset[str]] = field(default_factory=dict)


def prepare(files: list[SourceFile]) -> Tree | None:
    named = {(_resolved(file.path.parent), file.path.name) for file in files}
    directories = {directory for directory, _ in named}
    if not directories:
        return None
    common = Path(os.path.commonpath(sorted(str(d) for d in directories)))
    project = project_root()
    root = project if common.is_relative_to(project) else common
    texts: dict[tuple[Path, str], str] = {}
    callers = module_callers(root, texts)
    # The files of the run's modules that the run does not name (a run naming some files: see `reach`), read
    # once here rather than again for each module.
    siblings = {("text", *key): text for key, text in texts.items() if key[0] in directories and key not in named}
    run = current_run()
    # Bounded like `parsed` (what is shared can be computed again), past the sibling texts read here; both
    # hold at least one call tree's directories, which every module of the tree evaluates again.
    largest = _largest_call_tree(callers)
    shared = Recent(len(siblings) + SHARED_LIMIT + SHARED_PER_DIRECTORY * largest)
    shared.update(siblings)
    return Tree(root, parsed=Recent(max(PARSED_LIMIT, largest)), callers=callers, linted=frozenset(directories),
                named=frozenset(named), shared=shared, include_vendored=run is not None and run.include_vendored_modules)


def _largest_call_tree(callers: dict[Path, frozenset[Path]]) -> int:
    """How many directories the largest set of modules one module calls (directly or not, as deep as calls
    are followed) spans, itself included: what a run's caches must hold for a module tree to cost what its
    modules cost."""
    called: dict[Path, set[Path]] = {}
    for child, parents in callers.items():
        for parent in parents:
            called.setdefault(parent, set()).add(child)
    largest = 0
    for top in called:
        seen, level = {top}, [top]
        for _ in range(MAX_MODULE_DEPTH + 1):
            level = list(dict.fromkeys(child for parent in level for child in called.get(parent, ()) if child not in seen))
            seen.update(level)
        largest = max(largest, len(seen))
    return largest


LOANS_LIMIT = 1024  # instances kept for `Tree.loans` (each a subtree; peak memory: README, Speed)
PARSED_LIMIT = 16  # directories whose parsed files `Tree.parsed` keeps at least
SHARED_PER_DIRECTORY = 8  # entries of `Tree.shared` a directory of a call tree may use (its store, files, sources)
SHARED_LIMIT = 64  # entries of `Tree.shared` kept beyond the sibling texts (peak memory: README, Speed)


def extract_modules(files: list[SourceFile], tree: Tree | None = None) -> Extraction:
    """Documents, resources and errors of the given Terraform files, each resolved with its whole module;
    `tree` (default: `prepare(files)`) bounds the files they may read and the modules they may call."""
    groups: dict[Path, list[SourceFile]] = {}
    for file in files:
        groups.setdefault(_resolved(file.path.parent), []).append(file)
    if not groups:
        return Extraction()
    tree = tree or prepare(files)
    result = Extraction()
    for directory in sorted(groups):
        passed = groups[directory]
        try:
            run, found = _linted(tree, directory, passed, borrow=not tree.include_vendored)
            if run.borrowed and (run.clash or run.past_bound):
                run.close()
                run, found = _linted(tree, directory, passed, borrow=False)  # the bound decides as it would alone
            result.extend(found)
            result.module_calls += run.calls
            if tree.include_vendored:
                result.extend(internals(list(run.made.values()), run.library))
            run.close()
            result.extend(_through_callers(tree, directory, passed))
            result.hidden |= _unnamed(tree, run.read)
        except Exception as exc:  # a bug must not stop the other modules; it is reported, not hidden
            result.errors.append(FileError(passed[0].display, 1, 1, f"internal error reading Terraform: {exc!r}"))
            result.files_scanned += len(passed)
    return result


def _linted(tree: Tree, directory: Path, passed: list[SourceFile], borrow: bool) -> tuple[_Run, Extraction]:
    """The directory linted in a fresh run: what it finds never depends on which other modules share the
    process (a borrowed instance is one this run would have made the same, see `_Run.instance`)."""
    run = _Run(tree, borrow)
    # An installed copy named on the command line is linted as the library it is: its inputs are whatever
    # the root module that installed it passes.
    module = _Module(run, directory, passed[0].display.rpartition("/")[0], passed,
                     inputs_unknown=directory in tree.callers or is_vendored(directory))
    return run, module.extract()


def _through_callers(tree: Tree, directory: Path, passed: list[SourceFile]) -> Extraction:
    """What the modules that call this directory, directly or not (and that the run does not lint), report
    in the passed files, each linted as `check .` lints it: their instances' documents written in this
    directory, their own documents and their resources (a value one reads from a module output, a rotation
    an instance links to the caller's secret may be written here; given with the first linted directory the
    caller calls, so once however the run is split), the remote module calls they follow, and those of the
    passed files they cannot follow; `hidden` drops what lies in files not passed. So a file named alone
    (pre-commit, the editor) gets what `check .` reports for it."""
    lens = {file.display for file in passed}
    folders = {display.rpartition("/")[0] for display in lens}
    found = Extraction()
    for above in upstream(directory, tree.callers):
        if above in tree.linted:
            continue
        run = _Run(tree)
        caller = _Module(run, above, shown(above, passed[0].path, passed[0].display), [],
                         inputs_unknown=above in tree.callers or is_vendored(above))
        caller.whole = True  # what its linted run would report
        own = _first_called(tree, above) == directory
        items = caller.items()
        found.documents += [d for d, emit, _ in items.documents
                            if emit and (_placed_in(d, folders, lens) if d.instance else own)]
        found.resources += [r for r, emit, _ in items.resources if emit and own]
        found.module_calls += [call for call in run.calls if call.followed or call.path in lens]
        found.hidden |= _unnamed(tree, run.read)
    return found


def _placed_in(document: PolicyDocument, folders: set[str], files: set[str]) -> bool:
    """May a finding on this instance document land in the passed files: is it written in their folder,
    or does it hold a value written in one of them (a part an intermediate module composed into a string
    its child uses)? A document that two linted directories both get gives the same findings twice, which
    the engine collapses into one."""
    if document.path.rpartition("/")[0] in folders:
        return True
    return any(path in files for path, _ in leaf_places([document.node]))


def _first_called(tree: Tree, caller: Path) -> Path | None:
    """The first (sorted) linted directory that `caller` calls, directly or through other modules."""
    key = ("first called", caller)
    if key not in tree.shared:
        tree.shared[key] = next((d for d in sorted(tree.linted) if caller in upstream(d, tree.callers)), None)
    return tree.shared[key]


def _unnamed(tree: Tree, read: dict[tuple[Path, str], str]) -> set[str]:
    """The Terraform files a run read that the run does not name, as they are shown: a finding placed there
    is not reported, whichever document it comes from (the siblings of a named file, a caller, a called
    module: each is reported when it is named). An installed module's files, which no run names, are not
    hidden."""
    return {display for (directory, name), display in read.items()
            if (directory, name) not in tree.named and not is_vendored(directory)}


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


MAX_MODULE_DEPTH = 16  # nested module calls followed below a linted module (deeper: an error at its call)
MAX_BLOCK_DEPTH = 8  # nested blocks of a resource read; deeper ones are unknown
MAX_MODULE_INSTANCES = 1000  # module instances evaluated for one linted module; past it, calls are errors


class _Run:
    """What the modules of one linted module share: the scan root, parsed child files, child modules
    evaluated on their own (the twins of module instances), and the instances made so far: one per
    (directory, arguments), so calls that pass the same values share one evaluation and a call graph
    that fans out costs what its distinct instances cost, up to a bound."""

    def __init__(self, tree: Tree, borrow: bool = False) -> None:
        self.tree = tree
        self.root = tree.root
        self.parsed = tree.parsed
        self.shared = tree.shared
        # Without `borrow` a run neither lends nor borrows (`Tree.loans`), neither gives nor takes (`Tree.twins`).
        self.loans = tree.loans if borrow else None
        self.twins = tree.twins if borrow else None
        self.borrowed = False  # it took an instance another run made (`_borrowed`, `_reused`)
        self.clash = False  # an instance made here may be one a borrowed subtree holds (then: run again alone)
        self.keys: set[tuple] = set()  # `_Module.plain` of the instances with twins made or borrowed here
        self.standalone: dict[tuple[Path, str, tuple[Path, ...]], _Module] = {}
        self.made: dict[tuple, _Module] = {}
        # The parsed files and shared stores of the directories this run evaluates, held until it ends (the
        # process's caches are bounded, and a call tree revisits its directories: once per instance).
        self.units: dict[tuple[Path, str], Parsed] = {}
        self.stores: dict[tuple, dict] = {}
        # Instances made for the linted module's calls, and for its calls' evaluations on their own (their
        # twins): each side is bounded by MAX_MODULE_INSTANCES (the twins of one small call graph may fan out
        # where the caller's values switch calls off).
        self.count = 0
        self.alone = 0
        self.too_deep = 0  # calls not followed because they nest deeper than MAX_MODULE_DEPTH
        self.cycles = 0  # calls not followed because they call a module already being evaluated above them
        self.calls: list[ModuleCall] = []  # registry and git module calls met, followed or not
        self.read: dict[tuple[Path, str], str] = {}  # Terraform files read but not passed -> how shown

    @property
    def past_bound(self) -> bool:
        return max(self.count, self.alone) > MAX_MODULE_INSTANCES

    def store(self, key: tuple) -> dict:
        """What the evaluations of a directory share (`Evaluator.share`), kept for the whole run: the
        process's bounded cache may drop it while a deep call tree comes back to it many times."""
        if key not in self.stores:
            self.stores[key] = self.shared.setdefault(key, {})
        return self.stores[key]

    def note(self, units: list[Unit]) -> None:
        """Record the files read but not passed (`hidden` unless the run names them)."""
        self.read.update(((unit.path.parent, unit.path.name), unit.display) for unit in units if not unit.passed)

    def close(self) -> None:
        """The linted module is extracted: an instance it lent (`Tree.loans`) must not keep the rest alive."""
        self.made.clear()
        self.standalone.clear()
        self.units.clear()
        self.stores.clear()

    def library(self, instance: _Module) -> _Module:
        """The module of an instance as it is linted on its own (its variables unknown): the twin a linted
        module's call has, made alike for a call from an intermediate module, whose twin's instance holds
        that module's values, not the called one's own code (`vendored.internals`)."""
        key = (instance.directory, instance.display_dir, instance.chain)
        if key not in self.standalone:
            self.standalone[key] = _Module(self, instance.directory, instance.display_dir, [], instance.chain,
                                           instance=True, twins=False, inputs_unknown=True,
                                           key_path=instance.key_path, manifest=instance.manifest)
        return self.standalone[key]

    def local_directory(self, directory: Path, source: str) -> Path:
        """The directory a local `source` names, resolved once per run."""
        key = ("source", directory, source)
        if key not in self.shared:
            self.shared[key] = _resolved(directory / source)
        return self.shared[key]

    def is_directory(self, path: Path) -> bool:
        key = ("is_dir", path)
        if key not in self.shared:
            self.shared[key] = is_dir(path)
        return self.shared[key]

    def instance(self, caller: _Module, name: str, call: Block, directory: Path, display_dir: str,
                 chain: tuple[Path, ...], suffix: str = "") -> _Module | None:
        """The instance `call` (one instance of `module "name"`) makes, shared with every call that passes
        the same arguments (values and positions); None past the bound (reported at the call). A module is
        evaluated only for an instance that is made here, not for one found."""
        made = None
        declared = self.tree.declared.get((directory, display_dir))
        if declared is None:  # the directory's variables are read from its files once per run
            made = self._new(caller, name, directory, display_dir, chain)
            declared = self.tree.declared[(directory, display_dir)] = frozenset(made.evaluator.scope.variables)
        bound = caller.bind(call, declared)
        arguments = tuple(sorted((k, _shape(v)) for k, v in bound.items()))
        key = (directory, caller.twins, caller.twin is not None, arguments)  # below a twin: `_made_key`
        if key in self.made:
            caller.pure = False
            return self.made[key]
        plain = (directory, display_dir, arguments)
        lendable = not caller.twins and caller.evaluator.scope.inputs_unknown  # a module on its own makes it
        if caller.twins:
            borrowed = self._borrowed(caller, name, plain, chain) or self._as_twin(caller, name, suffix, plain)
            if borrowed is not None:
                return borrowed
            self.clash = self.clash or plain in self.keys
            self.keys.add(plain)
        else:
            reused = self._reused(plain, lendable)
            if reused is not None:
                return reused
        if caller.twins:
            self.count += 1
        else:
            self.alone += 1
        if max(self.count, self.alone) > MAX_MODULE_INSTANCES:
            return None  # the linted module's call that led here reports it
        child = made or self._new(caller, name, directory, display_dir, chain)
        child.plain, child.lendable = plain, lendable
        child.evaluator.scope.bound = bound
        if caller.twins:
            child.twin = caller._twin_of(name, directory, display_dir, chain)
        self.made[key] = child
        return child

    def _new(self, caller: _Module, name: str, directory: Path, display_dir: str, chain: tuple[Path, ...]) -> _Module:
        """A module instance of `directory` for a call of `caller`, its arguments not bound yet."""
        return _Module(self, directory, display_dir, [], chain, instance=True, twins=caller.twins,
                       key_path=f"{caller.key_path}.{name}" if caller.key_path else name, manifest=caller.manifest)

    def _borrowed(self, caller: _Module, name: str, plain: tuple, chain: tuple[Path, ...]) -> _Module | None:
        """The instance an earlier run of this process made for the same directory and arguments below a
        twin (a module on its own calling this one as the linted module does), when this run would make it
        the same: nothing in its subtree depended on where it was called from (`_Module.pure`), none of it
        is made here already, and it fits in the bound. Its twin is this run's, as for one made here."""
        if self.loans is None or caller.instance:
            return None
        found = self.loans.get(plain)
        if found is None or found.closure & self.keys or self.count + len(found.closure) > MAX_MODULE_INSTANCES:
            return None
        del self.loans[plain]  # one borrower: the module's own lint
        self.borrowed = True
        self.keys |= found.closure
        self.count += len(found.closure)
        caller.twin_of_borrowed[id(found)] = caller._twin_of(name, plain[0], plain[1], chain)
        below = [found]  # its files were read by another run: recorded here too
        while below:
            module = below.pop()
            self.note(module.units)
            below += [child for made in module._instances.values() for _, child in made]
        return found

    def _as_twin(self, caller: _Module, name: str, suffix: str, plain: tuple) -> _Module | None:
        """Below an instance, a call that passes what the same call (and key) of the instance's twin passes
        (values written in the intermediate module, not in the caller above it) makes that twin's instance
        again: the same directory, arguments and chain, so the same subtree. It is taken for this one, its
        own twin, so every finding it gives is dropped as the twin's: nothing the caller passed reached it."""
        twin = caller.twin
        if twin is None or name not in twin.calls:
            return None
        found = dict(twin.instances_of(name)).get(suffix)
        if found is None or found.plain != plain:
            return None
        caller.twin_of_borrowed[id(found)] = found
        return found

    def _reused(self, plain: tuple, lendable: bool) -> _Module | None:
        """The instance an earlier run made below a twin for the same directory and arguments, when nothing
        in its subtree depended on where it was called from: this run would make it the same. Each instance
        of its subtree counts towards the bound and is shared with later calls of this run as if made here
        (one made here already stays: the same values); past the bound the module is linted again alone, as
        after borrowing. Taken by a module on its own (`lendable`), it is lent as one made there would be."""
        found = self.twins.get(plain) if self.twins is not None else None
        if found is None:
            return None
        if lendable and self.loans is not None:
            self.loans.setdefault(plain, found)
        below = [found]
        while below:
            module = below.pop()
            key = _made_key(module.plain)
            if key not in self.made:
                self.made[key] = module
                self.alone += 1
                self.note(module.units)
                below += [child for made in module._instances.values() for _, child in made]
        self.borrowed = True
        return found


_INTERPOLATION = re.compile(r"(?<![$%])[$%]\{")  # `${` or `%{`, not the escapes `$${` and `%%{`


def _written_out(expr: Expr) -> bool:
    """Is a module's `source` a string written out, as Terraform requires (it reads the source before
    evaluating anything): a quoted string or heredoc without interpolations or directives."""
    if isinstance(expr, HclExpr):
        text = expr.file.source(expr.node)
        return text.startswith(('"', "<<")) and not _INTERPOLATION.search(text)
    return isinstance(expr.node.value, str) and not _INTERPOLATION.search(expr.node.value)


def _suffix_key(suffix: str) -> str | int:
    """The index an instance's address suffix stands for: `[2]` -> 2, `["k"]` -> "k", "" (a toggle) -> 0."""
    inner = suffix[1:-1]
    return 0 if not inner else int(inner) if inner.isdigit() else expand.key_of(suffix)


def _twin_name(instance: _Module, twin: _Module | None, name: str) -> str:
    """The name (`module.x["k"].aws_iam_policy.p`) in `twin`'s items of what `instance`'s items call
    `name`, call by call down the modules it was adopted through: the instance of the same key, else the
    twin's only instance when it has no key (its `count`/`for_each` unknown there: it stands for all)."""
    if twin is None:
        return name
    for call, made in instance._instances.items():
        for suffix, child in made:
            prefix = f"module.{call}{suffix}."
            if not name.startswith(prefix):
                continue
            theirs = dict(twin._instances.get(call, []))
            same = suffix if suffix in theirs else "" if list(theirs) == [""] else None
            if same is None:
                return name
            return f"module.{call}{same}." + _twin_name(child, theirs[same], name[len(prefix):])
    return name


def _twin_item(items: dict, key: str | tuple, instance: _Module, twin: _Module | None) -> object | None:
    """The twin's document (key: owner and rank) or resource (key: address) of this key, else of the one
    `_twin_name` maps it to, else of that address without its instance key: a resource whose `count` or
    `for_each` reads an input is one instance on its own (its keys unknown there), standing for all."""
    if key in items:
        return items[key]
    name = _twin_name(instance, twin, key[0] if isinstance(key, tuple) else key)
    for candidate in (name, _unkeyed(name)) if name.endswith("]") else (name,):
        found = items.get((candidate, *key[1:]) if isinstance(key, tuple) else candidate)
        if found is not None:
            return found
    return None


_MODULE_STEP = re.compile(r'module\.[^.\[]+(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?\.')  # `module.x["k"].`


def _unkeyed(name: str) -> str:
    """An address with its resource's instance key dropped (`module.m.aws_x.y["a"]` -> `module.m.aws_x.y`);
    the keys of the module calls in it stay."""
    at = 0
    while (step := _MODULE_STEP.match(name, at)) is not None:
        at = step.end()
    bracket = name.find("[", at)
    return name if bracket < 0 else name[:bracket]


def _made_key(plain: tuple) -> tuple:
    """`_Run.made`'s key of an instance below a twin, from its `plain` key (directory, display, arguments)."""
    return (plain[0], False, False, plain[2])


def _shape(node: Node) -> tuple:
    """What makes two argument values the same: values, files and positions, all the way down (for a
    string composed from its caller's values, where each of their parts was written too, and where the
    values a template interpolates were: `TextNode.whole`)."""
    if isinstance(node.value, dict):
        inner: object = tuple((k, _shape(v)) for k, v in node.value.items())
    elif isinstance(node.value, list):
        inner = tuple(_shape(v) for v in node.value)
    else:
        inner = (type(node.value).__name__, node.value, (node.parts, node.whole) if isinstance(node, TextNode) else ())
    return (node.path, node.span, node.ref, type(node).__name__, inner)


@dataclass(slots=True, eq=False)
class _Items:
    """A module's documents and resources as its caller sees them: `emit` says which are reported; `keys`
    name each one within the module (a resource's address, a document's owner and rank), to find its twin."""

    documents: list[tuple[PolicyDocument, bool, tuple]] = field(default_factory=list)
    resources: list[tuple[Resource, bool, str]] = field(default_factory=list)
    # The input errors of the evaluation and of the instances below it that their twins do not make (a
    # policy the caller's value turns into invalid JSON): where they were found, in the module's files.
    errors: list[FileError] = field(default_factory=list)


class _Module:
    """A module directory evaluated either as linted (its passed files) or, for a `module` call, as an
    instance: `bound` input variables evaluated in the caller, nothing reported unless the caller is."""

    def __init__(self, run: _Run, directory: Path, display_dir: str, passed: list[SourceFile],
                 chain: tuple[Path, ...] = (), bound: dict[str, Node] | None = None,
                 instance: bool = False, twins: bool = True, inputs_unknown: bool = False,
                 key_path: str = "", manifest: dict[str, Installed] | None = None) -> None:
        self.run = run
        self.directory = directory
        self.passed = passed
        self.display_dir = display_dir
        self.root = run.root
        self.chain = chain or (directory,)
        self.instance = instance  # every file counts as passed: the caller decides what is reported
        self.twins = twins  # do this module's instances need twins (False for twins themselves)
        self.twin: _Module | None = None  # an instance: the called module linted on its own
        self.errors: list[FileError] = []
        self.key_path = key_path  # the module's key in modules.json ("" for a linted module)
        # Registry and git modules `terraform init` installed for the root module: key -> where, from what.
        if manifest is None:
            manifest, unreadable = read_manifest(directory, display_dir)
            if unreadable is not None and passed:
                self.errors.append(unreadable)
        self.manifest = manifest
        self._called = instance or inputs_unknown  # evaluated again elsewhere in the run (a module calls it)
        self.whole = bool(passed)  # everything reported (what lies in files not passed is hidden)
        # An instance: its directory, display and arguments; `pure` while nothing in its subtree depends on
        # its callers (a cycle or depth cut, the bound, an installed module, an instance shared with another
        # call), and then the `plain` keys of its subtree (`_Run._borrowed`).
        self.plain: tuple | None = None
        self.pure = True
        self.closure: frozenset[tuple] = frozenset()
        self.lendable = False
        self.twin_of_borrowed: dict[int, _Module | None] = {}  # id(borrowed instance) -> its twin here
        if passed:
            loaded = self._load_units()
        else:
            key = (directory, display_dir)
            if key not in run.units:
                if key not in run.parsed:
                    run.parsed[key] = self._load_units()
                run.units[key] = run.parsed[key]
            loaded = run.units[key]
        self.units = [unit for unit, _ in loaded]
        self.blocks = [block for _, blocks in loaded for block in blocks]
        run.note(self.units)
        scope = Scope(directory, display_dir, self.root, {}, {}, {}, dict(bound or {}), inputs_unknown=inputs_unknown)
        self.calls: dict[str, Block] = {}
        self.outputs: dict[str, Block] = {}
        self.resource_blocks: dict[tuple[str, str], Block] = {}
        for block in self.blocks:
            if block.type in ("resource", "data") and len(block.labels) > 1:
                kind = block.labels[0] if block.type == "resource" else "data." + block.labels[0]
                self.resource_blocks.setdefault((kind, block.labels[1]), block)
            if block.type == "locals":
                scope.locals.update({name: attr.expr for name, attr in block.body.attrs().items()})
            elif block.type == "variable" and block.labels:
                default, type_, nullable = (block.body.attr(key) for key in ("default", "type", "nullable"))
                scope.variables[block.labels[0]] = default.expr if default else None
                if type_ is not None:
                    scope.types[block.labels[0]] = type_.expr
                if nullable is not None:
                    scope.nullable[block.labels[0]] = nullable.expr

            elif block.type == "data" and block.labels[:1] == ["aws_iam_policy_document"] and len(block.labels) > 1:
                scope.data[".".join(block.labels[:2])] = block
            elif block.type == "module" and block.labels:
                self.calls.setdefault(block.labels[0], block)
            elif block.type == "output" and block.labels:
                self.outputs.setdefault(block.labels[0], block)
        # Weakly: the module owns its evaluator, and a strong way back would make the pair a cycle, which only
        # the cyclic collector frees (with all the module holds; see linter.gctune).
        self.evaluator = Evaluator(scope, weakref.proxy(self))
        if self._called:
            self.evaluator.share(run.store((directory, display_dir, tuple(u.display for u in self.units))))
        self.documents = Documents(self.evaluator, scope.data)
        self._instances: dict[str, list[tuple[str, _Module]]] = {}
        self._setting: set[str] = set()  # calls whose instances are being made
        self._keyed: dict[str, bool] = {}  # followed calls whose instances are known (count/for_each known, or none)
        self._items: _Items | None = None
        self._fixed: set[int] = set()  # ids of instance blocks whose count/for_each read no input

    def _passed(self, unit: Unit) -> bool:
        """Is what this unit holds reported? Everything of an instance (its caller decides) and of a linted
        module: a document or resource written in a sibling can place a finding in a named file (a variable's
        default written there); what it places in the siblings is hidden (`Extraction.hidden`)."""
        return self.instance or self.whole or unit.passed

    # --- reading ---------------------------------------------------------------------------------------

    def _load_units(self) -> Parsed:
        passed = {file.path.name: file for file in self.passed}
        names = sorted({name for name in file_names(self.directory) if is_terraform_name(name)} | set(passed))
        shown = {name: passed[name].display if name in passed else
                 (f"{self.display_dir}/{name}" if self.display_dir else name) for name in names}
        if passed and not self.instance and len(passed) < len(names):  # a run naming some files: what they reach
            wanted = reach.reached(names, set(passed), lambda name: self._text(name, shown[name], passed.get(name)))
            names = [name for name in names if name in wanted]
        units = []
        for name in names:
            file = passed.get(name)
            display = shown[name]
            unit = self._load_unit(file.path if file else self.directory / name, display, file is not None)
            if unit is not None:
                units.append((unit, top_blocks(unit)))
        return units

    def _text(self, name: str, display: str, file: SourceFile | None) -> str | None:
        known = self.run.shared.get(("text", self.directory, name)) if file is None else None
        text = known if known is not None else read_text(file.path if file else self.directory / name, display)
        return text if isinstance(text, str) else None

    def _load_unit(self, path: Path, display: str, passed: bool) -> Unit | None:
        text = read_text(path, display)
        if isinstance(text, FileError):
            self._error(text, passed)
            return None
        index = LineIndex(text)
        unit = Unit(path, display, passed, text, index)
        if display.lower().endswith(".json"):
            try:
                unit.json = jsonpos.parse(text, display)
            except jsonpos.JSONSyntaxError as exc:
                self._error(FileError(display, exc.line, exc.column, exc.message), passed)
                return None
        else:
            unit.hcl, errors = self._parse(text, display)
            unit.index = unit.hcl.index
            for error in errors:
                self._error(error, passed)
        return unit

    def _parse(self, text: str, display: str) -> tuple[hcl.HclFile, list[FileError]]:
        """A file's syntax tree, parsed once per run for a called module (linted, and each instance)."""
        if not self._called:
            return hcl.parse(text, display)
        key = ("hcl", display, text)
        if key not in self.run.shared:
            self.run.shared[key] = hcl.parse(text, display)
        return self.run.shared[key]

    def _error(self, error: FileError, passed: bool) -> None:
        if passed:
            self.errors.append(error)

    # --- extraction ------------------------------------------------------------------------------------

    def extract(self) -> Extraction:
        items = self.items()
        result = Extraction(errors=self.errors, files_scanned=len(self.passed))
        result.errors += [error for error, unit in self.documents.errors if unit.passed]
        passed = {unit.display for unit in self.units if unit.passed}
        result.errors += [e for e in self.evaluator.errors if e.path in passed]
        result.documents = [doc for doc, emit, _ in items.documents if emit]
        result.resources = [resource for resource, emit, _ in items.resources if emit]
        return result

    def items(self) -> _Items:
        """This module's documents and resources, with those of the local modules it calls (evaluated with
        the arguments of the call), computed once."""
        if self._items is not None:
            return self._items
        self._items = _Items()  # a module output read while this one is being built sees nothing yet
        uses: dict[int, list[tuple[DocKind, Block]]] = {}
        roots: dict[int, Node] = {}
        resources: list[tuple[Resource, Block]] = []
        policy_roots: dict[int, list[Node]] = {}  # id(resource) -> its document roots
        attached: list[tuple[PolicyDocument, bool]] = []  # AWS managed policies, as their attachments' documents
        for block in self._instance_blocks("resource"):
            type_ = block.labels[0]
            attached += self._attached(block)
            attributes = self._attributes(block) if type_ in resource_kinds() else None
            found = []
            for value, kind in self._policy_values(block, attributes):
                root = self.documents.root_of(value, block.unit)
                if root is not None:
                    roots[id(root)] = root
                    uses.setdefault(id(root), []).append((kind, block))
                    found.append(root)
            if attributes is not None:
                resource = Resource(resource_kinds()[type_], type_, block.address, block.unit.display, block.header,
                                    attributes, block_span=block.span)
                resources.append((resource, block))
                policy_roots[id(resource)] = found
        for name, block in self.evaluator.scope.data.items():
            made, known = expand.instances(self.evaluator, block)
            for instance in made:
                key = instance.key.value if known and instance.key is not None else None
                root = self.documents.data_document(name, key)
                if root is not None:
                    roots.setdefault(id(root), root)
        documents = self._documents(roots, uses)
        for resource, _ in resources:
            resource.documents = [documents[id(root)][0] for root in policy_roots[id(resource)]]
        items = _Items()
        ranks: dict[str, int] = {}
        for document, emit in list(documents.values()) + attached:
            ranks[document.owner] = ranks.get(document.owner, 0) + 1
            items.documents.append((document, emit, (document.owner, ranks[document.owner])))
        items.resources = [(resource, self._passed(block.unit), resource.address) for resource, block in resources]
        own = [resource for resource, _ in resources]
        seen = {id(document.node): document for document, _, _ in items.documents}
        items.errors = list(dict.fromkeys([error for error, _ in self.documents.errors] + self.evaluator.errors))
        for name, block in self.calls.items():
            before = (self.run.count, self.run.alone, self.run.too_deep, self.run.cycles)
            caused: dict[FileError, None] = {}
            for suffix, instance in self.instances_of(name):
                own += self._adopt(items, instance, name, suffix, block, seen)
                caused.update(dict.fromkeys(self._caused(instance)))
            items.errors += [error for error in caused if error not in items.errors]
            if block.unit.passed and not self.instance:
                self._cut_at(name, block, before)
                self.errors += [FileError(block.unit.display, block.header.line, block.header.column,
                                          f"module.{name}: with the values this call passes, {error.path}:"
                                          f"{error.line}:{error.column}: {error.message}") for error in caused]
        _link(own, [resource for resource, _, _ in items.resources if resource.kind == "secret"])
        self._items = items
        if self.plain is not None and not self.twins:
            self._lend()
        return items

    def _cut_at(self, name: str, block: Block, before: tuple[int, int, int, int]) -> None:
        """A linted module's call below which calls were not followed (the instance bound of either side,
        the depth, a cycle, which Terraform rejects), as an input error there: what its values do further
        down is not known, and the user is told so. `before`: the run's counts before the call was followed."""
        where = (block.unit.display, block.header.line, block.header.column)
        count, alone, deep, cycles = before
        crossed = [what for made, now, what in (
            (count, self.run.count, "the module calls below it"),
            (alone, self.run.alone, "the modules below it, evaluated on their own,")) if made <= MAX_MODULE_INSTANCES < now]
        if crossed:  # the first side to pass it: once past, neither side is followed further
            self.errors.append(FileError(*where, (
                f"module.{name}: {crossed[0]} expand to more than {MAX_MODULE_INSTANCES} "
                "module instances; those past the bound are not followed")))
        if self.run.too_deep > deep:
            self.errors.append(FileError(*where, (
                f"module.{name}: the module calls below it nest more than {MAX_MODULE_DEPTH} deep; "
                "the deeper ones are not followed")))
        if self.run.cycles > cycles:
            self.errors.append(FileError(*where, (
                f"module.{name}: a module below it calls a module it is called from (a cycle, which "
                "Terraform rejects); that call is not followed")))

    def _lend(self) -> None:
        """A twin's instance whose subtree did not depend on its callers: when a module on its own made it,
        the module's own lint, later in the process, may borrow it (`_Run._borrowed`)."""
        children = [child for made in self._instances.values() for _, child in made]
        if not self.pure or not all(child.pure for child in children):
            self.pure = False
            return
        self.closure = frozenset({self.plain}).union(*(child.closure for child in children))
        if self.lendable and self.run.loans is not None:
            self.run.loans.setdefault(self.plain, self)
        if self.run.twins is not None:
            self.run.twins.setdefault(self.plain, self)

    def _instance_blocks(self, type_: str) -> list[Block]:
        """Every instance of the module's resources (or data sources): blocks bound to their `count.index`
        or `each`, addressed `name[0]`/`name["k"]` (a block without count, or a toggle, keeps its name)."""
        result = []
        for block in self.blocks:
            if block.type != type_ or len(block.labels) < 2:
                continue
            reads = self.evaluator.reads
            made, _ = expand.instances(self.evaluator, block)
            for instance in made:
                labels = [block.labels[0], block.labels[1] + instance.suffix, *block.labels[2:]]
                result.append(replace(instance.block, labels=labels) if instance.suffix else instance.block)
                if self.evaluator.reads == reads:  # its names do not depend on inputs: its values may be shared
                    self._fixed.add(id(result[-1]))
        return result

    def data_value(self, type_: str, name: str) -> Node | None:
        """`data.aws_kms_alias.x` / `data.aws_kms_key.x` that look up `alias/aws/secretsmanager`: every
        attribute that names the key names the AWS managed key (as its alias, which KMS accepts wherever
        the key is expected); `data.aws_iam_policy.x` looked up by `arn`: its ARN. Other data sources are
        unknown."""
        block = self.resource_blocks.get(("data." + type_, name))
        if type_ == "aws_iam_policy":  # looked up by ARN: `.arn` is that ARN (an AWS managed policy is linted)
            attr = block.body.attr("arn") if block is not None else None
            if attr is None or block.body.attr("count") or block.body.attr("for_each"):
                return None
            value = self.evaluator.eval(attr.expr)
            return Node({"arn": value}, value.span, value.path)
        attribute = {"aws_kms_alias": "name", "aws_kms_key": "key_id"}.get(type_)
        attr = block.body.attr(attribute) if block is not None and attribute else None
        if attr is None or block.body.attr("count") or block.body.attr("for_each"):
            return None
        value = self.evaluator.eval(attr.expr)
        text = value.value if isinstance(value.value, str) and not value.is_unknown else ""
        if text != AWS_MANAGED_ALIAS and not text.endswith(":" + AWS_MANAGED_ALIAS):
            return None
        arn = Node(f"arn:{UNKNOWN}:kms:{UNKNOWN}:{UNKNOWN}:{AWS_MANAGED_ALIAS}", value.span, value.path)
        alias = Node(AWS_MANAGED_ALIAS, value.span, value.path)
        names = ("arn", "target_key_arn", "id", "target_key_id", "key_id", "name")
        return Node({n: arn if n.endswith("arn") else alias for n in names}, value.span, value.path)

    def resource_value(self, type_: str, name: str) -> Node | None:
        """`type.name` as a value: one instance object, a list (count) or a map (for_each) of them, or one
        instance standing for all when they cannot be known; None for a resource this module lacks."""
        block = self.resource_blocks.get((type_, name))
        if block is None:
            return None
        made, known = expand.instances(self.evaluator, block)
        address, path = block.address, block.unit.display
        if not known:
            return ResourceNode(type_, address, block.header, path, every=True)
        if block.body.attr("count") is None and block.body.attr("for_each") is None:
            return ResourceNode(type_, address, block.header, path)
        if block.body.attr("count") is not None:
            return Node([ResourceNode(type_, address + i.suffix, block.header, path) for i in made], block.header, path)
        return Node({str(i.key.value): ResourceNode(type_, address + i.suffix, block.header, path) for i in made},
                    block.header, path)

    # --- module calls ----------------------------------------------------------------------------------

    def instance_of(self, name: str) -> _Module | None:
        """The one instance `module "name"` makes (None when it makes none, several, or is not followed)."""
        made = self.instances_of(name)
        return made[0][1] if len(made) == 1 else None

    def instances_of(self, name: str) -> list[tuple[str, _Module]]:
        """The module instances that `module "name"` makes (one per count index or for_each key, each with
        its address suffix), evaluated with the call's arguments; none when the call is not followed (an
        unknown source, a missing directory, outside the scan root, a cycle, too deep, past the bound)."""
        if name in self._instances:
            self.pure = self.pure and name not in self._setting
            return self._instances[name]
        self._instances[name] = []  # a call reached again while it is being set up is not followed
        self._setting.add(name)
        call = self.calls[name]
        target = self._source(name, call)
        if target is not None and (target[0] in self.chain or len(self.chain) > MAX_MODULE_DEPTH):
            self.pure = False
            self.run.too_deep += target[0] not in self.chain
            self.run.cycles += target[0] in self.chain
        if target is None or target[0] in self.chain or len(self.chain) > MAX_MODULE_DEPTH:
            self._setting.discard(name)
            return []
        directory, display_dir = target
        chain = self.chain + (directory,)
        made, known = expand.instances(self.evaluator, call)
        self._keyed[name] = known
        result = []
        for instance in made:
            child = self.run.instance(self, name, instance.block, directory, display_dir, chain, instance.suffix)
            if child is None:
                self.pure = False
                break
            result.append((instance.suffix, child))
        self._instances[name] = result
        self._setting.discard(name)
        return result

    def bind(self, call: Block, declared: frozenset[str]) -> dict[str, Node]:
        """The call's arguments that the child declares, evaluated here (they keep the caller's positions)."""
        return {argument: self.evaluator.eval(attr.expr)
                for argument, attr in call.body.attrs().items() if argument in declared}

    def _twin_of(self, name: str, directory: Path, display_dir: str, chain: tuple[Path, ...]) -> _Module | None:
        """The called module as it is linted on its own: its twin. Below another instance, it is the same
        call made by that instance's twin, whose arguments are written in the intermediate module."""
        parent = self.twin
        if parent is not None:
            return parent.instance_of(name) if name in parent.calls else None
        if self.instance:
            return None
        key = (directory, display_dir, chain)  # a directory called through a symlink is shown as called
        if key not in self.run.standalone:
            module = _Module(
                self.run, directory, display_dir, [], chain, instance=True, twins=False, inputs_unknown=True,
                key_path=f"{self.key_path}.{name}" if self.key_path else name, manifest=self.manifest)
            if not module.calls:  # it makes no instances: the same wherever it is called from, in the whole run
                module = self.run.shared.setdefault(("standalone", directory, display_dir), module)
            self.run.standalone[key] = module
        return self.run.standalone[key]

    def _source(self, name: str, block: Block) -> tuple[Path, str] | None:
        """The directory a `module` block calls and how it is shown: a local path (`./x`, `../x`), or a
        registry or git module that `terraform init` laid out (`.terraform/modules/modules.json` of the root
        module); always an existing directory inside the scan root. None: not followed."""
        attr = block.body.attr("source")
        if attr is not None and not _written_out(attr.expr):
            self.evaluator.report(attr.expr.span, block.unit.display, "module source must be a literal string "
                                  "(Terraform rejects an expression here); the call is not followed")
            return None
        source = self.evaluator.eval(attr.expr) if attr is not None else None
        if source is None or not isinstance(source.value, str) or source.is_unknown:
            return None
        text = source.value.replace("\\", "/")
        if text.startswith(("./", "../")):
            target = self.run.local_directory(self.directory, text)
            display = os.path.join(self.display_dir, text)
        else:
            self.pure = False  # where it is installed depends on the root module
            key = f"{self.key_path}.{name}" if self.key_path else name
            installed = self.manifest.get(key)
            version = block.body.attr("version")
            wanted = self.evaluator.eval(version.expr) if version is not None else None
            constraint = wanted.value if wanted is not None and isinstance(wanted.value, str) and not wanted.is_unknown else ""
            found = (installed is not None and same_source(installed.source, source.value)
                     and allows(constraint, installed.version)
                     and installed.directory.is_relative_to(self.root) and is_dir(installed.directory))
            self.run.calls.append(ModuleCall(block.unit.display, source.span, source.value, found, "run terraform init"))
            if not found:
                return None
            target, display = installed.directory, installed.display
        if not target.is_relative_to(self.root) or not self.run.is_directory(target):
            return None
        display = os.path.normpath(display).replace(os.sep, "/")
        return target, "" if display == "." else display

    def data_document(self, name: str, key: str | int | None = None) -> Node | None:
        """The JSON of `data.aws_iam_policy_document.<name>` (the evaluator's lookup)."""
        return self.documents.data_document(name, key)

    def module_output(self, call: str, output: str, key: str | int | None = None) -> Node | None:
        """The value of `output "output"` of the module instance that `module "call"` makes (its only one,
        or the one of index `key`); a reference it holds (unknown: a resource's ARN) is named as this module
        names that instance's resources (`module.call[0].aws_secretsmanager_secret.this`)."""
        suffix, instance = self._instance_at(call, key)
        block = instance.outputs.get(output) if instance is not None else None
        value = block.body.attr("value") if block is not None else None
        if value is None:
            return None
        found = instance.evaluator.eval(value.expr)
        if found.is_unknown and found.ref:
            prefix = f"module.{call}{suffix}."
            return unknown(found.span, found.path, ref=prefix + found.ref,
                           not_arn=prefix + found.not_arn if found.not_arn else None)
        return self.evaluator.own(found) if id(instance) in self.twin_of_borrowed else found  # not another run's

    def module_keys(self, call: str) -> list[str | int | None] | None:
        """The index of each instance `module "call"` makes, in the order `module.call[*]` lists them (None
        for the one instance of a call without count or for_each); None when the call is not followed or
        its count/for_each is unknown."""
        block = self.calls.get(call)
        made = self.instances_of(call) if block is not None else []
        if block is None or not (made or self._keyed.get(call)):
            return None
        if block.body.attr("count") is None and block.body.attr("for_each") is None:
            return [None]
        if not self._keyed.get(call):
            return None
        return [_suffix_key(suffix) for suffix, _ in made]

    def module_outputs(self, call: str) -> list[str] | None:
        """The outputs the module `module "call"` calls declares (None when it is not followed)."""
        made = self.instances_of(call) if call in self.calls else []
        return sorted(made[0][1].outputs) if made else ([] if self._keyed.get(call) else None)

    def _instance_at(self, call: str, key: str | int | None) -> tuple[str, _Module | None]:
        """The instance of `module "call"` an output reference names, with its address suffix: its only one
        without a key; with one, that index's (`[0]`, `["k"]`), else the only one when it has no index (a
        toggle, `count = 1`, or an unknown count that stands for every instance)."""
        made = self.instances_of(call) if call in self.calls else []
        if key is None:
            return made[0] if len(made) == 1 else ("", None)
        wanted = f"[{key}]" if isinstance(key, int) else expand.key_suffix(key)
        found = dict(made).get(wanted)
        if found is not None:
            return wanted, found
        return made[0] if len(made) == 1 and made[0][0] == "" else ("", None)

    def _adopt(self, items: _Items, instance: _Module, name: str, suffix: str, call: Block,
               seen: dict[int, PolicyDocument]) -> list[Resource]:
        """Add an instance's documents and resources as this module's caller sees them: addresses under
        `module.name[suffix].`, resources placed at the module call (what the user can change), each with
        its twin. The instances of one call are one instance for reporting: a value the call passes to all
        of them is reported once. What the instance adopted from a call its twin iterates otherwise (an
        unknown `for_each` there: one instance standing for all, no key) has for twin what that one holds
        (`_twin_name`).
        Returns the instance's policies, rotations and versions whose secret is not the instance's own (the
        caller passed its ARN in): the caller links them to its secrets."""
        inner = instance.items()
        twin = self._twin_for(instance)
        twin_items = twin.items() if twin is not None else _Items()
        twin_documents = {key: document for document, _, key in twin_items.documents}
        twin_resources = {key: resource for resource, _, key in twin_items.resources}
        prefix, called = f"module.{name}{suffix}.", f"module.{name}."
        reported = self._passed(call.unit)
        # An installed module's files: what lands there is reported at this call (`PolicyDocument.vendored`).
        vendored = f"{instance.display_dir}/" if is_vendored(instance.directory) and not self.run.tree.include_vendored else ""
        copies: dict[int, PolicyDocument] = {}
        for document, emit, key in inner.documents:
            if id(document.node) in seen:  # also used here or by an earlier call: reported once
                copies[id(document)] = seen[id(document.node)]
                continue
            copy = replace(document, owner=prefix + document.owner if document.owner else "",
                           twin=_twin_item(twin_documents, key, instance, twin),
                           instance=called if document.owner else "",
                           instance_at=(call.unit.display, call.header), vendored=vendored or document.vendored)
            if copy.path == call.unit.display:
                copy.owner_span = call.span  # a suppression above the module call covers it
            copies[id(document)] = seen[id(document.node)] = copy
            read = not is_terraform_name(copy.path)  # a policy file the instance read: reported with the call
            items.documents.append((copy, emit and reported and (not read or self.instance or call.unit.passed),
                                    (prefix + key[0], key[1])))
        placed: dict[int, Resource] = {}
        # A borrowed instance's attributes are another run's: this one gets its own mappings (the pipeline
        # retypes them in place).
        own = self.evaluator.own if id(instance) in self.twin_of_borrowed else None
        for resource, emit, key in inner.resources:
            placed[id(resource)] = replace(
                resource, address=prefix + resource.address, path=call.unit.display, span=call.header,
                block_span=call.span, documents=[copies.get(id(d), d) for d in resource.documents],
                twin=_twin_item(twin_resources, key, instance, twin),
                attributes={k: own(v) for k, v in resource.attributes.items()} if own else resource.attributes,
            )
        own_secrets = {resource.address for resource, _, _ in inner.resources if resource.kind == "secret"}
        foreign = []
        for resource, emit, key in inner.resources:
            copy = placed[id(resource)]
            copy.links = {rel: [placed.get(id(r), r) for r in linked] for rel, linked in resource.links.items()}
            items.resources.append((copy, emit and reported, prefix + key))
            link = catalogue.link_of(resource.kind)
            target = resource.attributes.get(link.attribute) if link else None
            if target is not None and target.ref and target.ref not in own_secrets:
                foreign.append(copy)
        return foreign

    def _twin_for(self, instance: _Module) -> _Module | None:
        """What an instance this module adopts is compared with: the called module on its own."""
        return self.twin_of_borrowed[id(instance)] if id(instance) in self.twin_of_borrowed else instance.twin

    def _caused(self, instance: _Module) -> list[FileError]:
        """The input errors an instance (or one below it) makes that the called module on its own does not:
        the values this call passes caused them, so they are reported at the call."""
        twin = self._twin_for(instance)
        theirs = set(twin.items().errors) if twin is not None else set()
        return [error for error in instance.items().errors if error not in theirs]

    def _attached(self, block: Block) -> list[tuple[PolicyDocument, bool]]:
        """The AWS managed policies a resource attaches by ARN, each reported if the resource's file was passed."""
        name = catalogue.attachments("terraform").get(block.labels[0])
        attr = block.body.attr(name) if name is not None else None
        if attr is None:
            return []
        from linter.formats.managed import attachment_documents

        documents = attachment_documents(self.evaluator.eval(attr.expr), block.address)
        for document in documents:
            document.owner_span = block.span
        return [(document, self._passed(block.unit)) for document in documents]

    def _policy_values(self, block: Block, attributes: dict[str, Node] | None) -> list[tuple[Node, DocKind]]:
        values = []
        for name, kind in catalogue.documents("terraform").get(block.labels[0], ()):
            if name == "inline_policy.policy":
                for inline in expand.blocks(self.evaluator, block.body, "inline_policy")[0]:
                    attr = inline.body.attr("policy")
                    if attr is not None:
                        values.append((self.evaluator.eval(attr.expr), kind))
                continue
            if attributes is not None:
                value = attributes.get(name)
            else:
                attr = block.body.attr(name)
                value = self.evaluator.eval(attr.expr) if attr is not None else None
            if value is not None:
                values.append((value, kind))
        return values

    def _documents(self, roots: dict[int, Node], uses: dict[int, list[tuple[DocKind, Block]]]
                   ) -> dict[int, tuple[PolicyDocument, bool]]:
        """One PolicyDocument per distinct root, and whether it is reported (its own file was passed)."""
        data_owner = {id(root): address for address, root in self.documents.roots.items()}
        data_blocks = {block.address: block for block in self.blocks if block.type == "data"}
        units = {unit.display: unit for unit in self.units}
        result = {}
        for key, root in roots.items():
            used = uses.get(key, [])
            kinds = [kind for kind, _ in used]
            kind = DocKind.SECRET_RESOURCE if DocKind.SECRET_RESOURCE in kinds else (kinds[0] if kinds else None)
            owner = data_owner.get(key) or (used[0][1].address if used else "")
            document = build_document(root, root.path, kind, owner)
            document.complete = key not in self.documents.partial_ids
            if key in data_owner:
                block = data_blocks[data_owner[key].split("[")[0]]
                document.span = block.header
                home = block.unit
                emit = self._passed(home) and (bool(used) or key not in self.documents.source_ids)
            else:
                block = used[0][1]
                home = units.get(root.path) or block.unit
                emit = self._passed(home)
            if block.unit.display == root.path:
                document.owner_span = block.span  # lets a suppression comment above the block cover it
            if root.path not in units and not is_terraform_name(root.path):
                # A policy file read by `file()`: its findings are its reader's. (A document a module output
                # gives is written in the called module's Terraform: `hidden` decides there.)
                emit = emit and (self.instance or home.passed)
            result[key] = (document, emit)
        return result

    def _attributes(self, block: Block) -> dict[str, Node]:
        """Every attribute of a resource evaluated, nested blocks as mappings (lists unless single); once
        per run for the directory when they read no input. Each evaluation gets its own mappings and lists
        (the pipeline retypes them in place; documents are one per evaluation): the one that computed them
        copies those made for nested blocks, the others copy all (`Evaluator.own`)."""
        def evaluate() -> tuple[dict[str, Node], frozenset[int]]:
            made: set[int] = set()
            return _body_values(self.evaluator, block, made=made)[0], frozenset(made)

        if id(block) not in self._fixed:
            return evaluate()[0]
        (values, made), fresh = self.evaluator.independent(("attributes", block.address), evaluate)
        if fresh:
            return _fresh(values, made)
        return {name: self.evaluator.own(node) for name, node in values.items()}


def _body_values(evaluator: Evaluator, block: Block, depth: int = 0, made: set[int] | None = None
                 ) -> tuple[dict[str, Node], dict[str, Span]]:
    """A block's attributes evaluated (null ones are kept: rules read them as not set) and its nested
    blocks, `dynamic` ones expanded, as mappings (the ids of the nodes made for them go to `made`)."""
    values: dict[str, Node] = {}
    key_spans: dict[str, Span] = {}
    for name, attr in block.body.attrs().items():
        if name in ("count", "for_each"):
            continue
        values[name] = evaluator.eval(attr.expr)
        key_spans[name] = attr.name_span
    types: dict[str, Block] = {}
    for nested in block.body.blocks():
        types.setdefault(nested.labels[0] if nested.type == "dynamic" and nested.labels else nested.type, nested)
    if depth >= MAX_BLOCK_DEPTH:  # read no deeper (the stack stays bounded), but never as if not written
        for name, first in types.items():
            values[name] = unknown(first.span, first.display)
            key_spans[name] = first.header
        return values, key_spans
    for type_ in types:
        for nested in expand.blocks(evaluator, block.body, type_)[0]:
            name = type_
            inner, inner_spans = _body_values(evaluator, nested, depth + 1, made)
            node = Node(inner, nested.span, nested.display, inner_spans)
            if name in single_blocks():
                values.setdefault(name, node)
            elif name in values and isinstance(values[name].value, list):
                values[name].value.append(node)
                values[name].span = values[name].span.cover(node.span)
            else:
                values[name] = Node([node], node.span, node.path)
                if made is not None:
                    made.add(id(values[name]))
            if made is not None:
                made.add(id(node))
            key_spans.setdefault(name, nested.header)
    return values, key_spans


def _fresh(values: dict[str, Node], made: frozenset[int]) -> dict[str, Node]:
    """A copy of the mappings and lists `_body_values` made, sharing the values in them."""
    return {name: _fresh_node(node, made) for name, node in values.items()}


def _fresh_node(node: Node, made: frozenset[int]) -> Node:
    if id(node) not in made:
        return node
    if isinstance(node.value, dict):
        spans = dict(node.key_spans) if node.key_spans is not None else None
        return replace(node, value=_fresh(node.value, made), key_spans=spans)
    return replace(node, value=[_fresh_node(item, made) for item in node.value])


def _link(resources: list[Resource], secrets_known: list[Resource]) -> None:
    """Attach policies, rotations and versions to the secret their `secret_arn`/`secret_id` refers to: a
    secret of the module, or one of a module it calls (`module.x.aws_secretsmanager_secret.this`)."""
    secrets = {r.address: r for r in secrets_known}
    for resource in resources:
        for relation in catalogue.relations_of(resource.kind):
            resource.links.setdefault(relation, [])
    for resource in resources:
        link = catalogue.link_of(resource.kind)
        if link is None:
            continue
        target = resource.attributes.get(link.attribute)
        secret = secrets.get(target.ref) if target is not None and target.ref else None
        if secret is None:
            continue
        secret.links.setdefault(link.relation, []).append(resource)
        if link.documents:
            secret.documents += [doc for doc in resource.documents if doc not in secret.documents]
