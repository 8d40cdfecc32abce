"""The staff profile letters print: credentials and NPI, filled by the clinic
manager, the NPI checked by its Luhn check digit."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from clinic.models import AuditEntry
from staff.models import StaffProfile
from staff.npi import is_valid_npi, npi_check_digit
from tests.test_staff_accounts import change_data

VALID_NPI = "1234567893"  # CMS's worked example: check digit 3 for 123456789


@pytest.mark.parametrize(
    ("first_nine", "check"),
    [("123456789", "3"), ("199999999", "2"), ("100000000", "4")],
)
def test_the_check_digit_is_luhn_with_the_80840_prefix(first_nine, check):
    assert npi_check_digit(first_nine) == check
    assert is_valid_npi(first_nine + check)


@pytest.mark.parametrize(
    "value",
    [
        "1234567890",  # wrong check digit
        "1234567894",  # one past the right one
        "123456789",  # nine digits
        "12345678933",  # eleven
        "12345 7893",
        "١٢٣٤٥٦٧٨٩٣",  # digits, but not ASCII ones
        "",
    ],
)
def test_anything_else_is_not_an_npi(value):
    assert not is_valid_npi(value)


def profile_url(user):
    return reverse("admin:staff_staffaccount_change", args=[user.pk])


@pytest.mark.django_db
def test_the_manager_fills_credentials_and_npi_and_it_is_audited(
    manager_client, physician_user
):
    page = manager_client.get(profile_url(physician_user))
    assert "On letters" in page.content.decode()

    response = manager_client.post(
        profile_url(physician_user),
        change_data(physician_user, credentials=" MD, FAHS ", npi=VALID_NPI),
    )

    assert response.status_code == 302
    profile = StaffProfile.objects.get(user=physician_user)
    assert (profile.credentials, profile.npi) == ("MD, FAHS", VALID_NPI)
    assert AuditEntry.objects.filter(
        content_type__model="staffprofile", object_pk=str(profile.pk)
    ).exists()
    again = manager_client.get(profile_url(physician_user)).content.decode()
    assert f'value="{VALID_NPI}"' in again


@pytest.mark.django_db
def test_a_wrong_npi_is_refused_beside_its_field_keeping_what_was_typed(
    manager_client, physician_user
):
    response = manager_client.post(
        profile_url(physician_user),
        change_data(physician_user, credentials="MD", npi="1234567890"),
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["npi"]
    assert "last digit checks the others" in form.errors["npi"][0]
    assert 'value="1234567890"' in response.content.decode()
    assert not StaffProfile.objects.filter(user=physician_user).exists()


@pytest.mark.django_db
def test_two_accounts_cannot_share_an_npi(manager_client, physician_user, manager_user):
    StaffProfile.objects.create(user=manager_user, npi=VALID_NPI)
    response = manager_client.post(
        profile_url(physician_user), change_data(physician_user, npi=VALID_NPI)
    )
    assert response.context["adminform"].form.errors["npi"] == [
        "Another account already has this NPI."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("npi", ["12345abc93", "123456789"])
def test_the_database_refuses_an_npi_that_is_not_ten_digits(physician_user, npi):
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffProfile.objects.create(user=physician_user, npi=npi)
    StaffProfile.objects.create(user=physician_user, npi=VALID_NPI)
