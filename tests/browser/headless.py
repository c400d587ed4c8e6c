"""What the browser tests share: a lab started and waited for, and Debian's headless Chromium
through chromium-driver."""
import subprocess
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def browser(width, height):
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                "--force-device-scale-factor=1"):
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    # The console, where Chromium reports script errors and what a Content-Security-Policy refused.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def start_lab(binary, args, ready):
    """Starts `mratls lab ARGS` and reads its output until `ready(line)` returns something, which
    is returned with the process; the lab is killed if that does not happen within 60 s."""
    lab = subprocess.Popen([binary, "lab"] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 60
    seen = ""
    while time.time() < deadline:
        line = lab.stdout.readline()
        if not line:
            break
        seen += line
        found = ready(line)
        if found:
            return lab, found
    lab.kill()
    raise SystemExit("the lab did not come up:\n" + seen)
