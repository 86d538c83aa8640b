"""The size limits `make lint` holds the code to: a module a reader can take in, functions that
read as named steps. Prints each breach with its place and exits 1 if there is any."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE_LINES = 400
FUNCTION_LINES = 50
# The demo's generators draw a season in one pass of seeded draws, whose order the demo's output
# depends on: they may run longer, not without bound.
DEMO_FUNCTION_LINES = 70


def breaches(root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted([*root.glob("flows/**/*.py"), *root.glob("tasks/**/*.py")]):
        where = path.relative_to(root)
        source = path.read_text()
        if (lines := source.count("\n")) > MODULE_LINES:
            found.append(f"{where}: {lines} lines (limit {MODULE_LINES}): split it by concern")
        limit = DEMO_FUNCTION_LINES if where.parts[:2] == ("tasks", "demo") else FUNCTION_LINES
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                if (length := node.end_lineno - first + 1) > limit:
                    found.append(
                        f"{where}:{first} {node.name}: {length} lines (limit {limit}): "
                        "give its steps names"
                    )
    return found


if __name__ == "__main__":
    found = breaches()
    print("\n".join(found) or "sizes: every module and function within its limit")
    sys.exit(1 if found else 0)
