"""The `faqbot` command line: one click group, a module per kind of work."""

from __future__ import annotations

import logging

import click

from cli import channels, desk, insights, kb, measure, serve
from cli.context import Ctx, Group


@click.group(cls=Group)
@click.option("--config", type=click.Path(dir_okay=False), default=None,
              help="Settings TOML file (default: $FAQBOT_CONFIG or ./faqbot.toml).")
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
@click.version_option(package_name="faqbot")
@click.pass_context
def main(ctx: click.Context, config: str | None, verbose: bool) -> None:
    """faqbot: a self-hosted multilingual FAQ bot and knowledge-base search engine."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Ctx(config)


for _module in (kb, serve, measure, desk, channels, insights):
    for _command in _module.COMMANDS:
        main.add_command(_command)

if __name__ == "__main__":
    main()
