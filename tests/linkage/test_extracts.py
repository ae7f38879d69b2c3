"""Reading agency extracts: mapping, normalisation, and every fault reported with row and column."""

from datetime import date, datetime

import openpyxl
import pytest

from wrekin.linkage.extracts import (
    ExtractError,
    parse_date_of_birth,
    parse_id_options,
    parse_mapping_options,
    read_extract,
)

from .conftest import write_csv

HEADER = ["PersonID", "Forename", "Surname", "DOB", "PostCode", "NHSNo", "Mobile"]
MAP = {"given_name": "Forename", "family_name": "Surname", "date_of_birth": "DOB", "postcode": "PostCode",
       "nhs_number": "NHSNo", "phone": "Mobile"}


@pytest.mark.parametrize(("text", "iso", "year", "precision"), [
    ("2009-03-04", "2009-03-04", 2009, "day"),
    ("04/03/2009", "2009-03-04", 2009, "day"),
    ("4/3/2009", "2009-03-04", 2009, "day"),
    ("20090304", "2009-03-04", 2009, "day"),
    ("2009-03-04 00:00:00", "2009-03-04", 2009, "day"),
    ("2009", None, 2009, "year"),  # an approximate age is recorded as a year: not an error
    ("", None, None, None),
])
def test_dates_of_birth_in_the_formats_agencies_use(text, iso, year, precision):
    parsed = parse_date_of_birth(text)
    assert (parsed.iso, parsed.year, parsed.precision) == (iso, year, precision)


def test_spreadsheet_dates_arrive_as_datetimes():
    assert parse_date_of_birth(datetime(2009, 3, 4)).iso == "2009-03-04"
    assert parse_date_of_birth(date(2009, 3, 4)).iso == "2009-03-04"


