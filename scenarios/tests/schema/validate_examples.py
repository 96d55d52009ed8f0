#!/usr/bin/env python3
"""Checks the scenario JSON Schema, the shipped examples and the known-bad files.

1. scenarios/schema/scenario.schema.json is a valid JSON Schema (draft 2020-12).
2. Every scenarios/examples/**/*.json and conformance/cases/**/*.json parses (no duplicate keys), validates against the schema and
   passes the checks the schema cannot express: every step's client is defined, every template
   ({name}) is defined (in a load scenario's filters and topics too, with {group} and {random}),
   barrier only inside parallel. Examples also follow the house rules: the
   name is the file stem and unique, every spec id exists in spec/statements-*.json for the
   scenario's protocol levels, and {run} is in every client id and topic, load scenarios' included
   (topics that start with $, + or # excepted).
3. Every scenarios/tests/schema/good/*.json (files that use every field and form of the language,
   not meant for a broker) is accepted by the schema and by the checks of 2 (not the house rules).
4. Every scenarios/tests/schema/bad/RULE[--detail].json is rejected for RULE, the error rule of
   docs/scenarios.md: by the schema where a schema can say it, by the checks above where it cannot
   (undefined-client, undefined-template, duplicate-key), by the JSON parser for json-syntax.

Needs python3 with jsonschema >= 4.0 (Debian: python3-jsonschema). Exits 0 when all is well, 1 with
one line per problem otherwise, 2 on bad usage or a missing dependency.

Usage: validate_examples.py [--repo DIR] [-v]
"""
import argparse
import difflib
import json
import pathlib
import re
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError:  # pragma: no cover
    print("validate_examples.py: needs the Python package jsonschema (apt-get install python3-jsonschema)",
          file=sys.stderr)
    sys.exit(2)

# The rules of docs/scenarios.md ("Errors in a file") and who can catch each one.
SCHEMA_RULES = {"unknown-field", "wrong-type", "missing-field", "bad-value", "one-action",
                "unknown-property", "barrier-outside-parallel"}
SCRIPT_RULES = {"undefined-client", "undefined-template", "duplicate-key"}
PARSER_RULES = {"json-syntax"}
ALL_RULES = SCHEMA_RULES | SCRIPT_RULES | PARSER_RULES

ACTIONS = ("connect", "disconnect", "drop", "subscribe", "unsubscribe", "publish", "send", "auth",
           "expect_none", "barrier", "loop", "parallel")  # plus expect, an action only on its own
BUILTIN_TEMPLATES = {"run", "client", "i", "id"}
STATEMENT_FILES = {"3.1": "statements-3.1.1.json", "3.1.1": "statements-3.1.1.json", "5": "statements-5.json"}


class DuplicateKey(ValueError):
    pass


def load_json(path):
    """Returns (document, problems) where problems are (rule, message); document is None when the
    file is not JSON. Duplicate keys are reported, and the last value wins as in most parsers."""
    problems = []

    def pairs(items):
        seen = {}
        for key, value in items:
            if key in seen:
                problems.append(("duplicate-key", f"key {key!r} appears twice in one object"))
            seen[key] = value
        return seen

    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text, object_pairs_hook=pairs), problems
    except json.JSONDecodeError as e:
        return None, [("json-syntax", f"{e.lineno}:{e.colno}: {e.msg}")]
    except UnicodeDecodeError as e:
        return None, [("json-syntax", f"not UTF-8: {e}")]


def pointer(parts):
    return "/" + "/".join(str(p) for p in parts) if parts else "/"


# ----------------------------------------------------------------------------- semantic checks

TEMPLATE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def template_names(text):
    """Yields (name or None for an unbalanced brace) for every template in text."""
    for m in TEMPLATE.finditer(text):
        token = m.group(0)
        if token in ("{{", "}}"):
            continue
        if token in ("{", "}"):
            yield None
        else:
            yield m.group(1)


def strings_in(value, path):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings_in(v, path + [k])
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from strings_in(v, path + [i])


def walk_steps(steps, path, loop_vars, in_parallel):
    """Yields (step, path, loop_vars, in_parallel) for every step, nested ones included."""
    if isinstance(steps, list):
        for i, step in enumerate(steps):
            yield from walk_step(step, path + [i], loop_vars, in_parallel)


