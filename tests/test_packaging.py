"""Every directory of Python modules is a regular package, so it is installed."""

from pathlib import Path

import nbspey


def test_every_module_directory_has_an_init():
    root = Path(nbspey.__file__).parent
    for directory in [root, *root.rglob("*")]:
        if directory.is_dir() and any(directory.glob("*.py")):
            assert (directory / "__init__.py").exists(), directory
