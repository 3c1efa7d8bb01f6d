"""On PostgreSQL: no two scheduled sessions in one room at the same time, whoever writes.

An exclusion constraint over (room, time range) for sessions that are scheduled and have
a room. It needs btree_gist for the equality on ``room_id``. SQLite (the embedded default
for trying the portal out) has no such constraint; the scheduling services' room lock and
clash check hold there.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE activities_occurrence ADD CONSTRAINT occurrence_no_room_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status = 'scheduled' AND room_id IS NOT NULL);
"""
DROP = "ALTER TABLE activities_occurrence DROP CONSTRAINT IF EXISTS occurrence_no_room_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
