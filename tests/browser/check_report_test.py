#!/usr/bin/python3
"""The change board's page of `mratls check --report FILE.html`, in headless Chromium.

Starts `mratls lab --scenario field-mix --keep-running` (a dual-certificate CUCM TFTP node whose
tomcat-ECDSA is self-signed, a node advertised by IP, a Unity node whose CA is not trusted),
runs `mratls check --from X12.7 --report check-report.html` against it, and loads the page from
disk: it loads with no console error and fetches nothing, the matrix shows the failing node and
port after the upgrade in red, the failure names the certificate and the fix, and the workaround
is there with how to revert it. The screenshot (PNG) goes to the directory given.

Usage: check_report_test.py MRATLS_BINARY ARTIFACT_DIR
"""
import os
import signal
import subprocess
import sys
import tempfile

from selenium.webdriver.common.by import By

from headless import browser, start_lab


def cell(driver, node, port, column):
    return driver.find_element(By.CSS_SELECTOR, f'tr[data-node="{node}"][data-port="{port}"] td[data-column="{column}"]')


def main():
    binary, artifacts = sys.argv[1], sys.argv[2]
    os.makedirs(artifacts, exist_ok=True)
    page = os.path.join(artifacts, "check-report.html")
    with tempfile.TemporaryDirectory() as out:
        lab, _ = start_lab(binary, ["--scenario", "field-mix", "--keep-running", "--port", "0", "--out", out],
                           lambda line: "Ctrl-C stops the lab." in line)
        try:
            check = subprocess.run([binary, "check", "--config", os.path.join(out, "lab.yaml"), "--from", "X12.7", "--report", page],
                                   capture_output=True, text=True, timeout=120)
        finally:
            lab.send_signal(signal.SIGINT)
            try:
                lab.wait(timeout=20)
            except subprocess.TimeoutExpired:
                lab.kill()
    assert check.returncode == 1, "check exits 1 when a node fails after the upgrade: %d\n%s%s" % (
        check.returncode, check.stdout, check.stderr)
    assert "wrote " + page in check.stderr, check.stderr

    driver = browser(1400, 900)
    try:
        driver.get("file://" + page)
        assert driver.title.startswith("MRA before X14.2: vcsc"), driver.title
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, "console errors: " + repr(errors)
        fetched = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert not fetched, "the page is not self-contained, it fetched: " + repr(fetched)

        failing = cell(driver, "tftp.steven.lab", 6972, "after the upgrade")
        assert failing.text == "FAIL" and "fail" in failing.get_attribute("class"), failing.get_attribute("outerHTML")
        assert "self-signed" in failing.get_attribute("title"), failing.get_attribute("title")
        red = driver.execute_script("return getComputedStyle(arguments[0]).backgroundColor", failing)
        assert red == "rgb(249, 214, 213)", "a failing cell is red: " + red
        healed = cell(driver, "tftp.steven.lab", 6972, "if the cipher string changes")
        assert healed.text == "pass", healed.get_attribute("outerHTML")
        assert cell(driver, "cucm1.steven.lab", 8443, "after the upgrade").text == "pass"

        failures = driver.find_element(By.ID, "failures").text
        assert "tftp.steven.lab:6972 — after the upgrade" in failures, failures
        assert "CN=tftp-EC.steven.lab" in failures and "SHA-256" in failures, failures
        fixes = driver.find_element(By.ID, "fixes").text
        assert "Maintenance > Security > Trusted CA certificate" in fixes and "System > Server" in fixes, fixes
        workaround = driver.find_element(By.ID, "workaround").text
        assert "VerifyOriginServer: Off" in workaround and "VerifyOriginServer: On" in workaround, workaround
        assert "mratls " in driver.find_element(By.TAG_NAME, "footer").text

        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1400, min(max(height, 900), 4000))
        driver.save_screenshot(os.path.join(artifacts, "check-report.png"))
        print("browser: the change board's page loaded with no console error and nothing fetched, showed "
              "tftp.steven.lab:6972 failing after the upgrade from X12.7 with its certificate, fixes and workaround; "
              "screenshot in " + artifacts)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
