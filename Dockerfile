# Self-hosting and Hugging Face Spaces (Docker SDK). Build: docker build -t playground .
# For a CPU-only torch (a much smaller image), pass the CPU wheel index of PyTorch:
#   docker build --build-arg TORCH_INDEX_URL=<PyTorch CPU wheel index> -t playground .
FROM python:3.12-slim

ENV PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    PORT=8501

WORKDIR /app
COPY requirements.txt .
ARG TORCH_INDEX_URL=""
RUN if [ -n "$TORCH_INDEX_URL" ]; then pip install torch==2.13.0 --index-url "$TORCH_INDEX_URL"; fi \
    && pip install -r requirements.txt

COPY . .
# Compile librosa's numba functions into the image, so a new container starts warm.
RUN python -m models.warmup

EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/_stcore/health')"
CMD ["sh", "-c", "streamlit run app.py --server.port ${PORT} --server.address 0.0.0.0 --server.headless true"]
