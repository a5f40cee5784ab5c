"""CloudFormation intrinsic functions, evaluated as far as a template alone allows.

Whatever depends on the deployment (pseudo parameters, parameters without a default, attributes of
resources, imports) becomes `UNKNOWN` inside the string, never `*`. `Ref`/`Fn::GetAtt` of a resource of
the template become an unknown value whose `ref` names that resource, so a secret referenced with
`!Ref DatabaseSecret` is "that secret", not "any secret".

`Fn::If` is linted both ways: `alternatives()` returns every value a node can take. Inside a list the
alternatives of an item are all items of the list; for an element such as `Resource` or `Action` (an IAM
"any of" list) they become one list; a mapping whose alternatives are mappings, or an `Effect`, `Sid` or
`Version` that depends on a condition, forks the enclosing mapping (at most `MAX_VARIANTS` variants).
`!Ref AWS::NoValue` is no value at all: the key or list item disappears.

A dynamic reference (`{{resolve:ssm:...}}`, `{{resolve:secretsmanager:...}}`) is filled in by CloudFormation
at deploy time, wherever it appears in a string: it is `UNKNOWN` there too, so a hard-coded-value rule never
mistakes it for a literal and an ARN built with one is only partly known.
"""
from __future__ import annotations

import re

from linter.formats import catalogue
from linter.model import UNKNOWN, Node, Span
from linter.records import dataclass, field

MAX_VARIANTS = 8
NO_VALUE = "AWS::NoValue"
PSEUDO_PARAMETERS = {
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::Partition", "AWS::Region", "AWS::StackId",
    "AWS::StackName", "AWS::URLSuffix",
}
FORK_KEYS = {"Effect", "Sid", "Version"}  # values that cannot be read as "any of" lists

_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:.*?\}\}", re.DOTALL)


def deploy_time(text: str) -> str:
    """`text` with each dynamic reference replaced by UNKNOWN (CloudFormation resolves them at deploy)."""
    return _DYNAMIC_REFERENCE.sub(UNKNOWN, text) if "{{resolve:" in text else text


@dataclass(slots=True)
class Template:
    """The parts of a template that intrinsic functions look things up in."""

    root: Node
    path: str
    parameters: dict[str, Node] = field(default_factory=dict)  # name -> the parameter's declaration
    resources: dict[str, Node] = field(default_factory=dict)  # logical id -> the resource's declaration
    mappings: Node | None = None

    @classmethod
    def of(cls, root: Node, path: str) -> Template:
        def section(name: str) -> dict[str, Node]:
            node = root.get(name)
            return node.value if node is not None and isinstance(node.value, dict) else {}

        return cls(root, path, section("Parameters"), section("Resources"), root.get("Mappings"))


def respan(node: Node, span: Span, path: str) -> Node:
    """A copy of `node` placed at `span`: values taken from elsewhere (a parameter default, a mapping)
    are reported where they are used."""
    value = node.value
    if isinstance(value, dict):
        return Node({k: respan(v, span, path) for k, v in value.items()}, span, path,
                    {k: span for k in value}, node.ref, node.not_arn)
    if isinstance(value, list):
        return Node([respan(v, span, path) for v in value], span, path, None, node.ref, node.not_arn)
    return Node(value, span, path, None, node.ref, node.not_arn)


