"""The clinic manager's staff-account pages: what they do, and the escalations they
refuse (making a superuser, reading a second-factor secret, setting a password)."""

import base64
import io
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from post_office.models import Email

from clinic import roles
from clinic.mail import deliver_due
from clinic.models import AuditEntry
from staff.models import EnrolmentCode
from staff.services import enrolment_code_issue

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a-new-long-passphrase-42"


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


def account_url(name, user):
    return reverse(f"admin:staff_staffaccount_{name.replace('-', '_')}", args=[user.pk])


def sign_in(client, username, password):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
    )


def change_data(user, **changes):
    return {
        "first_name": user.first_name or "First",
        "last_name": user.last_name or "Last",
        "role": user.groups.first().name,
        "is_active": "on",
        **changes,
    }


def link_in(email: Email) -> str:
    return re.search(r"https?://\S+", email.message).group(0).split("8000", 1)[-1]


# The escalation the issue measured, each step refused.


def test_manager_cannot_make_anyone_a_superuser_or_grant_raw_permissions(
    manager_client, physician_user
):
    stock = manager_client.post(
        reverse("admin:auth_user_change", args=[physician_user.pk]),
        {"username": physician_user.username, "is_superuser": "on"},
    )
    assert stock.status_code == 403
    permission = Permission.objects.get(codename="delete_patient")
    ours = manager_client.post(
        account_url("change", physician_user),
        change_data(
            physician_user,
            is_superuser="on",
            user_permissions=[permission.pk],
            groups=[],
        ),
    )
    assert ours.status_code == 302
    physician_user.refresh_from_db()
    assert not physician_user.is_superuser
    assert not physician_user.user_permissions.exists()
    group = reverse("admin:auth_group_change", args=[physician_user.groups.get().pk])
    assert manager_client.get(group).status_code == 403


def test_manager_cannot_read_a_second_factor_secret(manager_client, physician_user):
    device = TOTPDevice.objects.create(
        user=physician_user, name="phone", confirmed=True
    )
    config = reverse("admin:otp_totp_totpdevice_config", args=[device.pk])
    assert manager_client.get(config).status_code == 403
    change = reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    assert manager_client.get(change).status_code == 403
    page = manager_client.get(account_url("change", physician_user)).content.decode()
    assert "An authenticator app is linked" in page
    assert device.key not in page
    assert base64.b32encode(device.bin_key).decode()[:8] not in page


def test_manager_cannot_set_another_users_password(manager_client, physician_user):
    url = reverse("admin:auth_user_password_change", args=[physician_user.pk])
    assert manager_client.get(url).status_code == 403
    response = manager_client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 403
    physician_user.refresh_from_db()
    assert physician_user.check_password(PASSWORD)
    assert not physician_user.check_password(NEW_PASSWORD)


def test_superusers_are_not_on_the_managers_pages(manager_client):
    root = User.objects.create_superuser("root", "root@clinic.example", PASSWORD)
    listing = manager_client.get(reverse("admin:staff_staffaccount_changelist"))
    assert root not in listing.context["cl"].result_list
    assert manager_client.get(account_url("change", root)).status_code == 302
    assert manager_client.post(account_url("password-reset", root)).status_code == 403
    root.refresh_from_db()
    assert root.check_password(PASSWORD)


def test_other_roles_cannot_manage_staff(client, front_desk_user, physician_user):
    for user in (front_desk_user, physician_user):
        client.force_login(user)
        for name in ("unlock", "password-reset", "second-factor-reset"):
            assert client.post(account_url(name, user)).status_code == 403


# What the manager does.


