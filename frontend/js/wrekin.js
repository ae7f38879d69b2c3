// Wrekin's scripts: start GOV.UK Frontend and MoJ Frontend components.
//
// Every page works without JavaScript; this only enhances it. The module is
// copied, unbundled, next to the two libraries' ES module builds by
// frontend/build.mjs, so these relative imports resolve in the browser.
import { initAll as initGovukFrontend } from "./govuk-frontend.min.js";
import { initAll as initMojFrontend } from "./moj-frontend.min.js";

initGovukFrontend();
initMojFrontend();

// htmx swaps server-rendered fragments into the page (search results, for
// example). Start the components inside each new fragment, then tell
// assistive technology what changed: an error summary takes focus by itself;
// otherwise focus moves to the fragment's element marked data-wrekin-focus.
document.addEventListener("htmx:load", (event) => {
  const fragment = event.detail && event.detail.elt;
  if (!(fragment instanceof Element) || fragment === document.body) {
    return; // the initial page load: already started above
  }
  initGovukFrontend({ scope: fragment });
  initMojFrontend({ scope: fragment });

  if (!document.querySelector(".govuk-error-summary")) {
    document.title = document.title.replace(/^Error: /, "");
    const focusTarget = fragment.matches("[data-wrekin-focus]")
      ? fragment
      : fragment.querySelector("[data-wrekin-focus]");
    if (focusTarget) {
      focusTarget.focus();
    }
  }
});
