"""One value spelled as YAML the way the files in ``source/`` spell values.

The round-trip writer puts each new value into the file as text, so the
spelling must be one that the project's reader (:mod:`.yamlio`,
PyYAML's YAML 1.1 rules plus the project's own) reads back as exactly that
value, and one a person editing the file next year recognises:

* numbers plain (``8900``, ``94.6``), never in exponent form; dates as
  ``2022-07-29``;
* text plain when that is safe, as in the existing files
  (``市民活動支援センターで…``); full-width characters are written as they
  are, never escaped;
* text in double quotes when plain would be misread or is easy to misread:
  a ``:`` or ``#`` anywhere, a leading ``-``, ``@``, ``[`` and the other
  indicator characters, leading or trailing spaces, and text that YAML 1.1
  or the project's reader would take for something else (``yes``,
  ``2021-06-30``, ``8900``, full-width ``８９００``);
* text with line breaks as a literal block (``|-``), one line of the file per
  line of text, where the value sits in a block mapping; in a flow mapping
  (``{value: 1}``) or when a literal block cannot hold the text exactly
  (trailing spaces, several trailing line breaks), in double quotes with
  ``\\n``.

ruamel.yaml's emitter does the quoting and block indicators; every spelling
is then read back with the project's reader and compared before it is used.
"""

from __future__ import annotations

import datetime
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, SingleQuotedScalarString

from ..validate.messages import InputError
from .yamlio import parse_yaml_bytes

Value = str | int | Decimal | bool | datetime.date

_INDICATORS = "-?:,[]{}#&*!|>'\"%@`"
_FLOW_INDICATORS = ",[]{}"
_LINE_SEPARATORS = "\x85\u2028\u2029\ufeff"  # YAML 1.1 reads the first three as line breaks
_NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?", re.ASCII)
_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Spelling:
    """A value as text: ``inline`` follows ``key: `` on the key's line;
    ``body`` are the lines of a literal block below it, indented by one
    step relative to the key (to be shifted to the key's column)."""

    inline: str
    body: tuple[str, ...] = ()


def number_text(value: int | Decimal) -> str:
    """``8900``, ``94.6``: plain digits, as typed, never ``1E+3``."""
    if isinstance(value, int):
        return str(value)
    return format(value, "f")


def spell(value: Value, *, flow: bool, step: int = 2, quote: str | None = None) -> Spelling:
    """The spelling of ``value`` as the value of a mapping key.

    ``flow``: the key is inside ``{…}``, where no block may start.
    ``step``: the file's indentation step, for a literal block's lines.
    ``quote``: the quote character the old value used (``'`` or ``"``),
    kept when the new text needs quotes at all.
    """
    if isinstance(value, bool):
        return Spelling("true" if value else "false")  # not_surveyed: true
    if isinstance(value, (int, Decimal)):
        return Spelling(number_text(value))
    if type(value) is datetime.date:
        return Spelling(value.isoformat())  # 2022-07-29, read back as a date
    if not isinstance(value, str):
        raise TypeError(f"cannot write a {type(value).__name__} into the actuals file")
    candidates: list[object] = []
    if "\n" in value and not flow and _literal_fits(value):
        candidates.append(LiteralScalarString(value))
    elif _plain_is_safe(value, flow):
        candidates.append(value)
    elif quote == "'" and "\n" not in value:
        candidates.append(SingleQuotedScalarString(value))
    candidates.append(DoubleQuotedScalarString(value))
    for candidate in candidates:
        spelling = _emit(candidate, flow, step)
        if spelling is not None and reads_back(spelling, flow) == value:
            return spelling
    raise ValueError(f"cannot write the text {value!r} so that it reads back exactly")  # pragma: no cover


def spell_key(key: str, *, flow: bool) -> str:
    """A mapping key: plain when safe (IDs always are), else double-quoted."""
    spelling = spell(key, flow=flow)
    if spelling.body:  # pragma: no cover - keys never hold line breaks (Change refuses them)
        raise ValueError(f"a key with a line break: {key!r}")
    return spelling.inline


def reads_back(spelling: Spelling, flow: bool) -> object:
    """The value the project's reader reads from ``spelling`` (``None`` if unreadable)."""
    if flow:
        text = f"k: {{x: {spelling.inline}}}\n"
    else:
        text = "\n".join([f"k: {spelling.inline}", *spelling.body]) + "\n"
    try:
        doc = parse_yaml_bytes(text.encode("utf-8"), Path("<value>"))
    except InputError:
        return None
    if doc.problems or not isinstance(doc.data, dict):
        return None
    value = doc.data.get("k")
    return value.get("x") if flow and isinstance(value, dict) else value


def _plain_is_safe(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or text[0] in _INDICATORS:
        return False
    if any(ch in text for ch in ":#\n\t" + _LINE_SEPARATORS):
        return False
    if flow and any(ch in text for ch in _FLOW_INDICATORS):
        return False
    if _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) != _STR:
        return False  # yes, no, ~, 8900, 1e3, 2021-06-30 … (YAML 1.1, as the reader resolves)
    if _NUMBER.fullmatch(unicodedata.normalize("NFKC", text)):
        return False  # ８９００ unquoted is the number 8900 to the project's reader
    return True


def _literal_fits(text: str) -> bool:
    """Whether a literal block can hold ``text`` wherever it stands in the file.

    Two or more trailing line breaks would need ``|+``, which also keeps
    the blank lines that follow it in the file (a section's spacing) as
    part of the text.
    """
    return not text.endswith("\n\n") and not any(ch in text for ch in _LINE_SEPARATORS)


@functools.lru_cache(maxsize=8)
def _emitter(flow: bool, step: int) -> YAML:
    emitter = YAML(typ="rt")
    emitter.width = 1_000_000_000  # never fold a long Japanese line
    emitter.allow_unicode = True
    emitter.indent(mapping=step, sequence=step, offset=0)
    emitter.default_flow_style = True if flow else False
    return emitter


def _emit(value: object, flow: bool, step: int) -> Spelling | None:
    """ruamel.yaml's spelling of ``value`` as the value of the key ``k``."""
    out = io.StringIO()
    _emitter(flow, step).dump({"k": value}, out)
    lines = out.getvalue().split("\n")
    while lines and lines[-1] in ("", "..."):
        lines.pop()
    if flow:
        text = "\n".join(lines)
        if len(lines) != 1 or not text.startswith("{k: ") or not text.endswith("}"):
            return None
        return Spelling(text[4:-1])
    if not lines or not lines[0].startswith("k: "):
        return None
    inline = lines[0][3:]
    body = tuple(lines[1:])
    if body and not inline.startswith("|"):
        return None  # a quoted scalar folded over lines: not the file's style
    return Spelling(inline, body)
