"""The audit log refuses UPDATE and DELETE at the database, on PostgreSQL and on SQLite."""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION tsunagi_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'access_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_auditevent_no_update BEFORE UPDATE OR DELETE ON access_auditevent
    FOR EACH ROW EXECUTE FUNCTION tsunagi_audit_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS access_auditevent_no_update ON access_auditevent;
DROP FUNCTION IF EXISTS tsunagi_audit_append_only();
"""
SQLITE_UP = [
    """CREATE TRIGGER access_auditevent_no_update BEFORE UPDATE ON access_auditevent
       BEGIN SELECT RAISE(ABORT, 'access_auditevent is append-only'); END;""",
    """CREATE TRIGGER access_auditevent_no_delete BEFORE DELETE ON access_auditevent
       BEGIN SELECT RAISE(ABORT, 'access_auditevent is append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS access_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS access_auditevent_no_delete;",
]


def forwards(apps, schema_editor):
    statements = [PG_UP] if schema_editor.connection.vendor == "postgresql" else SQLITE_UP
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = [PG_DOWN] if schema_editor.connection.vendor == "postgresql" else SQLITE_DOWN
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("access", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
