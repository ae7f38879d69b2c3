"""scripts/dependency-audit: waivers, what fails, and what happens when the advisory services are out of reach.

The tools' reports are faked (saved JSON in the shapes pip-audit 2.10 and npm 10 write), so these tests
need no network; the real services are what `make test` asks.
"""

from __future__ import annotations

import datetime as dt
import importlib.machinery
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "dependency-audit"
TODAY = dt.date(2026, 11, 29)


def _load_script():
    loader = importlib.machinery.SourceFileLoader("dependency_audit", str(SCRIPT))
    spec = importlib.util.spec_from_loader("dependency_audit", loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["dependency_audit"] = module  # dataclasses look their module up while the file runs
    loader.exec_module(module)
    return module


audit = _load_script()

PIP_CLEAN = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []},
                              {"name": "wrekin", "skip_reason": "Dependency not found on PyPI and is editable"}],
             "fixes": []}
PIP_FINDING = {"dependencies": [
    {"name": "django", "version": "5.2.19", "vulns": [
        {"id": "PYSEC-2099-1", "fix_versions": ["5.2.20"], "aliases": ["GHSA-aaaa-bbbb-cccc", "CVE-2099-0001"],
         "description": "SQL injection in a made-up lookup.\nMore text."}]},
    {"name": "segno", "version": "1.6.6", "vulns": []}], "fixes": []}
# What pip-audit writes when the PyPI JSON API answers 404 (a mirror without it): every package skipped, exit 0.
PIP_MIRROR_404 = {"dependencies": [
    {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2.19)"},
    {"name": "segno", "skip_reason": "Dependency not found on PyPI and could not be audited: segno (1.6.6)"}],
    "fixes": []}