@pytest.mark.parametrize(("text", "reason"), [
    ("31/02/2010", "not a real date"),
    ("2010/12/31", "not a date in a recognised format"),
    ("March 2010", "not a date in a recognised format"),
    ("13/13/2010", "not a real date"),
    ("0210", "not a plausible year"),
])
def test_unparseable_dates_say_why(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date_of_birth(text)


def test_values_are_normalised(tmp_path):
    path = write_csv(tmp_path / "social_care.csv", HEADER, [
        ["A1", "  ZOË-Jane ", "O'BRIEN", "04/03/2009", "tf12ab", "943 476 5919", "07700 900123"],
        ["A2", "kayleigh", "smith", "20090304", "not a postcode", "943 476 5918", "+44 (0)1952 123456"],
    ])
    extract = read_extract(path, id_column="PersonID", mapping=MAP)
    assert extract.source == "social_care"
    assert len(extract) == 2
    columns = extract.columns
    assert columns["given_name"] == ["zoe jane", "kayleigh"]
    assert columns["family_name"] == ["obrien", "smith"]
    assert columns["date_of_birth"] == ["2009-03-04", "2009-03-04"]
    assert columns["postcode"] == ["TF1 2AB", "NOT A POSTCODE"]
    assert columns["postcode_valid"] == [True, False]
    # an NHS number failing its check digit is kept (a typo can still link) but flagged
    assert columns["nhs_number"] == ["9434765919", "9434765918"]
    assert columns["nhs_number_valid"] == [True, False]
    assert columns["phone"] == ["+447700900123", "+441952123456"]
    reasons = [(w.row, w.column, w.reason) for w in extract.warnings]
    assert (3, "PostCode", "not a valid UK postcode; kept as given") in reasons
    assert (3, "NHSNo", "NHS number fails its check digit; kept but flagged") in reasons


def test_columns_named_like_fields_are_mapped_without_map(tmp_path):
    path = write_csv(tmp_path / "health.csv", ["id", "Given Name", "family_name", "Date of birth", "sex"],
                     [["H1", "Amelia", "Khan", "2011-05-06", "F"]])
    extract = read_extract(path, id_column="id")
    assert extract.mapping == {"record_id": "id", "given_name": "Given Name", "family_name": "family_name",
                               "date_of_birth": "Date of birth", "sex": "sex"}
    assert extract.columns["sex"] == ["F"]


def test_byte_order_mark_and_semicolons_are_accepted(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffid;given_name;family_name\nE1;Jayden;Price\n".encode())
    extract = read_extract(path, id_column="id")
    assert extract.columns["record_id"] == ["E1"]
    assert extract.columns["given_name"] == ["jayden"]


def test_wrong_encoding_is_a_clear_error_naming_the_file_and_line(tmp_path):
    path = tmp_path / "police.csv"
    path.write_bytes("id,given_name\nP1,Jay\nP2,Zo\xeb\n".encode("latin-1"))
    with pytest.raises(ExtractError) as caught:
        read_extract(path, id_column="id")
    message = str(caught.value)
    assert "police.csv" in message
    assert "not UTF-8 encoded" in message
    assert "line 3" in message
    assert "nothing was linked" in message


def test_missing_id_column_names_the_column_and_lists_the_real_ones(tmp_path):
    path = write_csv(tmp_path / "school.csv", ["pupil", "given_name"], [["S1", "Ivy"]])
    with pytest.raises(ExtractError) as caught:
        read_extract(path, id_column="pupil_id")
    fault = caught.value.faults[0]
    assert (fault.file, fault.row, fault.column) == ("school.csv", 1, "pupil_id")
    assert "the --id column" in fault.reason
    assert "'pupil', 'given_name'" in fault.reason


def test_a_mapped_column_that_does_not_exist_is_reported(tmp_path):
    path = write_csv(tmp_path / "school.csv", ["id", "first"], [["S1", "Ivy"]])
    with pytest.raises(ExtractError, match="column 'Forename': there is no such column \\(mapped to given_name\\)"):
        read_extract(path, id_column="id", mapping={"given_name": "Forename"})


def test_every_faulty_row_is_reported_with_row_and_column(tmp_path):
    path = write_csv(tmp_path / "police.csv", HEADER, [
        ["P1", "Jay", "Price", "2009-03-04", "", "", ""],
        ["P2", "Jay", "Price", "31/02/2009", "", "", ""],  # row 3: not a real date
        ["P1", "Jay", "Price", "2009", "", "", ""],  # row 4: duplicate id
        ["P4", "Jay", "Price", "2009", ""],  # row 5: ragged
        ["", "Jay", "Price", "2009", "", "", ""],  # row 6: no id
        ["P6", "Jay", "Price", "next week", "", "", ""],  # row 7: not a date
    ])
    with pytest.raises(ExtractError) as caught:
        read_extract(path, id_column="PersonID", mapping=MAP)
    faults = [(f.row, f.column) for f in caught.value.faults]
    assert faults == [(3, "DOB"), (4, "PersonID"), (5, None), (6, "PersonID"), (7, "DOB")]
    text = str(caught.value)
    assert "police.csv, row 3, column 'DOB': '31/02/2009' is not a real date" in text
    assert "police.csv, row 4, column 'PersonID': record id 'P1' is already used on row 2" in text
    assert "police.csv, row 5: this row has 5 fields but the header has 7" in text
    assert "row 6, column 'PersonID': the record id is empty" in text
    assert "'next week' is not a date in a recognised format" in text


def test_empty_file_and_header_only_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ExtractError, match="the file is empty"):
        read_extract(empty, id_column="id")
    header_only = write_csv(tmp_path / "header.csv", ["id", "given_name"], [])
    with pytest.raises(ExtractError, match="no records"):
        read_extract(header_only, id_column="id")


def test_blank_lines_are_not_records(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("id,given_name\nB1,Ivy\n\nB2,Leo\n\n", encoding="utf-8")
    assert read_extract(path, id_column="id").columns["record_id"] == ["B1", "B2"]


def test_xlsx_extract(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Ref", "Forename", "Surname", "Born", "NHS"])
    sheet.append(["X1", "Kacper", "Nowak", datetime(2012, 1, 30), 9434765919])
    sheet.append(["X2", "Maja", "Nowak", "30/01/2012", None])
    path = tmp_path / "youth_service.xlsx"
    workbook.save(path)
    extract = read_extract(path, id_column="Ref", mapping={"given_name": "Forename", "family_name": "Surname",
                                                           "date_of_birth": "Born", "nhs_number": "NHS"})
    assert extract.source == "youth_service"
    assert extract.columns["date_of_birth"] == ["2012-01-30", "2012-01-30"]
    assert extract.columns["nhs_number"] == ["9434765919", None]


def test_xlsx_faults_have_spreadsheet_rows(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Ref", "Born"])
    sheet.append(["X1", "2012-01-30"])
    sheet.append(["X1", "not known"])
    path = tmp_path / "youth.xlsx"
    workbook.save(path)
    with pytest.raises(ExtractError) as caught:
        read_extract(path, id_column="Ref", mapping={"date_of_birth": "Born"})
    assert [(f.row, f.column) for f in caught.value.faults] == [(3, "Ref"), (3, "Born")]


def test_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_text("this is not a zip file")
    with pytest.raises(ExtractError, match="not a readable XLSX workbook"):
        read_extract(path, id_column="id")


def test_map_and_id_options_can_target_one_input():
    sources = ["police", "health"]
    maps = parse_mapping_options(["given_name=Forename", "police:given_name=FirstName",
                                  "health:date_of_birth=birth_date"], sources)
    assert maps == {None: {"given_name": "Forename"}, "police": {"given_name": "FirstName"},
                    "health": {"date_of_birth": "birth_date"}}
    assert parse_id_options(["id", "police:NominalRef"], sources) == {None: "id", "police": "NominalRef"}


@pytest.mark.parametrize(("option", "message"), [
    ("given_name", "should look like canonical=column"),
    ("forename=Forename", "'forename' is not a linkage field"),
    ("record_id=Ref", "use --id"),
])
def test_bad_map_options(option, message):
    with pytest.raises(ValueError, match=message):
        parse_mapping_options([option], ["police"])
