from django.db import migrations


def load(apps, schema_editor):
    from carbonpeak.waste.carbon import load_shipped

    load_shipped(apps.get_model("waste", "Methodology"), apps.get_model("waste", "MethodParameter"))


class Migration(migrations.Migration):
    dependencies = [("waste", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
