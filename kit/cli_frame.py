"""The command line's frame in the user's language: the words typer prints around the kit's own messages.

Typer keeps its panel titles and tags ("Options", "Arguments", "[default: …]", "[required]", the "Error" box and its
"Try … --help" line) in :mod:`typer.rich_utils` globals, read each time it prints; :func:`install` sets them from
the catalogue's ``cli.frame`` texts. (The usage line and the help option's own text come from the click copy inside
typer, which has no hook for them.)
"""

from __future__ import annotations

TYPER = {  # typer.rich_utils global → key under cli.frame
    "OPTIONS_PANEL_TITLE": "options",
    "ARGUMENTS_PANEL_TITLE": "arguments",
    "COMMANDS_PANEL_TITLE": "commands",
    "ERRORS_PANEL_TITLE": "error",
    "DEFAULT_STRING": "default",
    "REQUIRED_LONG_STRING": "required",
    "ENVVAR_STRING": "envvar",
    "ABORTED_TEXT": "aborted",
    "RICH_HELP": "rich_help",
}


def install(lang: str) -> None:
    """Let typer print its frame in ``lang`` from now on (in this process)."""
    import typer.rich_utils

    from kit.i18n import catalogue

    words = catalogue(lang)
    for name, key in TYPER.items():
        setattr(typer.rich_utils, name, words[f"cli.frame.{key}"])
