#!/usr/bin/env bash
# Create .venv and install the project with pinned dependencies (idempotent).
# Everything the report needs comes from PyPI: pandoc (pypandoc-binary), Typst (typst), the fonts
# (DejaVu, shipped with matplotlib). Quarto, the primary book engine, is installed when the machine
# can download it; otherwise the build uses the pip-only engine.
# The browser tests of the HTML book need Debian's chromium and chromium-driver (installed here with
# apt-get when missing and running as root) and axe-core from npm (into .venv/node).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "informe necesita Python 3.11 o más reciente ($PYTHON es $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
# nbdime (notebook diffs for git) lives in its own environment, .venv/nbdime: it brings jupyter_server, whose
# jsonschema[format-nongpl] compiles a URI grammar (~1 s) in every process that imports nbformat, papermill's
# first import (a cold build took 4 s longer with it). Environments made before moved it out of .venv.
if .venv/bin/python -m pip show --quiet jupyter_server >/dev/null 2>&1; then
  .venv/bin/python -m pip uninstall --quiet -y nbdime jupyter_server jupyter_events rfc3987-syntax >/dev/null
fi
if [ ! -x .venv/nbdime/bin/python ]; then
  "$PYTHON" -m venv .venv/nbdime
fi
.venv/nbdime/bin/python -m pip install --quiet -r scripts/nbdime-requirements.txt
if [ -n "${QUARTO:-}" ] || command -v quarto >/dev/null 2>&1 || [ -x .venv/bin/quarto ]; then
  echo "Quarto encontrado: será el motor del libro."
elif [ "${INFORME_SKIP_QUARTO:-0}" != "1" ] && \
     timeout 300 .venv/bin/python -m pip install --quiet "quarto-cli==1.10.19" >/dev/null 2>&1; then
  echo "Quarto instalado en .venv: será el motor del libro."
else
  echo "Quarto no está disponible en esta máquina: el libro se construirá con el motor solo-pip (pandoc + typst)."
fi
AXE_CORE_VERSION="4.14.1"
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Instalando chromium y chromium-driver (Debian) para las pruebas del libro HTML..."
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium chromium-driver >/dev/null
  else
    echo "Aviso: faltan chromium y chromium-driver; las pruebas del libro HTML en el navegador se omitirán" \
         "(instálelos con: sudo apt-get install chromium chromium-driver)." >&2
  fi
fi
if [ ! -f ".venv/node/node_modules/axe-core/package.json" ] || \
   ! grep -q "\"version\": \"$AXE_CORE_VERSION\"" .venv/node/node_modules/axe-core/package.json; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p .venv/node
    npm install --prefix .venv/node --no-audit --no-fund --silent "axe-core@$AXE_CORE_VERSION"
  else
    echo "Aviso: falta npm; las pruebas de accesibilidad (axe-core) se omitirán." >&2
  fi
fi
bash scripts/nbdime-git.sh || true  # notebook diffs cell by cell (nbdime), per clone
echo "Entorno listo en .venv"
