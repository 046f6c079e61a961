"""Campaign plan files (YAML): parsed, validated, and refused with the line and
field of every problem, so a bureau can fix its own plan without help."""
import yaml
from marshmallow import ValidationError

from shared.errors import BadRequest

from .schemas import PlanSchema

MAX_BYTES = 256 * 1024


class _Loader(yaml.SafeLoader):
    """Dates stay text, so a bad date is reported by the schema with its line."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)


def parse(content):
    """The validated plan (JSON-ready dict) from YAML bytes or text; BadRequest otherwise."""
    text = _text(content)
    try:
        raw = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise BadRequest(f"the plan is not valid YAML: {where}{problem}",
                         {"file": [f"{where}{problem}"]}) from None
    if not isinstance(raw, dict):
        raise BadRequest("the plan must be a YAML mapping (campaign_id, title, tasks, …)",
                         {"file": ["expected a mapping at the top level"]})
    try:
        plan = PlanSchema().load(raw)
    except ValidationError as error:
        raise _refusal(error.messages, root) from None
    return PlanSchema().dump(plan)


def _text(content):
    if isinstance(content, str):
        content = content.encode("utf-8")
    if len(content) > MAX_BYTES:
        raise BadRequest("the plan file is too large", {"file": [f"at most {MAX_BYTES} bytes"]})
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("the plan file is not UTF-8", {"file": ["save it as UTF-8"]}) from None


def _refusal(messages, root):
    """One BadRequest naming each problem as `line N: tasks[2].deadline: message`."""
    problems = {}
    for path, texts in _flatten(messages):
        line = _line_of(root, path)
        problems[f"line {line}: {_render(path)}"] = texts
    first = next(iter(problems))
    return BadRequest(f"the plan is invalid: {first}: {problems[first][0]}", problems)


def _flatten(messages, path=()):
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, path + (key,))
    else:
        yield path, [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]


def _render(path):
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "plan"


def _line_of(node, path):
    """The line of the deepest node of `path` present in the YAML (1-based)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in path:
        child = _child(node, part)
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _child(node, part):
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None
