"""Nothing about one city lives in the code: the plan's vocabulary is data.

Scans the package and the templates for the words of the shipped plan (its
city, its 主体 labels, its period) outside comments and docstrings.  A hit
means a string that every other city's report would print too.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = ["気仙沼", "市社協", "市民", "地域・事業者", "2018", "2023"]


def _python_code(path: Path):
    """(line, token text) of a Python file's code: no comments, no docstrings."""
    src = path.read_text(encoding="utf-8")
    docstrings = set()
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                docstrings.add((first.lineno, first.end_lineno))
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type == tokenize.COMMENT:
            continue
        if tok.type == tokenize.STRING and any(a <= tok.start[0] <= b for a, b in docstrings):
            continue
        yield tok.start[0], tok.string


def _template_code(path: Path):
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\{#.*?#\}", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    yield from enumerate(text.splitlines(), 1)


def test_no_word_of_the_shipped_plan_in_code_or_templates():
    hits = []
    for path in sorted((ROOT / "kplan_report").rglob("*.py")):
        hits += [f"{path.relative_to(ROOT)}:{n}: {w}" for n, text in _python_code(path) for w in WORDS if w in text]
    for path in sorted((ROOT / "report_templates").rglob("*")):
        if path.suffix in (".j2", ".css"):
            hits += [f"{path.relative_to(ROOT)}:{n}: {w}" for n, text in _template_code(path) for w in WORDS if w in text]
    assert not hits, "\n".join(hits)


def test_the_scan_sees_code(tmp_path):
    """The scanner itself: a string in code is a hit, the same words in a comment or docstring are not."""
    sample = tmp_path / "m.py"
    sample.write_text('"""気仙沼 in a docstring."""\n# 市民 in a comment\nLABEL = "市民"\n', encoding="utf-8")
    assert [(n, t) for n, t in _python_code(sample) if "市民" in t or "気仙沼" in t] == [(3, '"市民"')]
