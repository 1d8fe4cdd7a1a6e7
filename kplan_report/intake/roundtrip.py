"""Writing typed values into a hand-edited actuals file without rewriting it.

``source/actuals/<YEAR>.yaml`` is edited by hand by city staff and carries
their comments, their order and their layout; the Excel intake and the
Word review write values typed elsewhere into the same file.  Both go
through here, in two steps:

* :func:`plan_changes` reads the file and works out, for each
  :class:`Change`, whether it fills an empty value (``applied``), repeats
  the value already there (``unchanged``) or would replace a different one
  (``conflict``: written only with ``overwrite=True``).  It builds the new
  contents and checks them with the project's strict reader before
  anything is written, so a caller can show the plan (``--dry-run``) and
  stop on conflicts.
* :func:`write_changes` writes the planned contents atomically, and only if
  they differ from the file.

The file is edited as text, not regenerated: ruamel.yaml parses it into
nodes that know where each value starts and ends, and only those spans
change.  Every line that does not hold a changed value therefore stays
byte for byte as it was, whatever the file's indentation, quoting, comments,
line endings or byte order mark; a full round-trip dump (load, set, dump)
would not promise that (it re-indents lists, drops ``null`` spellings and
joins wrapped plain text).  New entries are written in the file's style: its
indentation step, keys one per line under their mapping (``{…}`` mappings
stay on their line), IDs in order among IDs, a trailing comment on a
filled-in line kept in its column.  How one value is spelled is
:mod:`.scalars`' business.
"""

from __future__ import annotations

import codecs
import copy
import datetime
import difflib
import hashlib
import os
import re
import stat
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Iterable

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..validate.messages import InputError, Problem
from .scalars import Spelling, Value, spell, spell_key
from .yamlio import MAX_TEXT_CHARS, Document, describe, display_path, parse_yaml_bytes, read_yaml

# What the reader refuses in a text (yamlio's rule), and lone surrogates, which UTF-8 cannot hold.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_ID_LIKE = re.compile(r"\d")


# ---------------------------------------------------------------- the API


@dataclass(frozen=True)
class Change:
    """Set the value at ``path`` (mapping keys from the top of the file) to ``value``.

    ``value`` is text, an ``int``, a finite ``Decimal``, a ``bool``
    (``not_surveyed: true``) or a ``datetime.date`` (``report_date``); a
    reason for ``not_measured`` is text like any other.
    ``None`` empties the field (``key:`` with nothing after it, as
    ``new-year`` writes it): a text deleted in the Word draft, a value
    replaced by a ``not_measured`` reason.  Line breaks are normalised to
    ``\\n`` as the reader does; text the reader would refuse (control
    characters, more than :data:`~kplan_report.intake.yamlio.MAX_TEXT_CHARS`
    characters) raises ``ValueError``: callers check typed input with the
    project's rules first and report it in their own terms.
    """

    path: tuple[str, ...]
    value: Value | None

    def __post_init__(self) -> None:
        path = tuple(self.path)
        if not path or not all(isinstance(key, str) and key and not _FORBIDDEN.search(key) and "\n" not in key for key in path):
            raise ValueError(f"a field path is a tuple of non-empty keys without control characters: {self.path!r}")
        object.__setattr__(self, "path", path)
        value = self.value
        if value is None:
            return
        if not (isinstance(value, (str, int, Decimal, bool)) or type(value) is datetime.date):
            raise TypeError(f"{_dotted(path)}: a value is text, an int, a Decimal, a truth value or a date, not {type(value).__name__}")
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(f"{_dotted(path)}: {value} is not a finite number")
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
            match = _FORBIDDEN.search(value)
            if match:
                raise ValueError(f"{_dotted(path)}: the control character U+{ord(match.group()):04X} cannot be written")
            if len(value) > MAX_TEXT_CHARS:
                raise ValueError(f"{_dotted(path)}: text of {len(value):,} characters (at most {MAX_TEXT_CHARS:,})")
            object.__setattr__(self, "value", value)


class Status(str, Enum):
    APPLIED = "applied"  # the file's value was empty or missing
    UNCHANGED = "unchanged"  # the file already holds this value
    CONFLICT = "conflict"  # the file holds a different, non-empty value