def test_manager_creates_a_physician_who_chooses_a_password_and_enrols(
    manager_client, client_class, settings
):
    response = manager_client.post(
        reverse("admin:staff_staffaccount_add"),
        {
            "username": "dr.ng",
            "first_name": "Lee",
            "last_name": "Ng",
            "email": "lee.ng@clinic.example",
            "role": roles.PHYSICIAN,
        },
    )
    assert response.status_code == 200
    code = re.search(r"<code>([A-Z0-9-]{14})</code>", response.content.decode())[1]
    user = User.objects.get(username="dr.ng")
    assert [g.name for g in user.groups.all()] == [roles.PHYSICIAN]
    assert user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert code.replace("-", "") not in EnrolmentCode.objects.get(user=user).code_hash

    staff = client_class()
    link = link_in(Email.objects.get(to=["lee.ng@clinic.example"]))
    set_page = staff.get(link, follow=True)
    assert set_page.redirect_chain[-1][0].endswith("/set-password/")
    form_url = set_page.redirect_chain[-1][0]
    staff.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert "This link no longer works" in staff.get(link, follow=True).content.decode()

    settings.REQUIRE_2FA = True
    assert sign_in(staff, "dr.ng", NEW_PASSWORD).status_code == 302
    assert staff.get("/admin/", follow=True).redirect_chain[-1][0] == reverse(
        "two_factor_setup"
    )
    staff.post(reverse("two_factor_setup"), {"code": code})
    device = TOTPDevice.objects.get(user=user)
    staff.post(reverse("two_factor_setup"), {"token": f"{totp(device.bin_key):06d}"})
    assert staff.get("/admin/").status_code == 200


def test_manager_changes_a_role_and_deactivates_an_account(
    manager_client, client_class, front_desk_user
):
    staff = client_class()
    staff.force_login(front_desk_user)
    assert staff.get("/admin/").status_code == 200
    manager_client.post(
        account_url("change", front_desk_user),
        change_data(front_desk_user, role=roles.PHYSICIAN),
    )
    assert [g.name for g in front_desk_user.groups.all()] == [roles.PHYSICIAN]
    manager_client.post(
        account_url("change", front_desk_user),
        {**change_data(front_desk_user), "is_active": ""},
    )
    front_desk_user.refresh_from_db()
    assert not front_desk_user.is_active
    assert staff.get("/admin/").status_code == 302  # signed out
    changes = AuditEntry.objects.filter(
        object_pk=str(front_desk_user.pk), action=AuditEntry.Action.UPDATE
    )
    assert any("is_active" in (e.changes or {}) for e in changes)


def test_an_account_has_exactly_one_role(manager_client, front_desk_user):
    manager_client.post(
        account_url("change", front_desk_user),
        change_data(front_desk_user, role=[roles.PHYSICIAN, roles.CLINIC_MANAGER]),
    )
    assert front_desk_user.groups.count() == 1
    response = manager_client.post(
        account_url("change", front_desk_user), change_data(front_desk_user, role="")
    )
    assert "This field is required" in response.content.decode()
    assert front_desk_user.groups.count() == 1


def test_a_manager_cannot_remove_their_own_access(manager_client, manager_user):
    response = manager_client.post(
        account_url("change", manager_user),
        {**change_data(manager_user, role=roles.FRONT_DESK), "is_active": ""},
    )
    content = response.content.decode()
    assert "You cannot deactivate your own account." in content
    assert "You cannot change your own role." in content
    manager_user.refresh_from_db()
    assert manager_user.is_active


def test_a_password_reset_turns_the_old_password_off_and_mails_a_link(
    manager_client, client_class, front_desk_user
):
    staff = client_class()
    assert sign_in(staff, "desk", PASSWORD).status_code == 302
    manager_client.post(account_url("password-reset", front_desk_user))
    assert staff.get("/admin/").status_code == 302  # its session ended
    assert sign_in(client_class(), "desk", PASSWORD).status_code == 200  # refused
    link = link_in(Email.objects.get(to=[front_desk_user.email]))
    page = staff.get(link, follow=True)
    staff.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert sign_in(client_class(), "desk", NEW_PASSWORD).status_code == 302


def test_a_second_factor_reset_forces_enrolment_with_a_new_code(
    manager_client, client_class, physician_user, settings
):
    device = TOTPDevice.objects.create(
        user=physician_user, name="phone", confirmed=True
    )
    doctor = client_class()
    doctor.force_login(physician_user)
    doctor.post(reverse("two_factor_verify"), {"token": f"{totp(device.bin_key):06d}"})
    response = manager_client.post(account_url("second-factor-reset", physician_user))
    settings.REQUIRE_2FA = True
    code = re.search(r"<code>([A-Z0-9-]{14})</code>", response.content.decode())[1]
    assert not TOTPDevice.objects.filter(user=physician_user).exists()
    assert doctor.get("/admin/", follow=True).redirect_chain[-1][0] == reverse(
        "two_factor_setup"
    )
    doctor.post(reverse("two_factor_setup"), {"code": code})
    assert TOTPDevice.objects.filter(user=physician_user, confirmed=False).exists()