def walk_step(step, path, loop_vars, in_parallel):
    if not isinstance(step, dict):
        return
    yield step, path, loop_vars, in_parallel
    loop = step.get("loop")
    if isinstance(loop, dict):
        var = loop.get("var", "n")
        inner = loop_vars | {var} if isinstance(var, str) else loop_vars
        yield from walk_steps(loop.get("steps"), path + ["loop", "steps"], inner, in_parallel)
    branches = step.get("parallel")
    if isinstance(branches, list):
        for j, branch in enumerate(branches):
            if isinstance(branch, list):
                yield from walk_steps(branch, path + ["parallel", j], loop_vars, True)
            else:
                yield from walk_step(branch, path + ["parallel", j], loop_vars, True)


def action_keys(step):
    keys = [k for k in ACTIONS if k in step]
    if not keys and "expect" in step:
        keys = ["expect"]
    return keys


def semantic_problems(doc):
    """The checks a JSON Schema cannot make (plus one-action and barrier-outside-parallel, which
    the schema also catches, to name the rule). Returns [(rule, pointer, message)]."""
    out = []
    if not isinstance(doc, dict):
        return out
    clients = doc.get("clients") if isinstance(doc.get("clients"), dict) else {}
    variables = doc.get("vars") if isinstance(doc.get("vars"), dict) else {}
    steps = doc.get("steps")

    def check_templates(value, path, known):
        for where, text in strings_in(value, path):
            for name in template_names(text):
                if name is None:
                    out.append(("undefined-template", pointer(where),
                                f"unbalanced brace in {text!r} (write {{{{ or }}}} for a literal brace)"))
                elif name not in known:
                    out.append(("undefined-template", pointer(where), f"{{{name}}} is not defined in {text!r}"))

    names = set(variables)
    bound = set()
    check_templates(variables, ["vars"], BUILTIN_TEMPLATES | names)
    check_templates(clients, ["clients"], BUILTIN_TEMPLATES | names)
    for step, path, loop_vars, in_parallel in walk_steps(steps, ["steps"], frozenset(), False):
        actions = action_keys(step)
        if len(actions) != 1:
            out.append(("one-action", pointer(path),
                        f"a step needs exactly one action, this one has {len(actions)}: {actions}"))
        if "barrier" in step and not in_parallel:
            out.append(("barrier-outside-parallel", pointer(path), "barrier is only allowed inside parallel"))
        if "client" in step and isinstance(step["client"], str) and "clients" in doc and step["client"] not in clients:
            out.append(("undefined-client", pointer(path + ["client"]),
                        f"client group {step['client']!r} is not defined in clients"))
        # The action's argument and the expect modifier are templates; labels, client names,
        # barrier names and loop fields are not.
        known = BUILTIN_TEMPLATES | names | bound | loop_vars | ({"n"} if "publish" in step else set())
        if len(actions) == 1 and actions[0] not in ("barrier", "loop", "parallel"):
            check_templates(step[actions[0]], path + [actions[0]], known)
            if actions[0] != "expect" and "expect" in step:
                check_templates(step["expect"], path + ["expect"], known)
        # "bind" names fields of the event an expect step matched: templates of the steps after
        # it (as the parser does, in file order).
        if isinstance(step.get("bind"), dict):
            bound |= set(step["bind"])
    # A load scenario (docs/swarm.md): filters, share names and topics are templates that may also
    # use {group}; a publish topic also {random}.
    for name, group, path in load_groups(doc):
        known = BUILTIN_TEMPLATES | names | {"group"}
        for i, sub in enumerate(group.get("subscribe") or []):
            if isinstance(sub, dict):
                for key in ("filter", "share"):
                    if key in sub:
                        check_templates(sub[key], path + ["subscribe", i, key], known)
        publish = group.get("publish")
        if isinstance(publish, dict) and "topic" in publish:
            check_templates(publish["topic"], path + ["publish", "topic"], known | {"random"})
    return out


def load_groups(doc):
    """Yields (name, group, path) for every group entry of a load scenario's "load.groups"."""
    load = doc.get("load") if isinstance(doc, dict) else None
    groups = load.get("groups") if isinstance(load, dict) else None
    if isinstance(groups, dict):
        for name, group in groups.items():
            if isinstance(group, dict):
                yield name, group, ["load", "groups", name]


