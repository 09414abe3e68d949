"""Tests of nncourse.scaling against values computed by hand on tiny arrays."""
import numpy as np
import pytest

from nncourse.scaling import (SCALER_NAMES, Chain, ClipScaler, ColumnScaler, IdentityScaler,
                              LinearScaler, LogScaler, NotFittedError, ZScoreScaler, make_scaler)

X3 = np.array([[1.0, 10.0, 5.0],
               [2.0, 20.0, 5.0],
               [4.0, 40.0, 5.0]])  # the last column is constant


def test_linear_scaler_values_and_inverse():
    s = LinearScaler().fit(X3)
    np.testing.assert_array_equal(s.data_min_, [1, 10, 5])
    np.testing.assert_array_equal(s.data_max_, [4, 40, 5])
    np.testing.assert_allclose(s.transform(X3), [[-1, -1, 0], [-1 / 3, -1 / 3, 0], [1, 1, 0]])
    # new data uses the training min and max and may leave the range
    np.testing.assert_allclose(s.transform([[5.0, 0.0, 7.0]]), [[5 / 3, -5 / 3, 0]])
    np.testing.assert_allclose(s.inverse_transform(s.transform(X3)), X3)
    s01 = LinearScaler(feature_range=(0, 1))
    np.testing.assert_allclose(s01.fit_transform(X3),
                               [[0, 0, 0.5], [1 / 3, 1 / 3, 0.5], [1, 1, 0.5]])
    np.testing.assert_allclose(LinearScaler((2, 6)).fit_transform([[0.0], [1.0]]), [[2], [6]])


@pytest.mark.parametrize("bad", [(1, 1), (1, 0), (0,), "01", (0, float("inf"))])
def test_linear_scaler_rejects_bad_ranges(bad):
    with pytest.raises(ValueError, match="feature_range"):
        LinearScaler(feature_range=bad)


def test_clip_scaler_by_value_and_by_percentile():
    s = ClipScaler(low=0, high=10).fit(X3)
    np.testing.assert_array_equal(s.transform([[-3.0, 11.0, 5.0]]), [[0, 10, 5]])
    s = ClipScaler(low=[0, 15, -1]).fit(X3)
    np.testing.assert_array_equal(s.transform(X3), [[1, 15, 5], [2, 20, 5], [4, 40, 5]])
    train = np.arange(101.0)[:, None]  # percentiles 1 and 99 are exactly 1 and 99
    s = ClipScaler(percentiles=(1, 99)).fit(train)
    np.testing.assert_allclose(s.low_, [1]) and np.testing.assert_allclose(s.high_, [99])
    np.testing.assert_array_equal(s.transform([[-5.0], [50.0], [200.0]]), [[1], [50], [99]])
    assert ClipScaler().percentiles == (1, 99)  # the default when no bounds are given
    np.testing.assert_array_equal(s.inverse_transform([[1.0], [50.0]]), [[1], [50]])


def test_clip_scaler_errors():
    with pytest.raises(ValueError, match="either low/high or percentiles.*low=0"):
        ClipScaler(low=0, percentiles=(1, 99))
    with pytest.raises(ValueError, match=r"percentiles.*\(50, 10\)"):
        ClipScaler(percentiles=(50, 10))
    with pytest.raises(ValueError, match=r"percentiles.*\(-1, 50\)"):
        ClipScaler(percentiles=(-1, 50))
    with pytest.raises(ValueError, match="low < high, got low=3 and high=2"):
        ClipScaler(low=3, high=2)
    with pytest.raises(ValueError, match=r"low has shape \(2,\) but X has 3 column"):
        ClipScaler(low=[0, 1]).fit(X3)


