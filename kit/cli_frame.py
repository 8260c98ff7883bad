"""The command line's frame in the user's language: the words typer prints around the kit's own messages, and
help text that wraps the way Chinese wraps.

Typer keeps its panel titles and tags ("Options", "Arguments", "[default: …]", "[required]", the "Error" box and its
"Try … --help" line) in :mod:`typer.rich_utils` globals, read each time it prints; :func:`install` sets them from
the catalogue's ``cli.frame`` texts. The other frame words come from the click copy inside typer, which writes them
as literal English with no translation hook, so :func:`install` also wraps, once, the few functions that print
them, looking the words up at print time:

* the usage line ("Usage:", "[OPTIONS]", "COMMAND [ARGS]...") — ``HelpFormatter.write_usage``;
* the ``--help`` option's own text — ``Command.get_help_option``;
* the value placeholders (``<path>``, ``<int>`` …; none for a flag, which takes no value) —
  ``display_type_rich`` of typer's options and arguments;
* the message in the error box — :func:`translate`, on what ``rich_format_error`` is about to print;
* the help texts, which rich would otherwise cut with "…" where a run of Chinese has no space to break at —
  :class:`Wrapping` text.

Each wrapper leaves anything it does not recognise as it was, so a typer upgrade that rewords a message shows it
in English rather than failing (``tests/test_cli.py`` notices).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from rich.text import Text

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
USAGE_PIECES = {"[OPTIONS]": "options_metavar", "COMMAND [ARGS]...": "command_metavar"}  # click's → cli.frame key
ERRORS = (  # English of click, typer and pydantic → key under cli.frame.errors; named groups fill its placeholders
    (r"^Missing (?P<kind>option|argument|parameter) (?P<name>.+?)\.", "missing"),
    (r"^Missing command\.", "missing_command"),
    (r"^No such option: (?P<name>\S+)", "no_such_option"),
    (r" ?\(Possible options: (?P<names>[^)]*)\)", "possible_options"),
    (r"^No such command (?P<name>.+?)\.", "no_such_command"),
    (r" ?Did you mean (?P<names>.+)\?$", "did_you_mean"),
    (r"^Invalid value for (?P<name>.+?): ", "invalid_value_for"),
    (r"^Invalid value: ", "invalid_value"),
    (r"^Got unexpected extra argument\(s\) \((?P<args>.*)\)$", "extra_arguments"),
    (r"^Option (?P<name>'[^']+') requires an argument\.", "needs_value"),
    (r"^Option (?P<name>'[^']+') requires (?P<n>\d+) arguments\.", "needs_values"),
    (r"^Option (?P<name>'[^']+') does not take a value\.", "takes_no_value"),
    (r"Choose from:", "choose_from"),
    (r"Input should be a valid integer, unable to parse string as an integer", "not_integer"),
    (r"Input should be a valid number, unable to parse string as a number", "not_number"),
    (r"Input should be greater than or equal to (?P<n>\S+)", "at_least"),
    (r"Input should be greater than (?P<n>\S+)", "above"),
    (r"Input should be less than or equal to (?P<n>\S+)", "at_most"),
    (r"Input should be less than (?P<n>\S+)", "below"),
)
NO_LINE_START = set("，。、：；！？）》」』】〉〕”’…,.;:!?)]}>%")  # punctuation that never begins a line
NO_LINE_END = set("（《「『【〈〔“‘([{<")  # … and that never ends one
_lang = "en"


def install(lang: str) -> None:
    """Let typer print its frame in ``lang`` from now on (in this process)."""
    import typer.rich_utils

    global _lang
    _lang = lang
    for name, key in TYPER.items():
        setattr(typer.rich_utils, name, word(key))
    _hook()


def word(key: str, lang: str | None = None) -> str:
    """The frame's text ``cli.frame.<key>`` in ``lang`` (default: the language :func:`install` set)."""
    from kit.i18n import catalogue

    return catalogue(lang or _lang)[f"cli.frame.{key}"]


def translate(message: str, lang: str | None = None) -> str:
    """A click/typer error message in ``lang``; the parts it does not know stay as they are.

    >>> translate("Missing option '--data'.", "zh")
    "缺少选项 '--data'。"
    >>> translate("Invalid value for '--seed': Input should be a valid integer, unable to parse string as an integer",
    ...           "zh")
    "选项 '--seed' 的值无效：应为整数，无法把输入读作整数"
    >>> translate("No such command 'reprt'. Did you mean 'report'?", "en")
    "No such command 'reprt'. Did you mean 'report'?"
    """
    from kit.i18n import catalogue

    words = catalogue(lang or _lang)

    def localised(key: str, match: re.Match) -> str:
        fields = match.groupdict()
        if "kind" in fields:
            fields["kind"] = words[f"cli.frame.kinds.{fields['kind']}"]
        return words[f"cli.frame.errors.{key}"].format(**fields)

    for pattern, key in ERRORS:
        message = re.sub(pattern, functools.partial(localised, key), message, flags=re.S)
    return message


def break_points(text: str) -> list[int]:
    """Where a line of ``text`` may break: after a space, as rich breaks, and between two characters of which one
    is Chinese (or another wide script) — but never before closing or after opening punctuation.

    >>> text = "目标：course（课程默认）、consulting。"
    >>> cuts = [0, *break_points(text), len(text)]
    >>> [text[a:b] for a, b in zip(cuts, cuts[1:])]
    ['目', '标：', 'course', '（课', '程', '默', '认）、', 'consulting。']
    """
    points = []
    for i in range(1, len(text)):
        before, after = text[i - 1], text[i]
        if after.isspace():
            continue
        if before.isspace() or ((_wide(before) or _wide(after)) and after not in NO_LINE_START
                                and before not in NO_LINE_END):
            points.append(i)
    return points


