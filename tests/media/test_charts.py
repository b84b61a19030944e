"""tidelog.plot presets, plot_table, PR/ROC/confusion matrix, matplotlib and Plotly figures."""

from __future__ import annotations

import json
import pickle
import warnings

import numpy as np
import pytest
from _helpers import encode_prepared, log_value, read_json, read_table

import tidelog.plot as plot
from tidelog.errors import TidelogWarning
from tidelog.media import to_loggable
from tidelog.media.charts import from_figure, load_preset_spec
from tidelog.media.curves import pr_points, roc_points
from tidelog.media.table import MAX_ROWS, Table


def _spec(run_dir, value):
    spec = read_json(run_dir, value["vega_spec"])
    assert "${" not in json.dumps(spec)  # every placeholder resolved
    assert spec["data"] == {"name": "table"}
    return spec


def _xy_table():
    return Table(columns=["x", "y", "series"], data=[[i, i * i, "a" if i % 2 else "b"] for i in range(10)])


def test_line_preset(tmp_path):
    value = log_value("my_plot", plot.line(_xy_table(), "x", "y", stroke="series", title="Y vs X"), tmp_path)
    assert value["_type"] == "table-file" and value["panel_type"] == "Vega2"
    assert value["panel_config"]["panelDefId"] == "wandb/line/v0"
    assert value["panel_config"]["fieldSettings"] == {"x": "x", "y": "y", "stroke": "series"}
    assert value["panel_config"]["stringSettings"] == {"title": "Y vs X"}
    table = read_table(tmp_path, value)
    assert table["columns"] == ["x", "y", "series"] and table["data"][3] == [3, 9, "a"]
    spec = _spec(tmp_path, value)
    assert spec["title"] == "Y vs X"
    assert spec["encoding"]["x"]["field"] == "x" and spec["encoding"]["color"]["field"] == "series"


def test_line_without_stroke_drops_the_color_channel(tmp_path):
    spec = _spec(tmp_path, log_value("p", plot.line(_xy_table(), "x", "y"), tmp_path))
    assert "color" not in spec["encoding"]


@pytest.mark.parametrize(
    "make, spec_name, fields",
    [
        (lambda t: plot.scatter(t, "x", "y", title="s"), "wandb/scatter/v0", {"x": "x", "y": "y"}),
        (lambda t: plot.bar(t, "series", "y", title="b"), "wandb/bar/v0", {"label": "series", "value": "y"}),
        (lambda t: plot.histogram(t, "y", title="h"), "wandb/histogram/v0", {"value": "y"}),
    ],
)
def test_scatter_bar_histogram_presets(tmp_path, make, spec_name, fields):
    value = log_value("p", make(_xy_table()), tmp_path)
    assert value["panel_config"]["panelDefId"] == spec_name
    assert value["panel_config"]["fieldSettings"] == fields
    assert read_table(tmp_path, value)["columns"] == ["x", "y", "series"]
    spec = _spec(tmp_path, value)
    bound = {enc.get("field") for enc in spec["encoding"].values()}
    assert set(fields.values()) <= bound


def test_preset_refuses_unknown_column():
    with pytest.raises(ValueError, match="field 'y' is bound to column 'nope'"):
        plot.line(_xy_table(), "x", "nope")


def test_plot_table_with_a_custom_spec_name(tmp_path):
    table = Table(data=[[1, 10], [2, 20]], columns=["step", "height"])
    chart = plot.plot_table("carey/new_chart", table, {"x": "step", "value": "height"}, {"title": "T"})
    value = log_value("custom", chart, tmp_path)
    assert value["panel_config"]["panelDefId"] == "carey/new_chart"
    assert value["panel_config"]["fieldSettings"] == {"x": "step", "value": "height"}
    assert value["panel_config"]["stringSettings"] == {"title": "T"}
    assert value["vega_spec"] is None  # not a spec tidelog ships
    assert read_table(tmp_path, value)["data"] == [[1, 10], [2, 20]]


