"""Interactive widgets of the course (ipywidgets), each built on a plain function.

- `playground(**settings)`: train a small network; loss curves, decision boundary or confusion
  matrix, and a verdict in words (plain: `run_playground`, `verdict`).
- `health_panel(source)`: per-layer gradient norms, activations, dead and saturated units and
  update ratios over epochs (plain: `health_report`).
- `gradient_flow_explorer()`: gradient norm per layer against depth, activation, initialisation
  and batch norm (plain: `gradient_flow`).
- `scaling_explorer()`: a scaler per column and the convergence of gradient descent
  (plain: `run_scaling`).
- `backprop_stepper()`: the forward and backward pass of a tiny network, one node at a time
  (plain: `backprop_steps`).

Each widget's figure lives next to it in :mod:`nncourse.widgets.figures` (one module per widget
and a shared canvas). Every widget's output also holds its picture as a PNG, so notebooks run
without a front end (nbval, HTML export, slides) still show it, with the verdict drawn in. Import
this package on demand (``from nncourse.widgets import playground``); ``import nncourse``
does not load it.
"""
from nncourse.widgets.backprop_stepper import (BackpropStepper, Step,  # noqa: F401
                                               backprop_stepper, backprop_steps)
from nncourse.widgets.gradflow import (GradientFlow, GradientFlowExplorer,  # noqa: F401
                                       gradient_flow, gradient_flow_explorer)
from nncourse.widgets.health import (HealthPanel, diagnostics_of, health_panel,  # noqa: F401
                                     health_report)
from nncourse.widgets.playground import (Playground, PlaygroundResult,  # noqa: F401
                                         check_playground_settings, playground, run_playground,
                                         verdict)
from nncourse.widgets.verdict import Verdict  # noqa: F401
from nncourse.widgets.scaling_explorer import (ScalingExplorer, ScalingResult,  # noqa: F401
                                               run_scaling, scaling_explorer)
