#!/usr/bin/env python3
"""The console's flows in a real browser: Debian's chromium driven by selenium.

Run by Tests/CharthouseServerTests/ConsoleBrowserTests.swift, which starts the server and its
peers and passes what the flows need in the environment:

  CHARTHOUSE_URL             the server's base URL
  CHARTHOUSE_BROWSER_CONFIG  JSON: users and passwords, registry endpoints
  CHARTHOUSE_SCREENSHOTS     where each page is saved at 1280 and 390 pixels wide

Usage: console_flows.py FLOW...   (each prints "ok FLOW"; the first failure exits 1)
"""
import os
import sys
import traceback

from browser_support import *  # noqa: F401,F403 (the flows' shared helpers)
import admin_flows
import deploy_flows


def flow_signin(driver):
    admin = CONFIG["adminA"]
    driver.get(BASE + "/registries")
    wait(driver, EC.presence_of_element_located((By.ID, "login-form")), 30, "an anonymous visit goes to sign-in")
    shot(driver, "signin")
    sign_in(driver, admin["username"], "not-the-password", expect_success=False)
    wait(driver, EC.text_to_be_present_in_element((By.ID, "login-error"), "Wrong username or password."), 30, "the error")
    assert driver.find_element(By.ID, "username").get_attribute("value") == admin["username"], "the username is kept"
    shot(driver, "signin-error")
    sign_in(driver, admin["username"], admin["password"])
    assert driver.current_url.endswith("/registries"), driver.current_url
    assert "acme" in text_of(driver, ".identity")
    # Every page is reachable by keyboard: the first Tab lands on the skip link.
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("class") == "skip", "skip link first"
    sign_out(driver)
    driver.get(BASE + "/registries")
    wait(driver, EC.presence_of_element_located((By.ID, "login-form")), 30, "signed out: sign-in again")


def fill_registry(driver, name, endpoint, protected=False, no_auth=False, username=None, password=None):
    for field, value in (("name", name), ("endpoint", endpoint)):
        element = driver.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)
    for switch, wanted in (("protected", protected), ("noAuthentication", no_auth)):
        box = driver.find_element(By.ID, switch)
        if box.is_selected() != wanted:
            box.click()
    credentials = driver.find_element(By.ID, "credentials")
    assert credentials.is_displayed() == (not no_auth), "credentials show only while No authentication is off"
    if not no_auth:
        driver.find_element(By.ID, "username").clear()
        driver.find_element(By.ID, "username").send_keys(username or "")
        driver.find_element(By.ID, "password").clear()
        driver.find_element(By.ID, "password").send_keys(password or "")


