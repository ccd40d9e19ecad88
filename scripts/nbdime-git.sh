#!/usr/bin/env bash
# Let git show notebook changes cell by cell with nbdime (per clone: git does not keep this setting in the
# repository). `.gitattributes` routes *.ipynb to the `jupyternotebook` driver; this defines that driver
# with absolute paths into .venv/nbdime (nbdime's own environment, see bootstrap.sh), so `git diff` works without
# activating any virtual environment.
# Run by scripts/bootstrap.sh; harmless outside a git clone or when run again.
set -euo pipefail
cd "$(dirname "$0")/.."
git rev-parse --git-dir >/dev/null 2>&1 || exit 0
[ -x .venv/nbdime/bin/git-nbdiffdriver ] || { echo "nbdime no está instalado en .venv/nbdime (make setup)." >&2; exit 0; }
bin="$(pwd)/.venv/nbdime/bin"
git config diff.jupyternotebook.command "\"$bin/git-nbdiffdriver\" diff"
git config merge.jupyternotebook.driver "\"$bin/git-nbmergedriver\" merge %O %A %B %L %P"
git config merge.jupyternotebook.name "jupyter notebook merge driver"
git config difftool.nbdime.cmd "\"$bin/git-nbdifftool\" diff \"\$LOCAL\" \"\$REMOTE\" \"\$BASE\""
git config mergetool.nbdime.cmd "\"$bin/git-nbmergetool\" merge \"\$BASE\" \"\$LOCAL\" \"\$REMOTE\" \"\$MERGED\""
echo "nbdime configurado: git diff muestra los cuadernos celda por celda (git difftool --tool=nbdime para verlos en el navegador)."
