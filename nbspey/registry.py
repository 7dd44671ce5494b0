"""The functional registry of backends: names to backend classes.

Backends come from three places: the seven built-ins, classes registered
with :func:`register_backend` in the running process, and other packages'
entry points in the group ``nbspey.backend.plugins``. :func:`get_backend`
returns a factory that builds a :class:`StatisticalModel` around a new backend
instance.
"""

import functools
import inspect
import math
import re
from importlib import metadata

from nbspey.backends import DEFAULT_BACKENDS
from nbspey.backends.packed_backend import SPEY_API_VERSION
from nbspey.base.backend_base import BackendBase, ConverterBase
from nbspey.interface.statistical_model import StatisticalModel
from nbspey.system.exceptions import AbstractModel, MissingMetaData, PluginError

__all__ = [
    "SPEY_API_VERSION",
    "ENTRY_POINT_GROUP",
    "register_backend",
    "get_backend",
    "AvailableBackends",
    "get_backend_metadata",
    "reset_backend_entries",
    "statistical_model_wrapper",
    "version_satisfies",
]

ENTRY_POINT_GROUP = "nbspey.backend.plugins"

_registry = dict(DEFAULT_BACKENDS)


def _version_tuple(text):
    parts = re.findall(r"\d+", text)
    return tuple(int(part) for part in parts[:3]) + (0,) * (3 - len(parts[:3]))


def version_satisfies(version, specifier):
    """Whether ``version`` satisfies a requirement such as ``">=0.1.0,<0.3"``.

    Clauses are separated by commas; the operators are ``==``, ``!=``,
    ``>=``, ``<=``, ``>``, ``<``, ``~=`` (compatible release), ``^`` (same
    major version) and ``~`` (same minor version); a bare version means
    ``==``, ``*`` or an empty specifier accepts any version, and ``0.2.*``
    matches a prefix.
    """
    current = _version_tuple(version)
    for clause in str(specifier).replace(" ", "").split(","):
        if clause in ("", "*"):
            continue
        match = re.match(r"^(==|!=|>=|<=|~=|>|<|\^|~|=)?(.*)$", clause)
        operator, target_text = match.group(1) or "==", match.group(2)
        if target_text.endswith("*"):
            prefix = _version_tuple(target_text.rstrip(".*"))
            depth = len(re.findall(r"\d+", target_text))
            same = current[:depth] == prefix[:depth]
            if (operator in ("==", "=") and not same) or (operator == "!=" and same):
                return False
            continue
        target = _version_tuple(target_text)
        depth = len(re.findall(r"\d+", target_text))
        checks = {
            "==": current == target,
            "=": current == target,
            "!=": current != target,
            ">=": current >= target,
            "<=": current <= target,
            ">": current > target,
            "<": current < target,
            "~=": current >= target
            and current[: max(depth - 1, 1)] == target[: max(depth - 1, 1)],
            "^": current >= target and current[0] == target[0],
            "~": current >= target and current[:2] == target[:2],
        }
        if not checks[operator]:
            return False
    return True


def _check_requirement(cls, name):
    requirement = getattr(cls, "spey_requires", None)
    if requirement is None:
        raise MissingMetaData(f"backend {name} has no spey_requires attribute")
    if not version_satisfies(SPEY_API_VERSION, requirement):
        raise PluginError(
            f"backend {name} requires spey {requirement}; nbspey implements the API "
            f"of spey {SPEY_API_VERSION}"
        )