def flow_registries(driver):
    admin = CONFIG["adminA"]
    secured = CONFIG["secured"]
    sign_in(driver, admin["username"], admin["password"])
    shot(driver, "registries-start")
    driver.find_element(By.ID, "add-registry").click()
    wait(driver, EC.presence_of_element_located((By.ID, "registry-form")), 30, "the form")
    # The No authentication switch hides and shows the credentials, as the seed says.
    toggle = driver.find_element(By.ID, "noAuthentication")
    toggle.click()
    assert not driver.find_element(By.ID, "credentials").is_displayed(), "credentials hidden with No authentication on"
    toggle.click()
    assert driver.find_element(By.ID, "credentials").is_displayed(), "credentials back with No authentication off"
    shot(driver, "registry-form")

    # Wrong credentials: the server's message beside the password, everything typed kept.
    fill_registry(driver, "secured", secured["endpoint"], username=secured["username"], password="wrong-password")
    driver.find_element(By.ID, "confirm").click()
    wait(driver, EC.text_to_be_present_in_element((By.ID, "password-error"), "registry validation failed"), 60, "the validation error")
    assert driver.find_element(By.ID, "name").get_attribute("value") == "secured", "the name is kept"
    assert driver.find_element(By.ID, "endpoint").get_attribute("value") == secured["endpoint"], "the endpoint is kept"
    assert driver.find_element(By.ID, "password").get_attribute("value") == "wrong-password", "the password is kept"
    assert driver.find_element(By.ID, "password").get_attribute("aria-invalid") == "true"
    shot(driver, "registry-form-error")

    # The right password: the registry's page shows it syncing, then its counts, without a reload.
    driver.find_element(By.ID, "password").clear()
    driver.find_element(By.ID, "password").send_keys(secured["password"])
    driver.find_element(By.ID, "confirm").click()
    wait(driver, EC.presence_of_element_located((By.ID, "sync")), 60, "the registry's page")
    driver.execute_script("window.charthouseMarker = 'same page'")
    wait(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-field=state]"), "ok"), 60, "the sync to finish")
    assert driver.execute_script("return window.charthouseMarker") == "same page", "no reload"
    assert text_of(driver, "[data-field=charts]") == str(secured["charts"]), text_of(driver, "[data-field=charts]")
    assert text_of(driver, "[data-field=versions]") == str(secured["versions"]), text_of(driver, "[data-field=versions]")
    shot(driver, "registry")

    # Edit: what is stored filled in, never the password; a wrong one refused beside its field,
    # an empty one keeps the stored password.
    driver.find_element(By.ID, "edit").click()
    wait(driver, EC.presence_of_element_located((By.ID, "password-hint")), 30, "the edit form")
    assert driver.find_element(By.ID, "name").get_attribute("value") == "secured"
    assert driver.find_element(By.ID, "username").get_attribute("value") == secured["username"]
    assert driver.find_element(By.ID, "password").get_attribute("value") == "", "the stored password is never sent back"
    driver.find_element(By.ID, "password").send_keys("another-wrong-password")
    driver.find_element(By.ID, "confirm").click()
    wait(driver, EC.text_to_be_present_in_element((By.ID, "password-error"), "registry validation failed"), 60, "the edit refused")
    shot(driver, "registry-edit-error")
    driver.find_element(By.ID, "password").clear()
    driver.find_element(By.ID, "confirm").click()
    wait(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-field=state]"), "ok"), 60, "saved, the password kept")

    # A protected registry: no credentials needed with No authentication, never contacted.
    driver.get(BASE + "/registries/new")
    fill_registry(driver, "vault", CONFIG["protected"]["endpoint"], protected=True, no_auth=True)
    driver.find_element(By.ID, "confirm").click()
    wait(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-field=state]"), "protected"), 60, "the protected registry")

    driver.get(BASE + "/registries")
    rows = {row.get_attribute("data-registry"): row.text for row in driver.find_elements(By.CSS_SELECTOR, "#registries tbody tr")}
    assert "secured" in rows and "vault" in rows, rows
    assert "protected" in rows["vault"], rows["vault"]
    assert "credentials" in rows["secured"] and "ok" in rows["secured"], rows["secured"]
    shot(driver, "registries")

    # The hosted registry's page gives the helm commands for it.
    driver.find_element(By.CSS_SELECTOR, "tr[data-registry=hosted] a").click()
    commands = wait(driver, EC.presence_of_element_located((By.ID, "hosted-commands")), 30, "the hosted commands").text
    assert "helm registry login" in commands and "helm push" in commands and "helm repo add" in commands, commands
    shot(driver, "registry-hosted")

    # Remove asks first.
    driver.get(BASE + "/registries")
    driver.find_element(By.CSS_SELECTOR, "tr[data-registry=vault] a").click()
    driver.find_element(By.ID, "remove").click()
    shot(driver, "registry-remove")
    driver.find_element(By.ID, "confirm").click()
    wait(driver, EC.presence_of_element_located((By.ID, "registries")), 30, "back on the list")
    assert not driver.find_elements(By.CSS_SELECTOR, "tr[data-registry=vault]"), "vault removed"


def flow_member(driver):
    member = CONFIG["memberA"]
    sign_in(driver, member["username"], member["password"])
    assert not driver.find_elements(By.ID, "add-registry"), "a member has no Add New Helm Registry"
    driver.find_element(By.CSS_SELECTOR, "tr[data-registry=secured] a").click()
    wait(driver, EC.presence_of_element_located((By.ID, "sync")), 30, "the registry page")
    for action in ("sync-now", "remove", "edit"):
        assert not driver.find_elements(By.ID, action), f"a member has no {action}"
    shot(driver, "registry-member")
    # A forged form without the session's CSRF token is refused, from a member and an admin.
    message = forged_post(driver, "/registries/" + CONFIG["securedID"] + "/delete", {})
    assert "CSRF" in message or "token" in message, message
    driver.get(BASE + "/registries/" + CONFIG["securedID"] + "/edit")
    assert "administrator" in wait(driver, EC.presence_of_element_located((By.ID, "error-message")), 30, "edit refused").text


