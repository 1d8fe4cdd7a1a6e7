"""Reading one hand-edited YAML file into plain Python values, defensively.

The files in ``source/`` are edited by city staff in whatever editor is at
hand, so this module assumes the worst and turns each way a file can be
wrong into a :class:`~kplan_report.errors.Problem` with a line number:

* Size: a file over :data:`MAX_FILE_BYTES` is refused before it is read, a
  text value over :data:`MAX_TEXT_CHARS` characters is refused, and so are
  texts adding up to more than :data:`MAX_FILE_TEXT_CHARS` characters in one
  file, a file with more than :data:`MAX_EVENTS` YAML nodes or nesting deeper
  than :data:`MAX_DEPTH`.  The real files are far smaller: the whole plan is
  about 100 KB and 6,000 values.
* Encoding: UTF-8, with or without a byte order mark.  Anything else is
  refused; when the bytes decode as cp932 the message says the file looks
  like Shift_JIS, which is what Japanese Windows editors often save.
* Line endings: CRLF and CR are accepted and read as LF.
* Control characters other than line break and tab are refused with their
  position, whether typed into the file or written as an escape in a quoted
  string.  Markup (``<b>``, ``&``) is ordinary text here; the renderers
  print it literally.
* Tabs: YAML does not allow tabs for indentation; PyYAML's own message for
  them is cryptic, so a syntax error in a file with tab-indented lines is
  reported as one clear message per such line.
* Anchors and aliases (``&name``, ``*name``, ``<<: *name``) are refused
  outright.  Nobody needs them to write a plan, and refusing them is the
  simplest complete defence against alias bombs ("billion laughs"): the
  first alias ends the read, before anything is expanded.
* Duplicate keys are refused (PyYAML would silently keep the last one).
* ``.nan`` and ``.inf`` are refused: no figure of the plan is infinite.
* Full-width digits: an *unquoted* value that is a number written with
  full-width digits (``１２３``, ``５４．９``, ``－１``) is read as that
  number, exactly as if it had been typed with half-width digits.  Staff
  typing with a Japanese input method produce these all the time, the
  meaning is unambiguous, and the rule stays the same as for half-width
  digits: unquoted digits are a number, quoted digits are text.  Numbers
  with thousands separators (``8,400``) are *not* accepted; the validator
  says to remove the commas.
* YAML 1.1 oddities are switched off for unquoted values: ``010`` is ten
  (not octal 8) and ``10:30`` is text (not the base-60 number 630).
* Mapping keys are always text, taken exactly as written: ``2020:`` is the
  key ``"2020"`` and ``no:`` is the key ``"no"`` (YAML 1.1 would make them
  an integer and ``False``).  Every key in these files is a name or an ID.
* Explicit tags other than the basic ones (``!!str``, ``!!int`` …) are
  refused, so no tag can construct an arbitrary object.

The file is read from the YAML event stream (libyaml when available), and
the values are built here, iteratively.  That gives one place to record,
for every value, the line it is on: :class:`Document` keeps that map so
that a later validation error at ``("indicators", "G1.1.i3", "measures")``
can still be reported as ``source/actuals/2021.yaml:14``.
"""

from __future__ import annotations

import codecs
import datetime
import hashlib
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..validate.messages import InputError, Problem, visible

MAX_FILE_BYTES = 5_000_000
MAX_TEXT_CHARS = 10_000
#: All the text values of one file together.  Every text is printed, so this bounds
#: the report: the real plan holds 41,000 characters, the sample years 8,000–20,000,
#: the benchmark's plan five times the size 205,000; a year's file of 187,000
#: characters made a PDF of 256 pages, built in 81 s (54 s CPU) on the developers'
#: 2-core machine, while a 4.9 MB file of texts ran for 7 minutes and failed.
MAX_FILE_TEXT_CHARS = 250_000
MAX_EVENTS = 100_000
MAX_DEPTH = 40
MAX_REPORTED_PER_KIND = 10

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_COLLECTION_TAGS = {_TAG + "map", _TAG + "seq"}

# C0 controls except tab and line feed (CR is normalised away first), DEL,
# C1 controls, and the two non-characters editors sometimes leave behind.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_FULL_WIDTH_NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?", re.ASCII)
_FULL_WIDTH = re.compile("[０-９－＋．]")

