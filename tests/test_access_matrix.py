"""Each role sees and does only what it needs: every role over every page and action.

Roles: anonymous, front desk, physician, clinic manager, and a patient who opened a
resume link to their own draft. Expected answers: 200 (shown), 302 (done, or sent
elsewhere: to sign in, or back to the start of the public form), 403 (refused).
"""

import pytest
from django.test import Client
from django.urls import reverse

from clinic import roles
from intake.models import Drug, OnlineDraft
from intake.services import resume_link_issue
from referrals import services
from referrals.models import Referral, RoutingDecision, Service
from tests.conftest import (
    answer_every_step,
    carrying,
    cookies_of,
    rolled_back_after,
)
from tests.factories import UserFactory
from tests.referrals.builders import submitted_example1

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("letters_not_typeset")]

ANON, DESK, DOCTOR, MANAGER, PATIENT = "anon", "desk", "doctor", "manager", "patient"
ROLES = [ANON, DESK, DOCTOR, MANAGER, PATIENT]


def expect(anon, desk, doctor, manager, patient=None):
    """Expected status per role; a patient outside the public form is anonymous."""
    answers = [anon, desk, doctor, manager, anon if patient is None else patient]
    return dict(zip(ROLES, answers, strict=True))


LOGIN = 302
# (name, method, url builder, expected answers)
PAGES = [
    ("public start", "get", lambda w: "/", expect(200, 200, 200, 200, 200)),
    (
        "public step",
        "get",
        lambda w: "/intake/headaches/",
        expect(302, 302, 302, 302, 200),
    ),
    ("staff home", "get", lambda w: "/admin/", expect(LOGIN, 200, 200, 200)),
    (
        "intake list",
        "get",
        lambda w: reverse("admin:intake_intake_changelist"),
        expect(LOGIN, 200, 200, 200),
    ),
    (
        "intake add",
        "get",
        lambda w: reverse("admin:intake_intake_add"),
        expect(LOGIN, 200, 403, 403),
    ),
    ("intake page", "get", lambda w: w["intake_url"], expect(LOGIN, 200, 200, 200)),
    (
        "patient list",
        "get",
        lambda w: reverse("admin:intake_patient_changelist"),
        expect(LOGIN, 200, 200, 200),
    ),
    (
        "patient add",
        "get",
        lambda w: reverse("admin:intake_patient_add"),
        expect(LOGIN, 200, 403, 403),
    ),
    ("patient page", "get", lambda w: w["patient_url"], expect(LOGIN, 200, 200, 200)),
    (
        "patient's FHIR record",
        "get",
        lambda w: reverse(
            "admin:fhir_export_patient_bundle", args=[w["intake"].patient_id]
        ),
        expect(LOGIN, 403, 200, 403),
    ),
    (
        "catalogue",
        "get",
        lambda w: reverse("admin:intake_drug_changelist"),
        expect(LOGIN, 200, 200, 200),
    ),
    (
        "catalogue add",
        "get",
        lambda w: reverse("admin:intake_drug_add"),
        expect(LOGIN, 403, 403, 200),
    ),
    (
        "audit trail",
        "get",
        lambda w: reverse("admin:clinic_auditentry_changelist"),
        expect(LOGIN, 403, 403, 200),
    ),
    (
        "e-mail list",
        "get",
        lambda w: reverse("admin:clinic_outgoingmail_changelist"),
        expect(LOGIN, 403, 403, 200),
    ),
    (
        "operations reports",
        "get",
        lambda w: reverse("admin:reports_operationsreport_changelist"),
        expect(LOGIN, 403, 200, 200),
    ),
    (
        "a report's CSV",
        "get",
        lambda w: reverse("admin:reports_report_csv", args=["referral-funnel"]),
        expect(LOGIN, 403, 200, 200),
    ),
    (
        "list exports",
        "get",
        lambda w: reverse("admin:reports_listexport_changelist"),
        expect(LOGIN, 200, 200, 200),
    ),
    (
        "a staff list's CSV",
        "get",
        lambda w: (
            reverse("admin:reports_list_csv", args=["referrals"])
            + "?referrals-columns=record_number"
        ),
        expect(LOGIN, 200, 200, 200),
    ),
    (
        "staff accounts",
        "get",
        lambda w: reverse("admin:staff_staffaccount_changelist"),
        expect(LOGIN, 403, 403, 200),
    ),
    (
        "add staff account",
        "get",
        lambda w: reverse("admin:staff_staffaccount_add"),
        expect(LOGIN, 403, 403, 200),
    ),
    (
        "staff account page",
        "get",
        lambda w: reverse("admin:staff_staffaccount_change", args=[w["doctor"].pk]),
        expect(LOGIN, 403, 403, 200),
    ),
    (
        "unlock a staff account",
        "post",
        lambda w: reverse("admin:staff_staffaccount_unlock", args=[w["doctor"].pk]),
        expect(LOGIN, 403, 403, 302),
    ),
    (
        "issue an enrolment code",
        "post",
        lambda w: reverse(
            "admin:staff_staffaccount_enrolment_code", args=[w["doctor"].pk]
        ),
        expect(LOGIN, 403, 403, 200),
    ),
    # Django's own user, group and device admin: superusers only (IT), no role.
    (
        "Django's user admin",
        "get",
        lambda w: reverse("admin:auth_user_changelist"),
        expect(LOGIN, 403, 403, 403),
    ),
    (
        "Django's add user",
        "get",
        lambda w: reverse("admin:auth_user_add"),
        expect(LOGIN, 403, 403, 403),
    ),
    (
        "set another's password",
        "get",
        lambda w: reverse("admin:auth_user_password_change", args=[w["doctor"].pk]),
        expect(LOGIN, 403, 403, 403),
    ),
    (
        "roles",
        "get",
        lambda w: reverse("admin:auth_group_changelist"),
        expect(LOGIN, 403, 403, 403),
    ),
    (
        "two-factor devices",
        "get",
        lambda w: reverse("admin:otp_totp_totpdevice_changelist"),
        expect(LOGIN, 403, 403, 403),
    ),
    (
        "queued e-mail",
        "get",
        lambda w: reverse("admin:post_office_email_changelist"),
        expect(LOGIN, 403, 403, 403),
    ),
    (
        "review queue",
        "get",
        lambda w: reverse("admin:referrals_queueentry_changelist"),
        expect(LOGIN, 403, 200, 200),
    ),
    (
        "review page",
        "get",
        lambda w: reverse("admin:referrals_review", args=[w["intake"].pk]),
        expect(LOGIN, 403, 200, 200),
    ),
    (
        "routing decisions",
        "get",
        lambda w: reverse("admin:referrals_routingdecision_changelist"),
        expect(LOGIN, 403, 200, 200),
    ),
    (
        "referral list",
        "get",
        lambda w: reverse("admin:referrals_referral_changelist"),
        expect(LOGIN, 200, 200, 200),
    ),
    (
        "referral page",
        "get",
        lambda w: reverse("admin:referrals_referral_change", args=[w["approved"].pk]),
        expect(LOGIN, 200, 200, 200),
    ),
    (
        "letter",
        "get",
        lambda w: reverse("admin:referrals_referral_letter", args=[w["approved"].pk]),
        expect(LOGIN, 200, 200, 200),
    ),
    (
        "letter PDF",
        "get",
        lambda w: reverse(
            "admin:referrals_referral_letter_pdf", args=[w["approved"].pk]
        ),
        expect(LOGIN, 200, 200, 200),
    ),
    (
        "Botox prior-authorisation letter",
        "get",
        lambda w: reverse("admin:referrals_botox_letter", args=[w["intake"].pk]),
        expect(LOGIN, 403, 200, 403),
    ),
    (
        "Botox prior-authorisation letter PDF",
        "get",
        lambda w: reverse("admin:referrals_botox_letter_pdf", args=[w["intake"].pk]),
        expect(LOGIN, 403, 200, 403),
    ),
    (
        "cancel a referral pending review",
        "post",
        lambda w: reverse(
            "admin:referrals_referral_transition", args=[w["pending"].pk, "cancel"]
        ),
        expect(LOGIN, 403, 302, 403),
    ),
    (
        "services",
        "get",
        lambda w: reverse("admin:referrals_service_changelist"),
        expect(LOGIN, 200, 200, 200),
    ),
    (
        "approve a referral",
        "post",
        lambda w: reverse("admin:referrals_decide", args=[w["pending"].pk]),
        expect(LOGIN, 403, 302, 403),
    ),
    (
        "override the engine",
        "post",
        lambda w: reverse("admin:referrals_override", args=[w["intake"].pk, "botox"]),
        expect(LOGIN, 403, 302, 403),
    ),
    (
        "schedule a referral",
        "post",
        lambda w: reverse(
            "admin:referrals_referral_transition", args=[w["approved"].pk, "schedule"]
        ),
        expect(LOGIN, 302, 403, 403),
    ),
    (
        "route again",
        "post",
        lambda w: reverse("admin:referrals_route_again", args=[w["intake"].pk]),
        expect(LOGIN, 403, 302, 403),
    ),
    # The admin leaves out actions a role may not take: the list comes back, unchanged.
    (
        "open a service",
        "post",
        lambda w: reverse("admin:referrals_service_changelist"),
        expect(LOGIN, 200, 200, 302),
    ),
    (
        "change the catalogue",
        "post",
        lambda w: reverse("admin:intake_drug_change", args=[w["drug"].pk]),
        expect(LOGIN, 403, 403, 302),
    ),
]
POST_DATA = {
    "approve a referral": {"action": "approve"},
    "override the engine": {"note": "Discussed with the patient."},
    "schedule a referral": {
        "appointment_date": "2099-01-05",
        "appointment_time": "10:30",
        "appointment_provider": "Dr. Ada Park",
        "appointment_location": "Room 2",
    },
    "route again": {},
    "cancel a referral pending review": {"cancel_reason": "The patient withdrew."},
    "open a service": {
        "action": "open_services",
        "_selected_action": "botox",
        "confirm": "yes",
    },
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for all the module's tests; each test's writes are rolled back.

    One submitted intake with referrals (one pending, one approved), a user of each
    staff role, and a patient's online draft with a resume link.
    """
    with rolled_back_after(django_db_blocker):
        doctor = UserFactory(username="doctor", role=roles.PHYSICIAN)
        intake = submitted_example1()
        pending, approved = Referral.objects.filter(
            intake=intake, status=Referral.Status.PENDING_REVIEW
        )[:2]
        services.referral_approve(referral=approved, user=doctor, note="")
        answer_every_step(Client())
        link = resume_link_issue(
            draft=OnlineDraft.objects.get(), build_url=lambda token: token
        )
        world = {
            "intake": intake,
            "pending": pending,
            "approved": Referral.objects.get(pk=approved.pk),
            "drug": Drug.objects.get(name="propranolol"),
            "intake_url": reverse("admin:intake_intake_change", args=[intake.pk]),
            "patient_url": reverse(
                "admin:intake_patient_change", args=[intake.patient.pk]
            ),
            "resume_url": reverse("intake:resume", args=[link.url]),
            DESK: UserFactory(username="desk", role=roles.FRONT_DESK),
            DOCTOR: doctor,
            MANAGER: UserFactory(username="boss", role=roles.CLINIC_MANAGER),
        }
        world["sessions"] = {role: signed_in(role, world) for role in ROLES}
        yield world


def signed_in(role, world) -> dict:
    """The cookies of a browser signed in as ``role`` (the patient by a resume link)."""
    browser = Client()
    if role == PATIENT:
        browser.get(world["resume_url"])
    elif role != ANON:
        browser.force_login(world[role])
    return cookies_of(browser)


def client_for(role, world):
    return carrying(world["sessions"][role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "expected"), PAGES, ids=[page[0] for page in PAGES]
)
def test_role_gets_exactly_the_expected_answer(
    role, name, method, url, expected, world
):
    browser = client_for(role, world)
    target = url(world)
    if name == "change the catalogue":
        data = {
            "name": "propranolol",
            "treatment_class": "beta_blocker",
            "default_intent": "preventive",
            "preventive_class": "",
            # Its other names, on the same page: none changed.
            "names-TOTAL_FORMS": "0",
            "names-INITIAL_FORMS": "0",
        }
    elif name == "open a service":
        data = {
            **POST_DATA[name],
            "_selected_action": Service.objects.get(code="botox").pk,
        }
    else:
        data = POST_DATA.get(name, {})
    response = (
        getattr(browser, method)(target, data)
        if method == "post"
        else browser.get(target)
    )
    assert response.status_code == expected[role], (
        role,
        name,
        response.get("Location"),
    )
    if (
        expected[role] == LOGIN
        and role in (ANON, PATIENT)
        and target.startswith("/admin/")
    ):
        assert response["Location"].startswith(reverse("admin:login"))


def test_a_refused_decision_changes_nothing(world):
    browser = client_for(DESK, world)
    browser.post(
        reverse("admin:referrals_decide", args=[world["pending"].pk]),
        {"action": "approve"},
    )
    assert Referral.objects.get(pk=world["pending"].pk).status == (
        Referral.Status.PENDING_REVIEW
    )
    assert RoutingDecision.objects.filter(intake=world["intake"]).count() == 1
