"""Screening instruments are data: loaded from YAML, versioned, and immutable once used."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.referrals.conftest import all_answers
from wrekin.audit.models import AuditEvent
from wrekin.referrals import actions
from wrekin.referrals.apps import load_instruments_after_migrate
from wrekin.referrals.instrument_files import (
    CATEGORIES,
    SHIPPED_DIR,
    TYPES,
    InstrumentFileError,
    read_instrument_file,
    validate_definition,
)
from wrekin.referrals.models import ScreeningInstrument

SHIPPED_FILE = SHIPPED_DIR / "wrekin-exploitation-v1.yaml"


def _shipped() -> dict:
    return yaml.safe_load(SHIPPED_FILE.read_text(encoding="utf-8"))


def _write(directory: Path, name: str, data: dict, *, header: str = "") -> Path:
    path = directory / name
    path.write_text(header + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _small(version: int = 1, code: str = "area-tool", **changes) -> dict:
    data = {
        "code": code, "version": version, "title": "Area screening tool",
        "grades": [{"code": "low", "label": "Low"}, {"code": "high", "label": "High"}],
        "override_floor": "high",
        "indicators": [{"code": "missing", "text": "Goes missing", "category": "risk_indicator", "type": "both"}],
    }
    data.update(changes)
    return data


# --- The shipped instrument -------------------------------------------------------------------

def test_the_shipped_instrument_is_valid_and_complete():
    instrument = read_instrument_file(SHIPPED_FILE)
    definition = instrument.definition
    assert (definition["code"], definition["version"]) == ("wrekin-exploitation", 1)
    indicators = definition["indicators"]
    assert len(indicators) >= 25
    assert {i["category"] for i in indicators} == set(CATEGORIES)
    assert {i["type"] for i in indicators} == set(TYPES)
    assert [g["code"] for g in definition["grades"]] == ["no_risk", "low", "medium", "high"]
    assert definition["override_floor"] == "medium" and definition["review_months"] == 3
    assert [i["code"] for i in indicators if i["disclosure"]] == ["disclosure"]
    # The indicators the domain names are all there.
    for code in ("missing_repeat", "controlling_adult", "unexplained_items", "cars_unknown_adults",
                 "hotels_taxis_takeaways", "school_absence", "substance_misuse", "sexual_health", "self_harm",
                 "exploited_peers", "online_contact", "images_shared", "carrying_weapon", "carrying_drugs",
                 "found_out_of_area", "unexplained_injuries", "missing_from_care"):
        assert code in {i["code"] for i in indicators}, code


def test_the_shipped_instrument_is_loaded_after_migrate_with_its_hash(instrument):
    assert instrument.code == "wrekin-exploitation" and instrument.version == 1
    assert instrument.sha256 == hashlib.sha256(SHIPPED_FILE.read_bytes()).hexdigest()
    assert instrument.source_name == SHIPPED_FILE.name
    assert len(instrument.indicators) >= 25


# --- Loading and versions ---------------------------------------------------------------------

def test_an_area_adds_a_version_by_dropping_a_file_and_it_becomes_current(instrument, tmp_path, settings):
    settings.WREKIN_INSTRUMENTS_DIR = str(tmp_path)
    data = _shipped()
    data["version"] = 2
    data["indicators"][0]["text"] = "Not in school most days"
    _write(tmp_path, "local-v2.yaml", data)

    results = actions.load_instruments()

    outcomes = {(r.code, r.version): r.outcome for r in results}
    assert outcomes == {("wrekin-exploitation", 1): "unchanged", ("wrekin-exploitation", 2): "loaded"}
    current = actions.current_instrument()
    assert current.version == 2 and current.indicators[0]["text"] == "Not in school most days"
    event = AuditEvent.objects.get(event_type="instrument.loaded", object_id=str(current.pk))
    assert event.details["version"] == 2 and event.actor is None


def test_an_area_instrument_with_its_own_code_is_chosen_by_setting(db, tmp_path, settings):
    settings.WREKIN_INSTRUMENTS_DIR = str(tmp_path)
    _write(tmp_path, "area.yaml", _small(code="area-tool"))
    actions.load_instruments()
    settings.WREKIN_SCREENING_INSTRUMENT = "area-tool"
    assert actions.current_instrument().title == "Area screening tool"


def test_no_loaded_instrument_gives_a_clear_message(db, settings):
    settings.WREKIN_SCREENING_INSTRUMENT = "not-loaded"
    with pytest.raises(ScreeningInstrument.DoesNotExist, match="wrekin load_instruments"):
        actions.current_instrument()


def test_loading_the_same_file_again_changes_nothing(instrument):
    before = AuditEvent.objects.count()
    results = actions.load_instruments(paths=[SHIPPED_FILE])
    assert [r.outcome for r in results] == ["unchanged"]
    assert AuditEvent.objects.count() == before


def test_a_changed_version_that_nobody_used_may_be_replaced(db, tmp_path):
    path = _write(tmp_path, "area.yaml", _small())
    actions.load_instruments(paths=[path])
    _write(tmp_path, "area.yaml", _small(title="Area screening tool (corrected)"))
    results = actions.load_instruments(paths=[path])
    assert [r.outcome for r in results] == ["replaced"]
    stored = ScreeningInstrument.objects.get(code="area-tool", version=1)
    assert stored.title == "Area screening tool (corrected)"
    assert stored.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert AuditEvent.objects.filter(event_type="instrument.replaced", object_id=str(stored.pk)).exists()


def test_a_used_version_is_immutable_and_the_whole_load_is_refused(make_referral, people, tmp_path, instrument):
    make_referral("alice", people["kayleigh"])  # version 1 is now in use
    changed = _shipped()
    changed["indicators"][0]["weight"] = 9
    changed_path = _write(tmp_path, "changed-v1.yaml", changed)
    new_path = _write(tmp_path, "area.yaml", _small())

    with pytest.raises(InstrumentFileError, match="has already been used") as refused:
        actions.load_instruments(paths=[new_path, changed_path])

    assert "version 2 instead" in str(refused.value)
    instrument.refresh_from_db()
    assert instrument.indicators[0]["weight"] == 2  # unchanged
    assert not ScreeningInstrument.objects.filter(code="area-tool").exists()  # all or nothing


def test_a_used_version_with_only_comments_changed_is_accepted(make_referral, people, tmp_path, instrument):
    make_referral("alice", people["kayleigh"])
    path = tmp_path / "copy.yaml"
    path.write_text("# A local copy, with a note at the top.\n" + SHIPPED_FILE.read_text(encoding="utf-8"),
                    encoding="utf-8")
    assert [r.outcome for r in actions.load_instruments(paths=[path])] == ["unchanged"]


def test_two_files_defining_one_version_differently_are_refused(db, tmp_path):
    first = _write(tmp_path, "a.yaml", _small())
    second = _write(tmp_path, "b.yaml", _small(title="Something else"))
    with pytest.raises(InstrumentFileError, match="both define area-tool version 1"):
        actions.load_instruments(paths=[first, second])


def test_the_instruments_directory_must_exist(db, settings, tmp_path):
    settings.WREKIN_INSTRUMENTS_DIR = str(tmp_path / "missing")
    with pytest.raises(InstrumentFileError, match="not a directory"):
        actions.load_instruments()


@pytest.mark.parametrize("change, message", [
    ({"code": None}, "code must be a code"),
    ({"version": "two"}, "version must be a whole number"),
    ({"version": 0}, "version must be a whole number"),
    ({"indikators": []}, "unknown key indikators"),
    ({"grades": [{"code": "only", "label": "Only"}]}, "at least two grades"),
    ({"override_floor": "medium"}, "override_floor 'medium' is not one of the grades"),
    ({"override_floor": "low"}, "cannot be the lowest grade"),
    ({"review_months": 0}, "review_months must be a whole number from 1 to 24"),
    ({"indicators": [{"code": "x", "text": "X", "category": "harm", "type": "both"}]}, "category must be one of"),
    ({"indicators": [{"code": "x", "text": "X", "category": "vulnerability", "type": "cse_cce"}]},
     "type must be one of"),
    ({"indicators": [{"code": "x", "text": "X", "category": "vulnerability", "type": "both", "weight": -1}]},
     "weight must be a number"),
    ({"indicators": [{"code": "x", "text": "", "category": "vulnerability", "type": "both"}]}, "text must be"),
    ({"indicators": [{"code": "x", "text": "X", "category": "vulnerability", "type": "both"},
                     {"code": "x", "text": "Y", "category": "vulnerability", "type": "both"}]}, "used twice"),
    ({"indicators": [{"code": "x", "text": "X", "category": "vulnerability", "type": "both",
                      "disclosure": "yes"}]}, "disclosure must be true or false"),
    ({"scoring": {"answers": {"present": "lots"}}}, "scoring.answers.present must be a number"),
])
def test_invalid_definitions_are_refused_with_a_clear_message(change, message):
    data = _small()
    data.update(change)
    with pytest.raises(InstrumentFileError, match=message):
        validate_definition(data, source="area.yaml")


def test_a_file_that_is_not_yaml_names_itself(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("code: [unclosed\n", encoding="utf-8")
    with pytest.raises(InstrumentFileError, match="broken.yaml: not valid YAML"):
        read_instrument_file(path)


def test_defaults_are_filled_in():
    definition = validate_definition(_small())
    assert definition["review_months"] == 3
    assert definition["scoring"]["answers"]["possible"] == 0.5
    assert definition["scoring"]["windows"]["historic"] == 0.5
    assert definition["indicators"][0] == {"code": "missing", "text": "Goes missing", "hint": "",
                                           "category": "risk_indicator", "type": "both", "weight": 1,
                                           "disclosure": False}


# --- The command and post_migrate ------------------------------------------------------------

def test_the_command_reports_each_file(db, tmp_path, capsys):
    path = _write(tmp_path, "area.yaml", _small())
    call_command("load_instruments", str(path))
    assert "area-tool version 1: loaded" in capsys.readouterr().out
    call_command("load_instruments", str(path))
    assert "area-tool version 1: unchanged" in capsys.readouterr().out


def test_the_command_fails_loudly_and_loads_nothing(make_referral, people, tmp_path):
    make_referral("alice", people["kayleigh"])
    changed = _shipped()
    changed["title"] = "Renamed"
    path = _write(tmp_path, "changed.yaml", changed)
    with pytest.raises(CommandError, match="Nothing was loaded.*already been used"):
        call_command("load_instruments", str(path))


def test_post_migrate_reports_a_bad_file_without_stopping_migrations(db, settings, tmp_path, capsys):
    settings.WREKIN_INSTRUMENTS_DIR = str(tmp_path)
    _write(tmp_path, "bad.yaml", _small(override_floor="nonsense"))
    load_instruments_after_migrate(sender=None)
    assert "Screening instruments not loaded" in capsys.readouterr().err
    assert not ScreeningInstrument.objects.filter(code="area-tool").exists()


# --- Old screenings keep their version --------------------------------------------------------

def test_an_old_screening_shows_the_version_it_used(client_for, personas, people, instrument, tmp_path,
                                                    make_screening):
    screening = make_screening("erin", people["kayleigh"],
                               answers=all_answers(instrument, school_absence="present"))
    data = _shipped()
    data["version"] = 2
    data["title"] = "Child exploitation screening, second edition"
    data["indicators"][0]["text"] = "Reworded school indicator"
    actions.load_instruments(paths=[_write(tmp_path, "v2.yaml", data)])
    assert actions.current_instrument().version == 2

    html = client_for("erin").get(reverse("referrals:screening_detail", args=[screening.pk])).content.decode()
    assert "Child exploitation screening (CSE and CCE), version 1" in html
    assert "Often absent from school" in html and "Reworded school indicator" not in html
    # New screenings use version 2.
    form = client_for("erin").get(reverse("referrals:screening_create", args=[people["kayleigh"].pk]))
    assert "Reworded school indicator" in form.content.decode()
