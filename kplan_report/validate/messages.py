"""Problems found in the input, and the one exception that carries them.

City staff edit the YAML files in ``source/`` by hand.  Whatever they get
wrong must come back as a list of short, precise messages they can act on,
never as a traceback.  Every problem is printed as exactly one line::

    FILE:LINE: FIELD: found FOUND; expected EXPECTED

for example::

    source/actuals/2021.yaml:12: indicators.G1.1.i3.measures.main.value: found 'abc' (text); expected a number（数値を入力してください）

* ``FILE`` is the path relative to the current directory when the file lies
  below it, else the absolute path.
* ``LINE`` counts from 1.  When the problem concerns a key that is missing,
  it is the line of the nearest enclosing key that exists; when it concerns
  the whole file (too large, not UTF-8 …) it is 1 or the first offending line.
* ``FIELD`` is the path of the value inside the file: mapping keys joined by
  dots, list items in brackets, shown by their ``id`` when they have one and
  else numbered from 1 as a person counts (``goals[G1].objectives[G1.2].title``,
  ``publisher[2]``).  It is left out, together with its colon, when the
  problem concerns the file as text (encoding, YAML syntax, tabs).
* ``FOUND`` says what the file contains; ``EXPECTED`` says what would be
  right, in English followed by a short Japanese instruction in full-width
  parentheses, because the people who fix the files read Japanese.

The format is part of the interface: the golden files under
``tests/bad_inputs/`` pin it down.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Characters a reader cannot see or tell apart in a message: format characters
# (zero-width space, joiners, BOM, bidi controls …), spaces other than the
# ordinary one and the ideographic one, line and paragraph separators.
_INVISIBLE = re.compile(r"[\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u180e\u2000-\u200f\u2028-\u202f"
                        r"\u205f-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e0fff]")
# A run of letters and digits that is mostly ASCII (an ID, a key, a number) …
_WORD = re.compile(r"[^\s'\"（）()、。,.:;/]+")
# … and the look-alikes that hide in one: other scripts' Latin-looking letters,
# full-width ASCII, dashes and digits of other scripts.
_LOOK_ALIKE = re.compile(r"[\u0370-\u052f\u1d00-\u1dbf\u2010-\u2015\u2212\uff01-\uff5e\u2070-\u209f\u2160-\u217f]")


def visible(text: str) -> str:
    """``text`` with every invisible character, and every look-alike hidden in an
    otherwise ASCII word, written as its code point: ``p00<U+200B>1``, ``<U+0440>001``.

    Idempotent: the result is ASCII where it was marked.
    """
    text = _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)

    def mark(word: re.Match) -> str:
        w = word.group()
        ascii_part = sum(c.isascii() and c.isalnum() for c in w)
        if ascii_part and ascii_part * 2 >= len(w) and _LOOK_ALIKE.search(w):
            return _LOOK_ALIKE.sub(lambda m: f"<U+{ord(m.group()):04X}>", w)
        return w

    return _WORD.sub(mark, text)


def name_marked(text: str) -> str:
    """What each ``<U+XXXX>`` in ``text`` is, in words: ``<U+200B> is a zero width space``."""
    names = []
    for code in dict.fromkeys(re.findall(r"<U\+([0-9A-F]{4,6})>", text)):
        char = chr(int(code, 16))
        name = unicodedata.name(char, "").lower() or "an unnamed character"
        if _INVISIBLE.match(char):
            names.append(f"<U+{code}> is the invisible {name}")
        else:
            names.append(f"<U+{code}> is {name}, which looks like an ASCII character")
    return "; ".join(names)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place of one input file."""

    file: str
    line: int
    field: str
    found: str
    expected: str

    def __str__(self) -> str:
        """The one line; invisible and look-alike characters in the field and in what
        was found are shown by code point and named, so that ``p00<U+200B>1`` is not
        mistaken for the ``p001`` it looks like."""
        where = f"{self.file}:{self.line}: "
        field, found = visible(self.field), visible(self.found)
        if field:
            where += f"{field}: "
        names = name_marked(field + " " + found)
        if names and names not in found:
            found += f" ({names})"
        return f"{where}found {found}; expected {self.expected}"


class InputError(Exception):
    """The input cannot be used; ``problems`` says every reason found.

    Loading does not stop at the first problem: everything wrong in a file
    (and, where possible, across files) is collected so that the person
    fixing the files sees it all at once.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def summary(self) -> str:
        """One line for the end of the output: how many problems in how many files."""
        files = {p.file for p in self.problems}
        n = len(self.problems)
        return (
            f"{n} problem{'s' if n != 1 else ''} in {len(files)} file{'s' if len(files) != 1 else ''}"
            f"（{len(files)}ファイルに{n}件の誤りがあります）"
        )