class Evaluator:
    """Evaluates intrinsic functions of one template."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.path = template.path

    # -- entry points -------------------------------------------------------------------------------

    def value(self, node: Node | None) -> Node | None:
        """The single value of a property, for resource attributes (documents use `alternatives`).

        None when absent, or when an `Fn::If` leaves it unset in some branch (the property may not be
        set, so rules see it unset); the first branch's value when both branches set it.
        """
        if node is None or self._has_no_value_branch(node):
            return None
        alternatives = self.alternatives(node)
        return alternatives[0] if alternatives else None

    def alternatives(self, node: Node) -> list[Node]:
        """Every value `node` can evaluate to ([] for `AWS::NoValue`)."""
        value = node.value
        if isinstance(value, list):
            items: list[Node] = []
            for item in value:
                items += self._flatten(self.alternatives(item))
            return [Node(items, node.span, node.path)]
        if isinstance(value, str) and "{{resolve:" in value:
            return [Node(deploy_time(value), node.span, node.path, node.key_spans, node.ref, node.not_arn)]
        if not isinstance(value, dict):
            return [node]
        call = intrinsic(node)
        if call is None:
            return self._mapping(node)
        name, argument = call
        if name == "Fn::If":
            return self._if(node, argument)
        if name == "Ref":
            return self._ref(node, argument)
        return [self.function(name, node, argument)]

    def text(self, node: Node) -> str | None:
        """The string a node evaluates to (numbers and booleans as CloudFormation prints them), or None."""
        alternatives = self.alternatives(node)
        if len(alternatives) != 1:
            return None
        value = alternatives[0].value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int, float)):
            return str(value)
        return None

    def unknown(self, node: Node, ref: str | None = None) -> Node:
        return Node(UNKNOWN, node.span, self.path, None, ref)

    def reference(self, node: Node, target: str, form: str) -> Node:
        """`!Ref target` (form `Ref`) or `!GetAtt target.form`: unknown, known to be that resource; marked
        when the catalogue says this form is not the resource's ARN (a role's `Ref` is its name)."""
        declared = self.template.resources[target]
        kind = declared.get("Type") if isinstance(declared.value, dict) else None
        resource_type = kind.value if kind is not None and isinstance(kind.value, str) else ""
        written = "!Ref " + target if form == "Ref" else f"!GetAtt {target}.{form}"
        not_arn = written if form in catalogue.not_arn("cloudformation", resource_type) else None
        return Node(UNKNOWN, node.span, self.path, None, target, not_arn)

    # -- structure ----------------------------------------------------------------------------------

    @staticmethod
    def _flatten(alternatives: list[Node]) -> list[Node]:
        items: list[Node] = []
        for alternative in alternatives:
            items += alternative.value if isinstance(alternative.value, list) else [alternative]
        return items

    def _mapping(self, node: Node) -> list[Node]:
        variants: list[tuple[dict[str, Node], dict[str, Span]]] = [({}, {})]
        key_spans = node.key_spans or {}
        for key, child in node.value.items():
            options = self.alternatives(child)
            if not options:
                continue
            if len(options) > 1 and key not in FORK_KEYS and not any(isinstance(o.value, dict) for o in options):
                options = [Node(self._flatten(options), child.span, child.path)]
            span = key_spans.get(key, child.span)
            variants = [
                ({**items, key: option}, {**spans, key: span})
                for items, spans in variants
                for option in options
            ][:MAX_VARIANTS]
        return [Node(items, node.span, node.path, spans, node.ref) for items, spans in variants]

    def _if(self, node: Node, argument: Node) -> list[Node]:
        if not isinstance(argument.value, list) or len(argument.value) != 3:
            return [self.unknown(node)]
        _, when_true, when_false = argument.value
        return self.alternatives(when_true) + self.alternatives(when_false)

    def _has_no_value_branch(self, node: Node) -> bool:
        call = intrinsic(node)
        if call is None or call[0] != "Fn::If" or not isinstance(call[1].value, list):
            return False
        return any(not self.alternatives(branch) for branch in call[1].value[1:])

    # -- Ref ----------------------------------------------------------------------------------------

    def _ref(self, node: Node, argument: Node) -> list[Node]:
        name = argument.value
        if not isinstance(name, str):
            return [self.unknown(node)]
        if name == NO_VALUE:
            return []
        if name in self.template.resources:
            return [self.reference(node, name, "Ref")]
        parameter = self.template.parameters.get(name)
        if parameter is None or not isinstance(parameter.value, dict):
            return [self.unknown(node)]  # a pseudo parameter, or a name the template does not declare
        return [self._parameter_value(node, parameter)]

    def _parameter_value(self, node: Node, parameter: Node) -> Node:
        default = parameter.get("Default")
        kind = parameter.get("Type")
        kind_name = kind.value if kind is not None and isinstance(kind.value, str) else "String"
        if default is None or kind_name.startswith("AWS::SSM::Parameter::Value"):
            return self.unknown(node)  # an SSM parameter's default is the parameter's name, not its value
        if kind_name == "CommaDelimitedList" or kind_name.startswith("List<"):
            if isinstance(default.value, list):
                return respan(default, node.span, self.path)
            text = "" if default.value is None else str(default.value)
            return Node([Node(part.strip(), node.span, self.path) for part in text.split(",")], node.span, self.path)
        if isinstance(default.value, (dict, list)):
            return self.unknown(node)
        return Node(default.value, node.span, self.path)

    # -- functions that yield one value -------------------------------------------------------------

    def function(self, name: str, node: Node, argument: Node) -> Node:
        handler = {
            "Fn::Sub": self._sub,
            "Fn::Join": self._join,
            "Fn::GetAtt": self._getatt,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::FindInMap": self._find_in_map,
        }.get(name)
        if handler is None:
            return self.unknown(node)  # ImportValue, Base64, Cidr, GetAZs, Transform, conditions ...
        return handler(node, argument)

    def _getatt(self, node: Node, argument: Node) -> Node:
        parts = argument.value
        if isinstance(parts, str):
            target = parts.partition(".")[0]
        elif isinstance(parts, list) and parts and isinstance(parts[0].value, str):
            target = parts[0].value
        else:
            return self.unknown(node)
        if target not in self.template.resources:
            return self.unknown(node)
        attribute = parts.partition(".")[2] if isinstance(parts, str) else (
            parts[1].value if len(parts) > 1 and isinstance(parts[1].value, str) else "")
        return self.reference(node, target, attribute)

    def _sub(self, node: Node, argument: Node) -> Node:
        template, variables = sub_arguments(argument)
        if template is None or not isinstance(template.value, str):
            return self.unknown(node)
        text, ref = self.substitute(template.value, variables, node)
        return Node(deploy_time(text), node.span, self.path, None, ref)

    def substitute(self, template: str, variables: dict[str, Node], node: Node) -> tuple[str, str | None]:
        """`Fn::Sub` text with every `${...}` replaced; the ref of the value if it is the only content."""
        refs: list[str | None] = []

        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            value, ref = self._sub_variable(name.strip(), variables, node)
            refs.append(ref)
            return value

        text = _SUB_VAR.sub(replace, template)
        whole = _SUB_VAR.fullmatch(template) is not None
        return text, (refs[0] if whole and refs else None)

    def _sub_variable(self, name: str, variables: dict[str, Node], node: Node) -> tuple[str, str | None]:
        if name in variables:
            alternatives = self.alternatives(variables[name])
            if len(alternatives) == 1 and isinstance(alternatives[0].value, (str, int, float, bool)):
                value = self.text(alternatives[0])
                return (UNKNOWN if value is None else value), alternatives[0].ref
            return UNKNOWN, None
        target = name.partition(".")[0]
        if target in self.template.resources:
            return UNKNOWN, target
        if "." in name or name in PSEUDO_PARAMETERS:
            return UNKNOWN, None
        parameter = self.template.parameters.get(name)
        if parameter is None or not isinstance(parameter.value, dict):
            return UNKNOWN, None
        value = self._parameter_value(node, parameter)
        text = self.text(value) if not isinstance(value.value, list) else None
        return (UNKNOWN if text is None else text), None

    def _join(self, node: Node, argument: Node) -> Node:
        if not isinstance(argument.value, list) or len(argument.value) != 2:
            return self.unknown(node)
        delimiter_node, items_node = argument.value
        delimiter = self.text(delimiter_node)
        alternatives = self.alternatives(items_node)
        if delimiter is None or len(alternatives) != 1 or not isinstance(alternatives[0].value, list):
            return self.unknown(node)
        items = alternatives[0].value
        parts = [self.text(item) for item in items]
        text = deploy_time(delimiter.join(UNKNOWN if part is None else part for part in parts))
        ref = items[0].ref if len(items) == 1 else None
        return Node(text, node.span, self.path, None, ref)

    def _select(self, node: Node, argument: Node) -> Node:
        if not isinstance(argument.value, list) or len(argument.value) != 2:
            return self.unknown(node)
        index = self.text(argument.value[0])
        alternatives = self.alternatives(argument.value[1])
        if index is None or not index.isdigit() or len(alternatives) != 1:
            return self.unknown(node)
        items = alternatives[0].value
        if not isinstance(items, list) or int(index) >= len(items):
            return self.unknown(node)
        return respan(items[int(index)], node.span, self.path)

    def _split(self, node: Node, argument: Node) -> Node:
        if not isinstance(argument.value, list) or len(argument.value) != 2:
            return self.unknown(node)
        delimiter = self.text(argument.value[0])
        source = self.text(argument.value[1])
        if not delimiter or source is None:
            return self.unknown(node)
        return Node([Node(part, node.span, self.path) for part in source.split(delimiter)], node.span, self.path)

    def _find_in_map(self, node: Node, argument: Node) -> Node:
        mappings = self.template.mappings
        if mappings is None or not isinstance(argument.value, list) or len(argument.value) < 3:
            return self.unknown(node)
        found: Node | None = mappings
        for key_node in argument.value[:3]:
            key = self.text(key_node)
            found = found.get(key) if (found is not None and key is not None and UNKNOWN not in key) else None
        if found is None:
            return self.unknown(node)
        return respan(found, node.span, self.path)


def sub_arguments(argument: Node) -> tuple[Node | None, dict[str, Node]]:
    """The template string node of an `Fn::Sub` (None for an empty list) and its variables (`[text, {...}]`)."""
    if not isinstance(argument.value, list):
        return argument, {}
    items = argument.value
    variables = items[1].value if len(items) > 1 and isinstance(items[1].value, dict) else {}
    return (items[0] if items else None), variables


def intrinsic(node: Node) -> tuple[str, Node] | None:
    """(`Fn::X` or `Ref`, argument) when `node` is an intrinsic function call."""
    value = node.value
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((name, argument),) = value.items()
    if name == "Ref" or name.startswith("Fn::"):
        return name, argument
    return None
