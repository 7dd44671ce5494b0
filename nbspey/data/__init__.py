"""Published inputs shipped with nbspey, for the demo, examples and tests.

``CMS-SUS-19-006-agg.json``: the CMS search for supersymmetry in multijet
events with missing transverse momentum (arXiv:1908.04722, JHEP 10 (2019)
244; 137/fb at 13 TeV) as a simplified likelihood with 40 aggregated signal
regions: observed counts, background expectation and covariance, and the
efficiencies of the T1tttt simplified model at three mass points, as
collected in the public SModelS database. Cite the CMS paper when showing
results made from them.
"""

import json
from importlib import resources

__all__ = ["load_cms_sus_19_006"]


def load_cms_sus_19_006():
    """The CMS-SUS-19-006 aggregated simplified likelihood, as a dict."""
    path = resources.files(__name__).joinpath("CMS-SUS-19-006-agg.json")
    return json.loads(path.read_text())
