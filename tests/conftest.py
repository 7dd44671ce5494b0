"""Test-suite settings.

Compiled kernels take seconds to compile on first use, which would trip
hypothesis' per-example deadline; the deadline is switched off and the number
of examples kept moderate so the suite stays within minutes on two cores.
"""

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "nbspey",
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("nbspey")


@pytest.fixture
def isolated_registry():
    """Tests may register backends; keep them out of other tests."""
    from nbspey import registry

    saved = dict(registry._registry)
    yield
    registry._registry.clear()
    registry._registry.update(saved)
