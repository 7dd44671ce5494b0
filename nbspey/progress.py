"""A progress bar on stderr for long computations.

The bar appears only once the work is expected to take more than a couple of
seconds, so quick calls stay silent; it shows the count, the rate and the
estimated time left.
"""

import sys
import time

__all__ = ["Progress"]


class Progress:
    """Report ``done`` out of ``total`` units of work.

    Parameters
    ----------
    total : int
        Units of work.
    label : str
        What is counted (for example ``"toys"``).
    verbose : bool
        False never prints.
    delay : float
        Print only when the whole job is expected to take longer (seconds).
    stream : file, optional
        Where to print (stderr by default).
    """

    def __init__(self, total, label, verbose=True, delay=2.0, stream=None):
        self.total = int(total)
        self.label = label
        self.verbose = bool(verbose)
        self.delay = float(delay)
        self.stream = sys.stderr if stream is None else stream
        self._start = time.perf_counter()
        self._shown = False

    def update(self, done):
        """Record that ``done`` units are finished; print if worthwhile."""
        if not self.verbose or done <= 0:
            return
        elapsed = time.perf_counter() - self._start
        expected = elapsed * self.total / done
        if not self._shown and expected < self.delay:
            return
        self._shown = True
        rate = done / elapsed if elapsed > 0 else float("inf")
        left = (self.total - done) / rate if rate > 0 else float("inf")
        percent = 100.0 * done / self.total if self.total else 100.0
        self.stream.write(
            f"\r{self.label}: {done}/{self.total} ({percent:3.0f}%), "
            f"{rate:,.0f}/s, {left:.1f} s left   "
        )
        self.stream.flush()

    def close(self):
        """End the line of a bar that was shown."""
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
