"""Accounts made before counties were separated get their county: the department's plan, else the only plan of
the installation. Where several plans exist and an account has no department, it is left without a county (it
then sees no county's working pages) and `carbonpeak user scope NAME --plan CODE` assigns it."""

from django.db import migrations


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    ApiClient = apps.get_model("accounts", "ApiClient")
    Plan = apps.get_model("plan", "Plan")
    plans = list(Plan.objects.order_by("id").values_list("id", flat=True)[:2])
    only = plans[0] if len(plans) == 1 else None
    for model in (User, ApiClient):
        for obj in model.objects.filter(plan__isnull=True).exclude(role__in=["region", "sysadmin"]):
            plan_id = obj.department.plan_id if obj.department_id else only
            if plan_id is not None:
                model.objects.filter(pk=obj.pk).update(plan_id=plan_id)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_county_and_region"), ("plan", "0006_region")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
