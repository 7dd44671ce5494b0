"""``about()``: a summary of the running environment, offline."""

import platform
import sys
from importlib import metadata

__all__ = ["about"]


def _version_of(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def about():
    """Print nbspey's version, the platform, core dependencies and backends."""
    from nbspey import __version__
    from nbspey.registry import AvailableBackends

    lines = [
        f"nbspey version:  {__version__}",
        f"platform:        {platform.platform()}",
        f"python:          {sys.version.split()[0]}",
        f"numpy:           {_version_of('numpy')}",
        f"numba:           {_version_of('numba')}",
        f"llvmlite:        {_version_of('llvmlite')}",
        "backends:",
    ]
    lines += [f"    {name}" for name in AvailableBackends()]
    print("\n".join(lines))
