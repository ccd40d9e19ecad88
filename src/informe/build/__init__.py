"""Build and book: execute the section notebooks, render the book, publish (the layer above ``report``)."""

import sys


def skip_unneeded_imports() -> None:
    """Keep jsonschema from loading ``rfc3987_syntax`` (≈1 s per process: it compiles Lark grammars).

    jsonschema imports it, when installed, only to check the ``uri``/``iri`` string *formats*; nbformat
    validates notebooks without a format checker, so nothing informe runs uses it (it is installed as a
    dependency of jupyter_events, for nbdime's server). Marking it absent makes jsonschema skip that
    checker, as it does wherever the package is not installed. Called when the build layer is imported
    (the build process, its workers) and again before papermill is imported.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


skip_unneeded_imports()