def test_plot_table_with_a_preset_spec(tmp_path):
    table = Table(data=[[1, 10], [2, 20]], columns=["step", "height"])
    value = log_value("c", plot.plot_table("wandb/scatter/v0", table, {"x": "step", "y": "height"}), tmp_path)
    assert _spec(tmp_path, value)["encoding"]["y"]["field"] == "height"


def test_plot_table_argument_errors():
    table = Table(data=[[1, 2]], columns=["a", "b"])
    with pytest.raises(TypeError, match="tidelog.Table"):
        plot.plot_table("x/y", [[1, 2]], {"x": "a"})
    with pytest.raises(TypeError, match="fields must be a dict"):
        plot.plot_table("x/y", table, ["a"])
    with pytest.raises(TypeError, match="vega_spec_name"):
        plot.plot_table("", table, {"x": "a"})


def test_every_preset_spec_is_vega_lite_v5():
    from tidelog.media.charts import PRESET_SPECS

    for name in PRESET_SPECS:
        spec = load_preset_spec(name)
        assert spec["$schema"].endswith("vega-lite/v5.json") and spec["data"] == {"name": "table"}


def test_line_series_shared_xs(tmp_path):
    xs = [0, 1, 2]
    ys = [[0, 1, 2], [0, 1, 4]]
    value = log_value("ls", plot.line_series(xs, ys, keys=["lin", "sq"], title="t", xname="step"), tmp_path)
    table = read_table(tmp_path, value)
    assert table["columns"] == ["step", "lineKey", "lineVal"]
    assert table["data"] == [[0, "lin", 0], [1, "lin", 1], [2, "lin", 2], [0, "sq", 0], [1, "sq", 1], [2, "sq", 4]]
    assert value["panel_config"]["stringSettings"] == {"title": "t", "xname": "step"}
    assert _spec(tmp_path, value)["encoding"]["x"]["title"] == "step"


def test_line_series_per_line_xs_and_default_keys(tmp_path):
    value = log_value("ls", plot.line_series(np.array([[0, 1], [0, 2]]), np.array([[5, 6], [7, 8]])), tmp_path)
    assert read_table(tmp_path, value)["data"] == [[0, "line_0", 5], [1, "line_0", 6], [0, "line_1", 7], [2, "line_1", 8]]
    with pytest.raises(ValueError, match="2 keys for 1 y-series"):
        plot.line_series([0, 1], [[1, 2]], keys=["a", "b"])
    with pytest.raises(ValueError, match="series 0 has 2 x values and 3 y values"):
        plot.line_series([0, 1], [[1, 2, 3]])


# -- PR / ROC -------------------------------------------------------------------------------

Y_TRUE = [0, 0, 1, 1]
SCORES = np.array([0.1, 0.4, 0.35, 0.8])  # class-1 scores; the classic example
PROBAS = np.stack([1 - SCORES, SCORES], axis=1)


def test_pr_points_hand_computed():
    recall, precision = pr_points(np.array(Y_TRUE) == 1, SCORES)
    # thresholds 0.8, 0.4, 0.35, 0.1: tp 1,1,2,2  fp 0,1,1,2
    np.testing.assert_allclose(recall, [0, 0.5, 0.5, 1, 1])
    np.testing.assert_allclose(precision, [1, 1, 0.5, 2 / 3, 0.5])


def test_roc_points_hand_computed():
    fpr, tpr = roc_points(np.array(Y_TRUE) == 1, SCORES)
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_allclose(tpr, [0, 0.5, 0.5, 1, 1])


def test_ties_share_one_threshold():
    fpr, tpr = roc_points(np.array([True, False, True]), np.array([0.5, 0.5, 0.2]))
    np.testing.assert_allclose(fpr, [0, 1, 1])
    np.testing.assert_allclose(tpr, [0, 0.5, 1])


