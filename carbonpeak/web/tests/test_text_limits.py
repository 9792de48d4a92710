"""Free texts have limits the reports can carry: a narrative of the maximum length renders in the round
report's PDF and Excel; one character more is refused, naming the field, before anything is stored."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from carbonpeak.plan import services
from carbonpeak.plan.models import IndicatorValue, TaskReport
from carbonpeak.validation import NARRATIVE_MAX, NOTE_MAX, ValidationFailed

pytestmark = pytest.mark.django_db


def _narrative(n: int) -> str:
    # Chinese prose, a long unbroken Latin token and line breaks: the hard cases for line wrapping
    unit = "分布式光伏已并网，屋顶光伏整县推进完成情况良好。" + "x" * 60 + "\n"
    return (unit * (n // len(unit) + 1))[:n]


def test_a_maximum_length_narrative_renders_in_the_round_report_pdf_and_excel(plan, office, fgj):
    rnd = services.open_round(office, plan, 2025, 4, dt.date(2026, 1, 10), past_due_ok=True)
    text = _narrative(NARRATIVE_MAX)
    services.submit_report(fgj, rnd, plan.tasks.get(code="A01.1"), "in_progress", text)
    c = Client()
    c.force_login(office)
    pdf = c.get(reverse("round_pdf", args=[rnd.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = c.get(reverse("round_xlsx", args=[rnd.pk]))
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb["任务进展"]["D3"].value == text  # whole, under Excel's 32 767 characters a cell


def test_a_narrative_over_the_limit_is_refused_by_field(plan, office, fgj):
    rnd = services.open_round(office, plan, 2025, 4, dt.date(2026, 1, 10), past_due_ok=True)
    with pytest.raises(ValidationFailed) as e:
        services.submit_report(fgj, rnd, plan.tasks.get(code="A01.1"), "in_progress", _narrative(NARRATIVE_MAX + 1))
    assert [i.field for i in e.value.issues] == ["narrative"]
    assert str(NARRATIVE_MAX) in e.value.issues[0].message_zh
    assert not TaskReport.objects.exists()


def test_a_value_note_over_the_limit_is_refused(plan, fgj):
    t = plan.targets.get(code="energy_intensity_reduction")
    with pytest.raises(ValidationFailed) as e:
        services.set_indicator_value(fgj, t, 2025, 1, "0.1", note="注" * (NOTE_MAX + 1))
    assert [i.field for i in e.value.issues] == ["note"]
    assert not IndicatorValue.objects.exists()


def test_an_evidence_name_over_the_column_is_refused_not_cut(plan, office, fgj):
    rnd = services.open_round(office, plan, 2025, 4, dt.date(2026, 1, 10), past_due_ok=True)
    f = SimpleUploadedFile("证" * 300 + ".pdf", b"%PDF-1 x", content_type="application/pdf")
    with pytest.raises(ValidationFailed) as e:
        services.submit_report(fgj, rnd, plan.tasks.get(code="A01.1"), "in_progress", "进展", evidence=[f])
    assert "evidence" in [i.field for i in e.value.issues]