# ----------------------------------------------------------------------------- house rules of the examples

def expand(text, variables, depth=0):
    if depth > 10:
        return text
    return re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)\}",
                  lambda m: expand(variables[m.group(1)], variables, depth + 1)
                  if m.group(1) in variables else m.group(0), text)


def topics_of(doc):
    """Yields (pointer, topic or filter) for the topics a scenario names."""
    for name, group in (doc.get("clients") or {}).items():
        will = group.get("will")
        if isinstance(will, dict) and "topic" in will:
            yield pointer(["clients", name, "will", "topic"]), will["topic"]

    def matcher_topics(m, path):
        if isinstance(m, list):
            for i, x in enumerate(m):
                yield from matcher_topics(x, path + [i])
        elif isinstance(m, dict):
            if isinstance(m.get("publish"), dict) and "topic" in m["publish"]:
                yield pointer(path + ["publish", "topic"]), m["publish"]["topic"]
            if isinstance(m.get("any_of"), list):
                yield from matcher_topics(m["any_of"], path + ["any_of"])

    for step, path, _, _ in walk_steps(doc.get("steps"), ["steps"], frozenset(), False):
        pub = step.get("publish")
        if isinstance(pub, dict) and "topic" in pub:
            yield pointer(path + ["publish", "topic"]), pub["topic"]
        for key in ("subscribe", "unsubscribe"):
            arg = step.get(key)
            filters = arg.get("filters") if isinstance(arg, dict) else arg
            for i, f in enumerate(filters if isinstance(filters, list) else []):
                topic = f.get("topic") if isinstance(f, dict) else f
                if isinstance(topic, str):
                    yield pointer(path + [key, i]), topic
        send = step.get("send")
        packet = send.get("packet") if isinstance(send, dict) else None
        if isinstance(packet, dict):
            if "topic" in packet:
                yield pointer(path + ["send", "packet", "topic"]), packet["topic"]
            for i, f in enumerate(packet.get("subscriptions") or []):
                if isinstance(f, dict) and "filter" in f:
                    yield pointer(path + ["send", "packet", "subscriptions", i]), f["filter"]
            for i, f in enumerate(packet.get("filters") or []):
                yield pointer(path + ["send", "packet", "filters", i]), f
        for key in ("expect", "expect_none"):
            if key in step:
                yield from matcher_topics(step[key], path + [key])
    for _, group, path in load_groups(doc):
        for i, sub in enumerate(group.get("subscribe") or []):
            if isinstance(sub, dict) and "filter" in sub:
                yield pointer(path + ["subscribe", i, "filter"]), sub["filter"]
        publish = group.get("publish")
        if isinstance(publish, dict) and "topic" in publish:
            yield pointer(path + ["publish", "topic"]), publish["topic"]


def house_problems(doc, path, statements):
    out = []
    if doc.get("name") != path.stem:
        out.append(f"name {doc.get('name')!r} is not the file stem {path.stem!r}")
    levels = {doc.get("protocol", "3.1.1")} | {g.get("protocol") for g in doc.get("clients", {}).values()
                                               if isinstance(g, dict) and g.get("protocol")}
    known = set().union(*(statements[STATEMENT_FILES[p]] for p in levels if p in STATEMENT_FILES))
    for sid in doc.get("spec", []):
        if sid not in known:
            out.append(f"spec id {sid} is not a statement of MQTT {'/'.join(sorted(levels))} (spec/statements-*.json)")
    variables = doc.get("vars", {})
    for name, group in doc.get("clients", {}).items():
        # An empty id asks the broker to assign one: unique by the broker's duty.
        if "id" in group and group["id"] != "" and "{run}" not in expand(group["id"], variables):
            out.append(f"/clients/{name}/id: client id {group['id']!r} has no {{run}}")
    for where, topic in topics_of(doc):
        if not isinstance(topic, str):
            continue  # a malformed-packet case may give a topic as bytes ({"hex": ...})
        expanded = expand(topic, variables)
        # Exempt: an empty topic (a topic alias stands for it) and a filter with a wildcard where
        # {run} would be (a wildcard case; it expects only its own topics).
        wildcard_first = re.match(r"^[^{]*[+#]", expanded) is not None
        if expanded and not expanded.startswith("$") and not wildcard_first and "{run}" not in expanded:
            out.append(f"{where}: topic {topic!r} has no {{run}}")
    return out


