"""Browser flows for administration: users and API tokens (tenant administrator), what a member
may not do, tenants (system administrator), all driven by the keyboard where a person could."""
from browser_support import *  # noqa: F401,F403


def nav_labels(driver):
    return [link.text for link in driver.find_elements(By.CSS_SELECTOR, "header nav a")]


def tab_to(driver, target, limit=120):
    """Moves the focus with Tab alone until it reaches `target` (an element or an id); every
    element on the way must show that it has the focus."""
    element = driver.find_element(By.ID, target) if isinstance(target, str) else target
    for _ in range(limit):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        active = driver.switch_to.active_element
        outline = driver.execute_script(
            "var s = getComputedStyle(arguments[0]); return s.outlineStyle === 'none' ? '' : s.outlineWidth", active)
        assert outline not in ("", "0px"), f"no visible focus on {active.tag_name}#{active.get_attribute('id')}"
        if active == element:
            return active
    raise AssertionError(f"Tab never reached {target}")


def table_keys(driver, table, attribute):
    return [row.get_attribute(attribute) for row in driver.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr")]


def flow_admin_users(driver):
    admin = CONFIG["adminA"]
    sign_in(driver, admin["username"], admin["password"])
    labels = nav_labels(driver)
    assert "Users" in labels and "API tokens" in labels and "Tenants" not in labels, labels
    # To the Users page and through the Add a user form by keyboard alone.
    tab_to(driver, driver.find_element(By.LINK_TEXT, "Users")).send_keys(Keys.ENTER)
    wait(driver, EC.presence_of_element_located((By.ID, "user-form")), 30, "the Users page")
    assert admin["username"] in table_keys(driver, "users", "data-user")
    tab_to(driver, "username").send_keys("carol")
    tab_to(driver, "password").send_keys("short", Keys.ENTER)
    wait(driver, EC.text_to_be_present_in_element((By.ID, "form-error"), "at least 8"), 30, "the password rule")
    assert driver.find_element(By.ID, "username").get_attribute("value") == "carol", "what was typed is kept"
    tab_to(driver, "password").send_keys("carols-password", Keys.ENTER)
    wait(driver, lambda d: "carol" in table_keys(d, "users", "data-user"), 30, "carol added")
    shot(driver, "users")
    row = "tr[data-user=carol]"
    driver.find_element(By.CSS_SELECTOR, row + " button[aria-label='Make carol an administrator']").send_keys(Keys.ENTER)
    wait(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, row + " td[data-label=Role]"), "admin"), 30, "carol an administrator")
    driver.find_element(By.CSS_SELECTOR, row + " a[aria-label='Remove carol']").send_keys(Keys.ENTER)
    wait(driver, EC.presence_of_element_located((By.ID, "confirm")), 30, "the confirmation")
    shot(driver, "user-remove")
    driver.find_element(By.ID, "confirm").send_keys(Keys.ENTER)
    wait(driver, lambda d: "carol" not in table_keys(d, "users", "data-user"), 30, "carol removed")

    # An API token: its value shown once, then revoked.
    driver.get(BASE + "/tokens")
    wait(driver, EC.presence_of_element_located((By.ID, "no-tokens")), 30, "the empty state")
    tab_to(driver, "token-name").send_keys("ci-pipeline", Keys.ENTER)
    value = wait(driver, EC.presence_of_element_located((By.ID, "issued-value")), 30, "the new token").get_attribute("value")
    assert value.startswith("cht_"), value
    assert table_keys(driver, "tokens", "data-token") == ["ci-pipeline"]
    shot(driver, "tokens")
    # The value works against the API, then not once revoked.
    def me(token):
        return driver.execute_async_script("""var done = arguments[arguments.length - 1];
            fetch('/api/v1/me', {headers: {Authorization: 'Bearer ' + arguments[0]}}).then(r => done(r.status));""", token)
    assert me(value) == 200
    driver.find_element(By.CSS_SELECTOR, "button[aria-label='Revoke ci-pipeline of %s']" % admin["username"]).click()
    wait(driver, EC.presence_of_element_located((By.ID, "no-tokens")), 30, "the token revoked")
    assert me(value) == 401


def flow_admin_member(driver):
    member = CONFIG["memberA"]
    sign_in(driver, member["username"], member["password"])
    labels = nav_labels(driver)
    assert "Users" not in labels and "Tenants" not in labels and "API tokens" in labels, labels
    for path in ("/users", "/tenants"):
        driver.get(BASE + path)
        message = wait(driver, EC.presence_of_element_located((By.ID, "error-message")), 30, f"{path} refused").text
        assert "only" in message and "administrator" in message, message
    driver.get(BASE + "/tokens")
    assert not driver.find_elements(By.ID, "token-user"), "a member makes tokens only for itself"
    tab_to(driver, "token-name").send_keys("laptop", Keys.ENTER)
    wait(driver, EC.presence_of_element_located((By.ID, "issued-value")), 30, "the member's token")
    assert table_keys(driver, "tokens", "data-token") == ["laptop"]


def flow_admin_system(driver):
    system = CONFIG["system"]
    sign_in(driver, system["username"], system["password"])
    labels = nav_labels(driver)
    assert "Tenants" in labels and "Users" in labels and "Profiles" not in labels, labels
    tab_to(driver, driver.find_element(By.LINK_TEXT, "Tenants")).send_keys(Keys.ENTER)
    wait(driver, EC.presence_of_element_located((By.ID, "tenant-form")), 30, "the Tenants page")
    assert {"acme", "globex"} <= set(table_keys(driver, "tenants", "data-tenant"))
    tab_to(driver, "tenant-name").send_keys("Not A Name", Keys.ENTER)
    wait(driver, lambda d: d.find_element(By.ID, "form-error").text, 30, "the name rule")
    field = driver.find_element(By.ID, "tenant-name")
    field.clear()
    field.send_keys("initech", Keys.ENTER)
    wait(driver, lambda d: "initech" in table_keys(d, "tenants", "data-tenant"), 30, "initech added")
    shot(driver, "tenants")
    driver.get(BASE + "/users")
    assert driver.find_element(By.ID, "tenant").tag_name == "select", "the system administrator picks the tenant"
    shot(driver, "users-system")
    # The system administrator's Add New Helm Registry adds a system registry.
    driver.get(BASE + "/registries/new")
    for field, value in (("name", "stable-mirror"), ("endpoint", "https://charts.invalid/stable")):
        driver.find_element(By.ID, field).send_keys(value)
    for switch in ("protected", "noAuthentication"):
        driver.find_element(By.ID, switch).click()
    driver.find_element(By.ID, "confirm").click()
    wait(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-field=state]"), "protected"), 60, "the system registry")
    driver.get(BASE + "/tenants")
    driver.find_element(By.CSS_SELECTOR, "a[aria-label='Remove initech']").click()
    wait(driver, EC.presence_of_element_located((By.ID, "confirm")), 30, "the confirmation").click()
    wait(driver, lambda d: "initech" not in table_keys(d, "tenants", "data-tenant"), 30, "initech removed")


FLOWS = {"admin_users": flow_admin_users, "admin_member": flow_admin_member, "admin_system": flow_admin_system}
