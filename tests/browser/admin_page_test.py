#!/usr/bin/python3
"""The admin page, driven in headless Chromium the way a presenter uses it.

Starts `mratls lab --scenario self-signed --keep-running --admin-port 0`, loads the page,
sees the origin table and the failing login, clicks VerifyOriginServer Off, runs the login
again and sees it pass. Screenshots (PNG) go to the directory given, as test artifacts.

Usage: admin_page_test.py MRATLS_BINARY ARTIFACT_DIR
"""
import os
import re
import signal
import subprocess
import sys

from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from headless import browser, start_lab


def origin_status(driver):
    """The first origin's last status, read in one step: the table may be rebuilt at any time."""
    return driver.execute_script("const b = document.querySelector('#origins .status'); return b ? b.textContent : '';")


def policy_refusals(driver):
    return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]


def check_policy(driver, wait):
    """The page's own script ran (it rendered the state) and its style sheet applies, both allowed
    by their hashes with nothing refused; a script injected into the page does not run."""
    assert not policy_refusals(driver), "the policy refused part of the page: " + repr(policy_refusals(driver))
    band = driver.execute_script("return getComputedStyle(document.querySelector('header')).backgroundColor")
    assert band == "rgb(11, 58, 91)", "the page's style sheet does not apply: " + band
    ran = driver.execute_script(
        "window.refused = [];"
        "document.addEventListener('securitypolicyviolation', (e) => window.refused.push(e.violatedDirective));"
        "const s = document.createElement('script'); s.textContent = 'window.injected = true;'; document.body.append(s);"
        "return window.injected === true;")
    assert not ran, "an injected inline script ran: the policy does not hold"
    wait.until(lambda d: d.execute_script("return window.refused.length") > 0)
    directive = driver.execute_script("return window.refused[0]")
    assert directive.startswith("script-src"), "refused by " + directive


def main():
    binary, artifacts = sys.argv[1], sys.argv[2]
    os.makedirs(artifacts, exist_ok=True)
    page = lambda line: (m := re.search(r"Open (http://127\.0\.0\.1:\d+/) ", line)) and m.group(1)
    lab, url = start_lab(binary, ["--scenario", "self-signed", "--keep-running", "--port", "0", "--admin-port", "0"], page)
    driver = None
    try:
        driver = browser(1280, 800)
        # The page re-renders its tables on every event: an element found may be replaced
        # before it is read, and is then looked up again.
        wait = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))
        driver.get(url)
        wait.until(EC.text_to_be_present_in_element((By.ID, "system"), "vcsc"))
        wait.until(EC.text_to_be_present_in_element((By.ID, "version"), "X14.2.0"))
        assert "on" in driver.find_element(By.ID, "verify-on").get_attribute("class"), "VerifyOriginServer shows On"
        check_policy(driver, wait)

        # The failing login: the step's 502, and the origin table with the WARNING line and the fix.
        run = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, 'button[data-login="self-signed"]')))
        run.click()
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, 'tr[data-cluster="self-signed"] .result'), "Login failed at step 1 (502)"))
        wait.until(EC.text_to_be_present_in_element((By.ID, "origins"),
                                                    "WARNING: Core server certificate verification failed for (cucm.steven.lab)"))
        wait.until(EC.text_to_be_present_in_element((By.ID, "origins"), "Fix: "))
        badge = origin_status(driver)
        assert badge == "502", "the origin's last status is 502, not " + badge
        wait.until(EC.text_to_be_present_in_element((By.ID, "log"), "Action=Terminate Error=self signed certificate"))
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(os.path.join(artifacts, "admin-page-failing.png"))

        # The switch, in the appliance's words, then the login again.
        driver.find_element(By.ID, "verify-off").click()
        wait.until(EC.text_to_be_present_in_element(
            (By.ID, "message"), "xConfiguration EdgeConfigServer VerifyOriginServer: Off → OK"))
        wait.until(lambda d: "on" in d.find_element(By.ID, "verify-off").get_attribute("class"))
        wait.until(EC.text_to_be_present_in_element((By.ID, "log"), '[admin] NOTICE: VerifyOriginServer changed from "On" to "Off"'))
        driver.find_element(By.CSS_SELECTOR, 'button[data-login="self-signed"]').click()
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, 'tr[data-cluster="self-signed"] .result'), "Signed in"))
        wait.until(lambda d: origin_status(d) == "200")
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(os.path.join(artifacts, "admin-page.png"))
        # The same site, two upgrade paths: the cipher string each leaves.
        driver.find_element(By.ID, "upgraded-X14.0.7").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "message"), "Upgraded from X14.0.7"))
        wait.until(lambda d: d.find_element(By.ID, "ciphers").text.startswith("ECDHE-RSA-AES256-GCM-SHA384:"))
        wait.until(lambda d: "on" in d.find_element(By.ID, "upgraded-X14.0.7").get_attribute("class"))
        assert "on" in driver.find_element(By.ID, "prefer-rsa").get_attribute("class"), "after X14.0.7 RSA comes first"
        driver.find_element(By.ID, "upgraded-X12.7").click()
        wait.until(lambda d: d.find_element(By.ID, "ciphers").text.startswith("EECDH:"))
        wait.until(lambda d: "on" in d.find_element(By.ID, "upgraded-X12.7").get_attribute("class"))
        refusals = policy_refusals(driver)
        assert len(refusals) <= 1 and all("inline script" in r for r in refusals), "refused: " + repr(refusals)
        print("browser: the page showed the 502 and its fix, VerifyOriginServer Off, then the login passing, the cipher "
              "strings of two upgrade paths, under a policy that refused an injected script; screenshots in " + artifacts)
    except TimeoutException:
        if driver:
            driver.save_screenshot(os.path.join(artifacts, "admin-page-timeout.png"))
            print(driver.find_element(By.TAG_NAME, "body").text)
        raise
    finally:
        if driver:
            driver.quit()
        lab.send_signal(signal.SIGTERM)
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            lab.kill()


if __name__ == "__main__":
    main()
