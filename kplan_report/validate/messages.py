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

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place of one input file."""

    file: str
    line: int
    field: str
    found: str
    expected: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: "
        if self.field:
            where += f"{self.field}: "
        return f"{where}found {self.found}; expected {self.expected}"


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
