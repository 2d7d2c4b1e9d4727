"""The router: page config, the shared sidebar, and st.navigation over the pages that exist."""

import streamlit as st

from components import router, settings, warmup

warmup.single_threaded()
st.set_page_config(page_title="Multimodal Playground", page_icon="🎛️", layout="wide")
settings.declare()  # the language is needed now, for the navigation titles
page = st.navigation(router.pages())
page.run()  # each page draws the shared sidebar itself: see ui.page_start
