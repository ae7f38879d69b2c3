"""Helpers for the browser journeys: signing in through the real pages, axe-core, screenshots."""

from __future__ import annotations

import base64
import io
import re
import time
import weakref
from pathlib import Path

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, Page, expect

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "images"

# WCAG 2.2 AA, as axe-core tags it (each level includes the rules of the levels below it).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


# --- Accessibility ------------------------------------------------------------------------------

_CONTEXTS_WITHOUT_JAVASCRIPT: weakref.WeakSet[BrowserContext] = weakref.WeakSet()


def javascript_disabled(context: BrowserContext) -> BrowserContext:
    """Note that `context` was opened with JavaScript off, so axe must check its pages by proxy."""
    _CONTEXTS_WITHOUT_JAVASCRIPT.add(context)
    return context


def check_accessibility(page: Page) -> None:
    """Run axe-core on the page as it is now and fail with a readable list of any violations.

    The page's Content-Security-Policy forbids inline scripts, so axe is not added as a <script>:
    its source is evaluated through the DevTools protocol, which the page's CSP does not govern.

    axe is asynchronous and needs timers, which do not run in a page with JavaScript off. Such a
    page is checked by proxy: its HTML as it stands, without scripts, is served at the same
    address to a JavaScript-enabled page (so the same stylesheets apply) and axe runs there.
    """
    if page.context in _CONTEXTS_WITHOUT_JAVASCRIPT:
        html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S | re.I)
        proxy_context = page.context.browser.new_context(viewport=page.viewport_size, locale="en-GB")
        try:
            proxy = proxy_context.new_page()
            proxy.route(page.url, lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=html))
            proxy.goto(page.url)
            violations = _run_axe(proxy)
        finally:
            proxy_context.close()
        where = f"{page.url} (JavaScript off)"
    else:
        violations = _run_axe(page)
        where = page.url
    assert not violations, f"Accessibility violations on {where}:\n" + format_violations(violations)


def _run_axe(page: Page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate("() => {\n" + AXE_PATH.read_text(encoding="utf-8") + "\n}")
    return page.evaluate(
        """async (tags) => {
            const styled = new Set(document.querySelectorAll("[style]"));
            const results = await window.axe.run(document, {runOnly: {type: "tag", values: tags}});
            for (const element of document.querySelectorAll("[style]")) {  // see _FORGET_NEW_STYLES
                if (!styled.has(element)) element.removeAttribute("style");
            }
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    at {node['target']}: {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


# --- Screenshots for the user guide -------------------------------------------------------------

MAX_SCREENSHOT_HEIGHT = 2400


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG for docs/images/, at the 1280-pixel-wide viewport the contexts use."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # The caret blinks: hide it so screenshots differ only when pages do. Playwright hides it
    # with inline styles, and leaves empty style="" attributes behind: tidy those away.
    page.evaluate(_REMEMBER_STYLED)
    png = page.screenshot(full_page=True, animations="disabled", caret="hide")
    page.evaluate(_FORGET_NEW_STYLES)
    path.write_bytes(_smaller_png(png))
    return path


def _smaller_png(png: bytes) -> bytes:
    """Reduce a screenshot to a 128-colour palette: a third of the size, no visible difference
    for flat interface colours and text. Unchanged if Pillow is not installed."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow arrives with fpdf2
        return png
    with Image.open(io.BytesIO(png)) as image:
        # The user guide shows the top of a page; very long forms are cut to keep the repository small.
        if image.height > MAX_SCREENSHOT_HEIGHT:
            image = image.crop((0, 0, image.width, MAX_SCREENSHOT_HEIGHT))
        palette = image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT,
                                                dither=Image.Dither.NONE)
        out = io.BytesIO()
        palette.save(out, format="PNG", optimize=True)
    return out.getvalue() if out.tell() < len(png) else png


# Tools (axe, Playwright's screenshots) leave empty style="" attributes on elements they touched.
# htmx copies attributes of elements it replaces onto their replacements, and the page's CSP
# refuses any inline style, so a leftover would turn into a CSP error that the page never caused.
_REMEMBER_STYLED = "() => { window.wrekinStyled = new Set(document.querySelectorAll('[style]')) }"
_FORGET_NEW_STYLES = """() => {
    for (const element of document.querySelectorAll("[style]")) {
        if (!window.wrekinStyled.has(element)) element.removeAttribute("style");
    }
}"""


# --- Authenticator codes ------------------------------------------------------------------------

def _totp(key: bytes, step: int = 30, t0: int = 0, digits: int = 6, drift: int = 0) -> TOTP:
    return TOTP(key, step, t0, digits, drift)


def code_for_key(key: bytes, *, after_step: int = -1, step: int = 30, t0: int = 0, digits: int = 6,
                 drift: int = 0) -> str:
    """The code an authenticator app would show for `key`, for a time step later than `after_step`.

    django-otp refuses a code whose time step was already used. It accepts the next step too
    (tolerance 1), so a second sign-in within the same 30 seconds uses the next step's code;
    only if even that was used do we wait for the clock.
    """
    totp = _totp(key, step, t0, digits, drift)
    now = totp.t()
    wanted = max(now, after_step + 1)
    while wanted > now + 1:  # pragma: no cover - only when three sign-ins share 30 seconds
        time.sleep(1)
        totp = _totp(key, step, t0, digits, drift)
        now = totp.t()
    totp.time = time.time() + (wanted - now) * step
    return f"{totp.token():0{digits}d}"


def code_for_device(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return code_for_key(device.bin_key, after_step=device.last_t, step=device.step, t0=device.t0,
                        digits=device.digits, drift=device.drift)


def key_from_secret(secret: str) -> bytes:
    """Decode the key shown on the enrolment page, as an authenticator app would."""
    compact = re.sub(r"\s+", "", secret).upper()
    return base64.b32decode(compact + "=" * (-len(compact) % 8))


# --- Signing in -----------------------------------------------------------------------------------

def submit_password(page: Page, base_url: str, username: str, *, check: bool = True,
                    capture: str | None = None) -> None:
    page.goto(f"{base_url}/accounts/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    if check:
        check_accessibility(page)
    if capture:
        screenshot(page, capture)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


def sign_in(page: Page, base_url: str, user, *, check: bool = True, capture: str | None = None) -> None:
    """Sign in through the real pages: username and password, then the code from the user's app."""
    submit_password(page, base_url, user.username, check=check, capture=capture)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    if check:
        check_accessibility(page)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.get_by_label("Code from your authenticator app").fill(code_for_device(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
