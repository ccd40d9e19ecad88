"""Spanish for the command line's own words (help headings, the help option, usage errors).

typer (0.29) writes them in English, from module constants and from its vendored click,
without a message catalogue to plug into. :func:`install` sets the constants and wraps
the few places that produce the rest; it is idempotent and only affects this process.
"""

from __future__ import annotations

import re

from typer import core as typer_core
from typer import rich_utils as typer_rich_utils
from typer._click import core, formatting

HELP_OPTION = "Muestra esta ayuda y termina."

# typer.rich_utils constants, read at call time.
CONSTANTS = {
    "ARGUMENTS_PANEL_TITLE": "Argumentos",
    "OPTIONS_PANEL_TITLE": "Opciones",
    "COMMANDS_PANEL_TITLE": "Comandos",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Interrumpido.",
    "RICH_HELP": "Pruebe [blue]'{command_path} {help_option}'[/] para ver la ayuda.",
    "DEFAULT_STRING": "[por defecto: {}]",
    "ENVVAR_STRING": "[variable de entorno: {}]",
    "REQUIRED_LONG_STRING": "[obligatorio]",
    "DEPRECATED_STRING": "(obsoleto) ",
}

USAGE_WORDS = {"[OPTIONS]": "[OPCIONES]", "COMMAND [ARGS]...": "COMANDO [ARGUMENTOS]..."}

# Usage errors, as click/typer word them → Spanish.
MESSAGES = [
    (r"^No such option: (\S+) \(Possible options: (.+)\)$", r"No existe la opción \1 (opciones posibles: \2)."),
    (r"^No such option: (\S+)$", r"No existe la opción \1."),
    (r"^No such command '(.+)'\.$", r"No existe el comando «\1»."),
    (r"^Missing command\.$", "Falta el comando."),
    (r"^Missing argument '(.+)'\.(.*)$", r"Falta el argumento \1.\2"),
    (r"^Missing option '(.+)'\.(.*)$", r"Falta la opción \1.\2"),
    (r"^Missing parameter: (.+)$", r"Falta el parámetro \1."),
    (r"^Got unexpected extra argument(?:\(s\))? \((.+)\)$", r"Sobran argumentos: \1."),
    (r"^Option '(.+)' requires an argument\.$", r"La opción \1 necesita un valor."),
    (r"^Option '(.+)' requires (\d+) arguments\.$", r"La opción \1 necesita \2 valores."),
    (r"^Option '(.+)' does not take a value\.$", r"La opción \1 no lleva valor."),
    (r"^Invalid value for (.+?): (.*)$", r"Valor inválido para \1: \2"),
    (r"^Invalid value: (.*)$", r"Valor inválido: \1"),
]
DETAILS = [
    (r"Input should be a valid integer[^.]*", "se esperaba un número entero"),
    (r"Input should be a valid number[^.]*", "se esperaba un número"),
    (r"Input should be a valid boolean[^.]*", "se esperaba sí o no"),
    (r"'(.+)' is not one of (.+)\.", r"«\1» no es uno de \2."),
]


def translate(message: str) -> str:
    """A usage error in Spanish (unknown messages are left as they are)."""
    for pattern, replacement in DETAILS:
        message = re.sub(pattern, replacement, message)
    for pattern, replacement in MESSAGES:
        if re.match(pattern, message, flags=re.S):
            return re.sub(pattern, replacement, message, flags=re.S)
    return message


_installed = False
TYPE_WORDS = {"<path>": "<ruta>", "<str>": "<texto>", "<int>": "<entero>", "<float>": "<número>"}


def _spanish_display_type(display_type_rich):
    def spanish_display_type(self, ctx):
        if getattr(self, "is_flag", False) and self.metavar is None:
            return None  # a flag takes no value: no "<bool>"
        shown = display_type_rich(self, ctx)
        return TYPE_WORDS.get(shown, shown)
    return spanish_display_type


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True

    write_usage = formatting.HelpFormatter.write_usage

    def spanish_usage(self, prog, args="", prefix=None):
        return write_usage(self, prog, args, "Uso: " if prefix is None else prefix)

    setattr(formatting.HelpFormatter, "write_usage", spanish_usage)  # noqa: B010 - replacing a method

    get_help_option = core.Command.get_help_option

    def spanish_help_option(self, ctx):
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = HELP_OPTION
        return option

    setattr(core.Command, "get_help_option", spanish_help_option)  # noqa: B010

    collect_usage_pieces = core.Command.collect_usage_pieces

    def spanish_usage_pieces(self, ctx):
        pieces = collect_usage_pieces(self, ctx)
        return [USAGE_WORDS.get(piece, piece) for piece in pieces]

    setattr(core.Command, "collect_usage_pieces", spanish_usage_pieces)  # noqa: B010
    group_usage_pieces = typer_core.TyperGroup.collect_usage_pieces

    def spanish_group_usage_pieces(self, ctx):
        return [USAGE_WORDS.get(piece, piece) for piece in group_usage_pieces(self, ctx)]

    setattr(typer_core.TyperGroup, "collect_usage_pieces", spanish_group_usage_pieces)  # noqa: B010

    for cls in (typer_core.TyperOption, typer_core.TyperArgument):
        setattr(cls, "display_type_rich", _spanish_display_type(cls.display_type_rich))  # noqa: B010

    # typer imports rich_utils only to show help or an error; importing it here costs every command 0,05 s,
    # the price of changing its words through its module attributes rather than an import hook.
    _spanish_rich_utils(typer_rich_utils)


def _spanish_rich_utils(rich_utils) -> None:
    """The Spanish words of typer's help screens and error panels (``typer.rich_utils``)."""
    for name, value in CONSTANTS.items():
        setattr(rich_utils, name, value)
    rich_utils.highlighter.highlights = [h.replace("(?P<usage>Usage: )", "(?P<usage>Uso: )")
                                         for h in rich_utils.highlighter.highlights]
    format_error = rich_utils.rich_format_error

    def spanish_error(self):
        message = translate(self.format_message())
        self.format_message = lambda: message
        return format_error(self)

    rich_utils.rich_format_error = spanish_error