TAB_EXPECTED = "spaces — tabs are not allowed for indentation; use spaces（インデントにタブは使えません）"
Location = tuple  # where a value is in a document: mapping keys (str) and list indices (int)


def display_path(path: Path) -> str:
    """The path as the user should see it: relative to the current directory when below it."""
    path = Path(path)
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass
class Document:
    """A YAML file read into Python values, with where each value came from.

    ``problems`` are the problems found while reading that did not prevent
    reading the rest (a duplicate key, a ``.nan``, an over-long text …);
    ``flagged`` are the paths of the values concerned, so that validation
    does not report the same value a second time.
    """

    path: Path
    display: str
    sha256: str
    data: Any = None
    lines: dict[Location, int] = field(default_factory=dict)
    raw: dict[Location, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    flagged: set[Location] = field(default_factory=set)

    def line_of(self, path: Location) -> int:
        """Line of the value at ``path``, or of its nearest parent that exists."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def is_flagged(self, path: Location) -> bool:
        path = tuple(path)
        return any(path[:i] in self.flagged for i in range(len(path) + 1))

    def field_name(self, path: Location) -> str:
        """``goals[G1].objectives[G1.2].title``: keys joined by dots, list items by id or number."""
        text = ""
        node = self.data
        for part in path:
            if isinstance(part, int):
                label = str(part + 1)
                if isinstance(node, list) and 0 <= part < len(node):
                    item = node[part]
                    if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
                        label = item["id"]
                    node = item
                else:
                    node = None
                text += f"[{label}]"
            else:
                text += f".{part}" if text else str(part)
                node = node.get(part) if isinstance(node, dict) else None
        return text

    def problem(self, path: Location, found: str, expected: str, line: int | None = None) -> Problem:
        """A problem about the value at ``path`` of this file (on ``line`` if given:
        while reading, a key's line is known before its value's is recorded)."""
        return Problem(self.display, self.line_of(path) if line is None else line,
                       self.field_name(path), found, expected)


def describe(value: Any, raw: str | None = None) -> str:
    """What the user wrote, in words: ``'abc' (text)``, ``12 (a number)``, ``a list``."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"{raw or str(value).lower()} (yes/no)"
    if isinstance(value, (int, float)) or type(value).__name__ == "Decimal":
        return f"{raw or value} (a number)"
    if isinstance(value, datetime.datetime):
        return f"{raw or value} (a date and time)"
    if isinstance(value, datetime.date):
        return f"{raw or value} (a date)"
    if isinstance(value, str):
        return f"{quote(value)} (text)"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "key: value pairs"
    return type(value).__name__


def quote(text: str, limit: int = 40) -> str:
    """``'text'``, shortened to ``limit`` characters, with line breaks shown as ⏎ and
    invisible or look-alike characters by their code point (``'p00<U+200B>1'``)."""
    short = text if len(text) <= limit else text[:limit] + "…"
    return "'" + visible(short.replace("\n", "⏎").replace("\t", "→")) + "'"


# ---------------------------------------------------------------- reading


def read_yaml(path: Path) -> Document:
    """Read ``path``; raise :class:`InputError` if it cannot be read at all.

    Problems that leave the rest of the file readable are returned in
    ``Document.problems`` instead, so that the caller can report them
    together with the validation errors of the same file.
    """
    path = Path(path)
    display = display_path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError([Problem(display, 1, "", "no such file", "this file to exist（ファイルがありません）")])
    if size > MAX_FILE_BYTES:
        raise InputError(
            [
                Problem(
                    display,
                    1,
                    "",
                    f"a file of {size:,} bytes",
                    f"at most {MAX_FILE_BYTES:,} bytes（ファイルが大きすぎます）",
                )
            ]
        )
    try:
        data = path.read_bytes()
    except OSError as error:  # a folder named like the file, no permission …
        raise InputError(
            [Problem(display, 1, "", f"a file that cannot be read ({error.strerror})", "a readable file（ファイルを読み込めません）")]
        ) from None
    return parse_yaml_bytes(data, path)


def parse_yaml_bytes(data: bytes, path: Path) -> Document:
    """Read the contents ``data`` of the file ``path`` exactly as :func:`read_yaml` reads it.

    The round-trip writer checks the bytes it is about to write with this,
    so that what it writes is what the loader will read, before anything is
    written.
    """
    path = Path(path)
    display = display_path(path)
    doc = Document(path=path, display=display, sha256=hashlib.sha256(data).hexdigest())
    text = _decode(data, display)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _check_control_characters(text, display)
    _Builder(doc, text).run()
    return doc


def _decode(data: bytes, display: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            found = "text encoded as UTF-16"
        elif _decodes(data, "cp932"):
            found = "text that looks like Shift_JIS (cp932)"
        else:
            found = f"a byte that is not UTF-8 (0x{data[error.start]:02X})"
        raise InputError(
            [Problem(display, line, "", found, "UTF-8; save the file as UTF-8（文字コードをUTF-8にして保存してください）")]
        ) from None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


# Characters that are refused anywhere in a file although they are not control
# characters, and why: each misleads the person reading the file or the report.
_MISLEADING = re.compile("[\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")


def _forbidden(char: str, column: int) -> tuple[str, str]:
    """What the refused character ``char`` at ``column`` is, and what to do, in words."""
    code = f"U+{ord(char):04X}"
    if char in "\u2028\u2029":
        name = "line separator" if char == "\u2028" else "paragraph separator"
        return (f"the invisible {name} {code} at column {column}, which some programs count as a line break and others do not",
                "an ordinary line break, or nothing（見えない区切り文字 " + code + " を削除するか、通常の改行にしてください）")
    if char == "\ufeff":
        return (f"a byte order mark {code} at column {column} inside the file (invisible; often left by joining two files)",
                "nothing there: a BOM may only start the file（ファイル途中の BOM（" + code + "）を削除してください）")
    if _MISLEADING.match(char):
        name = unicodedata.name(char).lower()
        return (f"the bidirectional control character {code} ({name}) at column {column}, which reorders the printed text",
                "text without direction controls（文字の並びを入れ替える制御文字 " + code + " は使えません）")
    return (f"the control character {code} at column {column}",
            "text without control characters; only line breaks and tabs are allowed（改行・タブ以外の制御文字は使えません）")


def _check_control_characters(text: str, display: str) -> None:
    """Refuse control and misleading characters anywhere in the file, each at its line and column.

    This runs before YAML reads the file, and counts lines by line feeds only,
    as editors do: the line and paragraph separators, which YAML would count
    as line breaks, are among the refused characters, so every later line
    number YAML gives is the one an editor shows.
    """
    problems = []
    matches = [m for pattern in (_CONTROL, _MISLEADING) for m in pattern.finditer(text)]
    matches.sort(key=lambda m: m.start())
    for match in matches[:MAX_REPORTED_PER_KIND]:
        line, column = _line_column(text, match.start())
        problems.append(Problem(display, line, "", *_forbidden(match.group(), column)))
    if len(matches) > MAX_REPORTED_PER_KIND:
        line, _ = _line_column(text, matches[MAX_REPORTED_PER_KIND].start())
        more = len(matches) - MAX_REPORTED_PER_KIND
        problems.append(
            Problem(display, line, "", f"{more} more control characters from here on", "none（制御文字を削除してください）")
        )
    if problems:
        raise InputError(problems)


def _line_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


class _Frame:
    __slots__ = ("value", "path", "key", "detached", "first_lines")

    def __init__(self, value: Any, path: Location, detached: bool) -> None:
        self.value = value
        self.path = path
        self.key: str | None = None  # mappings: the key whose value comes next
        self.detached = detached  # inside the value of a duplicate key: keep no record
        self.first_lines: dict[str, int] = {}


class _Fatal(Exception):
    """Reading cannot continue; the problem is already recorded."""


class _Builder:
    """Builds Python values from the YAML event stream, recording lines as it goes."""

    def __init__(self, doc: Document, text: str) -> None:
        self.doc = doc
        self.text = text
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.constructor.SafeConstructor()
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.documents = 0
        self.text_chars = 0  # of the text values read so far, for MAX_FILE_TEXT_CHARS

    def fail(self, line: int, found: str, expected: str) -> None:
        self.doc.problems.append(Problem(self.doc.display, line, "", found, expected))
        raise _Fatal

    def run(self) -> None:
        try:
            self._read_events()
        except _Fatal:
            raise InputError(self.doc.problems) from None
        except yaml.MarkedYAMLError as error:
            raise InputError(self._syntax_problems(error)) from None
        except yaml.YAMLError as error:  # a ReaderError: no mark, only a position
            position = getattr(error, "position", 0) or 0
            line, _ = _line_column(self.text, min(position, len(self.text)))
            raise InputError(
                [Problem(self.doc.display, line, "", f"unreadable text ({error})", "valid YAML（YAMLの書式に誤りがあります）")]
            ) from None
        self.doc.data = self.root

    def _read_events(self) -> None:
        count = 0
        for event in yaml.parse(self.text, Loader=_YAML_LOADER):
            count += 1
            if count > MAX_EVENTS:
                self.fail(event.start_mark.line + 1, f"more than {MAX_EVENTS:,} values", "a smaller file（ファイルが大きすぎます）")
            line = event.start_mark.line + 1
            if isinstance(event, yaml.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    self.fail(line, "a second YAML document (a line '---')", "one document per file（1ファイルに1つの文書だけにしてください）")
                continue
            if isinstance(event, yaml.AliasEvent):
                self.fail(
                    line,
                    f"the alias *{event.anchor}",
                    "every value written out; YAML aliases are not allowed（エイリアス（*）は使えません）",
                )
            if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)) and event.anchor is not None:
                self.fail(
                    line,
                    f"the anchor &{event.anchor}",
                    "every value written out; YAML anchors are not allowed（アンカー（&）は使えません）",
                )
            if isinstance(event, yaml.ScalarEvent):
                self._scalar(event, line)
            elif isinstance(event, yaml.MappingStartEvent):
                self._start(event, line, {})
            elif isinstance(event, yaml.SequenceStartEvent):
                self._start(event, line, [])
            elif isinstance(event, yaml.CollectionEndEvent):
                self.stack.pop()

    # -- placing values

    def _place(self, value: Any, line: int, raw: str | None) -> tuple[Location, bool]:
        """Attach ``value`` where the stream says it goes; return its path and whether it is detached."""
        if not self.stack:
            self.root = value
            self.doc.lines[()] = line
            return (), False
        top = self.stack[-1]
        if isinstance(top.value, list):
            path = top.path + (len(top.value),)
            top.value.append(value)
            if not top.detached:
                self.doc.lines[path] = line
                if raw is not None:
                    self.doc.raw[path] = raw
            return path, top.detached
        if top.key is None:
            raise AssertionError("a mapping key is placed by _key")  # pragma: no cover
        key, top.key = top.key, None
        path = top.path + (key,)
        detached = top.detached or key in top.value
        if not detached:
            top.value[key] = value
            if raw is not None:
                self.doc.raw[path] = raw
        return path, detached

    def _expecting_key(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1].value, dict) and self.stack[-1].key is None

    def _key(self, event: yaml.ScalarEvent, line: int) -> None:
        top = self.stack[-1]
        key = event.value
        top.key = key
        if top.detached:
            return
        path = top.path + (key,)
        if key in top.first_lines:
            # The value that follows is read, to keep the stream in step, but not kept.
            self.doc.problems.append(self.doc.problem(
                path,
                f"the key '{key}' a second time (first on line {top.first_lines[key]})",
                "each key once（同じ項目名が2回書かれています。1つにまとめてください）",
                line=line,
            ))
            return
        top.first_lines[key] = line
        self.doc.lines[path] = line
        self._check_text(key, path, line)

    def _start(self, event: yaml.CollectionStartEvent, line: int, container: Any) -> None:
        if self._expecting_key():
            self.fail(line, "a list or mapping used as a key", "a plain key such as 'name:'（項目名が正しくありません）")
        tag = event.tag
        if tag is not None and tag != "!" and tag not in _COLLECTION_TAGS:
            self.fail(line, f"the YAML tag {_short_tag(tag)}", "no tag（タグ（!）は使えません）")
        if len(self.stack) >= MAX_DEPTH:
            self.fail(line, f"values nested more than {MAX_DEPTH} levels deep", "a flatter structure（入れ子が深すぎます）")
        path, detached = self._place(container, line, None)
        self.stack.append(_Frame(container, path, detached))

    def _scalar(self, event: yaml.ScalarEvent, line: int) -> None:
        if self._expecting_key():
            self._key(event, line)
            return
        value, problem = self._construct(event)
        path, detached = self._place(value, line, event.value)
        if detached:
            return
        if problem:
            self.doc.problems.append(self.doc.problem(path, *problem))
            self.doc.flagged.add(path)
        elif isinstance(value, str):
            self._check_text(value, path, line)
            self._count_text(value, path, line)

    def _construct(self, event: yaml.ScalarEvent) -> tuple[Any, tuple[str, str] | None]:
        """The Python value of a scalar, or its text and why it is refused."""
        text = event.value
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolver.resolve(yaml.ScalarNode, text, event.implicit)
            if tag == _TAG + "str" and event.implicit[0] and _FULL_WIDTH.search(text):
                normal = unicodedata.normalize("NFKC", text)
                if _FULL_WIDTH_NUMBER.fullmatch(normal):
                    tag, text = (_TAG + "float" if "." in normal else _TAG + "int"), normal
            if tag in (_TAG + "int", _TAG + "float") and ":" in text:
                tag = _TAG + "str"  # 10:30 is text, not YAML 1.1's base-60 number 630
            elif tag == _TAG + "int" and re.fullmatch(r"[-+]?0[0-9_]+", text):
                return int(text.replace("_", ""), 10), None  # 010 is ten, not YAML 1.1's octal 8
        elif tag not in _SCALAR_TAGS:
            return event.value, (f"the YAML tag {_short_tag(tag)}", "no tag（タグ（!）は使えません）")
        node = yaml.ScalarNode(tag, text, event.start_mark, event.end_mark, event.style)
        try:
            value = self.constructor.yaml_constructors[tag](self.constructor, node)
        except (ValueError, TypeError, OverflowError, yaml.YAMLError):
            if tag == _TAG + "timestamp":
                return event.value, (f"'{event.value}' (not a real date)", "a real date such as 2022-06-30（存在する日付を入力してください）")
            return event.value, (f"'{event.value}' (unreadable as {tag[len(_TAG):]})", "a valid value（値を確認してください）")
        if isinstance(value, float) and not math.isfinite(value):
            return value, (f"{event.value} (not a finite number)", "a finite number（有限の数値を入力してください）")
        return value, None

    def _count_text(self, text: str, path: Location, line: int) -> None:
        """Add ``text`` to the file's total; the text that takes it over the limit is the problem."""
        before, self.text_chars = self.text_chars, self.text_chars + len(text)
        if before <= MAX_FILE_TEXT_CHARS < self.text_chars:
            self.doc.problems.append(self.doc.problem(
                path,
                f"text that brings the file's texts to more than {MAX_FILE_TEXT_CHARS:,} characters",
                f"at most {MAX_FILE_TEXT_CHARS:,} characters of text in one file; shorten the texts"
                f"（1ファイルの文字数は合計{MAX_FILE_TEXT_CHARS:,}文字以内にしてください）",
                line=line,
            ))
            self.doc.flagged.add(path)

    def _check_text(self, text: str, path: Location, line: int) -> None:
        if len(text) > MAX_TEXT_CHARS:
            self.doc.problems.append(self.doc.problem(
                path,
                f"text of {len(text):,} characters",
                f"at most {MAX_TEXT_CHARS:,} characters（{MAX_TEXT_CHARS:,}文字以内にしてください）",
                line=line,
            ))
            self.doc.flagged.add(path)
            return
        match = _CONTROL.search(text.replace("\t", " ").replace("\n", " "))
        if match:
            self.doc.problems.append(self.doc.problem(
                path,
                f"the control character U+{ord(match.group()):04X} at character {match.start() + 1} of the text",
                "text without control characters; only line breaks and tabs are allowed（改行・タブ以外の制御文字は使えません）",
                line=line,
            ))
            self.doc.flagged.add(path)

    # -- syntax errors

    def _syntax_problems(self, error: yaml.MarkedYAMLError) -> list[Problem]:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        message = f"{error.context or ''} {error.problem or ''}".strip()
        char = self.text[mark.index] if mark and mark.index < len(self.text) else ""
        display = self.doc.display
        tab_lines = [
            (number, indent.index("\t") + 1)
            for number, text_line in enumerate(self.text.split("\n"), 1)
            for indent in [text_line[: len(text_line) - len(text_line.lstrip(" \t"))]]
            if "\t" in indent
        ]
        if char == "\t" and line not in {n for n, _ in tab_lines}:
            tab_lines.append((line, mark.column + 1))
            tab_lines.sort()
        if tab_lines:
            problems = [Problem(display, n, "", f"a tab at column {c}", TAB_EXPECTED) for n, c in tab_lines[:MAX_REPORTED_PER_KIND]]
            if len(tab_lines) > MAX_REPORTED_PER_KIND:
                n = tab_lines[MAX_REPORTED_PER_KIND][0]
                problems.append(Problem(display, n, "", f"{len(tab_lines) - MAX_REPORTED_PER_KIND} more lines with tabs from here on", TAB_EXPECTED))
            return problems
        opened = _unclosed_quote_line(self.text, line)
        if opened is not None:
            return [Problem(display, opened, "", "a quote that is not closed on its line", "a closing quote at the end of the text（引用符が閉じられていません）")]
        found, expected = _explain_syntax(message, char)
        return [Problem(display, line, "", found, expected)]


