"""Rasa NLU training data (Rasa 2/3 YAML, legacy JSON) and Rasa responses, parsed with line numbers.

Parsing only: kb.intents reads the files, turns these records into utterances and raises the errors.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import yaml

from kb.errors import KBError, shown

# Inline entities: [text](entity), [text](entity:value), [text]{"entity": ...}, [text][{...}, {...}]
_ENTITY = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")
_OTHER_NLU_KINDS = ("synonym", "regex", "lookup")


def nlu_examples(path: Path, text: str, errors: list[str]) -> list[tuple[str, str, int]]:
    """(example, intent, line) of every intent example in the `nlu:` list, entity annotations removed."""
    nlu = _get(_compose(path, text), "nlu")
    if not isinstance(nlu, yaml.SequenceNode):
        where = f"{path}:{_line(nlu) if nlu is not None else 1}"
        raise KBError(f"{where}: not Rasa NLU training data (expected a top-level 'nlu:' list)")
    out = []
    for item in nlu.value:
        intent = _get(item, "intent")
        if intent is None:
            # synonym/regex/lookup items carry no utterances; anything else is most likely a typo.
            if all(_get(item, kind) is None for kind in _OTHER_NLU_KINDS):
                errors.append(f"{path}:{_line(item)}: nlu item has no 'intent:' (nor synonym/regex/lookup)")
            continue
        if not isinstance(intent, yaml.ScalarNode) or not intent.value.strip():
            errors.append(f"{path}:{_line(intent)}: intent must be a name")
            continue
        examples = _get(item, "examples")
        if examples is None:
            errors.append(f"{path}:{_line(item)}: intent {intent.value!r} has no 'examples:'")
            continue
        for n, raw in _examples(path, examples, errors):
            example = _ENTITY.sub(r"\1", raw).strip()
            if example:
                out.append((example, intent.value, n))
            else:
                errors.append(f"{path}:{n}: empty example")
    return out


def responses(path: Path, text: str, errors: list[str]) -> dict[str, str]:
    """Intent → text of the first variant with text of each `utter_<intent>` under `responses:`."""
    node = _get(_compose(path, text), "responses")
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise KBError(f"{path}:{_line(node)}: 'responses' must be a mapping of utter_<intent> keys")
    out: dict[str, str] = {}
    for key, variants in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else ""
        if not name.startswith("utter_"):
            continue
        if not isinstance(variants, yaml.SequenceNode):
            errors.append(f"{path}:{_line(variants)}: {name} must be a list of variants ('- text: ...')")
            continue
        texts = [_get(v, "text") for v in variants.value]
        found = next((t.value for t in texts if isinstance(t, yaml.ScalarNode) and t.value.strip()), None)
        if found is not None:  # image- or custom-only responses have no answer text to import
            out[name.removeprefix("utter_")] = found
    return out


def common_examples(path: Path, text: str) -> list[tuple[object, int]]:
    """(record, line) of each `rasa_nlu_data.common_examples` entry of a legacy Rasa JSON file."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise KBError(f"{path}:{e.lineno}: invalid JSON: {e.msg}") from None
    nlu = data.get("rasa_nlu_data") if isinstance(data, dict) else None
    examples = nlu.get("common_examples", []) if isinstance(nlu, dict) else None
    if not isinstance(examples, list):
        raise KBError(f"{path}:1: not Rasa NLU JSON (expected rasa_nlu_data.common_examples, a list)")
    return list(zip(examples, _element_lines(text, "common_examples", examples), strict=True))


def _compose(path: Path, text: str) -> yaml.Node | None:
    # Composed nodes rather than safe_load: nodes keep the line each example came from.
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise KBError(f"{path}:{mark.line + 1 if mark else 1}: bad YAML: {problem}") from None


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _examples(path: Path, node: yaml.Node, errors: list[str]) -> list[tuple[int, str]]:
    """(line, text) of each example: a block of '- text' lines, or a list of texts / {text: ...}."""
    out: list[tuple[int, str]] = []
    if isinstance(node, yaml.ScalarNode):
        literal = node.style == "|"  # only a literal block keeps one source line per value line
        for k, line in enumerate(node.value.split("\n")):
            n = _line(node) + 1 + k if literal else _line(node)
            if not line.strip():
                continue
            if line.strip().startswith("-"):
                out.append((n, line.strip()[1:]))
            else:
                errors.append(f"{path}:{n}: expected an example line '- text', got {shown(line.strip())}")
    elif isinstance(node, yaml.SequenceNode):  # the Rasa 3 form that gives examples metadata
        for item in node.value:
            text = _get(item, "text") if isinstance(item, yaml.MappingNode) else item
            if isinstance(text, yaml.ScalarNode):
                out.append((_line(item), text.value))
            else:
                errors.append(f"{path}:{_line(item)}: an example must be text or a mapping with 'text'")
    else:
        errors.append(f"{path}:{_line(node)}: examples must be a block of '- text' lines")
    return out


def _element_lines(text: str, key: str, elements: list[object]) -> list[int]:
    """Start line of each element of the `"key": [...]` array, since json.loads keeps no positions."""
    m = re.search(rf'"{re.escape(key)}"\s*:\s*\[', text)
    decoder = json.JSONDecoder()
    values: list[object] = []
    lines: list[int] = []
    pos, line, counted = (m.end() if m else 0), 1, 0
    with contextlib.suppress(ValueError):
        while m:
            while pos < len(text) and text[pos] in " \t\r\n,":
                pos += 1
            if text.startswith("]", pos):
                break
            line, counted = line + text.count("\n", counted, pos), pos
            value, pos = decoder.raw_decode(text, pos)
            values.append(value)
            lines.append(line)
    # A same-named key met earlier in the file gives other elements: their lines are then unknown.
    return lines if values == elements else [1] * len(elements)