def flow_isolation(driver):
    other = CONFIG["adminB"]
    sign_in(driver, other["username"], other["password"])
    names = [row.get_attribute("data-registry") for row in driver.find_elements(By.CSS_SELECTOR, "#registries tbody tr")]
    assert "secured" not in names, names
    driver.get(BASE + "/registries/" + CONFIG["securedID"])
    assert "not found" in text_of(driver, "#error-message"), text_of(driver, "#error-message")
    message = forged_post(driver, "/registries", {"name": "forged", "endpoint": "https://charts.invalid", "protected": "on", "noAuthentication": "on"})
    assert "CSRF" in message or "token" in message, message
    driver.get(BASE + "/registries")
    assert "forged" not in [row.get_attribute("data-registry") for row in driver.find_elements(By.CSS_SELECTOR, "#registries tbody tr")]


def chart_names(driver):
    return [row.get_attribute("data-chart") for row in driver.find_elements(By.CSS_SELECTOR, "#charts tbody tr")]


def flow_catalog(driver):
    admin = CONFIG["adminA"]
    sign_in(driver, admin["username"], admin["password"])
    driver.get(BASE + "/catalog")
    wait(driver, lambda d: "documented" in chart_names(d), 30, "the catalog lists the synced charts")
    assert {"documented", "web"} <= set(chart_names(driver)), chart_names(driver)
    shot(driver, "catalog")
    # Results follow the typing, without a reload.
    driver.execute_script("window.charthouseMarker = 'same page'")
    box = driver.find_element(By.ID, "catalog-search")
    box.send_keys("docu")
    wait(driver, lambda d: chart_names(d) == ["documented"], 30, "only the matching chart")
    box.send_keys(Keys.CONTROL + "a")
    box.send_keys("no-such-chart-anywhere")
    wait(driver, EC.presence_of_element_located((By.ID, "no-results")), 30, "the empty state")
    assert driver.execute_script("return window.charthouseMarker") == "same page", "no reload"
    assert "no-such-chart-anywhere" in driver.current_url, driver.current_url
    shot(driver, "catalog-no-results")

    driver.get(BASE + "/catalog?q=documented")
    driver.find_element(By.CSS_SELECTOR, "tr[data-chart=documented] a").click()
    wait(driver, EC.presence_of_element_located((By.ID, "versions")), 30, "the chart's versions")
    versions = [row.get_attribute("data-version") for row in driver.find_elements(By.CSS_SELECTOR, "#versions tbody tr")]
    assert versions == ["1.1.0", "1.0.0"], versions
    shot(driver, "chart")
    driver.find_element(By.CSS_SELECTOR, "tr[data-version='1.1.0'] a").click()
    readme = wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, "#readme .markdown")), 30, "the README")
    assert readme.find_element(By.TAG_NAME, "h2").text == "Documented", readme.get_attribute("innerHTML")
    assert readme.find_element(By.TAG_NAME, "strong").text == "bold"
    assert readme.find_element(By.CSS_SELECTOR, "td code").text == "replicaCount"
    # The README's own HTML is shown as text and never runs.
    assert not readme.find_elements(By.TAG_NAME, "script") and "<script>" in readme.text, readme.get_attribute("innerHTML")
    assert driver.execute_script("return window.injected === undefined"), "the README's script ran"
    assert "replicaCount" in text_of(driver, "#values pre")
    assert "\"minimum\"" in text_of(driver, "#schema pre")
    shot(driver, "chart-version")


def layer_names(driver):
    return [item.get_attribute("data-release") for item in driver.find_elements(By.CSS_SELECTOR, "#layers > li")]


