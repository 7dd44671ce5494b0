"""Model files: statistical models as JSON.

A model is a JSON object with ``backend`` (a registered backend name),
optionally ``analysis`` and ``xsection``, and the backend's constructor
arguments by name, for example::

    {"backend": "default.uncorrelated_background", "analysis": "SR1",
     "signal_yields": [12.0, 15.0], "background_yields": [50.0, 48.0],
     "data": [36, 33], "absolute_uncertainties": [12.0, 16.0]}

A file holds one model, a list of models, or an object mapping analysis
names to models (several models are combined by the command line). Models
built with :func:`nbspey.get_backend` remember their arguments, so
:func:`save_models` writes them back and :func:`load_models` rebuilds the
same models (floats are written with all their digits). Errors name the
file, the field and the problem (:class:`ModelFileError`).
"""

import json
import math
from pathlib import Path

import numpy as np

from nbspey.interface.statistical_model import StatisticalModel
from nbspey.registry import get_backend
from nbspey.system.exceptions import InvalidInput, PluginError

__all__ = [
    "ModelFileError",
    "load_models",
    "save_models",
    "model_from_dict",
    "model_to_dict",
]

_RESERVED = ("backend", "analysis", "xsection", "ntoys")


class ModelFileError(InvalidInput):
    """A model file that cannot be read or describes an invalid model."""


def model_from_dict(description, source="<model>"):
    """Build a :class:`StatisticalModel` from its description.

    Raises
    ------
    ModelFileError
        Naming ``source``, the field and the problem.
    """
    if not isinstance(description, dict):
        raise ModelFileError(
            f"{source}: a model must be a JSON object; got {type(description).__name__}"
        )
    name = description.get("backend")
    if not isinstance(name, str):
        raise ModelFileError(f"{source}: field 'backend' is missing or not a string")
    try:
        factory = get_backend(name)
    except PluginError as error:
        raise ModelFileError(f"{source}: field 'backend': {error}") from error
    arguments = {k: v for k, v in description.items() if k not in _RESERVED}
    options = {}
    if "analysis" in description:
        options["analysis"] = str(description["analysis"])
    if "xsection" in description:
        xsection = description["xsection"]
        if not isinstance(xsection, int | float) or isinstance(xsection, bool):
            raise ModelFileError(f"{source}: field 'xsection' must be a number")
        options["xsection"] = float(xsection)
    if "ntoys" in description:
        options["ntoys"] = int(description["ntoys"])
    try:
        model = factory(**arguments, **options)
    except TypeError as error:
        raise ModelFileError(f"{source}: arguments of {name}: {error}") from error
    except (InvalidInput, ValueError) as error:
        raise ModelFileError(f"{source}: {error}") from error
    return model


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    if callable(value):
        raise ModelFileError("callable inputs cannot be written to a model file")
    return value


def model_to_dict(model):
    """The description of a model built by a factory of ``get_backend``.

    Raises
    ------
    ModelFileError
        For models without a recorded construction (built directly from a
        backend object) or with callable inputs.
    """
    construction = getattr(model, "construction", None)
    if not construction or construction.get("backend") is None:
        raise ModelFileError(
            f"model {model.analysis!r} was not built by nbspey.get_backend; its "
            "arguments are unknown"
        )
    description = {"backend": construction["backend"], "analysis": model.analysis}
    if not math.isnan(model.xsection):
        description["xsection"] = model.xsection
    for key, value in construction.items():
        if key != "backend":
            description[key] = _plain(value)
    return description


def load_models(path):
    """The model(s) of a file: one model, a list, or a dict by analysis name.

    Raises
    ------
    ModelFileError
        For a missing or unreadable file, invalid JSON or an invalid model.
    """
    path = Path(path)
    try:
        content = json.loads(path.read_text())
    except OSError as error:
        raise ModelFileError(
            f"{path}: cannot read the file ({error.strerror})"
        ) from error
    except json.JSONDecodeError as error:
        raise ModelFileError(f"{path}: not valid JSON ({error})") from error
    if isinstance(content, list):
        if not content:
            raise ModelFileError(f"{path}: the list of models is empty")
        return [model_from_dict(item, f"{path}[{k}]") for k, item in enumerate(content)]
    is_mapping = isinstance(content, dict) and "backend" not in content
    if is_mapping and content and all(isinstance(v, dict) for v in content.values()):
        models = {}
        for name, item in content.items():
            if isinstance(item, dict):
                item = {**item, "analysis": name}
            models[name] = model_from_dict(item, f"{path}[{name!r}]")
        return models
    if content == {}:
        raise ModelFileError(f"{path}: the file holds no model")
    return model_from_dict(content, str(path))


def save_models(models, path):
    """Write a model, a list of models or a dict of models to ``path``."""
    if isinstance(models, StatisticalModel):
        content = model_to_dict(models)
    elif isinstance(models, dict):
        content = {name: model_to_dict(model) for name, model in models.items()}
    else:
        content = [model_to_dict(model) for model in models]
    Path(path).write_text(json.dumps(content, indent=1) + "\n")
