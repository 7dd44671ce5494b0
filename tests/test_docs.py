"""Every Python example in README.md and docs/ runs and its assertions hold."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"```python\n(.*?)```", re.DOTALL)


def test_there_are_examples_to_run():
    assert sum(len(FENCE.findall(page.read_text())) for page in PAGES) >= 5


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_examples_run(page, isolated_registry):
    namespace = {"__name__": f"docs_{page.stem}"}
    for block in FENCE.findall(page.read_text()):
        exec(compile(block, str(page), "exec"), namespace)