def flow_profiles(driver):
    admin = CONFIG["adminA"]
    sign_in(driver, admin["username"], admin["password"])
    driver.get(BASE + "/profiles")
    wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, ".empty")), 30, "the empty state")
    shot(driver, "profiles-empty")
    driver.find_element(By.ID, "create-profile").click()
    driver.find_element(By.ID, "name").send_keys("web-stack")
    driver.find_element(By.ID, "create").click()
    wait(driver, EC.presence_of_element_located((By.ID, "no-layers")), 30, "the new profile")

    # Add layer: the Repository menu, then the chart typed from the list, a version from the catalog.
    driver.find_element(By.ID, "add-layer").click()
    choose(driver, "registry", "charts")
    chart = wait(driver, EC.presence_of_element_located((By.ID, "chart")), 30, "the chart field")
    options = [option.get_attribute("value") for option in driver.find_elements(By.CSS_SELECTOR, "#chart-options option")]
    assert "documented" in options, options
    chart.send_keys("documented")
    driver.execute_script("arguments[0].dispatchEvent(new Event('change'))", chart)
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#version option")) == 3, 30, "the versions from the catalog")
    versions = [option.get_attribute("value") for option in driver.find_elements(By.CSS_SELECTOR, "#version option")]
    assert versions == ["", "1.1.0", "1.0.0"], versions
    choose(driver, "version", "1.0.0")
    driver.find_element(By.ID, "namespace").send_keys("web")
    values = driver.find_element(By.ID, "values")
    values.send_keys("image:\n  tag: x\nreplicaCount: [1\n")
    shot(driver, "layer-form")
    driver.find_element(By.ID, "done").click()
    wait(driver, EC.text_to_be_present_in_element((By.ID, "values-error"), "line"), 30, "the YAML error with its line")
    assert driver.find_element(By.ID, "namespace").get_attribute("value") == "web", "what was typed is kept"
    shot(driver, "layer-form-yaml-error")
    values.clear()
    values.send_keys("replicaCount: 0\n")
    driver.find_element(By.ID, "done").click()
    wait(driver, EC.text_to_be_present_in_element((By.ID, "values-error"), "replicaCount"), 30, "the schema error")
    values.clear()
    values.send_keys("replicaCount: 2\n")
    driver.find_element(By.ID, "done").click()
    wait(driver, lambda d: layer_names(d) == ["documented"], 30, "the layer on the profile")

    # A protected registry: chart and version typed by hand.
    driver.find_element(By.ID, "add-layer").click()
    choose(driver, "registry", "vault (protected)")
    wait(driver, EC.presence_of_element_located((By.ID, "chart")), 30, "the chart field")
    assert driver.find_element(By.ID, "version").tag_name == "input", "a typed version for a protected registry"
    driver.find_element(By.ID, "chart").send_keys("secret-app")
    driver.find_element(By.ID, "version").send_keys("3.2.1")
    driver.find_element(By.ID, "namespace").send_keys("vault")
    driver.find_element(By.ID, "done").click()
    wait(driver, lambda d: layer_names(d) == ["documented", "secret-app"], 30, "two layers")

    # Reorder with the buttons, by keyboard.
    up = driver.find_element(By.CSS_SELECTOR, "button[aria-label='Move secret-app up']")
    up.send_keys(Keys.ENTER)
    wait(driver, lambda d: layer_names(d) == ["secret-app", "documented"], 30, "the new order")
    shot(driver, "profile-draft")

    driver.find_element(By.ID, "publish").click()
    wait(driver, EC.text_to_be_present_in_element((By.ID, "profile-state"), "published"), 30, "published")
    assert not driver.find_elements(By.ID, "add-layer"), "a published profile is not edited"
    driver.find_element(By.ID, "new-version").send_keys("1.1.0")
    driver.find_element(By.ID, "create-version").click()
    wait(driver, EC.text_to_be_present_in_element((By.ID, "profile-state"), "draft"), 30, "the new draft")
    driver.find_element(By.CSS_SELECTOR, "button[aria-label='Remove secret-app']").click()
    wait(driver, lambda d: layer_names(d) == ["documented"], 30, "the layer removed")
    driver.find_element(By.ID, "diff").click()
    differences = wait(driver, EC.presence_of_element_located((By.ID, "differences")), 30, "the differences").text
    assert "secret-app" in differences, differences
    shot(driver, "profile-diff")

    # Export, then import the document under another name.
    driver.get(BASE + "/profiles")
    shot(driver, "profiles")
    driver.find_element(By.CSS_SELECTOR, "[data-profile=web-stack] tr[data-version='1.0.0'] a").click()
    export = driver.find_element(By.ID, "export").get_attribute("href")
    document = driver.execute_async_script(
        "var done = arguments[arguments.length - 1]; fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text()).then(done);", export)
    assert "kind: ClusterProfile" in document, document
    driver.get(BASE + "/profiles/import")
    driver.find_element(By.ID, "document").send_keys(document.replace("name: web-stack", "name: copied-stack"))
    shot(driver, "profile-import")
    driver.find_element(By.ID, "import").click()
    wait(driver, lambda d: layer_names(d) == ["secret-app", "documented"], 30, "the imported profile")
    assert "copied-stack" in driver.find_element(By.TAG_NAME, "h1").text


