"""ExpectationType comparisons as in spey 0.2.7."""

import pytest

from nbspey.system.exceptions import InvalidInput
from nbspey.utils import ExpectationType


def test_members_and_names():
    assert [member.name for member in ExpectationType] == [
        "apriori",
        "aposteriori",
        "observed",
    ]
    assert repr(ExpectationType.observed) == "observed"
    assert str(ExpectationType.apriori) == "apriori"


def test_comparisons():
    assert ExpectationType.observed == ExpectationType.observed
    assert ExpectationType.observed != ExpectationType.apriori
    assert ExpectationType.observed == "observed"
    assert ExpectationType.apriori == True  # noqa: E712 - spey's convention
    assert ExpectationType.observed == False  # noqa: E712
    assert ExpectationType.aposteriori != True  # noqa: E712
    assert not (ExpectationType.observed == None)  # noqa: E711
    with pytest.raises(ValueError, match="Unknown comparison"):
        ExpectationType.observed == 0  # noqa: B015


def test_hash_is_usable_in_sets_and_dicts():
    table = {ExpectationType.observed: 1}
    assert table[ExpectationType.observed] == 1
    assert len({ExpectationType.observed, ExpectationType.apriori}) == 2


def test_from_value():
    assert ExpectationType.from_value("aposteriori") is ExpectationType.aposteriori
    assert ExpectationType.from_value(True) is ExpectationType.apriori
    assert ExpectationType.from_value(False) is ExpectationType.observed
    assert (
        ExpectationType.from_value(ExpectationType.apriori) is ExpectationType.apriori
    )
    with pytest.raises(InvalidInput, match="expected must be one of"):
        ExpectationType.from_value("posterior")
