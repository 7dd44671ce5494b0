"""Scans of many signal hypotheses against one background model.

:func:`run_scan` takes signal points (a name and the signal yields per bin,
optionally a cross section) and computes for each the observed and expected
(apriori) ``1 - CLs`` at ``mu = 1`` and the observed and expected 95% CL
upper limits on ``mu`` (times the cross section when given). For models of
built-in backends the points run in parallel in compiled code
(:func:`scan_signals`, a ``prange`` loop over :mod:`nbspey.numba_api`);
models of plugin backends cannot be scanned (their signal yields are not
known to nbspey).

Results are appended to the output file chunk by chunk (CSV, or JSON lines),
each chunk with one write; a run that finds an output file continues it,
skipping the points already there, and an interruption loses at most the
chunk in progress, never a finished point.
"""

import csv
import io
import json
import math
import time
from pathlib import Path

import numba
import numpy as np

from nbspey import numba_api as api
from nbspey._compile import kernel
from nbspey.backends.packed_backend import PackedBackend
from nbspey.progress import Progress
from nbspey.system.exceptions import InvalidInput

__all__ = ["SignalPoint", "read_signals", "run_scan", "scan_signals", "COLUMNS"]

COLUMNS = [
    "name",
    "one_minus_cls_observed",
    "one_minus_cls_expected",
    "mu_limit_observed",
    "mu_limit_expected",
    "xsection",
    "xsection_limit_observed",
    "xsection_limit_expected",
    "status",
]

# Aim for chunks of about this many seconds: the progress bar moves and an
# interruption loses little.
_CHUNK_SECONDS = 1.0


class SignalPoint:
    """A named signal hypothesis: yields per bin and an optional cross section."""

    __slots__ = ("name", "signal", "xsection")

    def __init__(self, name, signal, xsection=math.nan):
        self.name = str(name)
        self.signal = np.asarray(signal, dtype=np.float64)
        self.xsection = float(xsection)