def flow_clusters(driver):
    admin = CONFIG["adminA"]
    sign_in(driver, admin["username"], admin["password"])
    driver.get(BASE + "/clusters")
    wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, ".empty")), 30, "the empty state")
    shot(driver, "clusters-empty")
    driver.find_element(By.ID, "add-cluster").click()
    # The agent choice hides the kubeconfig.
    driver.find_element(By.ID, "mode-agent").click()
    assert not driver.find_element(By.ID, "kubeconfig").is_displayed(), "no kubeconfig for an agent cluster"
    driver.find_element(By.ID, "mode-direct").click()
    driver.find_element(By.ID, "name").send_keys("prod")
    driver.find_element(By.ID, "kubeconfig").send_keys("not: a kubeconfig\n")
    shot(driver, "cluster-form")
    driver.find_element(By.ID, "add").click()
    wait(driver, lambda d: d.find_element(By.ID, "kubeconfig-error").text or d.find_element(By.ID, "form-error").text, 30, "the kubeconfig error")
    driver.find_element(By.ID, "kubeconfig").clear()
    driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, "kubeconfig"), CONFIG["kubeconfig"])
    driver.find_element(By.ID, "add").click()
    wait(driver, EC.presence_of_element_located((By.ID, "no-releases")), 30, "the new cluster's page")

    def discovered(d):
        if d.find_elements(By.ID, "releases") and "hello" in d.find_element(By.ID, "releases").text:
            return True
        d.refresh()
        return False
    wait(driver, discovered, 90, "the release installed by helm, discovered")
    shot(driver, "cluster")

    driver.get(BASE + "/clusters/new")
    driver.find_element(By.ID, "name").send_keys("edge")
    driver.find_element(By.ID, "mode-agent").click()
    driver.find_element(By.ID, "add").click()
    wait(driver, EC.presence_of_element_located((By.ID, "issue-token")), 30, "the agent cluster").click()
    manifest = wait(driver, EC.presence_of_element_located((By.ID, "agent-manifest")), 30, "the manifest").get_attribute("value")
    assert "kind: Deployment" in manifest and "chr_" in manifest, manifest[:500]
    assert "kubectl apply -f" in text_of(driver, "#agent-command")
    shot(driver, "cluster-agent")
    driver.get(BASE + "/clusters")
    names = [row.get_attribute("data-cluster") for row in driver.find_elements(By.CSS_SELECTOR, "#clusters tbody tr")]
    assert names == ["edge", "prod"], names
    shot(driver, "clusters")


FLOWS = {"signin": flow_signin, "registries": flow_registries, "member": flow_member, "isolation": flow_isolation, "catalog": flow_catalog,
         "profiles": flow_profiles, "clusters": flow_clusters, **admin_flows.FLOWS, **deploy_flows.FLOWS}


def main(names):
    for name in names:
        driver = browser()
        try:
            FLOWS[name](driver)
        except Exception:
            try:
                driver.save_screenshot(os.path.join(SHOTS, f"FAILED-{name}.png"))
            except Exception:
                pass
            traceback.print_exc()
            print(f"FAILED {name} at {driver.current_url}", file=sys.stderr)
            return 1
        finally:
            driver.quit()
        print(f"ok {name}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
