"""`otg disclosure …`: operator commands of the public site."""
import sys

import click

from . import channels as report_channels


@click.group()
def commands():
    """The public disclosure site."""


@commands.command("channels")
@click.option("--strict", is_flag=True, help="exit 1 while values are samples or missing")
def channels(strict):
    """Show the report channels the site publishes (OTG_DISCLOSURE_CHANNELS or the sample file)."""
    data = report_channels.load()
    click.echo(f"file: {report_channels.channels_file()}")
    missing = []
    for channel in data["districts"]:
        click.echo(f"{channel['district']} {channel['name']}: hotline {channel['hotline'] or '-'}, "
                   f"e-mail {channel['email'] or '-'}, form {channel['form_url']}")
        if not (channel["hotline"] and channel["email"]):
            missing.append(channel["district"])
    if data["sample"]:
        click.echo("warning: these are SAMPLE values; replace them and set `sample: false`", err=True)
    if missing:
        click.echo(f"warning: no hotline or e-mail for {', '.join(missing)}", err=True)
    if strict and (data["sample"] or missing):
        sys.exit(1)
