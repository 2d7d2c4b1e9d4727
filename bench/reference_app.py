"""The yardstick for bench/load.py: the smallest useful Streamlit app, one slider and one Plotly heatmap.

Whatever this app costs per visitor (a session, a script run, one chart's JSON over the websocket) is
what Streamlit itself costs on this machine; the load test divides the playground's figures by this
app's, so "3x the reference" reads the same on a laptop and on a busy CI box.

    streamlit run bench/reference_app.py

The slider's declaration below is what the load generator changes; the drawing only happens when
Streamlit runs the file (it runs it as `__main__`), so importing it for the declaration draws nothing.
"""

from __future__ import annotations

KEY = "reference.size"  # the slider's key: the load generator finds the widget by it
DEFAULT, LOW, HIGH, STEP = 30, 10, 60, 5


def heatmap(size: int):
    """A size × size heatmap of a smooth pattern: a chart of a few KB, like one of the playground's."""
    import numpy as np
    import plotly.graph_objects as go

    x = np.linspace(0, 3 * np.pi, size)
    z = np.sin(x)[:, None] * np.cos(x)[None, :]
    figure = go.Figure(go.Heatmap(z=np.round(z, 3), colorscale="Viridis"))
    figure.update_layout(height=420, margin={"l": 20, "r": 20, "t": 20, "b": 20})
    return figure


def main() -> None:
    import streamlit as st

    size = st.slider("Size", min_value=LOW, max_value=HIGH, value=DEFAULT, step=STEP, key=KEY)
    st.plotly_chart(heatmap(size))


if __name__ == "__main__":
    main()
