"""Characters the report's fonts cannot print: found at validation, not as boxes in print.

The font chain is decided here, on purpose, and the print stylesheet
(``report_templates/print/report.css``) lists the same families in the same
order (a test checks it):

* running text: BIZ UD明朝, then Noto Serif CJK JP, then Symbola;
* headings, tables, the 目次 and the vertical titles: BIZ UDゴシック, then
  Noto Sans CJK JP, then Symbola.

BIZ UD is the city's typeface and covers JIS X 0208 and most of JIS X 0213;
the Noto CJK face of the same style (Debian ``fonts-noto-cjk``) adds what
Japanese names still need, such as 𠮷 (U+20BB7) and 𩸽; Symbola
(``fonts-symbola``) prints emoji such as 🙇 in black and white, as the report
is printed.  A private-use character (外字, U+E000–U+F8FF) is in none of them:
its shape exists only on the machine that made it.

A text prints in both styles (a 推進項目's text is in a table and in the
Word draft), so a character must be in both chains.  Characters that print
as nothing (joiners, variation selectors …) are not looked up.

The Word draft names BIZ UD明朝 / BIZ UDゴシック only: Word takes one
East Asian font per run and no fallback list, and falls back on the fonts
of the machine that opens the file (on Windows, Yu Mincho and Segoe UI
Emoji have 𠮷 and 🙇).  The check here is therefore against the PDF's chain;
what it accepts, Word on Windows shows too.

The fonts are read where WeasyPrint finds them: through fontconfig
(``fc-match``), with the character set fontconfig read from their cmaps.
"""

from __future__ import annotations

import functools
import re
import subprocess
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..intake.yamlio import Document, read_yaml
from .messages import Problem

#: style → font families, in the order they are tried (report.css lists the same).
CHAINS: dict[str, tuple[str, ...]] = {
    "mincho": ("BIZ UDMincho", "Noto Serif CJK JP", "Symbola"),
    "gothic": ("BIZ UDGothic", "Noto Sans CJK JP", "Symbola"),
}

#: family → the Debian package that installs it (the Makefile's REPORT_APT has them all).
PACKAGES = {
    "BIZ UDMincho": "fonts-morisawa-bizud-mincho",
    "BIZ UDGothic": "fonts-morisawa-bizud-gothic",
    "Noto Serif CJK JP": "fonts-noto-cjk",
    "Noto Sans CJK JP": "fonts-noto-cjk",
    "Symbola": "fonts-symbola",
}

# Printed as nothing, so never looked up in a font: line breaks, tabs and
# Unicode's default-ignorable characters (format characters such as U+200B and
# U+2060, Hangul fillers, variation selectors including the IVS of 髙 or 﨑).
_IGNORED = re.compile(
    "[\t\n\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001bca0-\U0001bca3\U000e0000-\U000e0fff]"
)


class FontMissing(RuntimeError):
    """A font of the chain is not installed; the message names the Debian package."""


@functools.cache
def _match(family: str) -> tuple[str, int, str]:
    """fontconfig's answer for ``family``: its file, face index and charset
    (``fc-match -f``), as WeasyPrint (Pango) finds the font; :class:`FontMissing`
    when only a substitute is offered."""
    package = PACKAGES.get(family, "that provides it")
    try:
        answer = subprocess.run(
            ["fc-match", "-f", "%{family}\n%{file}\n%{index}\n%{charset}", family],
            capture_output=True, text=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise FontMissing(f"cannot look up the font {family} with fc-match ({error}); "
                          f"install fontconfig and the Debian package {package}") from None
    families, path, index, charset = (answer.split("\n", 3) + ["", "", ""])[:4]
    if family not in families.split(","):
        raise FontMissing(f"the font {family} is not installed (fontconfig offers {families!r} instead); "
                          f"install the Debian package {package}")
    return path, int(index or 0), charset


def font_file(family: str) -> tuple[str, int]:
    """The file (and face index in a collection) that fontconfig gives for ``family``."""
    path, index, _ = _match(family)
    return path, index


@functools.cache
def coverage(family: str) -> frozenset[int]:
    """The code points ``family``'s font maps to a glyph.

    fontconfig's charset of the font (hex ranges such as ``20-7e a0-17f``),
    which it reads from the font's cmap and keeps in its cache: the set
    Pango chooses fallback fonts by, and ten times faster to get than
    reading the cmap with fontTools (the two agree for the chain's fonts,
    but for control characters, which no text prints)."""
    _, _, charset = _match(family)
    codes: set[int] = set()
    for piece in charset.split():
        first, _, last = piece.partition("-")
        codes.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(codes)


def _printable(code: int) -> bool:
    """Whether every style can print ``code``: some font of each chain has it.

    The fonts are read lazily, in chain order: text that BIZ UD covers never
    opens the fallback fonts (reading a cmap takes a fraction of a second)."""
    return all(any(code in coverage(family) for family in chain) for chain in CHAINS.values())


def unprintable(text: str) -> list[tuple[int, str]]:
    """(position from 1, character) of the first occurrence of each character of ``text``
    that no font of the report can print."""
    seen: dict[str, int] = {}
    for i, char in enumerate(text, 1):
        if char not in seen:
            seen[char] = i
    return [(i, c) for c, i in seen.items() if not _IGNORED.match(c) and not _known_printable(ord(c))]


@functools.lru_cache(maxsize=65536)
def _known_printable(code: int) -> bool:
    return _printable(code)


def describe_character(char: str) -> str:
    """``'𠮷' U+20BB7 (cjk unified ideograph-20bb7)``; private-use characters are called 外字."""
    code = f"U+{ord(char):04X}"
    if unicodedata.category(char) == "Co":
        return f"the private-use character (外字) {code}"
    name = unicodedata.name(char, "").lower()
    return f"the character '{char}' {code}" + (f" ({name})" if name else "")


EXPECTED = ("a character the report's fonts can print; write it another way"
            "（このフォントにない文字は印刷できません。別の字・表記に置き換えてください）")


def glyph_problems(documents: Iterable[Document]) -> list[Problem]:
    """Every character of every text (keys too) of ``documents`` that the report cannot print,
    each a problem at its line and field naming the character and its code point."""
    problems: list[Problem] = []
    for doc in documents:
        for path, text in _texts(doc.data, ()):
            for position, char in unprintable(text):
                where = f" at character {position} of the text" if len(text) > 1 else ""
                problems.append(doc.problem(path, f"{describe_character(char)}{where}, which no font of the report has", EXPECTED))
    return problems


def check_source(source_dir: Path, years: Iterable[int]) -> list[Problem]:
    """The glyph problems of the files of a source folder that :func:`~kplan_report.validate.load.load_source`
    has accepted (plan, projects, evaluation and the actuals of ``years``), read again."""
    source_dir = Path(source_dir)
    names = ["plan.yaml", "projects.yaml", "evaluation.yaml", *(f"actuals/{year}.yaml" for year in years)]
    return glyph_problems(read_yaml(source_dir / name) for name in names)


def _texts(value: Any, path: tuple) -> Iterable[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield path + (key,), key
            yield from _texts(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, path + (i,))
