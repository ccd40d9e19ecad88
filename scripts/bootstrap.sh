#!/usr/bin/env bash
# Create .venv and install the project with pinned dependencies (idempotent).
# Everything the report needs comes from PyPI: pandoc (pypandoc-binary), Typst (typst), the fonts
# (DejaVu, shipped with matplotlib). Quarto, the primary book engine, is installed when the machine
# can download it; otherwise the build uses the pip-only engine.
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
if [ -n "${QUARTO:-}" ] || command -v quarto >/dev/null 2>&1 || [ -x .venv/bin/quarto ]; then
  echo "Quarto encontrado: será el motor del libro."
elif [ "${INFORME_SKIP_QUARTO:-0}" != "1" ] && \
     timeout 300 .venv/bin/python -m pip install --quiet "quarto-cli==1.10.19" >/dev/null 2>&1; then
  echo "Quarto instalado en .venv: será el motor del libro."
else
  echo "Quarto no está disponible en esta máquina: el libro se construirá con el motor solo-pip (pandoc + typst)."
fi
bash scripts/nbdime-git.sh || true  # notebook diffs cell by cell (nbdime), per clone
echo "Entorno listo en .venv"
