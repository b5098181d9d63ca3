"""What the console's browser flows share: the browser, waits, screenshots at both widths,
signing in and out. Settings come from the environment (see console_flows.py)."""
import base64
import json
import os
import sys
import traceback

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ["CHARTHOUSE_URL"].rstrip("/")
CONFIG = json.loads(os.environ["CHARTHOUSE_BROWSER_CONFIG"])
SHOTS = os.environ["CHARTHOUSE_SCREENSHOTS"]
WIDTHS = (1280, 390)


def browser():
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--force-device-scale-factor=1", "--lang=en-US"):
        options.add_argument(argument)
    options.binary_location = CONFIG.get("chromium", "/usr/bin/chromium")
    driver = webdriver.Chrome(service=Service(CONFIG.get("chromedriver", "/usr/bin/chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    return driver


def wait(driver, condition, seconds=60, message=""):
    try:
        # A page that is being replaced (a form's redirect) leaves stale elements: look again.
        return WebDriverWait(driver, seconds, poll_frequency=0.2, ignored_exceptions=[StaleElementReferenceException]).until(condition)
    except TimeoutException:
        raise AssertionError(f"timed out after {seconds} s: {message} (at {driver.current_url})\n{driver.page_source[:3000]}")


def text_of(driver, css):
    return driver.find_element(By.CSS_SELECTOR, css).text


def shot(driver, name):
    """Saves the whole page at both widths (the viewport emulated: a headless window is never
    narrower than 500 pixels), and fails if anything makes the page scroll sideways."""
    os.makedirs(SHOTS, exist_ok=True)
    for width in WIDTHS:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
        overflow = driver.execute_script("""
            var width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return null;
            return Array.prototype.filter.call(document.querySelectorAll('body *'), function (e) {
                return e.getBoundingClientRect().right > width + 1;
            }).slice(0, 5).map(function (e) { return e.tagName + '#' + e.id + '.' + e.className; });""")
        assert overflow is None, f"{name} scrolls sideways at {width} px: {overflow}"
        unlabelled = unlabelled_fields(driver)
        assert not unlabelled, f"{name} has fields without a label at {width} px: {unlabelled}"
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": width, "height": min(size["height"], 6000), "scale": 1}
        image = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
        with open(os.path.join(SHOTS, f"{name}-{width}.png"), "wb") as file:
            file.write(base64.b64decode(image["data"]))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def sign_in(driver, username, password, expect_success=True):
    driver.get(BASE + "/login")
    driver.find_element(By.ID, "username").clear()
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password + Keys.ENTER)
    if expect_success:
        wait(driver, EC.presence_of_element_located((By.ID, "sign-out")), 30, f"{username} signed in")


def sign_out(driver):
    driver.find_element(By.ID, "sign-out").click()
    wait(driver, EC.presence_of_element_located((By.ID, "login-form")), 30, "back on the sign-in page")


def choose(driver, select_id, text):
    Select(driver.find_element(By.ID, select_id)).select_by_visible_text(text)


def unlabelled_fields(driver):
    """Visible form fields with no label: no <label for>, no wrapping label, no aria-label."""
    return driver.execute_script("""
        return Array.prototype.filter.call(document.querySelectorAll('input, select, textarea'), function (field) {
            if (field.type === 'hidden' || field.offsetParent === null) return false;
            if (field.getAttribute('aria-label') || field.closest('label')) return false;
            return !(field.id && document.querySelector('label[for="' + field.id + '"]'));
        }).map(function (field) { return field.tagName + '#' + field.id + '[' + field.name + ']'; });""")


def forged_post(driver, path, fields):
    """Submits a real HTML form from the current page without the CSRF token (what a page on
    another site would send, were the cookie sent with it); returns the answering page's message."""
    driver.execute_script("""
        var form = document.createElement('form');
        var fields = arguments[1];
        form.method = 'post';
        form.action = arguments[0];
        Object.keys(fields).forEach(function (name) {
            var input = document.createElement('input');
            input.type = 'hidden';
            input.name = name;
            input.value = fields[name];
            form.appendChild(input);
        });
        document.body.appendChild(form);
        form.submit();""", path, fields)
    return wait(driver, EC.presence_of_element_located((By.ID, "error-message")), 30, f"the forged post to {path} answered").text
