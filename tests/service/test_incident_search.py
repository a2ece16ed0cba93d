"""Finding incidents: filters, words anywhere in an incident's texts, visibility, cursors."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.incidents import export, search, service
from firehouse.incidents.search import Criteria, InvalidCriteria, read_criteria
from firehouse.incidents.visibility import EVERYTHING, Sight
from tests.factories import declare

DAN = Sight(person_id="dan")
ALICE = Sight(person_id="alice")


def found(db: Database, criteria: Criteria, sight: Sight = EVERYTHING) -> list[int]:
    with db.read() as session:
        return [incident.number for incident in search.find(session, criteria, sight, limit=500)]


def words(text: str) -> Criteria:
    return read_criteria({"q": text})


def note(db: Database, clock: FakeClock, number: int, text: str) -> None:
    with db.write() as session:
        service.add_timeline_entry(session, number, text, actor="alice", now=clock.now())


def test_status_keeps_only_incidents_in_that_status(seeded_db: Database, clock: FakeClock) -> None:
    declare(seeded_db, clock.now())
    declare(seeded_db, clock.now())
    with seeded_db.write() as session:
        service.resolve(session, 1, "fixed", actor="alice", now=clock.now())
    assert found(seeded_db, Criteria(status="resolved")) == [1]
    assert found(seeded_db, Criteria(status="open")) == [2]


def test_priority_and_service_each_narrow_the_list(seeded_db: Database, clock: FakeClock) -> None:
    declare(seeded_db, clock.now(), priority="P1")
    declare(seeded_db, clock.now(), priority="P3", service_id="cms")
    assert found(seeded_db, Criteria(priority="P1")) == [1]
    assert found(seeded_db, Criteria(service="cms")) == [2]
    assert found(seeded_db, Criteria(priority="P1", service="cms")) == []


def test_declared_dates_are_whole_utc_days_inclusive(seeded_db: Database, clock: FakeClock) -> None:
    first_day = clock.now().date()
    clock.advance(hours=11, minutes=59)  # 23:59 on the first day
    declare(seeded_db, clock.now())
    clock.advance(minutes=1)  # midnight: the second day
    declare(seeded_db, clock.now())
    clock.advance(days=1)
    declare(seeded_db, clock.now())
    second_day = first_day + timedelta(days=1)
    assert found(seeded_db, Criteria(declared_from=second_day)) == [3, 2]
    assert found(seeded_db, Criteria(declared_to=first_day)) == [1]
    assert found(seeded_db, Criteria(declared_from=second_day, declared_to=second_day)) == [2]


def test_the_last_representable_day_is_an_open_end(seeded_db: Database, clock: FakeClock) -> None:
    declare(seeded_db, clock.now())
    assert found(seeded_db, read_criteria({"declared_to": "9999-12-31"})) == [1]


def test_search_matches_the_message_ignoring_case(seeded_db: Database, clock: FakeClock) -> None:
    declare(seeded_db, clock.now(), message="Checkout fails")
    declare(seeded_db, clock.now(), message="Search is slow")
    assert found(seeded_db, words("CHECKOUT")) == [1]


def test_search_matches_the_description(seeded_db: Database, clock: FakeClock) -> None:
    declare(seeded_db, clock.now(), description="The payment gateway times out")
    declare(seeded_db, clock.now())
    assert found(seeded_db, words("gateway")) == [1]


def test_search_matches_a_timeline_entry(seeded_db: Database, clock: FakeClock) -> None:
    declare(seeded_db, clock.now())
    declare(seeded_db, clock.now())
    note(seeded_db, clock, 1, "Rolled back the canary deploy")
    assert found(seeded_db, words("canary")) == [1]


def test_every_word_must_match_somewhere_among_the_texts(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), message="Checkout fails", description="in Europe")
    declare(seeded_db, clock.now(), message="Checkout slow")
    note(seeded_db, clock, 2, "only in Asia")
    assert found(seeded_db, words("checkout europe")) == [1]
    assert found(seeded_db, words("asia checkout")) == [2]
    assert found(seeded_db, words("europe asia")) == []


@pytest.mark.parametrize(("query", "expected"), [("100%", [1]), ("a_b", [2]), ("%", [1])])
def test_wildcards_in_the_words_match_only_themselves(
    seeded_db: Database, clock: FakeClock, query: str, expected: list[int]
) -> None:
    declare(seeded_db, clock.now(), message="Disk 100% full")
    declare(seeded_db, clock.now(), message="Job a_b stuck")
    declare(seeded_db, clock.now(), message="Disk 1000 full, job axb stuck")
    assert found(seeded_db, words(query)) == expected


def test_a_private_incident_matches_no_word_for_a_non_participant(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), message="Leaked credentials", reporter="alice", private=True)
    note(seeded_db, clock, 1, "rotated the secret keys")
    assert found(seeded_db, words("leaked"), DAN) == []
    assert found(seeded_db, words("rotated"), DAN) == []
    assert found(seeded_db, Criteria(), DAN) == []


def test_a_private_incident_matches_for_its_participants_and_admins(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), message="Leaked credentials", reporter="alice", private=True)
    note(seeded_db, clock, 1, "rotated the secret keys")
    assert found(seeded_db, words("rotated"), ALICE) == [1]
    assert found(seeded_db, words("rotated"), EVERYTHING) == [1]


def test_pages_walk_every_incident_once_both_ways(seeded_db: Database, clock: FakeClock) -> None:
    for _ in range(search.PAGE_SIZE * 2 + 5):
        declare(seeded_db, clock.now())
    seen: list[int] = []
    params: dict[str, str] = {}
    pages = []
    with seeded_db.read() as session:
        while True:
            page = search.list_page(session, params, EVERYTHING)
            pages.append(page)
            seen += [incident.number for incident in page.incidents]
            if page.older is None:
                break
            params = {"before": str(page.older)}
        assert seen == list(range(search.PAGE_SIZE * 2 + 5, 0, -1))
        assert pages[0].newer is None
        assert pages[-1].newer is not None
        back = search.list_page(session, {"after": str(pages[-1].newer)}, EVERYTHING)
    assert [i.number for i in back.incidents] == [i.number for i in pages[-2].incidents]


def test_a_page_for_a_non_participant_is_full_despite_private_incidents(
    seeded_db: Database, clock: FakeClock
) -> None:
    for _ in range(search.PAGE_SIZE):
        declare(seeded_db, clock.now())
    declare(seeded_db, clock.now(), reporter="alice", private=True)
    with seeded_db.read() as session:
        page = search.list_page(session, {}, DAN)
    assert len(page.incidents) == search.PAGE_SIZE
    assert page.older is None


def test_reading_criteria_names_every_bad_field() -> None:
    with pytest.raises(InvalidCriteria) as refused:
        read_criteria({"status": "burning", "priority": "P9", "declared_from": "31/01/2026"})
    assert set(refused.value.problems) == {"status", "priority", "declared_from"}


def test_reading_criteria_refuses_a_from_date_after_the_to_date() -> None:
    with pytest.raises(InvalidCriteria) as refused:
        read_criteria({"declared_from": "2026-02-01", "declared_to": "2026-01-31"})
    assert set(refused.value.problems) == {"declared_to"}


def test_reading_criteria_treats_blank_and_any_as_no_filter() -> None:
    criteria = read_criteria({"status": "any", "priority": "", "q": "  Disk  disk ", "service": ""})
    assert criteria == Criteria(words=("disk",))


def test_reading_criteria_parses_dates() -> None:
    criteria = read_criteria({"declared_from": "2026-01-31"})
    assert criteria.declared_from == date(2026, 1, 31)


def test_a_service_missing_from_the_catalogue_is_refused_by_the_list(
    seeded_db: Database,
) -> None:
    with seeded_db.read() as session:
        page = search.list_page(session, {"service": "nowhere"}, EVERYTHING)
    assert set(page.problems) == {"service"}
    assert page.incidents == []


def exported(db: Database, criteria: Criteria, sight: Sight = EVERYTHING) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(export.csv_chunks(db, criteria, sight)))))


def test_the_export_walks_every_batch(
    seeded_db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "BATCH", 2)
    for _ in range(5):
        declare(seeded_db, clock.now())
    table = exported(seeded_db, Criteria())
    assert table[0] == list(export.COLUMNS)
    assert [row[0] for row in table[1:]] == ["5", "4", "3", "2", "1"]


def test_the_export_stops_at_its_cap(
    seeded_db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "BATCH", 2)
    monkeypatch.setattr(export, "MAX_ROWS", 3)
    for _ in range(5):
        declare(seeded_db, clock.now())
    assert [row[0] for row in exported(seeded_db, Criteria())[1:]] == ["5", "4", "3"]


def test_the_export_leaves_out_what_the_caller_may_not_see(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now())
    declare(seeded_db, clock.now(), reporter="alice", private=True)
    assert [row[0] for row in exported(seeded_db, Criteria(), DAN)[1:]] == ["1"]
    assert [row[0] for row in exported(seeded_db, Criteria(), ALICE)[1:]] == ["2", "1"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(start: str) -> None:
    assert export.defuse(f"{start}1+1") == f"'{start}1+1"


def test_an_ordinary_cell_is_left_alone() -> None:
    assert export.defuse("Disk full = bad") == "Disk full = bad"