_OPENING_QUOTE = re.compile(r"""(?:^|[:\-\[,{])\s*(["'])""")


def _unclosed_quote_line(text: str, error_line: int) -> int | None:
    """The last line up to ``error_line`` whose quoted value does not close on that line.

    A quoted value may legally run over several lines, so when it was not
    meant to, YAML reports the error only where the next quote confuses it,
    often many lines later.  The line that opened the quote is the one to fix.
    """
    found = None
    for number, line in enumerate(text.split("\n")[:error_line], 1):
        if line.lstrip().startswith("#"):
            continue
        match = _OPENING_QUOTE.search(line)
        if not match:
            continue
        rest = line[match.end() :]
        if match.group(1) == '"':
            closed = re.search(r'(?<!\\)"', rest) is not None
        else:
            closed = "'" in rest.replace("''", "")
        if not closed:
            found = number
    return found


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def _explain_syntax(message: str, char: str) -> tuple[str, str]:
    """Plain words for the usual YAML syntax errors; PyYAML's own text for the rest."""
    if "nesting depth" in message:  # libyaml's own limit, far above MAX_DEPTH
        return (f"values nested more than {MAX_DEPTH} levels deep", "a flatter structure（入れ子が深すぎます）")
    if char and char in "@`?%!|>*&" and ("cannot start any token" in message or "not allowed in this context" in message):
        return (f"a value starting with {char}", f"text starting with {char} put in quotes（{char} で始まる文字は \"…\" で囲んでください）")
    if "mapping values are not allowed" in message:
        return ("a ': ' inside a value", "text containing ': ' put in quotes, e.g. \"a: b\"（「: 」を含む文字は \"…\" で囲んでください）")
    if "quoted scalar" in message and "end of stream" in message:
        return ("a quote that is never closed", "a closing quote（引用符が閉じられていません）")
    if "flow" in message or "',' or ']'" in message or "',' or '}'" in message:
        return ("a [ or { that is never closed properly", "a matching ] or } with items separated by commas（括弧の対応を確認してください）")
    if "could not find expected ':'" in message or "expected ':'" in message:
        return ("a line without 'key: value'", "'key: value' with a space after the colon（「項目名: 値」の形で書いてください）")
    if "expected key" in message or "'-' indicator" in message or "block end" in message or "block mapping" in message:
        return ("lines that do not line up", "items at the same level indented by the same number of spaces（インデントの位置をそろえてください）")
    return (f"invalid YAML ({' '.join(message.split())})", "valid YAML（YAMLの書式に誤りがあります）")