@dataclass(frozen=True)
class Outcome:
    """What planning found for one change."""

    change: Change
    status: Status
    old: Any  # the file's value as the reader reads it (int, float, str …); None when empty or missing
    written: bool  # whether write_changes writes it: applied, or a conflict with overwrite=True
    file: str  # the file as messages name it (relative to the current directory when below it)
    line: int  # the line of the file's value, or of its nearest existing parent when missing
    field: str  # the field as validation messages name it: indicators.G1.1.i3.measures.main.value

    def __str__(self) -> str:
        """One line: ``FILE:LINE: FIELD: conflict: the file has 'B' (text), the new value is 'A' (text); kept``."""
        new = describe(self.change.value)
        if self.status is Status.CONFLICT:
            what = f"conflict: the file has {describe(self.old)}, the new value is {new}; {'overwritten' if self.written else 'kept'}"
        elif self.status is Status.UNCHANGED:
            what = f"unchanged: {new}"
        else:
            what = f"filled in: {new}"
        return f"{self.file}:{self.line}: {self.field}: {what}"


@dataclass(frozen=True)
class ChangePlan:
    """The outcome of every change and the file's contents before and after."""

    path: Path
    display: str
    overwrite: bool
    outcomes: tuple[Outcome, ...]
    original: bytes
    updated: bytes

    @property
    def applied(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is Status.APPLIED]

    @property
    def unchanged(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is Status.UNCHANGED]

    @property
    def conflicts(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is Status.CONFLICT]

    @property
    def changed(self) -> bool:
        """Whether writing would change the file at all."""
        return self.updated != self.original

    def summary(self) -> str:
        kept = sum(1 for o in self.conflicts if not o.written)
        text = f"{len(self.applied)} filled in, {len(self.unchanged)} unchanged, {len(self.conflicts)} conflicts"
        if self.conflicts:
            text += f" ({kept} kept as in the file)" if kept else " (overwritten)"
        return text

    def diff(self) -> str:
        """The change to the file as a unified diff (for a dry run)."""
        before = _decode(self.original).splitlines(keepends=True)
        after = _decode(self.updated).splitlines(keepends=True)
        return "".join(difflib.unified_diff(before, after, self.display, self.display))


def plan_changes(path: Path, changes: Iterable[Change], overwrite: bool = False) -> ChangePlan:
    """Work out what writing ``changes`` into the actuals file ``path`` does; write nothing.

    Raises :class:`InputError` (one line per problem) when the file cannot
    be read by the project's reader, or when a change's path runs through a
    value that is not a mapping (``measures: 5``) or ends at a list or
    mapping; ``ValueError`` when two changes are for the same field or one
    is inside the other.
    """
    path = Path(path)
    changes = list(changes)
    _check_paths(changes)
    doc = read_yaml(path)
    data = path.read_bytes()
    if doc.problems or _sha256(data) != doc.sha256:
        doc = parse_yaml_bytes(data, path)  # the file changed between the two reads: use what we hold
        if doc.problems:
            raise InputError(doc.problems)
    editor = _Editor(data, doc)
    outcomes = tuple(editor.plan(change, overwrite) for change in changes)
    if editor.problems:
        raise InputError(editor.problems)
    updated = editor.result() if any(o.written for o in outcomes) else data
    if updated != data:
        _check_result(updated, doc, [o for o in outcomes if o.written])
    return ChangePlan(path, doc.display, overwrite, outcomes, data, updated)


def write_changes(path: Path, plan: ChangePlan) -> bool:
    """Write ``plan`` into ``path`` atomically; return whether the file was written.

    Nothing is written when the plan changes nothing (the file keeps its
    bytes and its modification time).  The new contents go to a temporary
    file in the same folder, are flushed to disk, and replace the file in
    one rename, with the file's permissions; if anything fails the file is
    as it was and the temporary file is removed.  A file that changed since
    it was planned (someone saved it meanwhile) is not overwritten.
    """
    path = Path(path)
    target = Path(os.path.realpath(path))
    if target != Path(os.path.realpath(plan.path)):
        raise ValueError(f"the plan is for {plan.path}, not {path}")
    if not plan.changed:
        return False
    display = display_path(path)
    try:
        current = target.read_bytes()
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError as error:
        raise InputError([Problem(display, 1, "", f"a file that cannot be read ({error.strerror})", "a readable file（ファイルを読み込めません）")]) from None
    if current != plan.original:
        raise InputError([Problem(
            display, 1, "", "a file that changed after it was read",
            "the file as it was read; run the command again（読み込んだ後にファイルが変更されました。もう一度実行してください）",
        )])
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(plan.updated)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException as error:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        if isinstance(error, OSError):
            raise InputError([Problem(
                display, 1, "", f"a file that cannot be written ({error.strerror or error})",
                "a writable file and folder; the file is unchanged（ファイルを書き込めません。ファイルは変更されていません）",
            )]) from None
        raise
    _fsync_folder(target.parent)
    return True