def test_pr_curve_table_and_chart(tmp_path):
    value = log_value("pr", plot.pr_curve(Y_TRUE, PROBAS, labels=["neg", "pos"], classes_to_plot=[1]), tmp_path)
    table = read_table(tmp_path, value)
    assert table["columns"] == ["class", "precision", "recall"]
    assert table["data"] == [["pos", 1.0, 0.0], ["pos", 1.0, 0.5], ["pos", 0.5, 0.5], ["pos", 0.667, 1.0], ["pos", 0.5, 1.0]]
    assert value["panel_config"]["panelDefId"] == "wandb/area-under-curve/v0"
    assert value["panel_config"]["fieldSettings"] == {"x": "recall", "y": "precision", "class": "class"}
    assert value["panel_config"]["stringSettings"]["title"] == "Precision v. Recall"
    assert _spec(tmp_path, value)["encoding"]["x"]["field"] == "recall"


def test_roc_curve_table(tmp_path):
    value = log_value("roc", plot.roc_curve(Y_TRUE, PROBAS, classes_to_plot=[1], title="R"), tmp_path)
    table = read_table(tmp_path, value)
    assert table["columns"] == ["class", "fpr", "tpr"]
    assert table["data"] == [[1, 0.0, 0.0], [1, 0.0, 0.5], [1, 0.5, 0.5], [1, 0.5, 1.0], [1, 1.0, 1.0]]
    assert value["panel_config"]["stringSettings"]["title"] == "R"


def test_binary_scores_1d_mean_the_positive_class(tmp_path):
    a = log_value("r", plot.roc_curve(Y_TRUE, SCORES, classes_to_plot=[1]), tmp_path)
    b = log_value("r", plot.roc_curve(Y_TRUE, PROBAS, classes_to_plot=[1]), tmp_path)
    assert a["sha256"] == b["sha256"]


def _curves_valid(rows, x_col, y_col):
    by_class = {}
    for row in rows:
        by_class.setdefault(row[0], []).append(row)
    for points in by_class.values():
        xs = [p[x_col] for p in points]
        assert xs == sorted(xs)  # monotone in x
        assert all(0 <= p[1] <= 1 and 0 <= p[2] <= 1 for p in points)
    return by_class


def test_multiclass_curves_are_monotone_and_valid(tmp_path):
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, size=300)
    probas = rng.dirichlet(np.ones(3), size=300)
    probas[np.arange(300), y] += 0.5
    probas /= probas.sum(axis=1, keepdims=True)
    roc = read_table(tmp_path, log_value("roc", plot.roc_curve(y, probas, labels=["a", "b", "c"]), tmp_path))
    curves = _curves_valid(roc["data"], 1, 2)
    assert set(curves) == {"a", "b", "c"}
    for points in curves.values():
        assert points[0][1:] == [0.0, 0.0] and points[-1][1:] == [1.0, 1.0]
        tprs = [p[2] for p in points]
        assert tprs == sorted(tprs)
    pr = read_table(tmp_path, log_value("pr", plot.pr_curve(y, probas), tmp_path))
    curves = _curves_valid(pr["data"], 2, 1)
    assert set(curves) == {0, 1, 2}
    for points in curves.values():
        assert points[-1][2] == 1.0  # every curve reaches full recall


def test_string_labels_and_classes_to_plot_by_name(tmp_path):
    y = ["cat", "dog", "dog", "cat"]
    probas = [[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.7, 0.3]]
    table = read_table(tmp_path, log_value("pr", plot.pr_curve(y, probas, classes_to_plot=["dog"]), tmp_path))
    assert {row[0] for row in table["data"]} == {"dog"}
    assert ["dog", 1.0, 1.0] in table["data"]  # a perfect classifier reaches (recall 1, precision 1)


