"""``mgrlead plugins``: the loaded plugins and what each registered."""

from __future__ import annotations

import json

import click

__all__ = ["plugins_command"]


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
@click.option("--all", "show_all", is_flag=True, help="Include mgrlead's built-ins.")
def plugins_command(as_json: bool, show_all: bool) -> None:
    """List the plugins: version, hooks, and what each registered; and those refused, and why."""
    from mgrlead.plugins.host import default_host  # noqa: PLC0415

    host = default_host()
    infos = [i for i in host.plugins if show_all or not i.builtin]
    if as_json:
        listed = [{**i.to_dict(), "refused": None} for i in infos]
        listed += [{**r.to_dict(), "builtin": False, "hooks": [], "registered": []}
                   for r in host.refused]  # fmt: skip
        click.echo(json.dumps(listed, indent=2))
        return
    if not infos and not host.refused:
        click.echo("No plugins installed (`mgrlead plugins --all` shows the built-ins).")
        return
    for info in infos:
        click.echo(f"{info.label}{'  (built-in)' if info.builtin else ''}")
        click.echo(f"  hooks: {', '.join(info.hooks)}")
        for reg in info.registered:
            replaced = f" (replaces {reg.replaces}'s)" if reg.replaces else ""
            click.echo(f"  {reg.kind}: {reg.name}{replaced}")
    for refusal in host.refused:
        click.echo(f"{refusal.label}  (refused: not loaded)")
        click.echo(f"  reason: {refusal.reason}")