def test_log_scaler_values_inverse_and_errors():
    s = LogScaler().fit([[0.0, np.e - 1]])
    np.testing.assert_allclose(s.transform([[0.0, np.e - 1], [np.e ** 2 - 1, 0.0]]),
                               [[0, 1], [2, 0]])
    s = LogScaler(offset=0.5).fit(X3)
    np.testing.assert_allclose(s.transform(X3)[0], np.log([1.5, 10.5, 5.5]))
    np.testing.assert_allclose(s.inverse_transform(s.transform(X3)), X3)
    np.testing.assert_array_equal(s.data_min_, [1, 10, 5])
    with pytest.raises(ValueError, match=r"column 1 has minimum value -2.*greater than 2"):
        LogScaler().fit([[1.0, 3.0], [2.0, -2.0]])
    with pytest.raises(ValueError, match=r"LogScaler.transform: column 0 has minimum value -1"):
        LogScaler(offset=1.0).fit([[0.0]]).transform([[-1.0]])  # x + offset == 0 is not allowed
    with pytest.raises(ValueError, match="offset.*'one'"):
        LogScaler(offset="one")


def test_zscore_scaler_values_inverse_and_constant_columns():
    s = ZScoreScaler().fit(X3)
    np.testing.assert_allclose(s.mean_, [7 / 3, 70 / 3, 5])
    std0 = np.sqrt(((1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2 + (4 - 7 / 3) ** 2) / 3)  # ddof=0
    np.testing.assert_allclose(s.std_, [std0, 10 * std0, 0])
    Z = s.transform(X3)
    np.testing.assert_allclose(Z[:, 0], (X3[:, 0] - 7 / 3) / std0)
    np.testing.assert_allclose(Z[:, 1], Z[:, 0])  # column 1 is column 0 times 10
    np.testing.assert_array_equal(Z[:, 2], 0)  # constant column, no division by zero
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z[:, :2].std(axis=0), 1)
    np.testing.assert_allclose(s.transform([[7 / 3 + std0, 0, 9]]), [[1, -70 / 3 / (10 * std0), 0]])
    np.testing.assert_allclose(s.inverse_transform(Z), X3)


def test_statistics_come_from_the_training_data_only():
    rng = np.random.default_rng(0)
    train, test = rng.normal(3, 2, (50, 2)), rng.normal(3, 2, (20, 2))
    s = ZScoreScaler().fit(train)
    expected = (test - train.mean(axis=0)) / train.std(axis=0)
    np.testing.assert_allclose(s.transform(test), expected)
    assert np.abs(s.transform(test).mean(axis=0)).max() > 1e-3  # not re-centred on the test data


def test_identity_scaler_and_integer_input():
    X_int = np.array([[1, 2], [3, 4]])
    for name in SCALER_NAMES:
        out = make_scaler(name).fit(X_int).transform(X_int)
        assert out.dtype == np.float64 and out.shape == (2, 2)
    np.testing.assert_array_equal(IdentityScaler().fit_transform(X_int), X_int)
    X = X3.copy()
    ZScoreScaler().fit(X).transform(X)
    np.testing.assert_array_equal(X, X3)  # the input is never changed


def test_column_scaler():
    spec = {0: "log", -1: LinearScaler((0, 1)), 1: ZScoreScaler()}
    X = np.array([[0.0, 1.0, 2.0, 3.0], [np.e - 1, 3.0, 4.0, 5.0]])
    s = ColumnScaler(spec).fit(X)
    out = s.transform(X)
    np.testing.assert_allclose(out[:, 0], [0, 1])
    np.testing.assert_allclose(out[:, 1], [-1, 1])
    np.testing.assert_array_equal(out[:, 2], X[:, 2])  # not listed: unchanged
    np.testing.assert_allclose(out[:, 3], [0, 1])
    np.testing.assert_allclose(s.inverse_transform(out), X)
    assert not spec[1].fitted and s.scalers_[1].fitted  # fitted copies, originals untouched
    assert sorted(s.scalers_) == [0, 1, 3]


