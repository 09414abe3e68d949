"""Feature scaling: learn statistics on the training data, then apply them to any data.

Every scaler has ``fit(X_train) -> self``, ``transform(X)``, ``fit_transform(X)`` and
``inverse_transform(X)``; ``X`` has shape (N, D), one column per feature, and results are new
float64 arrays (the input is never changed). Statistics learnt by ``fit`` end with an underscore
(``mean_``, ``data_min_``, ...). Fit on the training part only and reuse the fitted scaler on the
validation and test parts, so that no information leaks from them into training.

- `IdentityScaler` ("none"): leaves values as they are.
- `LinearScaler` ("linear"): min-max scaling to a range such as [-1, 1].
- `ClipScaler` ("clip"): clips to fixed bounds or to training percentiles.
- `LogScaler` ("log"): ``log(x + offset)`` for heavy-tailed positive features.
- `ZScoreScaler` ("zscore"): mean 0 and standard deviation 1 on the training data.
- `ColumnScaler`: a different scaler per column; `Chain`: scalers one after the other.
- `make_scaler(name, **kwargs)` builds one of the above by its name.
"""
from nncourse.scaling.base import IdentityScaler, NotFittedError, Scaler  # noqa: F401
from nncourse.scaling.compose import SCALER_NAMES, Chain, ColumnScaler, make_scaler  # noqa: F401
from nncourse.scaling.scalers import ClipScaler, LinearScaler, LogScaler, ZScoreScaler  # noqa: F401
