"""Readings get the primary key (meter, reading_time) and no surrogate id, so that PostgreSQL can partition
them by time; on PostgreSQL the new table *is* range-partitioned by year (Beijing years 2015-2040, plus a
default partition for anything else). The meter is not a database foreign key (``db_constraint=False``): the
ingest resolves meter ids from the meters table itself, a meter with readings cannot be re-assigned, and the ORM
cascades a meter's deletion; a per-row FK trigger on ten million rows a year would cost more than the COPY
itself. Django cannot alter a table into a composite key, so the rows are
copied into a new table which then takes the old name. Adds the carbon-account workflow, monthly roll-ups,
budgets, benchmarks, the energy-review headroom ledger and the published key-user lists."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

PARTITION_YEARS = range(2015, 2041)


def create_reading_table(apps, schema_editor):
    model = apps.get_model("enterprises", "ReadingV2")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.create_model(model)
        return
    stmts = [
        "CREATE TABLE enterprises_readingv2 ("
        " meter_id bigint NOT NULL,"
        " reading_time timestamp with time zone NOT NULL,"
        " quantity numeric(24, 6) NOT NULL,"
        " source varchar(10) NOT NULL,"
        " received_at timestamp with time zone NOT NULL,"
        " CONSTRAINT enterprises_reading_nonnegative CHECK (quantity >= 0),"
        " CONSTRAINT enterprises_readingv2_pkey PRIMARY KEY (meter_id, reading_time)"
        ") PARTITION BY RANGE (reading_time)",
        "CREATE TABLE enterprises_reading_default PARTITION OF enterprises_readingv2 DEFAULT",
    ]
    for y in PARTITION_YEARS:
        stmts.append(
            f"CREATE TABLE enterprises_reading_y{y} PARTITION OF enterprises_readingv2 "
            f"FOR VALUES FROM ('{y}-01-01 00:00:00+08') TO ('{y + 1}-01-01 00:00:00+08')"
        )
    for sql in stmts:
        schema_editor.execute(sql)


def drop_reading_table(apps, schema_editor):
    schema_editor.execute("DROP TABLE enterprises_readingv2")


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0002_meter_interval_and_alerts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("plan", "0004_plan_accounting_settings_and_target_indicator"),
    ]

    operations = [
        # --- readings: a composite primary key, partitioned on PostgreSQL ---------------------------------
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReadingV2",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "meter", "reading_time", blank=True, editable=False, primary_key=True, serialize=False
                            ),
                        ),
                        (
                            "meter",
                            models.ForeignKey(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="readings_v2",
                                to="enterprises.meter",
                            ),
                        ),
                        ("reading_time", models.DateTimeField(verbose_name="时段结束时间")),
                        ("quantity", models.DecimalField(decimal_places=6, max_digits=24, verbose_name="用量")),
                        (
                            "source",
                            models.CharField(
                                choices=[("upload", "文件上传"), ("api", "接口采集"), ("manual", "手工录入")],
                                max_length=10,
                                verbose_name="来源",
                            ),
                        ),
                        ("received_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "verbose_name": "计量读数",
                        "verbose_name_plural": "计量读数",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("quantity__gte", 0)), name="enterprises_reading_nonnegative"
                            ),
                        ],
                    },
                ),
            ],
        ),
        # the state above has the model; this creates its table (partitioned on PostgreSQL)
        migrations.RunPython(create_reading_table, drop_reading_table),
        migrations.RunSQL(
            "INSERT INTO enterprises_readingv2 (meter_id, reading_time, quantity, source, received_at) "
            "SELECT meter_id, reading_time, quantity, source, received_at FROM enterprises_reading",
            migrations.RunSQL.noop,
        ),
        # --- corrections ----------------------------------------------------------------------------------
        migrations.CreateModel(
            name="ReadingCorrectionV2",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reading_time", models.DateTimeField(verbose_name="时段结束时间")),
                ("old_quantity", models.DecimalField(decimal_places=6, max_digits=24, verbose_name="原值")),
                ("new_quantity", models.DecimalField(decimal_places=6, max_digits=24, verbose_name="更正值")),
                ("reason", models.TextField(verbose_name="原因")),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "待审核"), ("approved", "已批准"), ("rejected", "已驳回")],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("requested_by_label", models.CharField(max_length=150)),
                ("reviewed_by_label", models.CharField(blank=True, max_length=150)),
                ("review_note", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "meter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="corrections_v2",
                        to="enterprises.meter",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("meter", "reading_time"),
                        name="enterprises_one_pending_correction",
                    ),
                ],
            },
        ),
        migrations.RunSQL(  # keep every correction request: its reading becomes (meter, time, stored value)
            "INSERT INTO enterprises_readingcorrectionv2 (reading_time, old_quantity, new_quantity, reason, status, "
            "requested_by_label, reviewed_by_label, review_note, created_at, reviewed_at, meter_id) "
            "SELECT r.reading_time, r.quantity, c.new_quantity, c.reason, c.status, c.requested_by_label, "
            "c.reviewed_by_label, c.review_note, c.created_at, c.reviewed_at, r.meter_id "
            "FROM enterprises_readingcorrection c JOIN enterprises_reading r ON r.id = c.reading_id",
            migrations.RunSQL.noop,
        ),
        migrations.DeleteModel(name="ReadingCorrection"),
        migrations.DeleteModel(name="Reading"),
        migrations.RenameModel(old_name="ReadingV2", new_name="Reading"),
        migrations.RenameModel(old_name="ReadingCorrectionV2", new_name="ReadingCorrection"),
        migrations.AlterField(
            model_name="readingcorrection",
            name="meter",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="corrections", to="enterprises.meter"
            ),
        ),
        migrations.AlterField(
            model_name="reading",
            name="meter",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="readings",
                to="enterprises.meter",
            ),
        ),
    ]
