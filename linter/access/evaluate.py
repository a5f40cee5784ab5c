"""AWS's policy evaluation logic for one secret, one principal and one action, with three-valued answers.

Each statement matches a request at one of four levels: YES (every element matches whatever is deployed),
COND (it matches, under conditions that cannot be evaluated here: those are reported), MAY (it may match:
some value cannot be known offline) or NO. An Allow is found in the identity policies reaching the
principal or in the secret's resource policy; for principals of the tree (taken to be in the secret's
account) either suffices, for principals of other accounts both are needed. An explicit Deny anywhere wins:
a sure Deny removes the cell, a conditional Deny makes it conditional ("unless …"), a Deny that may apply
lowers it to MAY. Reading a secret encrypted with a customer key also needs `kms:Decrypt` through that key's
policy: granted to the principal there, or to its account (then the identity policy must allow it too).

`aws:PrincipalArn` (the delete guard's exemption) is evaluated against what is known of the caller; other
condition keys describe the request and are reported as conditions.
"""
from __future__ import annotations

import json

from linter.access.capabilities import CAPABILITIES, DECRYPT
from linter.access.principals import Applied, Principal, refers_to, same_deployment, shown
from linter.iam import action_matches, condition_entries, covers_all_secrets, glob_match, may_name_a_secret
from linter.model import UNKNOWN, Node, PolicyDocument, Resource, Statement
from linter.records import dataclass

NO, MAY, COND, YES = 0, 1, 2, 3
VERDICTS = {YES: "yes", COND: "conditional", MAY: "may"}
_SAMPLE_ACCOUNTS = ("111111111111", "222222222222")


@dataclass(frozen=True, slots=True, order=True)
class Location:
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """A level with the conditions it depends on and the statements behind it."""

    level: int
    conditions: tuple[str, ...] = ()
    allowed_by: tuple[Location, ...] = ()
    denied_by: tuple[Location, ...] = ()


