"""The router: page config, the shared sidebar, and st.navigation over the pages that exist."""

import streamlit as st
from threadpoolctl import threadpool_limits

from components import router, settings

# Our matrices are small and a server has few cores and many visitors: one BLAS thread each is
# faster (a multi-threaded 40x129 product was 20-50x slower on a busy 2-core machine).
threadpool_limits(limits=1, user_api="blas")
st.set_page_config(page_title="Multimodal Playground", page_icon="🎛️", layout="wide")
settings.declare()  # the language is needed now, for the navigation titles
page = st.navigation(router.pages())
page.run()  # each page draws the shared sidebar itself: see ui.page_start
