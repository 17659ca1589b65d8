// Package browsertest runs a real headless Chromium for tests, driven with
// chromedp: it finds the browser, starts it with the flags a root CI
// container needs, records console errors, uncaught exceptions and every
// network request, and writes screenshots where CI keeps its artifacts.
//
// A test that needs the browser skips with a reason when Chromium is not
// installed, and fails instead when PATCHREADY_CI=1 (CI installs it).
package browsertest
