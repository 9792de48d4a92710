"""The survey table for bulk loads of a county's sub-compartments (issue 17).

On PostgreSQL the key of ``sinks_foreststand`` (county, year, township, class, group, sub-compartment) is kept by
the importer under the lock of the county's year instead of a B-tree primary key: maintaining that index for 500 000
rows costs 2.5 times the COPY itself (measured, docs/zh/sinks.md). A BRIN index on (county, year) serves the
queries, which all read one county's years, loaded together. SQLite keeps the primary key.

The database defaults of the group and the sub-compartment let a survey without those columns be COPYed as is."""

from django.db import migrations, models

TABLE = "sinks_foreststand"
BRIN = "sinks_stand_county_year_brin"


def _pk_name(schema_editor):
    with schema_editor.connection.cursor() as c:
        c.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
            [TABLE],
        )
        row = c.fetchone()
    return row[0] if row else None


def to_bulk(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    name = _pk_name(schema_editor)
    if name:
        schema_editor.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
    schema_editor.execute(f"CREATE INDEX {BRIN} ON {TABLE} USING brin (plan_id, year) WITH (autosummarize = on)")


def to_keyed(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {BRIN}")
    if not _pk_name(schema_editor):
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ADD PRIMARY KEY (plan_id, year, township, land_class, species_group, compartment)"
        )


class Migration(migrations.Migration):
    dependencies = [("sinks", "0001_forest_resources")]

    operations = [
        migrations.AlterField(
            model_name="foreststand",
            name="compartment",
            field=models.CharField(blank=True, db_default="", max_length=40, verbose_name="小班号"),
        ),
        migrations.AlterField(
            model_name="foreststand",
            name="species_group",
            field=models.CharField(blank=True, db_default="", max_length=40, verbose_name="优势树种组"),
        ),
        migrations.RunPython(to_bulk, to_keyed, elidable=False),
    ]
