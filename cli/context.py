"""What every `faqbot` command shares: the settings file it was given, one-line errors, progress."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from kb import FaqbotError, Settings, load_settings

Progress = Callable[[int, int], None]


class Ctx:
    """The group's options, passed to every command (`@click.pass_obj`)."""

    def __init__(self, config: str | None) -> None:
        self.config = config

    def settings(self, missing_ok: bool = False, **overrides: Any) -> Settings:
        """Settings from the file, FAQBOT_* variables and the command's options (None: unset)."""
        return load_settings(self.config, missing_ok=missing_ok, **overrides)


class Group(click.Group):
    """A click group that turns every failure a user can cause into a one-line error (exit 1):
    faqbot's own errors and the operating system's (a folder that is not there)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FaqbotError as e:
            raise click.ClickException(str(e)) from None
        except OSError as e:
            raise click.ClickException(f"{e.strerror or e}: {e.filename}" if e.filename else str(e)) from None


def progress(label: str) -> Progress:
    """A progress callback (done, total) drawing a bar on stderr; finished when done == total, and
    started afresh when a new run of work counts from the beginning again."""
    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None or done < bar.pos:
            bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
        bar.length = max(total, 1)
        bar.update(done - bar.pos)
        if done >= total:
            bar.render_finish()
    return update