# ---------------------------------------------------------------- planning


@dataclass
class _Edit:
    start: int
    end: int
    text: str
    rank: int = 0  # among insertions at one place, lower first: the deeper mapping's new keys come first


def _merged(edits: list[_Edit]) -> list[_Edit]:
    """The edits from the end of the text backwards, insertions at one place joined in rank order."""
    joined: dict[tuple[int, int], list[_Edit]] = {}
    for edit in edits:
        joined.setdefault((edit.start, edit.end), []).append(edit)
    result = []
    for (start, end), group in joined.items():
        if len(group) > 1 and start != end:  # pragma: no cover - _check_paths makes each value's edit unique
            raise AssertionError("two edits of the same value")
        group.sort(key=lambda e: e.rank)
        result.append(_Edit(start, end, "".join(e.text for e in group)))
    result.sort(key=lambda e: (e.start, e.end), reverse=True)
    for later, earlier in zip(result, result[1:]):
        if earlier.end > later.start:  # pragma: no cover - a bug, not an input
            raise AssertionError(f"overlapping edits at {earlier.start}-{earlier.end} and {later.start}-{later.end}")
    return result


@dataclass
class _Leaf:
    value: Value


@dataclass
class _Insertion:
    """New keys below one existing node: a mapping, or an empty value that becomes one."""

    node: Node  # the mapping, or the empty scalar
    key: ScalarNode | None  # the empty scalar's key
    parent: MappingNode | None  # the mapping holding that key
    tree: dict[str, Any] = field(default_factory=dict)  # key -> _Leaf | dict


