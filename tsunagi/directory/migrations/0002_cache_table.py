"""The database cache table of `settings.CACHES` (the public pages are cached there, shared by
every application server)."""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps: Any, schema_editor: Any) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_entries")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