def divide(text: str, width: int) -> list[int]:
    """The offsets at which to cut ``text`` so that no line is wider than ``width`` cells: rich's own word wrap,
    with :func:`break_points` for word boundaries; a piece wider than a whole line is folded.

    >>> text = "批次数据所在文件夹：trainees、marks、reaction"
    >>> cuts = [0, *divide(text, 20), len(text)]
    >>> [text[a:b] for a, b in zip(cuts, cuts[1:])]
    ['批次数据所在文件夹：', 'trainees、marks、', 'reaction']
    """
    from rich.cells import cell_len, chop_cells

    cuts: list[int] = []
    used = 0  # cells on the current line
    starts = [0, *break_points(text)]
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        piece = text[start:end]
        length = cell_len(piece.rstrip())
        if width - used >= length:
            used += cell_len(piece)
        elif length > width:  # fold it, as rich folds a word longer than the line
            parts = chop_cells(piece, width)
            for part in parts:
                if start:
                    cuts.append(start)
                start += len(part)
            used = cell_len(parts[-1])
        elif used and start:
            cuts.append(start)
            used = cell_len(piece)
    return cuts


class Wrapping(Text):
    """Rich text that wraps at :func:`break_points` and measures its narrowest width by them, so a table column of
    Chinese help narrows and wraps instead of cutting the text with "…"."""

    def wrap(self, console, width, *, justify=None, overflow=None, tab_size=8, no_wrap=None):
        from rich.containers import Lines

        if no_wrap or self.no_wrap or overflow == "ignore":
            return super().wrap(console, width, justify=justify, overflow=overflow, tab_size=tab_size,
                                no_wrap=no_wrap)
        justify = justify or self.justify or "default"
        overflow = self.overflow or overflow or "fold"
        lines = Lines()
        for line in self.split(allow_blank=True):
            if "\t" in line:
                line.expand_tabs(tab_size)
            pieces = line.divide(divide(line.plain, width))
            for piece in pieces:
                piece.rstrip_end(width)
            if justify:
                pieces.justify(console, width, justify=justify, overflow=overflow)
            for piece in pieces:
                piece.truncate(width, overflow=overflow)
            lines.extend(pieces)
        return lines

    def __rich_measure__(self, console, options):
        from rich.cells import cell_len
        from rich.measure import Measurement

        text = self.plain
        widest = max((cell_len(line) for line in text.splitlines()), default=0)
        starts = [0, *break_points(text)]
        narrowest = max((cell_len(text[a:b].strip()) for a, b in zip(starts, [*starts[1:], len(text)], strict=True)),
                        default=widest)
        return Measurement(narrowest, widest)


def wrapping(renderable):
    """``renderable`` as :class:`Wrapping` text if it is plain rich text, else as it is."""
    if type(renderable) is not Text:
        return renderable
    return Wrapping(renderable.plain, style=renderable.style, justify=renderable.justify, overflow="fold",
                    no_wrap=renderable.no_wrap, end=renderable.end, tab_size=renderable.tab_size,
                    spans=list(renderable.spans))


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


@functools.cache
def _hook() -> None:
    """Wrap, once, the typer and click functions that print frame words (see the module's docstring)."""
    import typer.rich_utils as rich_utils
    from rich.console import Group
    from typer._click.core import Command
    from typer._click.formatting import HelpFormatter
    from typer.core import TyperArgument, TyperOption

    from kit.i18n import LANGS

    write_usage = HelpFormatter.write_usage

    def localised_usage(self, prog, args="", prefix=None):
        for english, key in USAGE_PIECES.items():
            args = args.replace(english, word(key))
        write_usage(self, prog, args, word("usage") if prefix is None else prefix)

    HelpFormatter.write_usage = localised_usage
    rich_utils.OptionHighlighter.highlights += [rf"(?P<usage>{re.escape(word('usage', lang))})" for lang in LANGS]

    get_help_option = Command.get_help_option

    def localised_help_option(self, ctx):
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = word("help_option")
        return option

    Command.get_help_option = localised_help_option

    for cls in (TyperOption, TyperArgument):
        cls.display_type_rich = _localised_type(cls.display_type_rich)

    parameter_help, command_help, help_text = (rich_utils._get_parameter_help, rich_utils._make_command_help,
                                               rich_utils._get_help_text)

    def wrapping_parameter_help(**kwargs):
        columns = parameter_help(**kwargs)
        columns.renderables = [wrapping(item) for item in columns.renderables]
        return columns

    def wrapping_help_text(**kwargs):
        group = help_text(**kwargs)
        return Group(*map(wrapping, group.renderables), fit=group.fit)

    rich_utils._get_parameter_help = wrapping_parameter_help
    rich_utils._make_command_help = lambda **kwargs: wrapping(command_help(**kwargs))
    rich_utils._get_help_text = wrapping_help_text

    format_error = rich_utils.rich_format_error

    def localised_error(error):
        message = translate(error.format_message())
        error.format_message = lambda: message  # this error only, as it is printed
        format_error(error)

    rich_utils.rich_format_error = localised_error


def _localised_type(display_type_rich):
    def localised(self, ctx):
        if getattr(self, "is_flag", False) and not getattr(self, "count", False):
            return None  # a flag takes no value: nothing to show
        shown = display_type_rich(self, ctx)
        return word(f"types.{shown}") if shown and _has(f"types.{shown}") else shown

    return localised


def _has(key: str) -> bool:
    from kit.i18n import catalogue

    return f"cli.frame.{key}" in catalogue(_lang)
