"""Every staff page that shows patient data leaves an audit entry naming the patients.

Each page is walked as each staff role; wherever the role is shown the page, the
entries the request wrote must name exactly the patients on it, and a search page's
entry must not hold what was searched for.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic import roles
from clinic.models import AuditEntry
from intake.models import Patient
from referrals import services
from referrals.models import Referral, RoutingDecision
from tests.conftest import carrying, cookies_of, rolled_back_after
from tests.factories import UserFactory
from tests.referrals.builders import submitted_example1

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("letters_not_typeset")]

ROLES = [roles.FRONT_DESK, roles.PHYSICIAN, roles.CLINIC_MANAGER]


@pytest.fixture(scope="class")
def world(django_db_setup, django_db_blocker):
    """Two patients with submitted, routed intakes; one referral of the first
    approved (it has a letter). Made once for the tests of a class; each test's
    writes are rolled back."""
    with rolled_back_after(django_db_blocker):
        first, second = submitted_example1(), submitted_example1()
        doctor = UserFactory(username="approver", role=roles.PHYSICIAN)
        referral = Referral.objects.filter(
            intake=first, status=Referral.Status.PENDING_REVIEW
        ).first()
        services.referral_approve(referral=referral, user=doctor, note="")
        staff = {role: UserFactory(role=role) for role in ROLES}
        yield {
            "staff": staff,
            "sessions": {role: signed_in(user) for role, user in staff.items()},
            "first": first,
            "both": {first.patient.record_number, second.patient.record_number},
            "one": {first.patient.record_number},
            "referral": referral,
            "decision": RoutingDecision.objects.get(intake=first),
        }


def signed_in(user) -> dict:
    """The cookies of a browser signed in as ``user``."""
    browser = Client()
    browser.force_login(user)
    return cookies_of(browser)


def admin_url(name, *args):
    return reverse(f"admin:{name}", args=args)


# (page, url builder, patients shown: "one" or "both")
PAGES = [
    ("patient list", lambda w: admin_url("intake_patient_changelist"), "both"),
    (
        "patient search",
        lambda w: (
            admin_url("intake_patient_changelist")
            + f"?q={w['first'].patient.last_name}"
        ),
        "one",
    ),
    (
        "patient page",
        lambda w: admin_url("intake_patient_change", w["first"].patient.pk),
        "one",
    ),
    (
        "patient history",
        lambda w: admin_url("intake_patient_history", w["first"].patient.pk),
        "one",
    ),
    ("intake list", lambda w: admin_url("intake_intake_changelist"), "both"),
    (
        "intake search",
        lambda w: (
            admin_url("intake_intake_changelist") + f"?q={w['first'].patient.last_name}"
        ),
        "one",
    ),
    ("intake page", lambda w: admin_url("intake_intake_change", w["first"].pk), "one"),
    (
        "intake history",
        lambda w: admin_url("intake_intake_history", w["first"].pk),
        "one",
    ),
    (
        "patient picker",
        lambda w: (
            reverse("admin:autocomplete")
            + "?app_label=intake&model_name=intake&field_name=patient"
            + f"&term={w['first'].patient.last_name}"
        ),
        "one",
    ),
    ("referral list", lambda w: admin_url("referrals_referral_changelist"), "both"),
    (
        "referral page",
        lambda w: admin_url("referrals_referral_change", w["referral"].pk),
        "one",
    ),
    (
        "referral history",
        lambda w: admin_url("referrals_referral_history", w["referral"].pk),
        "one",
    ),
    (
        "routing decision list",
        lambda w: admin_url("referrals_routingdecision_changelist"),
        "both",
    ),
    (
        "routing decision page",
        lambda w: admin_url("referrals_routingdecision_change", w["decision"].pk),
        "one",
    ),
    (
        "routing decision history",
        lambda w: admin_url("referrals_routingdecision_history", w["decision"].pk),
        "one",
    ),
    ("review queue", lambda w: admin_url("referrals_queueentry_changelist"), "both"),
    ("review page", lambda w: admin_url("referrals_review", w["first"].pk), "one"),
    (
        "letter",
        lambda w: admin_url("referrals_referral_letter", w["referral"].pk),
        "one",
    ),
    (
        "letter PDF",
        lambda w: admin_url("referrals_referral_letter_pdf", w["referral"].pk),
        "one",
    ),
    (
        "Botox prior-authorisation letter",
        lambda w: admin_url("referrals_botox_letter", w["first"].pk),
        "one",
    ),
    (
        "Botox prior-authorisation letter PDF",
        lambda w: admin_url("referrals_botox_letter_pdf", w["first"].pk),
        "one",
    ),
    (
        "schedule page",
        lambda w: admin_url(
            "referrals_referral_transition", w["referral"].pk, "schedule"
        ),
        "one",
    ),
    (
        "patient's FHIR record",
        lambda w: admin_url("fhir_export_patient_bundle", w["first"].patient.pk),
        "one",
    ),
]


def named(entries) -> set[str]:
    """The record numbers a set of entries names."""
    numbers = set()
    for entry in entries:
        if entry.patient:
            numbers.add(entry.patient)
        numbers.update((entry.additional_data or {}).get("patients", []))
    return numbers


def last_entry_pk() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_a_list_page_entry_costs_the_same_whatever_its_rows(desk_client):
    submitted_example1()
    url = admin_url("intake_intake_changelist")
    desk_client.get(url)
    with CaptureQueriesContext(connection) as one_row:
        desk_client.get(url)
    for _ in range(4):
        submitted_example1()
    with CaptureQueriesContext(connection) as five_rows:
        desk_client.get(url)
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).latest("pk")
    assert len(entry.additional_data["patients"]) == 5
    assert len(five_rows) == len(one_row)


class TestPagesShowingTwoPatients:
    """The pages as each role sees them, over the same two patients."""

    @pytest.mark.parametrize(
        ("page", "url", "shown"), PAGES, ids=[page[0] for page in PAGES]
    )
    def test_every_page_showing_patients_is_audited_for_every_role(
        self, world, page, url, shown
    ):
        seen_by = []
        for role in ROLES:
            user = world["staff"][role]
            browser = carrying(world["sessions"][role])
            before = last_entry_pk()
            response = browser.get(url(world))
            if response.status_code == 403:
                continue
            assert response.status_code == 200, (role, response.status_code)
            seen_by.append(role)
            entries = list(
                AuditEntry.objects.filter(
                    pk__gt=before, actor=user, action=AuditEntry.Action.ACCESS
                )
            )
            assert named(entries) == world[shown], (role, page)
            search = world["first"].patient.last_name
            for entry in entries:
                assert search not in entry.object_repr + str(entry.additional_data)
        assert seen_by, "no role sees this page: the test checks nothing"

    # (file, its URL, its page's URL or None): the files downloaded.
    DOWNLOADS = [
        (
            "referral letter (PDF)",
            lambda w: admin_url("referrals_referral_letter_pdf", w["referral"].pk),
            lambda w: admin_url("referrals_referral_letter", w["referral"].pk),
        ),
        (
            "Botox prior-authorization letter (PDF)",
            lambda w: admin_url("referrals_botox_letter_pdf", w["first"].pk),
            lambda w: admin_url("referrals_botox_letter", w["first"].pk),
        ),
        (
            "FHIR record (Bundle)",
            lambda w: admin_url("fhir_export_patient_bundle", w["first"].patient.pk),
            lambda w: admin_url("intake_patient_change", w["first"].patient.pk),
        ),
    ]

    @pytest.mark.parametrize(
        ("what", "file_url", "page_url"), DOWNLOADS, ids=[d[0] for d in DOWNLOADS]
    )
    def test_a_download_is_recorded_as_one_not_as_a_page_view(
        self, physician_client, world, what, file_url, page_url
    ):
        number = world["first"].patient.record_number
        before = last_entry_pk()
        assert physician_client.get(file_url(world)).status_code == 200
        (download,) = AuditEntry.objects.filter(pk__gt=before)
        assert download.patient == number
        assert download.object_repr == f"download: {what}, 1 patient"
        assert download.additional_data == {
            "patient": number,
            "download": what,
            "patients_covered": 1,
        }

        before = last_entry_pk()
        assert physician_client.get(page_url(world)).status_code == 200
        (view,) = AuditEntry.objects.filter(pk__gt=before)
        assert view.patient == number
        assert "download" not in view.additional_data
        assert not view.object_repr.startswith("download")

    def test_a_look_alike_warning_is_audited_naming_the_patients_it_shows(
        self, desk_client, front_desk_user, world
    ):
        existing = world["first"].patient
        before = last_entry_pk()
        response = desk_client.post(
            reverse("admin:intake_patient_add"),
            {
                "first_name": existing.first_name,
                "last_name": existing.last_name,
                "date_of_birth": existing.date_of_birth.isoformat(),
                "sex": existing.sex,
                "email": "",
                "mobile_phone": "",
                "preferred_language": "en",
                "emergency_contact_name": "",
                "emergency_contact_phone": "",
                "intakes-TOTAL_FORMS": "0",
                "intakes-INITIAL_FORMS": "0",
            },
        )
        content = response.content.decode()
        assert existing.record_number in content
        entries = AuditEntry.objects.filter(pk__gt=before, actor=front_desk_user)
        assert named(entries) == {n for n in world["both"] if n in content}
        assert Patient.objects.count() == 2

    def test_an_empty_search_page_writes_no_entry(self, desk_client, world):
        before = last_entry_pk()
        url = admin_url("intake_patient_changelist") + "?q=Nobody-by-this-name"
        assert desk_client.get(url).status_code == 200
        assert not AuditEntry.objects.filter(pk__gt=before).exists()

    def test_the_manager_finds_list_pages_that_showed_a_patient(
        self, client, manager_user, world
    ):
        desk = UserFactory(role=roles.FRONT_DESK)
        client.force_login(desk)
        client.get(admin_url("intake_intake_changelist"))
        client.force_login(manager_user)
        number = world["first"].patient.record_number
        response = client.get(admin_url("clinic_auditentry_changelist"), {"q": number})
        found = list(response.context["cl"].result_list)
        assert any(
            e.actor == desk and number in e.additional_data.get("patients", [])
            for e in found
        )
        assert all(
            e.patient == number
            or number in (e.additional_data or {}).get("patients", [])
            for e in found
        )
