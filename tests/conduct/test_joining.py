"""Reports about one officer are joined up, and escalate when independent ones accumulate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streetlight.conduct.joining import Concern, cases, escalations


def _at(year: int, month: int = 1) -> datetime:
    return datetime(year, month, 1, tzinfo=UTC)


def test_reports_naming_one_officer_or_linked_by_a_handler_form_one_case() -> None:
    concerns = [
        Concern(1, _at(2019), officer=7),  # indecent exposure, warrant number given
        Concern(2, _at(2020), officer=None),  # described only
        Concern(3, _at(2021), officer=7),  # a verification reference resolved to officer 7
        Concern(4, _at(2021, 6), officer=8),
    ]
    found = cases(concerns, links=[(2, 3)])  # a handler recognised him in report 2
    assert [c.reports for c in found] == [(1, 2, 3), (4,)]
    assert found[0].officers == frozenset({7})
    with pytest.raises(KeyError, match="report 99"):
        cases(concerns, links=[(1, 99)])


def test_two_independent_reports_in_five_years_escalate_with_the_whole_history() -> None:
    concerns = [
        Concern(1, _at(2012), officer=7),
        Concern(2, _at(2019), officer=7),
        Concern(3, _at(2021, 2), officer=7),
    ]
    (up,) = escalations(concerns)
    assert up.case.reports == (1, 2, 3)  # the history, 2012 included
    assert up.within == (2, 3) and up.sources == 2
    assert (up.since, up.until) == (_at(2019), _at(2021, 2))


def test_one_source_reporting_twice_counts_once_and_old_reports_age_out() -> None:
    same_source = [Concern(1, _at(2020), officer=7), Concern(2, _at(2021), officer=7, source=1)]
    assert escalations(same_source) == []
    far_apart = [Concern(1, _at(2010), officer=7), Concern(2, _at(2016), officer=7)]
    assert escalations(far_apart) == []
    assert len(escalations(far_apart, years=10)) == 1
    assert len(escalations(same_source, threshold=1)) == 1
    with pytest.raises(ValueError, match="at least 1"):
        escalations(same_source, threshold=0)
