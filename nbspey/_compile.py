"""The one place where nbspey decides how its kernels are compiled.

Every compiled function in nbspey goes through :func:`kernel` (or
:func:`generic_kernel`), so the compiler options are chosen once:

* ``cache=True``: machine code is written next to the sources (or under
  ``NUMBA_CACHE_DIR``) and reused by later processes;
* ``error_model="numpy"``: a division by zero gives ``inf`` or ``nan`` instead
  of raising, which the fits need to see and handle;
* ``nogil=True``: kernels release the GIL, so threads and numba's ``prange``
  can run them side by side;
* no ``fastmath``: it would let LLVM assume that no value is NaN or infinite,
  and the minimiser relies on exactly those checks.

No explicit signatures are given. Kernels compile lazily for the types they are
called with, and callers inside nbspey always pass C-contiguous float64 and
int64 arrays, so each kernel has one specialisation in practice.
"""

import numba

__all__ = ["kernel", "generic_kernel"]

_OPTIONS = {"error_model": "numpy", "nogil": True, "fastmath": False}


def kernel(function=None, *, parallel=False, inline=False):
    """Compile ``function`` as a cached nopython kernel.

    Parameters
    ----------
    function : callable, optional
        The Python function to compile. When omitted, a decorator is returned.
    parallel : bool, default False
        Let numba run ``prange`` loops in parallel.
    inline : bool, default False
        Inline the function into its callers at numba's level. Used for the
        few hot kernels that take many arrays: each array argument of a call
        that is not inlined costs two atomic reference-count updates.

    Returns
    -------
    numba.core.registry.CPUDispatcher
        The compiled function; its ``py_func`` attribute is the plain Python
        source, which nbspey uses to run the same algorithm on objects that
        cannot enter compiled code.
    """

    def decorate(func):
        return numba.njit(
            cache=True,
            parallel=parallel,
            inline="always" if inline else "never",
            **_OPTIONS,
        )(func)

    return decorate if function is None else decorate(function)


def generic_kernel(function=None):
    """Compile ``function`` as a nopython kernel that is not cached on disk.

    Use this only for drivers that take another compiled function as an
    argument: numba cannot reuse cached code for such functions across
    processes, so asking for a cache would only cost disk writes. The work
    itself stays in cached kernels that these drivers call.
    """

    def decorate(func):
        return numba.njit(cache=False, **_OPTIONS)(func)

    return decorate if function is None else decorate(function)
