"""Figure builders on plain numbers: what a reader of the chart is told."""

from components import figures


def test_lying_bars_title_their_value_axis_not_their_rows():
    """Lying down, the values run along x: a value title on y would read as the name of the rows (found
    in the fusion page's Shapley and EMAP charts)."""
    series = {"image": [0.2, 0.4], "sound": [0.5, 0.1]}
    lying = figures.grouped_bars(["early", "late"], series, value_label="accuracy", horizontal=True)
    standing = figures.grouped_bars(["early", "late"], series, value_label="accuracy")
    assert lying.layout.xaxis.title.text == "accuracy" and not lying.layout.yaxis.title.text
    assert standing.layout.yaxis.title.text == "accuracy" and not standing.layout.xaxis.title.text


def test_lying_bars_may_write_a_full_value_past_the_axis_end():
    """A narrow chart in presenter type cut "100%" at the axis end (captioning's CHAIR_s bars)."""
    lying = figures.grouped_bars(["a", "b"], {"s": [1.0, 0.5]}, horizontal=True)
    assert all(trace.cliponaxis is False for trace in lying.data if trace.type == "bar")
