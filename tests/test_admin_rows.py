"""Staff lists render their rows for less (clinic.admin_utils.QuickRowsMixin) and
show the same thing: each row's link with the list's filters, the action checkbox,
the possible duplicates, a fixed number of queries."""

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import results
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.admin_utils import quick_results
from intake.models import DuplicateFlag
from referrals import services
from tests.factories import IntakeFactory, PatientFactory
from tests.referrals.builders import submitted_example1

pytestmark = pytest.mark.django_db

PATIENTS = reverse("admin:intake_patient_changelist")
INTAKES = reverse("admin:intake_intake_changelist")


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (PATIENTS, {}),
        (PATIENTS, {"q": "Whitfield"}),
        (PATIENTS, {"q": "Whitfield", "duplicates": "flagged", "o": "-2"}),
        (INTAKES, {"status__exact": "draft"}),
    ],
)
def test_each_rows_link_is_djangos_own_with_the_lists_filters(desk_client, url, query):
    patient = PatientFactory(last_name="Whitfield")
    DuplicateFlag.objects.create(
        patient=patient, candidate=PatientFactory(), reasons=["same phone"]
    )
    IntakeFactory(patient=patient)
    response = desk_client.get(url, query)
    changelist = response.context["cl"]
    rows = list(changelist.result_list)
    assert rows
    request = response.wsgi_request
    for row in rows:
        stock = add_preserved_filters(
            {
                "preserved_filters": changelist.model_admin.get_preserved_filters(
                    request
                ),
                "opts": changelist.opts,
            },
            ChangeList.url_for_result(changelist, row),
        )
        assert changelist.url_for_result(row) == stock
        assert f'href="{stock.replace("&", "&amp;")}"' in response.content.decode()


def test_the_action_checkbox_is_djangos_own(desk_client):
    patient = PatientFactory(last_name="O'Brien <b>")
    response = desk_client.get(PATIENTS)
    model_admin = response.context["cl"].model_admin
    stock = admin.ModelAdmin.action_checkbox(model_admin, patient)
    assert model_admin.action_checkbox(patient) == stock
    assert stock in response.content.decode()


def test_the_patient_list_shows_each_rows_possible_duplicates_in_one_query(
    desk_client,
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            desk_client.get(PATIENTS)
        return len(captured)

    earlier = PatientFactory()
    flagged = PatientFactory()
    DuplicateFlag.objects.create(
        patient=flagged, candidate=earlier, reasons=["same phone"]
    )
    desk_client.get(PATIENTS)
    one = queries()
    for _ in range(5):
        DuplicateFlag.objects.create(
            patient=PatientFactory(), candidate=earlier, reasons=["same e-mail"]
        )
    assert queries() == one
    page = desk_client.get(PATIENTS).content.decode()
    assert page.count(f'title="same e-mail">{earlier.record_number}</a>') == 5
    assert f'title="same phone">{earlier.record_number}</a>' in page


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (PATIENTS, {}),
        (PATIENTS, {"q": "Ramírez Elena"}),
        (PATIENTS, {"duplicates": "flagged", "o": "-3.2"}),
        (INTAKES, {}),
        (INTAKES, {"status__exact": "submitted", "q": "O'Brien"}),
        (reverse("admin:referrals_referral_changelist"), {}),
        (reverse("admin:referrals_referral_changelist"), {"status__exact": "approved"}),
        (reverse("admin:referrals_routingdecision_changelist"), {"q": "ramirez"}),
    ],
)
def test_each_rows_cells_are_what_djangos_own_rendering_writes(
    client, physician_user, front_desk_user, url, query
):
    for last_name in ("Ramírez", "O'Brien <b>"):
        patient = PatientFactory(first_name="Elena", last_name=last_name)
        DuplicateFlag.objects.create(
            patient=patient, candidate=PatientFactory(), reasons=["same phone"]
        )
        routed = submitted_example1(patient=patient)
    services.referral_approve(
        referral=routed.referrals.get(service__code="ketamine"),
        user=physician_user,
        note="Go ahead.",
    )
    IntakeFactory(patient=PatientFactory(mobile_phone=""))
    user = front_desk_user if url in (PATIENTS, INTAKES) else physician_user
    client.force_login(user)
    response = client.get(url, query)
    assert "admin/quick_rows_change_list.html" in [t.name for t in response.templates]
    changelist = response.context["cl"]
    assert list(changelist.result_list)
    quick = [list(row) for row in quick_results(changelist)]
    assert quick == [list(row) for row in results(changelist)]
    for row in quick:
        assert "".join(row) in response.content.decode()