NOTHING = Outcome(NO)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who makes the request. `kind`: `tree` (a principal of the tree, in the secret's account), `service`,
    `everyone` (any principal of the secret's account), `external` (a principal of another, or an unknown,
    account, named by `value`)."""

    id: str
    kind: str
    principal: Principal | None = None
    value: str = ""

    def arn_samples(self) -> list[str] | None:
        """What `aws:PrincipalArn` may be for this caller (None: anything)."""
        if self.kind == "external" and UNKNOWN not in self.value:
            return [self.value]
        if self.kind != "tree" or self.principal is None or self.principal.name is None:
            return None
        segment = {"role": "role", "user": "user"}.get(self.principal.kind)
        if segment is None:
            return None
        return [f"arn:aws:iam::{a}:{segment}/{self.principal.name}" for a in _SAMPLE_ACCOUNTS]


@dataclass(frozen=True, slots=True)
class Target:
    """The resource a request is made on: a secret (by name when literal) or a KMS key."""

    address: str
    service: str
    name: str | None = None


# ---- elements -------------------------------------------------------------------------------------------

def _any(levels: list[int]) -> int:
    return max(levels, default=NO)


def _action_level(statement: Statement, action: str) -> int:
    if statement.action is not None:
        return _any([_pattern_action(item, action) for item in statement.action.items_list()])
    if statement.not_action is not None:
        return _negated([_pattern_action(item, action) for item in statement.not_action.items_list()])
    return NO


def _negated(levels: list[int]) -> int:
    """A Not… element matches when none of its items does."""
    best = _any(levels)
    return YES if best == NO else NO if best == YES else MAY


def _pattern_action(item: Node, action: str) -> int:
    if not isinstance(item.value, str):
        return MAY
    if UNKNOWN in item.value:
        probe = item.value.replace(UNKNOWN, "*")
        return MAY if action_matches(probe, action) else NO
    return YES if action_matches(item.value, action) else NO


def _resource_level(statement: Statement, target: Target, own: bool, owner: str) -> int:
    """`own`: the statement is in the target's own policy, where `*` means the target. `owner`: the address
    of what holds the statement, whose module instance its references are written in."""
    if statement.resource is not None:
        return _any([_pattern_resource(item, target, owner) for item in statement.resource.items_list()])
    if statement.not_resource is not None:
        return _negated([_pattern_resource(item, target, owner) for item in statement.not_resource.items_list()])
    return YES if own else NO


def _pattern_resource(item: Node, target: Target, owner: str) -> int:
    if item.ref is not None:
        if item.not_arn:  # a name or key id: IAM compares ARNs, so it names nothing
            return NO
        return YES if refers_to(item.ref, target.address, owner) else NO
    value = item.value
    if not isinstance(value, str):
        return MAY
    if value == "*":
        return YES
    if target.service == "kms":
        fields = value.split(":")
        if UNKNOWN in value or len(fields) < 3 or glob_match(fields[2], "kms"):
            return MAY
        return NO
    if target.name is None or UNKNOWN in value:
        if covers_all_secrets(value):
            return YES
        return MAY if may_name_a_secret(value) else NO
    return _sampled(value, _secret_arns(value, target.name))


def _secret_arns(pattern: str, name: str) -> list[str]:
    """ARNs the secret may have: the pattern's own partition, region and account when literal, and others."""
    fields = pattern.split(":", 5) + [""] * 6
    choices = [{"aws"}, {"eu-west-3"}, {"111111111111"}]
    for choice, value in zip(choices, (fields[1], fields[3], fields[4])):
        if value and "*" not in value and "?" not in value:
            choice.add(value)
    return [f"arn:{p}:secretsmanager:{r}:{a}:secret:{name}-{suffix}"
            for p in sorted(choices[0]) for r in sorted(choices[1]) for a in sorted(choices[2])
            for suffix in ("AbC123", "x9-Yz0")]


def _sampled(pattern: str, samples: list[str]) -> int:
    hits = [glob_match(pattern, sample) for sample in samples]
    return YES if all(hits) else NO if not any(hits) else MAY


def _principal_level(statement: Statement, caller: Caller) -> int:
    """Does the statement's Principal / NotPrincipal name the caller directly (not through its account)?"""
    if statement.principal is not None:
        return _any([_names(kind, item, caller) for kind, item in _principal_items(statement.principal)])
    if statement.not_principal is not None:
        return _negated([_names(kind, item, caller) for kind, item in _principal_items(statement.not_principal)])
    return NO


def _principal_items(element: Node) -> list[tuple[str, Node]]:
    if isinstance(element.value, str):
        return [("AWS", element)]
    if not isinstance(element.value, dict):
        return [("AWS", element)]
    return [(kind, item) for kind, block in element.value.items() for item in block.items_list()]


def is_account(value: str) -> bool:
    """An account principal: a 12-digit id or an account's root ARN (delegation to the account's IAM)."""
    return (value.isdigit() and len(value) == 12) or (value.startswith("arn:") and value.endswith(":root"))


def _names(kind: str, item: Node, caller: Caller) -> int:
    value = item.value if isinstance(item.value, str) else None
    if UNKNOWN in kind:
        return MAY  # a principal type that cannot be known offline (a `dynamic` block) may name anyone
    if value == "*" and kind in ("AWS", "*"):
        return YES
    if caller.kind == "service":
        return YES if kind == "Service" and value == caller.value else NO
    if kind != "AWS":
        return NO
    if item.ref is not None:
        return YES if caller.kind == "tree" and item.ref == caller.id else NO
    if value is None:
        return MAY
    if caller.kind == "external":
        return YES if _same_principal(value, caller.value) else (MAY if UNKNOWN in value else NO)
    if caller.kind == "everyone":
        return NO
    if is_account(value) or (UNKNOWN in value and value.endswith(":root")):
        return NO  # delegation: the caller's identity policy decides (see `_account_level`)
    if UNKNOWN in value:
        return MAY
    samples = caller.arn_samples()
    return NO if samples is None else _exact(value, samples)


def _exact(value: str, samples: list[str]) -> int:
    hits = [value == sample for sample in samples]
    return YES if all(hits) else NO if not any(hits) else MAY


def _same_principal(a: str, b: str) -> bool:
    def norm(v: str) -> str:
        return f"arn:aws:iam::{v}:root" if v.isdigit() else v
    return norm(a) == norm(b)


def _account_level(statement: Statement) -> int:
    """Does the statement delegate to an account (root or id)? MAY: whether that is the caller's account is
    not known offline (an unknown or literal account id)."""
    if statement.principal is None:
        return NO
    for kind, item in _principal_items(statement.principal):
        value = item.value if isinstance(item.value, str) else ""
        if kind == "AWS" and (is_account(value) or (UNKNOWN in value and value.endswith(":root"))):
            return MAY
    return NO


# ---- conditions -----------------------------------------------------------------------------------------

_ARN_KEYS = ("aws:principalarn",)
_POSITIVE = {"stringequals": False, "arnequals": False, "stringlike": True, "arnlike": True}
_NEGATIVE = {"stringnotequals": False, "arnnotequals": False, "stringnotlike": True, "arnnotlike": True}


def _condition(statement: Statement, caller: Caller) -> tuple[int, tuple[str, ...]]:
    """The level a statement's Condition leaves it at, and the conditions to report."""
    level, reported = YES, []
    for operator, key, values in condition_entries(statement.condition):
        outcome = _principal_condition(operator, key, values, caller)
        if outcome is True:
            continue
        if outcome is False:
            return NO, ()
        written = json.dumps(values.plain(), sort_keys=True, ensure_ascii=False)
        unreadable = UNKNOWN in operator + key
        text = "a condition that cannot be known offline" if unreadable else shown(f"{operator} {key} {written}")
        unknown = unreadable or UNKNOWN in written or outcome == "unknown"
        level = min(level, MAY if unknown else COND)
        reported.append(text)
    if statement.condition is not None and not isinstance(statement.condition.value, dict):
        return MAY, ("a Condition that cannot be read offline",)
    return level, tuple(reported)


def _principal_condition(operator: str, key: str, values: Node, caller: Caller) -> bool | str | None:
    """True/False when the caller's ARN decides the entry, "unknown" when it would but is not known, None when
    the key is not about the caller's ARN."""
    name = operator.lower()
    if name.endswith("ifexists"):
        name = name[: -len("ifexists")]
    if key.lower() not in _ARN_KEYS or (name not in _POSITIVE and name not in _NEGATIVE):
        return None
    like = _POSITIVE.get(name, _NEGATIVE.get(name))
    results = {_arn_matches(item, caller, like) for item in values.items_list()}
    if results == {None} or (None in results and True not in results):
        return "unknown"
    matched = True in results
    return matched if name in _POSITIVE else not matched


def _arn_matches(item: Node, caller: Caller, like: bool) -> bool | None:
    """Is the caller's ARN this value (glob when `like`)? None when that cannot be told."""
    if item.ref is not None:
        return (item.ref == caller.id) if caller.kind == "tree" else None
    if not isinstance(item.value, str) or UNKNOWN in item.value:
        return None
    samples = caller.arn_samples()
    if samples is None:
        return None
    hits = {glob_match(item.value, s) if like else item.value == s for s in samples}
    return hits.pop() if len(hits) == 1 else None


# ---- statements and documents ---------------------------------------------------------------------------

def _location(statement: Statement, document: PolicyDocument) -> Location:
    return Location(statement.node.path or document.path, statement.node.span.line)


def _effect(statement: Statement) -> str | None:
    effect = statement.effect
    return effect.value if effect is not None and isinstance(effect.value, str) else None


def _applies(statement: Statement, document: PolicyDocument, action: str, target: Target, own: bool,
             principal: int, caller: Caller) -> Outcome:
    level = min(principal, _action_level(statement, action), _resource_level(statement, target, own, document.owner))
    if level == NO:
        return NOTHING
    condition_level, conditions = _condition(statement, caller)
    level = min(level, condition_level)
    if level == NO:
        return NOTHING
    if not document.complete:
        level = min(level, MAY)
    return Outcome(level, conditions, (_location(statement, document),))


def _best(outcomes: list[Outcome]) -> Outcome:
    """Any of these allows (or denies): the strongest level, with every statement that reaches it or lower."""
    live = [o for o in outcomes if o.level > NO]
    if not live:
        return NOTHING
    level = max(o.level for o in live)
    conditions = () if level == YES else tuple(sorted({c for o in live if o.level == level for c in o.conditions}))
    return Outcome(level, conditions, tuple(sorted({l for o in live for l in o.allowed_by})),
                   tuple(sorted({l for o in live for l in o.denied_by})))


def _both(a: Outcome, b: Outcome) -> Outcome:
    """Both are needed (a cross-account request; an account's delegation and the identity policy)."""
    level = min(a.level, b.level)
    if level == NO:
        return NOTHING
    return Outcome(level, tuple(sorted(set(a.conditions + b.conditions))), tuple(sorted(set(a.allowed_by + b.allowed_by))),
                   tuple(sorted(set(a.denied_by + b.denied_by))))


def _unless(allowed: Outcome, denials: list[Outcome]) -> Outcome:
    """An explicit Deny wins: a sure one removes the grant; each other one caps it at its own level (a Deny
    that may apply leaves at most "may", a conditional one at most "conditional"), so every Deny counts, the
    most uncertain one most: adding a Deny never widens."""
    live = [d for d in denials if d.level > NO]
    if allowed.level == NO or any(d.level == YES for d in live):
        return NOTHING
    if not live:
        return allowed
    level = min([allowed.level] + [d.level for d in live])
    unless = tuple(f"unless {c}" for d in live for c in d.conditions)
    conditions = tuple(sorted(set(allowed.conditions + unless))) if level != YES else ()
    return Outcome(level, conditions, allowed.allowed_by, tuple(sorted({l for d in live for l in d.allowed_by})))


@dataclass(slots=True)
class Policies:
    """The policies that decide one request: the caller's identity documents and the target's own."""

    identity: list[Applied]
    unreadable: tuple[str, ...]  # why attached policies cannot be read: they may allow or deny anything
    resource: list[PolicyDocument]
    identity_known: bool = True  # False for a caller outside the tree: its identity policies are unknown


def _with_effect(statement: Statement, effect: str) -> int:
    """YES when the statement has this effect, MAY when its effect cannot be known offline, else NO."""
    written = _effect(statement)
    if written == effect:
        return YES
    return MAY if written is None or UNKNOWN in written else NO


def _side(policies: Policies, action: str, target: Target, caller: Caller, effect: str) -> tuple[list[Outcome], list[Outcome]]:
    """(identity, resource-policy) outcomes of each statement with this effect."""
    identity = []
    for applied in policies.identity:
        for statement in applied.document.statements:
            if (sure := _with_effect(statement, effect)) > NO:
                found = _applies(statement, applied.document, action, target, False, YES, caller)
                cap = sure if applied.certain else MAY
                identity.append(Outcome(min(found.level, cap), found.conditions, found.allowed_by))
    resource = []
    for document in policies.resource:
        for statement in document.statements:
            if (sure := _with_effect(statement, effect)) > NO:
                found = _applies(statement, document, action, target, True, _principal_level(statement, caller), caller)
                resource.append(Outcome(min(found.level, sure), found.conditions, found.allowed_by))
    return identity, resource


def _denials(policies: Policies, action: str, target: Target, caller: Caller) -> list[Outcome]:
    """Every Deny statement's outcome, one by one: each caps the answer on its own (see `_unless`)."""
    identity, resource = _side(policies, action, target, caller, "Deny")
    return identity + resource


def decide(policies: Policies, action: str, target: Target, caller: Caller) -> Outcome:
    """AWS's evaluation of one request: explicit Deny wins, then an Allow as the caller's account needs it."""
    identity, resource = (_best(side) for side in _side(policies, action, target, caller, "Allow"))
    denials = _denials(policies, action, target, caller)
    if not policies.identity_known:
        identity = _best([identity, Outcome(MAY, ("identity policies outside the tree",))])
    if policies.unreadable:
        unknown = Outcome(MAY, policies.unreadable)
        identity, denials = _best([identity, unknown]), denials + [Outcome(MAY)]  # it may deny, too
    allowed = _both(identity, resource) if caller.kind == "external" else _best([identity, resource])
    return _unless(allowed, denials)


def delegated(policies: Policies, action: str, target: Target, caller: Caller) -> Outcome:
    """A key policy's grant to the caller's account, which the identity policy must also allow."""
    grants = []
    for document in policies.resource:
        for statement in document.statements:
            if _effect(statement) == "Allow":
                grants.append(_applies(statement, document, action, target, True, _account_level(statement), caller))
    return _best(grants)


# ---- the map for one secret ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Cell:
    principal: str
    capability: str
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Key:
    """The KMS key a secret is encrypted with: a key of the tree (`resource`), the AWS managed key, or unknown."""

    kind: str  # "customer" | "managed" | "unknown"
    resource: Resource | None = None


def key_of(secret: Resource, resources: list[Resource]) -> Key:
    node = secret.attributes.get("kms_key_id")
    if node is None or node.value is None or node.value == "":  # not set (null): Secrets Manager's own key
        return Key("managed")
    key = next((r for r in resources if node.ref is not None and r.address == node.ref and r.kind == "kms_key"
                and same_deployment(secret, r.path)), None)
    if key is not None:
        return Key("customer", key)
    if isinstance(node.value, str) and node.value in ("alias/aws/secretsmanager",):
        return Key("managed")
    return Key("unknown")


def _decrypt(key: Key, caller: Caller, identity: list[Applied], unreadable: tuple[str, ...]) -> Outcome:
    """May the caller use the secret's key to decrypt it?"""
    if key.kind == "managed":
        # The AWS managed key serves its own account only; whether a named account is the secret's is not
        # known offline.
        if caller.kind == "external":
            return Outcome(MAY, ("the AWS managed key decrypts only for the secret's own account",))
        return Outcome(YES)
    if key.kind == "unknown":
        return Outcome(MAY, ("kms:Decrypt on a key that is not in the tree",))
    target = Target(key.resource.address, "kms")
    documents = key.resource.documents
    identity_only = Policies(identity, unreadable, [], caller.kind == "tree")
    if not documents:  # the default policy (delegating to the account), or one written in another resource
        note = Outcome(MAY, ("a key policy that is not written on the key",))
        return _both(note, decide(identity_only, DECRYPT, target, caller))
    policies = Policies(identity, unreadable, documents, caller.kind == "tree")
    # Granted to the caller in the key policy itself (an identity policy alone never opens a key).
    direct = decide(Policies([], (), documents, caller.kind != "external"), DECRYPT, target, caller)
    through_account = _both(delegated(policies, DECRYPT, target, caller), decide(identity_only, DECRYPT, target, caller))
    return _unless(_best([direct, through_account]), _denials(policies, DECRYPT, target, caller))


def cells(secret: Resource, callers: list[Caller], resources: list[Resource]) -> list[Cell]:
    """Every granted (principal, capability) of one secret, sorted."""
    name = secret.attributes.get("name")
    target = Target(secret.address, "secretsmanager",
                    name.value if name is not None and isinstance(name.value, str) and UNKNOWN not in name.value else None)
    key = key_of(secret, resources)
    found = []
    for caller in callers:
        identity = caller.principal.documents if caller.principal is not None else []
        unreadable = tuple(sorted(set(caller.principal.unreadable))) if caller.principal is not None else ()
        policies = Policies(identity, unreadable, secret.documents, caller.kind in ("tree", "service"))
        if caller.kind == "everyone":
            policies.identity_known = False
        for capability, actions in CAPABILITIES.items():
            outcome = _best([decide(policies, action, target, caller) for action in actions])
            if capability == "read" and outcome.level > NO:
                outcome = _both(outcome, _decrypt(key, caller, identity, unreadable))
            if outcome.level > NO:
                found.append(Cell(caller.id, capability, outcome))
    return sorted(found, key=lambda c: (c.principal, c.capability))