class _Editor:
    def __init__(self, data: bytes, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self.bom = data.startswith(codecs.BOM_UTF8)
        text = _decode(data)
        self.newline = "\n"
        if "\r" in text:
            if text.count("\r\n") == text.count("\r") == text.count("\n"):
                self.newline = "\r\n"
                text = text.replace("\r\n", "\n")
            else:
                raise InputError([Problem(
                    doc.display, 1, "", "lines ending in different ways (CR LF, LF, CR)",
                    "one kind of line ending throughout the file（改行コードを統一して保存してください）",
                )])
        self.text = text
        try:
            self.root = YAML(typ="rt").compose(text)
        except RuamelError as error:  # pragma: no cover - the project's reader accepted the file
            raise InputError([Problem(doc.display, 1, "", f"YAML the editor cannot follow ({error})", "plain YAML（YAMLの書式を確認してください）")]) from None
        if not isinstance(self.root, MappingNode):
            raise InputError([doc.problem((), f"{describe(doc.data)} at the top of the file", "key: value pairs（項目名: 値 の形で書いてください）")])
        self.step = _indent_step(self.root)
        self.edits: list[_Edit] = []
        self.insertions: dict[int, _Insertion] = {}

    # -- one change

    def plan(self, change: Change, overwrite: bool) -> Outcome:
        doc, path = self.doc, change.path
        node: Node = self.root
        value: Any = doc.data
        parent: MappingNode | None = None
        key_node: ScalarNode | None = None
        for depth, key in enumerate(path):
            here = path[:depth]
            if _is_empty(value) and isinstance(node, ScalarNode) and parent is not None:
                if change.value is None:
                    return self._outcome(change, Status.UNCHANGED, None, False)  # empty already
                return self._insert(change, depth, _Insertion(node, key_node, parent))
            if not isinstance(node, MappingNode):
                self.problems.append(doc.problem(here, describe(value), f"key: value pairs holding {key}（{key} を含む 項目名: 値 の形が必要です）"))
                return self._outcome(change, Status.APPLIED, None, False)
            hit = _lookup(node, key)
            if hit is None:
                if change.value is None:
                    return self._outcome(change, Status.UNCHANGED, None, False)  # missing is empty
                insertion = self.insertions.get(id(node)) or _Insertion(node, None, None)
                return self._insert(change, depth, insertion)
            parent, (key_node, node) = node, hit
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, (dict, list)) and value:
            self.problems.append(doc.problem(path, describe(value), "a single value（値を1つだけ書いてください）"))
            return self._outcome(change, Status.APPLIED, None, False)
        if _is_empty(value):
            status = Status.UNCHANGED if change.value is None else Status.APPLIED
        elif _same(value, change.value):
            status = Status.UNCHANGED
        else:
            status = Status.CONFLICT
        written = status is Status.APPLIED or (status is Status.CONFLICT and overwrite)
        if written:
            self.edits.append(self._replace(node, key_node, parent, change.value))
        return self._outcome(change, status, None if _is_empty(value) else value, written)

    def _outcome(self, change: Change, status: Status, old: Any, written: bool) -> Outcome:
        return Outcome(change, status, old, written, self.doc.display, self.doc.line_of(change.path), _dotted(change.path))

    def _insert(self, change: Change, depth: int, insertion: _Insertion) -> Outcome:
        self.insertions.setdefault(id(insertion.node), insertion)
        tree = self.insertions[id(insertion.node)].tree
        for key in change.path[depth:-1]:
            tree = tree.setdefault(key, {})
        tree[change.path[-1]] = _Leaf(change.value)
        return self._outcome(change, Status.APPLIED, None, True)

    # -- a value that is there

    def _replace(self, node: Node, key: ScalarNode, parent: MappingNode, value: Value | None) -> _Edit:
        text = self.text
        flow = bool(parent.flow_style)
        old_quote = node.style if isinstance(node, ScalarNode) and node.style in ("'", '"') else None
        spelling = Spelling("") if value is None else spell(value, flow=flow, step=self.step, quote=old_quote)
        after_colon = self._after_colon(key)
        if _is_blank_node(node):
            start = end = after_colon
        else:
            start, end = node.start_mark.index, _end(node, text)
            if value is None and not flow:
                start = after_colon  # `key:` and its comment, no space left behind
        if flow:
            if start == end:  # `{b: }`
                return self._fill_flow_blank(after_colon, spelling.inline)
            return _Edit(start, end, spelling.inline)
        lead = " " if start == end and spelling.inline else ""
        line_end = _eol(text, end)
        rest = text[end:line_end]
        old_end_column = _width(text[_line_start(text, end):end])
        new_end_column = _width(text[_line_start(text, start):start] + lead + spelling.inline)
        if getattr(node, "style", None) in ("|", ">"):  # the old block's header may carry a comment
            header = text[start:_eol(text, start)]
            match = re.search(r"\s#.*$", header)
            rest = header[match.start():] if match else ""
            old_end_column = _width(text[_line_start(text, start):start] + header[: match.start() if match else len(header)])
        new = lead + spelling.inline + _keep_comment_column(rest, old_end_column, new_end_column, aligned=start == end)
        if spelling.body:
            indent = " " * key.start_mark.column
            new += "\n" + "\n".join(indent + line if line else "" for line in spelling.body)
        return _Edit(start, line_end, new)

    def _fill_flow_blank(self, after_colon: int, inline: str) -> _Edit:
        """``{b: }`` -> ``{b: 1}``: the value after the space that is there, or after one it needs."""
        at = after_colon
        while at < len(self.text) and self.text[at] == " ":
            at += 1
        return _Edit(at, at, ("" if self.text[at - 1] == " " else " ") + inline)

    def _after_colon(self, key: ScalarNode) -> int:
        text, index = self.text, key.end_mark.index
        while index < len(text) and text[index] == " ":
            index += 1
        return index + 1 if index < len(text) and text[index] == ":" else key.end_mark.index

    # -- new keys

    def result(self) -> bytes:
        for insertion in self.insertions.values():
            self.edits.extend(self._insertion_edits(insertion))
        text = self.text
        for edit in _merged(self.edits):
            text = text[: edit.start] + edit.text + text[edit.end :]
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return (codecs.BOM_UTF8 if self.bom else b"") + text.encode("utf-8")

    def _insertion_edits(self, insertion: _Insertion) -> list[_Edit]:
        text, node = self.text, insertion.node
        if isinstance(node, ScalarNode):  # an empty value becomes a mapping
            key, parent = insertion.key, insertion.parent
            if parent.flow_style:
                inline = self._flow_mapping(insertion.tree)
                if _is_blank_node(node):
                    return [self._fill_flow_blank(self._after_colon(key), inline)]
                return [_Edit(node.start_mark.index, node.end_mark.index, inline)]
            start = self._after_colon(key)
            end = start if _is_blank_node(node) else node.end_mark.index
            line_end = _eol(text, max(start, end))
            rest = text[start: node.start_mark.index if end > start else start] + text[end:line_end]
            if not rest.strip():
                rest = ""
            lines = self._block_lines(insertion.tree, key.start_mark.column + self.step)
            return [_Edit(start, line_end, rest + "\n" + "\n".join(lines))]
        if node.flow_style:
            close = node.end_mark.index - 1
            at = close
            while at > 0 and text[at - 1] in " \n":
                at -= 1
            inner = self._flow_mapping(insertion.tree)[1:-1]
            if text[at - 1] == "{":
                return [_Edit(at, at, inner)]
            return [_Edit(at, at, (" " if text[at - 1] == "," else ", ") + inner)]
        # a block mapping: each new key after the last existing one, or among IDs in order
        entries = [(k, v) for k, v in node.value if isinstance(k, ScalarNode)]
        column = entries[0][0].start_mark.column
        keys = [k.value for k, _ in entries]
        in_order = len(keys) >= 2 and all(_ID_LIKE.search(k) for k in keys) and keys == sorted(keys, key=_natural)
        mappings = [v for _, v in entries if isinstance(v, MappingNode)]
        flow_siblings = bool(mappings) and all(v.flow_style for v in mappings)  # p001: {results: …, grade: A}
        before: dict[int, list[str]] = {}
        after: list[str] = []
        for key in (sorted(insertion.tree, key=_natural) if in_order else insertion.tree):
            follower = None
            if in_order and _ID_LIKE.search(key):
                follower = next((i for i, existing in enumerate(keys) if _natural(existing) > _natural(key)), None)
            lines = self._block_lines({key: insertion.tree[key]}, column, flow_entries=flow_siblings)
            if follower is None:
                after.extend(lines)
            else:
                before.setdefault(follower, []).extend(lines)
        edits = []
        for index, lines in before.items():
            at = _attached_start(text, entries[index][0])
            edits.append(_Edit(at, at, "\n".join(lines) + "\n"))
        if after:
            at = _eol(text, _content_end(node, text))
            edits.append(_Edit(at, at, "\n" + "\n".join(after), rank=-column))
        return edits

    def _block_lines(self, tree: dict[str, Any], column: int, flow_entries: bool = False) -> list[str]:
        """``key: value`` lines at ``column``; ``flow_entries``: a new mapping on its key's line, as its siblings are."""
        lines = []
        indent = " " * column
        for key, item in tree.items():
            name = spell_key(key, flow=False)
            if flow_entries and not isinstance(item, _Leaf):
                lines.append(f"{indent}{name}: {self._flow_mapping(item)}")
            elif isinstance(item, _Leaf):
                spelling = spell(item.value, flow=False, step=self.step)
                lines.append(f"{indent}{name}: {spelling.inline}")
                lines.extend(indent + line if line else "" for line in spelling.body)
            else:
                lines.append(f"{indent}{name}:")
                lines.extend(self._block_lines(item, column + self.step))
        return lines

    def _flow_mapping(self, tree: dict[str, Any]) -> str:
        parts = []
        for key, item in tree.items():
            value = spell(item.value, flow=True).inline if isinstance(item, _Leaf) else self._flow_mapping(item)
            parts.append(f"{spell_key(key, flow=True)}: {value}")
        return "{" + ", ".join(parts) + "}"