def test_curve_resampled_to_the_table_limit(tmp_path):
    rng = np.random.default_rng(4)
    n = 12_000
    y = rng.integers(0, 2, size=n)
    probas = rng.random((n, 2))
    chart = plot.roc_curve(y, probas)
    with pytest.warns(TidelogWarning, match="resampled"):
        prep = to_loggable("roc", chart)
    table = read_table(tmp_path, encode_prepared(prep, tmp_path))
    assert len(table["data"]) <= MAX_ROWS
    curves = _curves_valid(table["data"], 1, 2)
    for points in curves.values():
        assert points[0][1:] == [0.0, 0.0] and points[-1][1:] == [1.0, 1.0]  # ends kept


def test_curve_argument_errors():
    with pytest.raises(ValueError, match="3 rows"):
        plot.pr_curve([0, 1], [[0.5, 0.5]] * 3)
    with pytest.raises(ValueError, match="y_probas has 2 class columns"):
        plot.roc_curve([0, 2], [[0.5, 0.5]] * 2)
    with pytest.raises(ValueError, match="classes_to_plot names class 5"):
        plot.roc_curve([0, 1], [[0.5, 0.5]] * 2, classes_to_plot=[5])
    with pytest.raises(ValueError, match="required"):
        plot.pr_curve([0, 1])


# -- confusion matrix ----------------------------------------------------------------------


def _counts(table):
    return {(a, p): n for a, p, n in table["data"]}


def test_confusion_matrix_from_preds(tmp_path):
    value = log_value(
        "cm", plot.confusion_matrix(y_true=[0, 1, 2, 2, 1], preds=[0, 1, 1, 2, 1], class_names=["a", "b", "c"]), tmp_path
    )
    table = read_table(tmp_path, value)
    assert table["columns"] == ["Actual", "Predicted", "nPredictions"]
    assert len(table["data"]) == 9
    counts = _counts(table)
    assert counts[("a", "a")] == 1 and counts[("b", "b")] == 2 and counts[("c", "b")] == 1 and counts[("c", "c")] == 1
    assert sum(counts.values()) == 5
    assert value["panel_config"]["panelDefId"] == "wandb/confusion_matrix/v1"
    assert value["panel_config"]["stringSettings"] == {"title": "Confusion Matrix Curve"}
    spec = _spec(tmp_path, value)
    assert spec["encoding"]["x"]["field"] == "Predicted"


def test_confusion_matrix_from_probs_without_names(tmp_path):
    probs = np.array([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4]])
    table = read_table(tmp_path, log_value("cm", plot.confusion_matrix(probs=probs, y_true=[0, 1, 1]), tmp_path))
    assert _counts(table) == {
        ("Class_1", "Class_1"): 1, ("Class_1", "Class_2"): 0,
        ("Class_2", "Class_1"): 1, ("Class_2", "Class_2"): 1,
    }


def test_confusion_matrix_string_labels(tmp_path):
    cm = plot.confusion_matrix(y_true=["cat", "dog", "dog"], preds=["cat", "cat", "dog"])
    # W&B's naming: the sorted union of the labels ("cat" < "dog") as Class_1, Class_2
    assert _counts(read_table(tmp_path, log_value("cm", cm, tmp_path))) == {
        ("Class_1", "Class_1"): 1, ("Class_1", "Class_2"): 0,
        ("Class_2", "Class_1"): 1, ("Class_2", "Class_2"): 1,
    }


def test_confusion_matrix_errors():
    with pytest.raises(ValueError, match="exactly one of probs or preds"):
        plot.confusion_matrix(probs=[[1, 0]], preds=[0], y_true=[0])
    with pytest.raises(ValueError, match="2 preds but 3 true labels"):
        plot.confusion_matrix(preds=[0, 1], y_true=[0, 1, 1])
    with pytest.raises(ValueError, match="outside the 2 class_names"):
        plot.confusion_matrix(preds=[0, 2], y_true=[0, 1], class_names=["a", "b"])


# -- figures ---------------------------------------------------------------------------------


@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    yield pyplot
    pyplot.close("all")