def test_manager_unlocks_a_locked_account(
    manager_client, client_class, front_desk_user
):
    staff = client_class()
    for _ in range(5):
        sign_in(staff, "desk", "wrong-password")
    assert sign_in(staff, "desk", PASSWORD).status_code == 429
    listing = manager_client.get(reverse("admin:staff_staffaccount_changelist"))
    assert "Locked" in listing.content.decode()
    page = manager_client.get(account_url("change", front_desk_user))
    assert "Unlock sign-in" in page.content.decode()

    response = manager_client.post(account_url("unlock", front_desk_user))
    assert response.status_code == 302
    assert sign_in(staff, "desk", PASSWORD).status_code == 302
    assert AuditEntry.objects.filter(
        object_pk=str(front_desk_user.pk), changes__has_key="sign-in"
    ).exists()


def test_the_lockout_page_sends_staff_to_a_manager_who_can_unlock(
    client, front_desk_user
):
    for _ in range(5):
        response = sign_in(client, "desk", "wrong-password")
    assert response.status_code == 429
    assert "Unlock sign-in" in response.content.decode()


# Enrolling a second factor needs the manager's code, not the password alone.


def test_a_password_alone_does_not_link_an_authenticator_app(
    client, physician_user, settings
):
    settings.REQUIRE_2FA = True
    client.force_login(physician_user)
    page = client.get(reverse("two_factor_setup"))
    assert "enrolment code" in page.content.decode()
    assert not TOTPDevice.objects.filter(user=physician_user).exists()
    wrong = client.post(reverse("two_factor_setup"), {"code": "AAAA-BBBB-CCCC"})
    assert "not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=physician_user).exists()


def test_an_enrolment_code_works_once(client_class, physician_user):
    issued = enrolment_code_issue(user=physician_user, by=None)
    first, second = client_class(), client_class()
    for browser in (first, second):
        browser.force_login(physician_user)
    assert (
        first.post(
            reverse("two_factor_setup"), {"code": issued.code.lower()}
        ).status_code
        == 302
    )
    again = second.post(reverse("two_factor_setup"), {"code": issued.code})
    assert again.status_code == 200
    assert "not right" in again.content.decode()
    # The device the first browser started is not shown to the second.
    device = TOTPDevice.objects.get(user=physician_user)
    assert base64.b32encode(device.bin_key).decode()[:8] not in (
        second.get(reverse("two_factor_setup")).content.decode().replace(" ", "")
    )


def test_an_expired_enrolment_code_is_refused(client, physician_user):
    issued = enrolment_code_issue(user=physician_user, by=None)
    EnrolmentCode.objects.filter(user=physician_user).update(
        issued_at=issued.expires_at.replace(year=2000),
        expires_at=issued.expires_at.replace(year=2001),
    )
    client.force_login(physician_user)
    response = client.post(reverse("two_factor_setup"), {"code": issued.code})
    assert "expired" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=physician_user).exists()


def test_operators_issue_the_first_enrolment_code_from_the_command_line(
    client, physician_user
):
    out = io.StringIO()
    call_command("issue_enrolment_code", physician_user.username, stdout=out)
    code = re.search(r"([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})", out.getvalue())[1]
    client.force_login(physician_user)
    assert client.post(reverse("two_factor_setup"), {"code": code}).status_code == 302
    with pytest.raises(CommandError, match="No account"):
        call_command("issue_enrolment_code", "nobody", stdout=io.StringIO())


def test_a_sent_password_link_is_not_kept_in_the_stored_message(
    manager_client, front_desk_user
):
    manager_client.post(account_url("password-reset", front_desk_user))
    stored = Email.objects.get(to=[front_desk_user.email])
    token = link_in(stored).rstrip("/").rsplit("/", 1)[1]

    deliver_due()

    assert token in mail.outbox[0].body  # the staff member got it...
    stored.refresh_from_db()
    assert token not in stored.message  # ...the stored copy does not keep it