def register_backend(cls):
    """Register a backend class under its ``name``; usable as a decorator.

    Raises
    ------
    TypeError
        If ``cls`` is not a subclass of ``BackendBase`` or ``ConverterBase``.
    AbstractModel
        If the class still has abstract methods.
    MissingMetaData
        If ``name`` or ``spey_requires`` is missing.
    ValueError
        If the name is taken.
    PluginError
        If ``spey_requires`` excludes the spey API version nbspey implements.
    """
    if not (inspect.isclass(cls) and issubclass(cls, (BackendBase, ConverterBase))):
        raise TypeError(f"{cls!r} is not a subclass of BackendBase or ConverterBase")
    if getattr(cls, "__abstractmethods__", None):
        missing = ", ".join(sorted(cls.__abstractmethods__))
        raise AbstractModel(f"{cls.__name__} does not implement {missing}")
    name = getattr(cls, "name", None)
    if not name or getattr(cls, "spey_requires", None) is None:
        raise MissingMetaData(
            f"{cls.__name__} needs the attributes name and spey_requires"
        )
    if name in _registry:
        raise ValueError(f"a backend named {name} is already registered")
    _check_requirement(cls, name)
    _registry[name] = cls
    return cls


def reset_backend_entries():
    """Scan the entry points of other packages again and add new backends.

    Nothing is removed; classes registered in this process stay.
    """
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        _registry.setdefault(entry_point.name, entry_point)


def AvailableBackends():  # noqa: N802 - spey's name
    """Names of every registered backend, sorted."""
    return sorted(_registry)


def _load(name):
    if name not in _registry:
        available = ", ".join(AvailableBackends())
        raise PluginError(
            f"The backend {name} is unavailable. Available backends are {available}."
        )
    entry = _registry[name]
    if isinstance(entry, metadata.EntryPoint):
        entry = entry.load()
        _registry[name] = entry
    return entry


def get_backend_metadata(name):
    """Metadata of a backend: name, author, version, requirement and references."""
    cls = _load(name)
    return {
        "name": getattr(cls, "name", "__unknown_model__"),
        "author": getattr(cls, "author", "__unknown_author__"),
        "version": getattr(cls, "version", "__unknown_version__"),
        "spey_requires": getattr(cls, "spey_requires", "__unknown_version__"),
        "doi": list(getattr(cls, "doi", [])),
        "arXiv": list(getattr(cls, "arXiv", [])),
        "zenodo": list(getattr(cls, "zenodo", [])),
    }


def _construction(cls, args, kwargs):
    """``{"backend": name, argument: value...}``: how a model was built.

    Kept on the model so that :mod:`nbspey.io` can write it to a file; None
    when the arguments cannot be named.
    """
    try:
        bound = inspect.signature(cls).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return None
    return {"backend": getattr(cls, "name", None), **bound.arguments}


def statistical_model_wrapper(cls):
    """Wrap a backend class (or converter instance) into a model factory.

    The factory takes the backend's arguments plus ``analysis``,
    ``xsection`` and ``ntoys`` and returns a :class:`StatisticalModel`.
    """

    @functools.wraps(cls)
    def factory(
        *args,
        analysis="__unknown_analysis__",
        xsection=math.nan,
        ntoys=1000,
        **kwargs,
    ):
        model = StatisticalModel(
            backend=cls(*args, **kwargs),
            analysis=analysis,
            xsection=xsection,
            ntoys=ntoys,
        )
        model.construction = _construction(cls, args, kwargs)
        return model

    factory.__doc__ = (factory.__doc__ or "") + (
        "\n\nThe factory also takes analysis (a name), xsection (the signal cross "
        "section) and ntoys (the default number of toys)."
    )
    return factory


def get_backend(name):
    """Return the model factory of the backend registered as ``name``.

    Raises
    ------
    PluginError
        For an unknown name or an unsatisfied ``spey_requires``.
    """
    cls = _load(name)
    _check_requirement(cls, name)
    declared = getattr(cls, "name", None)
    if declared and declared != name:
        raise PluginError(f"backend registered as {name} declares the name {declared}")
    if getattr(cls, "__abstractmethods__", None):
        raise AbstractModel(f"{cls.__name__} has abstract methods")
    if inspect.isclass(cls) and issubclass(cls, ConverterBase):
        return statistical_model_wrapper(cls())
    return statistical_model_wrapper(cls)


reset_backend_entries()
