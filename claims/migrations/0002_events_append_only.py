"""PostgreSQL refuses UPDATE and DELETE on the audit log, whatever client connects."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION claims_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'claims_event is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER claims_event_append_only
    BEFORE UPDATE OR DELETE ON claims_event
    FOR EACH ROW EXECUTE FUNCTION claims_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS claims_event_append_only ON claims_event;
DROP FUNCTION IF EXISTS claims_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