def test_column_scaler_errors_name_the_column():
    with pytest.raises(ValueError, match="column 5 does not exist in X with 3 column"):
        ColumnScaler({5: "zscore"}).fit(X3)
    with pytest.raises(ValueError, match="column 2 is given twice"):
        ColumnScaler({2: "zscore", -1: "log"}).fit(X3)
    with pytest.raises(ValueError, match="LogScaler.fit: column 2 has minimum value -5"):
        ColumnScaler({2: "log"}).fit(np.array([[1.0, 1.0, -5.0]]))
    with pytest.raises(TypeError, match="scalers\\[0\\].*got 3"):
        ColumnScaler({0: 3})
    with pytest.raises(ValueError, match="unknown scaler 'zscroe'"):
        ColumnScaler({0: "zscroe"})


def test_chain_clip_then_zscore():
    X = np.array([[0.0], [1.0], [2.0], [100.0]])
    s = Chain(ClipScaler(high=3), "zscore").fit(X)
    clipped = np.array([0.0, 1.0, 2.0, 3.0])
    np.testing.assert_allclose(s.transform(X)[:, 0], (clipped - 1.5) / np.sqrt(1.25))
    np.testing.assert_allclose(s.inverse_transform(s.transform(X))[:, 0], clipped)
    assert repr(s) == "Chain(ClipScaler(high=3), ZScoreScaler(); fitted on 1 feature(s))"


def test_make_scaler_names_and_keywords():
    kinds = {"none": IdentityScaler, "linear": LinearScaler, "clip": ClipScaler,
             "log": LogScaler, "zscore": ZScoreScaler}
    assert set(SCALER_NAMES) == set(kinds)
    for name, cls in kinds.items():
        assert type(make_scaler(name)) is cls
    assert make_scaler("linear", feature_range=(0, 1)).feature_range == (0, 1)
    with pytest.raises(ValueError, match="unknown scaler 'minmax'; choose one of none, linear, "
                                         "clip, log, zscore"):
        make_scaler("minmax")
    with pytest.raises(TypeError, match="offst.*'log'.*offset"):
        make_scaler("log", offst=2)


@pytest.mark.parametrize("name", SCALER_NAMES)
def test_input_errors(name):
    s = make_scaler(name)
    with pytest.raises(NotFittedError, match=r"not fitted yet; call fit\(X_train\) first"):
        s.transform(X3)
    bad = X3.copy()
    bad[0, 0] = bad[2, 0] = np.nan
    bad[1, 2] = np.inf
    with pytest.raises(ValueError, match=r"2 NaN value\(s\) \(column 0: 2\) and 1 infinite "
                                         r"value\(s\) \(column 2: 1\); impute or drop the rows"):
        s.fit(bad)
    s.fit(X3)
    with pytest.raises(ValueError, match=r"NaN value\(s\) \(column 0: 2\)"):
        s.transform(bad)
    with pytest.raises(ValueError, match=r"fitted on 3 feature\(s\) but X has 2 column"):
        s.transform(X3[:, :2])
    with pytest.raises(ValueError, match=r"1-D array of shape \(3,\); use X.reshape\(-1, 1\)"):
        s.fit(X3[:, 0])
    with pytest.raises(ValueError, match=r"shape \(1, 3, 3\)"):
        s.fit(X3[None])
    with pytest.raises(TypeError, match="dtype <U1"):
        s.fit(np.array([["a"]]))
    with pytest.raises(ValueError, match="at least one row"):
        s.fit(np.zeros((0, 3)))
    with pytest.raises(TypeError, match="unexpected keyword argument .bogus."):
        type(s)(bogus=1)


def test_reprs():
    assert repr(LinearScaler()) == "LinearScaler(feature_range=(-1.0, 1.0); not fitted)"
    assert repr(ZScoreScaler().fit(X3)) == "ZScoreScaler(fitted on 3 feature(s))"
    assert repr(ClipScaler(percentiles=(5, 95))) == "ClipScaler(percentiles=(5, 95); not fitted)"
    assert (repr(ColumnScaler({0: "log"}))
            == "ColumnScaler({0: LogScaler(offset=1.0)}; not fitted)")