NPM_CLEAN = {"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {"vulnerabilities": {"high": 0}}}
NPM_FINDINGS = {"auditReportVersion": 2, "vulnerabilities": {
    "htmx.org": {"name": "htmx.org", "severity": "high", "via": [
        {"source": 1099001, "name": "htmx.org", "title": "Made-up XSS in swaps", "severity": "high",
         "url": "https://github.com/advisories/GHSA-hhhh-jjjj-kkkk", "range": "<2.0.12"}]},
    "cytoscape": {"name": "cytoscape", "severity": "moderate", "via": [
        {"source": 1099002, "name": "cytoscape", "title": "Made-up moderate issue", "severity": "moderate",
         "url": "https://github.com/advisories/GHSA-mmmm-nnnn-pppp", "range": "<3.36.0"}]},
    "govuk-frontend": {"name": "govuk-frontend", "severity": "critical", "via": ["htmx.org"]}}}
# What npm writes when the registry's advisory endpoint refuses (here: 405).
NPM_405 = {"message": "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk",
           "statusCode": 405, "error": {"summary": "", "detail": ""}}


# --- Waivers ------------------------------------------------------------------------------------------

def test_waivers_are_parsed_with_comments_and_blank_lines():
    waivers = audit.parse_waivers(
        "# header\n\nGHSA-aaaa-bbbb-cccc  2027-01-31  not reachable from Wrekin (A. Person)\n"
        "  1099001 2026-12-01 no fix yet; htmx swaps only our own HTML\n")
    assert [(w.id, w.expires, w.line) for w in waivers] == [
        ("GHSA-AAAA-BBBB-CCCC", dt.date(2027, 1, 31), 3), ("1099001", dt.date(2026, 12, 1), 4)]
    assert waivers[0].reason == "not reachable from Wrekin (A. Person)"


@pytest.mark.parametrize("text, message", [
    ("GHSA-aaaa-bbbb-cccc 2027-01-31\n", "expected 'ID YYYY-MM-DD reason'"),  # no reason
    ("GHSA-aaaa-bbbb-cccc forever because\n", "expected 'ID YYYY-MM-DD reason'"),  # no expiry
    ("GHSA-aaaa-bbbb-cccc 2027-02-30 no such day\n", "is not a date"),
    ("X 2027-01-01 one\nx 2027-01-01 two\n", "waived twice"),
])
def test_a_malformed_waiver_file_is_refused(text, message):
    with pytest.raises(audit.WaiverFileError, match=message):
        audit.parse_waivers(text)


def test_the_shipped_waiver_file_parses():
    audit.parse_waivers((ROOT / ".ci" / "audit-waivers.txt").read_text(encoding="utf-8"))


def test_a_waiver_applies_until_its_expiry_date_and_matches_any_alias():
    [finding] = audit.pip_audit_findings(PIP_FINDING)
    assert finding.ids == ("PYSEC-2099-1", "GHSA-aaaa-bbbb-cccc", "CVE-2099-0001")
    waivers = audit.parse_waivers("cve-2099-0001 2026-11-30 reviewed\nGHSA-zzzz-zzzz-zzzz 2027-01-01 stale\n")

    outcome = audit.evaluate([finding], waivers, dt.date(2026, 11, 29))
    assert not outcome.failing and [w.id for _, w in outcome.waived] == ["CVE-2099-0001"]
    assert [w.id for w in outcome.unused] == ["GHSA-ZZZZ-ZZZZ-ZZZZ"]

    # On the expiry date the waiver has lapsed: the finding fails again, and says why.
    outcome = audit.evaluate([finding], waivers, dt.date(2026, 11, 30))
    assert outcome.failing == [finding] and [w.id for _, w in outcome.expired] == ["CVE-2099-0001"]


# --- Reading the tools' reports ---------------------------------------------------------------------------

def test_pip_audit_findings_all_count_and_editable_packages_are_not_a_gap():
    assert audit.pip_audit_findings(PIP_CLEAN) == []
    [finding] = audit.pip_audit_findings(PIP_FINDING)
    assert (finding.package, finding.version, finding.severity) == ("django", "5.2.19", "unknown")
    assert finding.summary == "SQL injection in a made-up lookup."


def test_a_pip_audit_that_looked_nothing_up_is_not_a_pass():
    with pytest.raises(audit.ServiceUnavailable, match="2 of 2 packages could not be looked up"):
        audit.pip_audit_findings(PIP_MIRROR_404)
    with pytest.raises(audit.ServiceUnavailable):
        audit.pip_audit_findings({"unexpected": True})


def test_npm_findings_count_at_high_and_critical_only():
    findings = audit.npm_audit_findings(NPM_FINDINGS)
    assert [(f.package, f.id, f.severity) for f in findings] == [("htmx.org", "GHSA-HHHH-JJJJ-KKKK", "high")]
    assert findings[0].ids == ("GHSA-HHHH-JJJJ-KKKK", "1099001")
    assert audit.npm_audit_findings(NPM_CLEAN) == []


def test_an_npm_error_report_means_not_performed():
    with pytest.raises(audit.ServiceUnavailable, match="405 Method Not Allowed"):
        audit.npm_audit_findings(NPM_405)


# --- The whole script ----------------------------------------------------------------------------------------

def run_script(tmp_path, *, pip, npm, waivers="", require=None):
    (tmp_path / "pip.json").write_text(json.dumps(pip))
    (tmp_path / "npm.json").write_text(json.dumps(npm))
    (tmp_path / "waivers.txt").write_text(waivers)
    env = {"PATH": "/usr/bin:/bin"}
    if require is not None:
        env["WREKIN_REQUIRE_DEPENDENCY_AUDIT"] = require
    return subprocess.run(  # noqa: S603 - our own script with fixed arguments
        [sys.executable, str(SCRIPT), "--waivers", str(tmp_path / "waivers.txt"),
         "--pip-report", str(tmp_path / "pip.json"), "--npm-report", str(tmp_path / "npm.json")],
        capture_output=True, text=True, env=env, timeout=60, check=False)


def test_clean_reports_pass(tmp_path):
    result = run_script(tmp_path, pip=PIP_CLEAN, npm=NPM_CLEAN)
    assert result.returncode == 0, result.stderr
    assert "dependency audit passed" in result.stdout


def test_an_unwaived_finding_fails_and_a_waived_one_does_not(tmp_path):
    result = run_script(tmp_path, pip=PIP_FINDING, npm=NPM_FINDINGS)
    assert result.returncode == 1
    assert "FAIL pip-audit: django 5.2.19 PYSEC-2099-1" in result.stderr
    assert "FAIL npm audit: htmx.org <2.0.12 GHSA-HHHH-JJJJ-KKKK" in result.stderr
    assert "cytoscape" not in result.stderr  # moderate: reported by npm, not failing here
    assert "2 unwaived finding(s)" in result.stderr

    waivers = "GHSA-aaaa-bbbb-cccc 2099-01-01 test waiver\n1099001 2099-01-01 test waiver\n"
    result = run_script(tmp_path, pip=PIP_FINDING, npm=NPM_FINDINGS, waivers=waivers)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("waived until 2099-01-01") == 2


def test_an_expired_waiver_fails_the_audit(tmp_path):
    result = run_script(tmp_path, pip=PIP_FINDING, npm=NPM_CLEAN, waivers="PYSEC-2099-1 2020-01-01 old\n")
    assert result.returncode == 1
    assert "WAIVER EXPIRED on 2020-01-01 (line 1)" in result.stderr


def test_a_malformed_waiver_file_fails_whatever_the_reports(tmp_path):
    result = run_script(tmp_path, pip=PIP_CLEAN, npm=NPM_CLEAN, waivers="nonsense\n")
    assert result.returncode == 2 and "line 1" in result.stderr


@pytest.mark.parametrize("require, code", [(None, 0), ("0", 0), ("1", 1)])
def test_unreachable_services_are_announced_and_fail_only_when_required(tmp_path, require, code):
    result = run_script(tmp_path, pip=PIP_MIRROR_404, npm=NPM_405, require=require)
    assert result.returncode == code, result.stderr
    assert "dependency audit NOT performed: PyPI vulnerability service unreachable" in result.stderr
    assert "dependency audit NOT performed: npm advisory service unreachable" in result.stderr


def test_findings_from_the_service_that_answered_still_fail(tmp_path):
    # npm unreachable, and not required: PyPI's findings must fail the run all the same.
    result = run_script(tmp_path, pip=PIP_FINDING, npm=NPM_405, require="0")
    assert result.returncode == 1
    assert "NOT performed: npm advisory service unreachable" in result.stderr and "FAIL pip-audit" in result.stderr