def read_signals(path, bins):
    """Signal points from a CSV or JSON file.

    CSV: a header row, then one row per point: the name first, then the
    ``bins`` yields, and optionally a last column named ``xsection``. JSON: a
    list of objects with ``name``, ``signal_yields`` and optionally
    ``xsection``.

    Raises
    ------
    InvalidInput
        Naming the file, the row and the problem.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise InvalidInput(
            f"{path}: cannot read the file ({error.strerror})"
        ) from error
    if path.suffix.lower() == ".json":
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as error:
            raise InvalidInput(f"{path}: not valid JSON ({error})") from error
        if not isinstance(rows, list):
            raise InvalidInput(f"{path}: expected a list of signal points")
        points = []
        for k, row in enumerate(rows):
            if (
                not isinstance(row, dict)
                or "name" not in row
                or "signal_yields" not in row
            ):
                raise InvalidInput(
                    f"{path}: point {k} needs the fields 'name' and 'signal_yields'"
                )
            points.append(
                _point(
                    path,
                    k,
                    row["name"],
                    row["signal_yields"],
                    row.get("xsection"),
                    bins,
                )
            )
        return _unique(path, points)
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raise InvalidInput(f"{path}: the file is empty")
    has_xsection = header[-1].strip().lower() == "xsection"
    points = []
    for k, row in enumerate(reader, start=2):
        if not row:
            continue
        values = row[1:-1] if has_xsection else row[1:]
        xsection = row[-1] if has_xsection else None
        points.append(_point(path, k, row[0], values, xsection, bins))
    return _unique(path, points)


def _point(path, row, name, values, xsection, bins):
    try:
        signal = np.array([float(v) for v in values], dtype=np.float64)
        xsection = math.nan if xsection in (None, "") else float(xsection)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"{path}: row {row} ({name}): {error}") from error
    if signal.shape[0] != bins:
        raise InvalidInput(
            f"{path}: row {row} ({name}) has {signal.shape[0]} signal yields; the "
            f"model has {bins} bins"
        )
    if not np.all(np.isfinite(signal)) or np.any(signal < 0):
        raise InvalidInput(
            f"{path}: row {row} ({name}): signal yields must be finite and >= 0"
        )
    return SignalPoint(name, signal, xsection)


def _unique(path, points):
    seen = set()
    for point in points:
        if point.name in seen:
            raise InvalidInput(f"{path}: the point name {point.name!r} repeats")
        seen.add(point.name)
    return points


@kernel(parallel=True)
def scan_signals(reals, integers, signals, confidence_level):
    """Observed / expected ``1 - CLs`` and limits for each row of ``signals``.

    Returns
    -------
    values : ndarray, shape (points, 4)
        ``1 - CLs`` observed and expected (apriori median) at ``mu = 1``, and
        the observed and expected upper limits on ``mu``.
    statuses : ndarray of int64
        Per point: positive when every fit and root search succeeded.
    """
    count = signals.shape[0]
    values = np.full((count, 4), np.nan)
    statuses = np.zeros(count, dtype=np.int64)
    for k in numba.prange(count):
        base = api.unflatten(reals, integers)
        model, status = api.with_signal(base, signals[k])
        if status <= 0:
            statuses[k] = status
            continue
        observed, first = api.exclusion_levels(
            model, 1.0, api.OBSERVED, api.QMU_TILDE, api.ASYMPTOTIC, api.SPEY_ASIMOV
        )
        expected, second = api.exclusion_levels(
            model, 1.0, api.APRIORI, api.QMU_TILDE, api.ASYMPTOTIC, api.SPEY_ASIMOV
        )
        limit, third = api.upper_limit(
            model, api.OBSERVED, confidence_level, 0, api.SPEY_ASIMOV
        )
        median, fourth = api.upper_limit(
            model, api.APRIORI, confidence_level, 3, api.SPEY_ASIMOV
        )
        values[k, 0] = observed[0]
        values[k, 1] = expected[3]
        values[k, 2] = limit
        values[k, 3] = median
        status = 1
        for new in (first, second, third, fourth):
            if new <= 0 and status > 0:
                status = new
        statuses[k] = status
    return values, statuses


def finished_points(path):
    """Names of the points an earlier run wrote to ``path``."""
    path = Path(path)
    if not path.exists():
        return set()
    text = path.read_text()
    lines = text.splitlines()
    if text and not text.endswith("\n"):
        lines = lines[:-1]  # an interrupted write: the last line is partial
    if path.suffix.lower() == ".json":
        return {json.loads(line)["name"] for line in lines if line.strip()}
    return {row[0] for row in csv.reader(lines[1:]) if row}


def _rows(points, values, statuses):
    rows = []
    for point, value, status in zip(points, values, statuses, strict=True):
        rows.append(
            {
                "name": point.name,
                "one_minus_cls_observed": float(value[0]),
                "one_minus_cls_expected": float(value[1]),
                "mu_limit_observed": float(value[2]),
                "mu_limit_expected": float(value[3]),
                "xsection": point.xsection,
                "xsection_limit_observed": float(value[2]) * point.xsection,
                "xsection_limit_expected": float(value[3]) * point.xsection,
                "status": int(status),
            }
        )
    return rows


def _write(path, rows, fresh):
    """Append ``rows`` in one write (with the CSV header for a new file)."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        text = "".join(json.dumps(row) + "\n" for row in rows)
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if fresh:
            writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row[c] if c == "name" else repr(row[c]) for c in COLUMNS])
        text = buffer.getvalue()
    with path.open("a") as handle:
        handle.write(text)
        handle.flush()


def run_scan(model, points, output, confidence_level=0.95, verbose=True):
    """Scan ``points`` against ``model``, appending results to ``output``.

    Points already in ``output`` are skipped, so a second run completes an
    interrupted one. Returns the number of points computed by this run.
    """
    if not isinstance(model.backend, PackedBackend):
        raise InvalidInput(
            "a scan needs a model of built-in backends, whose signal yields it can "
            f"replace; {model.backend_type} is not one"
        )
    output = Path(output)
    done = finished_points(output)
    todo = [point for point in points if point.name not in done]
    _trim_partial_line(output)
    fresh = not output.exists() or output.stat().st_size == 0
    reals, integers = api.flatten(model.compiled)
    progress = Progress(len(todo), "points", verbose)
    chunk, start = 16, 0
    try:
        while start < len(todo):
            batch = todo[start : start + chunk]
            signals = np.stack([point.signal for point in batch])
            began = time.perf_counter()
            values, statuses = scan_signals(reals, integers, signals, confidence_level)
            _write(output, _rows(batch, values, statuses), fresh)
            fresh = False
            start += len(batch)
            progress.update(start)
            elapsed = time.perf_counter() - began
            chunk = int(
                min(max(len(batch) * _CHUNK_SECONDS / max(elapsed, 1e-3), 16), 4096)
            )
    finally:
        progress.close()
    return start


def _trim_partial_line(path):
    """Drop a last line without its newline (a write that was cut off)."""
    path = Path(path)
    if not path.exists():
        return
    text = path.read_text()
    if text and not text.endswith("\n"):
        path.write_text(text[: text.rfind("\n") + 1])
