"""nbspey imports and runs its numerics with scipy unavailable."""

import subprocess
import sys
import textwrap


def test_numerics_run_without_scipy():
    script = textwrap.dedent(
        """
        import sys
        sys.modules["scipy"] = None  # any "import scipy" now raises ImportError
        import numpy as np
        import nbspey
        from nbspey.numerics import special, linalg, minimize_python, find_root_python
        from nbspey.examples import fit_two_bin_example
        assert abs(special.normal_ppf(special.normal_cdf(-3.0)) + 3.0) < 1e-14
        assert linalg.solve_spd(np.eye(2) * 4.0, np.ones(2))[0][0] == 0.25
        assert fit_two_bin_example().status > 0
        assert minimize_python(lambda x: float((x[0] - 1.0) ** 2), [0.0]).status > 0
        assert find_root_python(lambda x: x - 0.5, 0.0, 1.0)[1] == 1
        assert not any(name == "scipy" or name.startswith("scipy.")
                       for name, module in sys.modules.items() if module is not None)
        print("ok")
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip().endswith("ok")