# ---------------------------------------------------------------- checking the result


def _check_result(updated: bytes, doc: Document, written: list[Outcome]) -> None:
    """Read the new contents as the loader will; they must hold the old values plus the changes."""
    expected = copy.deepcopy(doc.data)
    for outcome in written:
        target = expected
        for key in outcome.change.path[:-1]:
            if not isinstance(target.get(key), dict):
                target[key] = {}
            target = target[key]
        target[outcome.change.path[-1]] = outcome.change.value
    try:
        new = parse_yaml_bytes(updated, doc.path)
        problems = new.problems
    except InputError as error:
        new, problems = None, error.problems
    if problems or new is None or not _equal(new.data, expected):
        first = written[0]
        raise InputError([Problem(
            doc.display, first.line, first.field,
            f"changes that would not read back as written ({problems[0] if problems else 'values differ'})",
            "a file the round-trip writer can edit; enter these values by hand（このファイルには自動で書き込めません。手で入力してください）",
        )])


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if _is_number(a) and _is_number(b):
        return Decimal(str(a)) == Decimal(str(b))
    return type(a) is type(b) and a == b


# ---------------------------------------------------------------- small helpers


def _check_paths(changes: list[Change]) -> None:
    paths = sorted(c.path for c in changes)
    for first, second in zip(paths, paths[1:]):
        if second[: len(first)] == first:
            what = "twice" if first == second else f"and inside it {_dotted(second)}"
            raise ValueError(f"changes for {_dotted(first)} {what}")


