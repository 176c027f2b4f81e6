"""scikit-learn and scipy.optimize load only with the models that need them: the web app and most
commands read hotspot modules, and importing those two took over a second."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import streetlight.web.app
import streetlight.hotspots as hotspots
before = {"sklearn" in sys.modules, "scipy.optimize" in sys.modules}
model = hotspots.make_model("gbm")
print(before == {False}, type(model).__name__, "sklearn" in sys.modules, hotspots.GridETAS.__name__)
"""


def test_the_learned_model_and_etas_load_on_first_use() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "GradientBoostedPoisson", "True", "GridETAS"]