# ----------------------------------------------------------------------------- schema errors → rules

def leaves(error):
    if error.context:
        for sub in error.context:
            yield from leaves(sub)
    else:
        yield error


TYPE_KEYWORDS = {"type"}
VALUE_KEYWORDS = {"enum", "const", "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems",
                  "maxItems", "uniqueItems", "minProperties", "maxProperties", "not", "propertyNames"}


def instance_at(doc, parts):
    value = doc
    for p in parts:
        value = value[p]
    return value


def explain(doc, errors, semantic=()):
    """(rule, pointer, message): the docs/scenarios.md rule that best names why the schema rejected
    doc, and the most specific schema error behind it. A oneOf over step shapes reports "not valid
    under any of the given schemas"; the leaf errors of the step's own shape say more."""
    for rule, where, message in semantic:
        if rule in ("one-action", "barrier-outside-parallel"):
            return rule, where, message
    found = [e for err in errors for e in leaves(err)]
    deepest = max(len(e.absolute_path) for e in found)
    found = [e for e in found if len(e.absolute_path) == deepest]
    where = list(found[0].absolute_path)
    target = instance_at(doc, where)
    # A step object: keep the errors of the shape for the step's own action.
    if isinstance(target, dict):
        acts = action_keys(target)
        if len(acts) == 1:
            mine = [e for e in found if isinstance(e.schema, dict) and acts[0] in e.schema.get("required", [])]
            found = mine or found
    if any(e.validator not in TYPE_KEYWORDS for e in found):  # a type error of a rejected alternative
        found = [e for e in found if e.validator not in TYPE_KEYWORDS]
    rules = []
    for e in found:
        if e.validator in ("additionalProperties", "unevaluatedProperties"):
            rule = "unknown-property" if where and where[-1] == "properties" else "unknown-field"
        elif e.validator == "required":
            rule = "missing-field"
        elif e.validator in TYPE_KEYWORDS:
            rule = "wrong-type"
        elif e.validator in VALUE_KEYWORDS:
            rule = "bad-value"
        else:
            rule = f"?{e.validator}"
        if rule not in rules:
            rules.append(rule)
    return " ".join(rules), pointer(where), "; ".join(dict.fromkeys(describe(e) for e in found))


def describe(error):
    """A schema error's message, with long enums replaced by the nearest names."""
    if error.validator == "enum" and len(error.validator_value) > 6:
        near = difflib.get_close_matches(str(error.instance), [str(v) for v in error.validator_value], n=3)
        hint = f"; did you mean {' or '.join(map(repr, near))}?" if near else ""
        return f"{error.instance!r} is not one of the {len(error.validator_value)} allowed values{hint}"
    return error.message


def schema_problems(doc, validator):
    """One (rule, pointer, message) per top-level schema error."""
    return [explain(doc, [e]) for e in validator.iter_errors(doc)]


# ----------------------------------------------------------------------------- main

