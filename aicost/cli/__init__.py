"""The ``aicost`` command: a thin shell over the library (one module per command group).

Each command parses its options, runs one analysis, renders the typed result and emits it;
errors map to the exit codes in :mod:`aicost.base.constants` (0 ok, 1 a budget exceeded, 2 bad
input or usage, 3 internal error). ``main()`` imports only the module of the command invoked.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import Any

#: command -> (module under aicost.cli, function)
COMMANDS = {
    "compare": ("compare", "compare"),
    "gpu": ("compare", "gpu"),
    "sensitivity": ("whatif", "sensitivity"),
    "sweep": ("whatif", "sweep"),
    "breakeven": ("whatif", "breakeven"),
    "check": ("check", "check"),
    "diff": ("check", "diff"),
    "export": ("finance", "export"),
    "allocate": ("finance", "allocate"),
    "replay": ("finance", "replay"),
    "forecast": ("finance", "forecast"),
    "calibrate": ("finance", "calibrate"),
}
ABOUT = "What each successful outcome of an AI workload really costs, under every way of running it."


def _command(name: str) -> Any:
    module, fn = COMMANDS[name]
    return getattr(import_module(f"aicost.cli.{module}"), fn)


def build_app() -> Any:
    """The whole ``aicost`` Typer app: every command and the ``pricing`` group."""
    import typer

    from aicost.base.version import __version__
    from aicost.cli.common import TYPER
    from aicost.cli.pricing import pricing_app

    app = typer.Typer(name="aicost", help=f"{ABOUT}\n\nExample:\n\n\b\n  aicost compare "
                      "scenarios/support-assistant.yaml --top 5", no_args_is_help=True,
                      **{**TYPER, "add_completion": True})  # --install-completion for bash, zsh, fish

    def _version(value: bool) -> None:
        if value:
            typer.echo(f"aicost {__version__}")
            raise typer.Exit(0)

    @app.callback()
    def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                           help="Print the version and exit.")) -> None:
        """What each successful outcome of an AI workload really costs, under every way of running it.

        Example:

        \b
          aicost compare scenarios/support-assistant.yaml --top 5
        """

    for name in COMMANDS:
        app.command(name=name)(_command(name))
    app.add_typer(pricing_app, name="pricing")
    return app


def __getattr__(name: str) -> Any:
    if name == "app":  # built on first use (tests, `aicost --help`), not on every run
        app = build_app()
        globals()["app"] = app
        return app
    raise AttributeError(name)


def main() -> None:
    """The console script. A top-level command runs on its own, without building every other
    command's options first (click's "lazy subcommands" idea; typer builds them all eagerly)."""
    import signal

    signal.signal(signal.SIGTERM, _terminated)  # a temporary file being written is removed on the way out
    try:
        _run(sys.argv[1:])
    except BrokenPipeError:  # the reader went away while help or an error was written: end quietly
        from aicost.cli.common import closed_pipe

        closed_pipe()
    except SystemExit as exc:  # click ends a closed pipe itself (exit 1, stdout wrapped): give its code
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":
            from aicost.cli.common import closed_pipe

            closed_pipe()
        raise exc


def _run(argv: list[str]) -> None:
    if argv and argv[0] in COMMANDS and "_AICOST_COMPLETE" not in os.environ:  # completion needs the whole app
        import typer

        from aicost.cli.common import TYPER
        from aicost.cli.quick import QuickCommand

        one = typer.Typer(**TYPER)
        one.command(name=argv[0], cls=QuickCommand)(_command(argv[0]))  # no pydantic adapter per option
        one(argv[1:], prog_name=f"aicost {argv[0]}")
    else:
        build_app()(prog_name="aicost")


def _terminated(signum, frame) -> None:
    """SIGTERM unwinds like an exit (cleanup runs: no temporary file is left), exit code 143."""
    raise SystemExit(128 + signum)


if __name__ == "__main__":  # pragma: no cover
    main()
