"""Named counters: the patients' record numbers come from one."""

import pytest
from django.db import transaction

from clinic.models import Counter

pytestmark = pytest.mark.django_db


def test_a_new_counter_starts_at_one_and_counts_up():
    assert [Counter.next_value("letters") for _ in range(3)] == [1, 2, 3]
    assert Counter.objects.get(name="letters").value == 3


def test_counters_count_apart():
    Counter.next_value("letters")
    Counter.next_value("letters")
    assert Counter.next_value("invoices") == 1
    assert Counter.next_value("letters") == 3


def test_a_number_taken_in_a_rolled_back_transaction_is_given_again():
    Counter.next_value("letters")
    with transaction.atomic():
        assert Counter.next_value("letters") == 2
        transaction.set_rollback(True)
    assert Counter.next_value("letters") == 2