def main():
    here = pathlib.Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=pathlib.Path, default=here.parents[2], help="repository root")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every file checked")
    args = parser.parse_args()
    repo = args.repo.resolve()
    schema_path = repo / "scenarios/schema/scenario.schema.json"
    # The conformance cases are scenarios too, held to the same rules.
    examples = sorted((repo / "scenarios/examples").rglob("*.json")) + sorted(
        (repo / "conformance/cases").rglob("*.json"))
    good_files = sorted((repo / "scenarios/tests/schema/good").glob("*.json"))
    bad_files = sorted((repo / "scenarios/tests/schema/bad").glob("*.json"))
    failures = []

    def fail(path, message):
        failures.append(f"{path.relative_to(repo)}: {message}")

    schema, problems = load_json(schema_path)
    if problems or schema is None:
        for rule, message in problems:
            fail(schema_path, f"error[{rule}]: {message}")
        print("\n".join(failures), file=sys.stderr)
        return 1
    try:
        Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        fail(schema_path, f"not a valid draft 2020-12 schema: {e.message} at {pointer(list(e.absolute_path))}")
        print("\n".join(failures), file=sys.stderr)
        return 1
    validator = Draft202012Validator(schema)

    statements = {}
    for name in set(STATEMENT_FILES.values()):
        data = json.loads((repo / "spec" / name).read_text())
        statements[name] = {s["id"] for s in data["statements"]}

    # --- examples
    if not examples:
        fail(repo / "scenarios/examples", "no examples found")
    names = {}
    for path in examples:
        doc, problems = load_json(path)
        for rule, message in problems:
            fail(path, f"error[{rule}]: {message}")
        if doc is None:
            continue
        for rule, where, message in schema_problems(doc, validator):
            fail(path, f"error[{rule}] (schema): {where}: {message}")
        for rule, where, message in semantic_problems(doc):
            fail(path, f"error[{rule}]: {where}: {message}")
        if isinstance(doc, dict):
            for message in house_problems(doc, path, statements):
                fail(path, message)
            name = doc.get("name")
            if name in names:
                fail(path, f"name {name!r} is also used by {names[name].relative_to(repo)}")
            names.setdefault(name, path)
        if args.verbose:
            print(f"ok   {path.relative_to(repo)}")
    print(f"{len(examples)} examples checked against {schema_path.relative_to(repo)}")

    # --- files that must be accepted
    for path in good_files:
        doc, problems = load_json(path)
        for rule, message in problems:
            fail(path, f"error[{rule}]: {message}")
        if doc is None:
            continue
        for rule, where, message in schema_problems(doc, validator):
            fail(path, f"error[{rule}] (schema): {where}: {message}")
        for rule, where, message in semantic_problems(doc):
            fail(path, f"error[{rule}]: {where}: {message}")
    if good_files:
        print(f"{len(good_files)} file(s) that must be accepted checked")

    # --- known-bad files
    rows = []
    for path in bad_files:
        rule = path.stem.split("--")[0]
        if rule not in ALL_RULES:
            fail(path, f"the file name must start with a rule of docs/scenarios.md, not {rule!r}")
            continue
        doc, problems = load_json(path)
        parse_rules = {r for r, _ in problems}
        if rule in PARSER_RULES:
            ok = doc is None and parse_rules == {rule}
            rows.append((path.name, rule, "json parser" if ok else "NOT CAUGHT", problems[0][1] if problems else ""))
            if not ok:
                fail(path, f"expected the JSON parser to reject it ({rule}); problems: {problems}")
            continue
        if doc is None:
            fail(path, f"is not JSON, but its rule is {rule}: {problems}")
            continue
        errors = list(validator.iter_errors(doc))
        semantic = semantic_problems(doc)
        script_rules = parse_rules | {r for r, _, _ in semantic if r in SCRIPT_RULES}
        if rule in SCHEMA_RULES:
            if not errors:
                fail(path, f"the schema accepts it, but it breaks {rule}")
                rows.append((path.name, rule, "NOT CAUGHT", ""))
                continue
            guess, where, message = explain(doc, errors, semantic)
            rows.append((path.name, rule, "schema" if guess == rule else f"schema, as {guess}", f"{where}: {message}"))
            if guess != rule:
                fail(path, f"the schema rejects it, but for {guess!r} rather than {rule!r}: {where}: {message}")
            if script_rules:
                fail(path, f"breaks more than {rule}: also {sorted(script_rules)}")
        else:
            if errors:
                got, where, message = explain(doc, errors)
                fail(path, f"{rule} is not a schema rule, yet the schema rejects it for {got}: {where}: {message}")
            detail = [m for r, _, m in semantic if r == rule] + [m for r, m in problems if r == rule]
            where = [w for r, w, _ in semantic if r == rule]
            rows.append((path.name, rule, "script" if script_rules == {rule} else "NOT CAUGHT",
                         (f"{where[0]}: " if where else "") + (detail[0] if detail else "")))
            if script_rules != {rule}:
                fail(path, f"expected exactly {rule} from the script's checks, got {sorted(script_rules)}")
    if rows:
        width = max(len(r[0]) for r in rows)
        print(f"{len(rows)} known-bad files (rule: who rejects it):")
        for name, rule, by, message in rows:
            print(f"  {name.ljust(width)}  {by}: {message}")

    if failures:
        print(f"\n{len(failures)} problem(s):", file=sys.stderr)
        print("\n".join(failures), file=sys.stderr)
        return 1
    print("all good")
    return 0


if __name__ == "__main__":
    sys.exit(main())