def _is_empty(value: Any) -> bool:
    """Empty as the loader counts it: missing, ``~``, nothing, blank text (or a collection of those)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict):
        return all(_is_empty(v) for v in value.values())
    if isinstance(value, list):
        return all(_is_empty(v) for v in value)
    return False


def _same(old: Any, new: Value) -> bool:
    if _is_number(old) and _is_number(new):
        return Decimal(str(old)) == Decimal(str(new))
    return type(old) is type(new) and old == new  # text, or a date


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _is_blank_node(node: Node) -> bool:
    """A value written as nothing at all (``key:``): its marks are not where the value would go."""
    return isinstance(node, ScalarNode) and node.value == "" and node.style is None


def _lookup(mapping: MappingNode, key: str) -> tuple[ScalarNode, Node] | None:
    for key_node, value_node in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _end(node: Node, text: str) -> int:
    """Where a value ends, not counting the blank lines a block scalar swallows."""
    end = node.end_mark.index
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        while end > node.start_mark.index and text[end - 1] in " \n":
            end -= 1
    return end


def _content_end(node: Node, text: str) -> int:
    """The end of the last character that belongs to ``node`` (block mappings end at the next key)."""
    if isinstance(node, ScalarNode):
        return -1 if _is_blank_node(node) else _end(node, text)
    if getattr(node, "flow_style", False):
        return node.end_mark.index
    end = node.start_mark.index
    if isinstance(node, MappingNode):
        for key, value in node.value:
            end = max(end, key.end_mark.index, _content_end(value, text))
    elif isinstance(node, SequenceNode):
        for item in node.value:
            end = max(end, _content_end(item, text))
    return end


def _attached_start(text: str, key: ScalarNode) -> int:
    """The start of ``key``'s line, or of the comment lines just above it at its column (they name it)."""
    start = _line_start(text, key.start_mark.index)
    column = key.start_mark.column
    while start > 0:
        previous = _line_start(text, start - 1)
        line = text[previous : start - 1]
        if line.lstrip(" ").startswith("#") and len(line) - len(line.lstrip(" ")) == column:
            start = previous
        else:
            break
    return start


def _keep_comment_column(rest: str, old_end: int, new_end: int, aligned: bool) -> str:
    """The rest of a changed line, with its trailing comment.

    A comment set in a column (``value:               # 単位: 人`` as
    ``new-year`` writes it, or after a wide gap) stays in that column where
    the new value leaves room; a comment written just after the value
    (``…を深めた。  # 市民``) keeps its distance from the value.
    """
    match = re.fullmatch(r"( *)(#.*)", rest)
    if match:
        gap = len(match.group(1))
        if aligned or gap >= 3:
            gap = max(1, old_end + gap - new_end)
        return " " * gap + match.group(2)
    return "" if not rest.strip() else rest


def _indent_step(root: MappingNode) -> int:
    """The file's indentation step: how far a nested mapping's keys sit right of their parent key."""
    steps: Counter[int] = Counter()
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(value, MappingNode) and not value.flow_style and value.value:
                    step = value.value[0][0].start_mark.column - key.start_mark.column
                    if step > 0:
                        steps[step] += 1
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return steps.most_common(1)[0][0] if steps else 2


def _width(text: str) -> int:
    """Columns on screen: full-width characters (漢字, ，) take two, as editors show them."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _natural(key: str) -> tuple:
    """``G1.1.i2`` before ``G1.1.i10``; ``p009`` before ``p010``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key))


def _eol(text: str, index: int) -> int:
    end = text.find("\n", max(index, 0))
    return len(text) if end < 0 else end


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _dotted(path: tuple) -> str:
    return ".".join(str(part) for part in path)


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return data.decode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); not every system can open a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
