"""`one_day`: a block of rows (a CSV's chunk) worded as of the one day it started on; outside
such a block, each question reads today again."""

import datetime
from unittest import mock

import pytest

from deals.derived import local_today, one_day
from deals.models import Inquiry
from deals.vocabulary import Stage

TODAY = datetime.date(2026, 12, 7)
TOMORROW = TODAY + datetime.timedelta(days=1)


def due_today() -> Inquiry:
    return Inquiry(stage=Stage.PHASE_1, next_deadline_on=TODAY)


def test_a_block_reads_the_day_it_started_on_and_outside_it_the_day_is_read_again():
    inquiry = due_today()
    with mock.patch("django.utils.timezone.localdate", side_effect=[TODAY, TOMORROW, TOMORROW]):
        with one_day():
            # Midnight passes inside the block: its rows all still say the day it started on.
            assert local_today() == TODAY
            assert not inquiry.deadline_passed
        # Outside, the clock is read again (the positive control: the deadline has passed).
        assert local_today() == TOMORROW
        assert inquiry.deadline_passed


def test_a_block_that_fails_lets_go_of_its_day():
    with mock.patch("django.utils.timezone.localdate", side_effect=[TODAY, TOMORROW]):
        with pytest.raises(ValueError), one_day():
            assert local_today() == TODAY
            raise ValueError
        assert local_today() == TOMORROW
