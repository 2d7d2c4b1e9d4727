# Self-hosting and Hugging Face Spaces (Docker SDK).
#   docker build -t playground .
#   docker run --rm -p 8501:8501 playground            # then open http://localhost:8501
# Build arguments:
#   TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu   CPU-only torch: a much smaller image
#   PRETRAINED=1   bake the allowlisted Hugging Face models (models/hub.py, about 2.2 GB) into
#                  the image, so Pretrained mode works with no network
# Run-time settings: PORT (8501; Spaces routes to the README's `app_port`), HF_HUB_OFFLINE (1: no
# download at run time; 0 lets Pretrained mode download the models that are not baked in).
FROM python:3.12-slim

ENV PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONUNBUFFERED=1

# As root: the libraries, into the system's site-packages (read-only for the app's user).
COPY requirements.txt /tmp/requirements.txt
ARG TORCH_INDEX_URL=""
RUN if [ -n "$TORCH_INDEX_URL" ]; then pip install torch==2.13.0 --index-url "$TORCH_INDEX_URL"; fi \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The app runs as user 1000 (Spaces runs every container as uid 1000), and every cache it or its
# libraries write lives in that user's home, created and owned by it here.
# NUMBA_CPU_NAME=generic: numba keys its on-disk cache by CPU model; compiled for a generic x86-64,
# the librosa functions compiled below are reused on whichever CPU runs the container.
# DISABLE_SAFETENSORS_CONVERSION: transformers never asks the Hub to open a conversion pull request.
ENV HOME=/home/user \
    XDG_CACHE_HOME=/home/user/.cache \
    NUMBA_CACHE_DIR=/home/user/.cache/numba \
    NUMBA_CPU_NAME=generic \
    HF_HOME=/home/user/.cache/huggingface \
    HF_HUB_CACHE=/home/user/.cache/huggingface/hub \
    HF_HUB_OFFLINE=1 \
    DISABLE_SAFETENSORS_CONVERSION=1 \
    PORT=8501
RUN useradd --create-home --uid 1000 --shell /bin/bash user \
    && install -d -o user -g user "$HOME/app" "$HOME/app/models" "$XDG_CACHE_HOME" "$NUMBA_CACHE_DIR" "$HF_HOME" "$HF_HUB_CACHE"

USER user
WORKDIR /home/user/app

# Optional: the pretrained models, downloaded at build time into HF_HOME (the only step that may use
# the network), before the rest of the code so that a code change does not download them again.
ARG PRETRAINED=0
COPY --chown=user:user models/__init__.py models/hub.py models/fetch_pretrained.py models/
COPY --chown=user:user models/core/__init__.py models/core/imports.py models/core/
RUN if [ "$PRETRAINED" = "1" ]; then HF_HUB_OFFLINE=0 python -m models.fetch_pretrained; fi

COPY --chown=user:user . .
# As the user who runs the app: compile librosa's numba functions into NUMBA_CACHE_DIR, so a new
# container starts warm (and the marker the app checks says so).
RUN python -m models.core.jit

EXPOSE 8501
HEALTHCHECK CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/_stcore/health', timeout=5)"
CMD ["sh", "-c", "exec streamlit run app.py --server.port ${PORT} --server.address 0.0.0.0 --server.headless true"]