def test_matplotlib_figure_stored_as_plotly(tmp_path, plt):
    pytest.importorskip("plotly")
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3, 4], [1, 4, 9, 16])
    prep = to_loggable("chart", fig)
    assert prep.kind == "matplotlib" and prep.meta == {"format": "pickle", "key": "chart"}
    before = plt.get_fignums()
    value = encode_prepared(prep, tmp_path)
    assert plt.get_fignums() == before  # encoding left pyplot's figures as they were
    assert value["_type"] == "plotly-file"
    assert value["path"].startswith("media/plotly/") and value["path"].endswith(".plotly.json")
    stored = read_json(tmp_path, value)
    assert stored["data"][0]["y"] == [1, 4, 9, 16] or list(stored["data"][0]["y"]) == [1.0, 4.0, 9.0, 16.0]


def test_pyplot_module_logs_the_current_figure(tmp_path, plt):
    plt.figure()
    plt.plot([1, 2, 3, 4])
    plt.ylabel("some interesting numbers")
    value = encode_prepared(from_figure("chart", plt), tmp_path)
    assert value["_type"] in ("plotly-file", "image-file")
    assert (tmp_path / value["path"]).is_file()


def test_axes_logs_its_figure(plt):
    fig, ax = plt.subplots()
    assert to_loggable("a", ax).kind == "matplotlib"


def test_unpicklable_figure_falls_back_to_png(tmp_path, plt):
    fig, ax = plt.subplots(figsize=(2, 1), dpi=50)
    ax.plot([0, 1])
    fig.tidelog_test_hook = lambda: None  # lambdas do not pickle
    prep = from_figure("chart", fig)
    assert prep.meta == {"format": "png", "key": "chart"}
    value = encode_prepared(prep, tmp_path)
    assert value["_type"] == "image-file" and value["format"] == "png"
    assert (value["width"], value["height"]) == (100, 50)
    assert (tmp_path / value["path"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_figure_plotly_cannot_convert_is_a_png_and_says_why_once(tmp_path, plt):
    pytest.importorskip("plotly")
    from tidelog.media import figures

    figures._warned_keys.discard("polar")
    fig = plt.figure()
    fig.add_subplot(projection="polar").plot([0, 1], [1, 2])  # mpl_to_plotly raises KeyError('bottom')
    with pytest.warns(TidelogWarning, match=r"key 'polar': .*could not be converted to Plotly \(KeyError: 'bottom'\)"):
        value = encode_prepared(from_figure("polar", fig), tmp_path)
    assert value["_type"] == "image-file" and value["format"] == "png"
    assert (tmp_path / value["path"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the second time: no warning
        assert encode_prepared(from_figure("polar", fig), tmp_path)["_type"] == "image-file"


def test_figure_with_an_image_stored_as_png(tmp_path, plt):
    fig, ax = plt.subplots()
    ax.imshow(np.arange(16).reshape(4, 4))
    value = encode_prepared(from_figure("im", fig), tmp_path)
    assert value["_type"] == "image-file" and (tmp_path / value["path"]).is_file()


def test_plotly_figure_stored(tmp_path):
    go = pytest.importorskip("plotly.graph_objects")
    fig = go.Figure(data=[go.Bar(x=["a", "b"], y=[3, 5])])
    prep = to_loggable("bars", fig)
    assert prep.kind == "plotly"
    pickle.loads(prep.arrays[0])  # a snapshot, independent of later changes to fig
    value = encode_prepared(prep, tmp_path)
    assert value["_type"] == "plotly-file"
    stored = read_json(tmp_path, value)
    assert stored["data"][0]["type"] == "bar" and stored["data"][0]["y"] == [3, 5]


def test_non_figure_matplotlib_object_refused(plt):
    from matplotlib.colors import Normalize

    with pytest.raises(TypeError, match="'n'.*Normalize"):
        to_loggable("n", Normalize())
