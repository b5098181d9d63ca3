"""Browser flows for clusters at work: Import from Cluster as an Add layer source, attaching the
profile to an agent cluster and watching its layers deploy and its drift report fill in without
a reload, Discover now, detaching; what a member and another tenant see."""
from browser_support import *  # noqa: F401,F403


def layer_names(driver):
    return [item.get_attribute("data-release") for item in driver.find_elements(By.CSS_SELECTOR, "#layers > li")]


def deployed(driver):
    """`{namespace/release: (phase, drift)}` of the cluster page's layer table."""
    rows = driver.find_elements(By.CSS_SELECTOR, "#deployed-layers tbody tr")
    return {row.get_attribute("data-layer"): (row.find_element(By.CSS_SELECTOR, "[data-field=phase]").text,
                                              row.find_element(By.CSS_SELECTOR, "[data-field=drift]").text) for row in rows}


def flow_deploy(driver):
    admin = CONFIG["adminA"]
    cluster = CONFIG["clusterID"]
    sign_in(driver, admin["username"], admin["password"])
    driver.get(BASE + "/profiles/new")
    driver.find_element(By.ID, "name").send_keys("edge-stack")
    driver.find_element(By.ID, "create").click()
    wait(driver, EC.presence_of_element_located((By.ID, "no-layers")), 30, "the new profile")

    # The seed's three steps: Import from Cluster, the cluster, its chart from the dropdown; Done.
    driver.find_element(By.ID, "add-layer").click()
    driver.find_element(By.ID, "source-cluster").click()
    wait(driver, EC.presence_of_element_located((By.ID, "cluster")), 30, "the cluster menu")
    choose(driver, "cluster", "edge (1 release)")
    release = wait(driver, EC.presence_of_element_located((By.ID, "release")), 30, "the cluster's charts")
    labels = [option.text for option in release.find_elements(By.TAG_NAME, "option")][1:]
    assert labels == ["hello 1.0.0 — hello in web, in charts"], labels
    shot(driver, "layer-import")
    choose(driver, "release", labels[0])
    driver.find_element(By.ID, "done").click()
    wait(driver, lambda d: layer_names(d) == ["hello"], 30, "the imported layer")
    assert "imported" in driver.find_element(By.ID, "layers").text

    # A second layer from the catalog, then publish.
    driver.find_element(By.ID, "add-layer").click()
    choose(driver, "registry", "charts")
    chart = wait(driver, EC.presence_of_element_located((By.ID, "chart")), 30, "the chart field")
    chart.send_keys("hello")
    driver.find_element(By.ID, "namespace").send_keys("apps")
    driver.find_element(By.ID, "releaseName").send_keys("greeter")
    driver.find_element(By.ID, "done").click()
    wait(driver, lambda d: layer_names(d) == ["hello", "greeter"], 30, "two layers")
    driver.find_element(By.ID, "publish").click()
    wait(driver, EC.text_to_be_present_in_element((By.ID, "profile-state"), "published"), 30, "published")

    # Attach it to the agent cluster, with values for one layer.
    driver.get(BASE + "/clusters/" + cluster)
    wait(driver, EC.presence_of_element_located((By.ID, "no-attachment")), 30, "nothing attached yet")
    driver.find_element(By.ID, "attach").click()
    choose(driver, "profile", "edge-stack 1.0.0")
    form = wait(driver, EC.presence_of_element_located((By.ID, "attach-form")), 30, "the attach form")
    form.find_element(By.XPATH, ".//summary[contains(., 'greeter')]").click()
    values = driver.find_element(By.CSS_SELECTOR, "textarea[name='values.apps/greeter']")
    values.send_keys("replicaCount: [1\n")
    shot(driver, "attach-form")
    driver.find_element(By.ID, "attach-confirm").click()
    wait(driver, EC.text_to_be_present_in_element((By.ID, "form-error"), "apps/greeter"), 30, "the bad values refused")
    values.clear()
    values.send_keys("replicaCount: 3\n")
    driver.find_element(By.ID, "attach-confirm").click()
    wait(driver, EC.presence_of_element_located((By.ID, "attached-profile")), 30, "the cluster page with the attachment")
    assert "edge-stack 1.0.0" in text_of(driver, "#attached-profile")

    # The page follows the agent by itself: no reload from here on.
    driver.execute_script("window.charthouseMarker = 'same page'")
    wait(driver, lambda d: set(deployed(d)) == {"web/hello", "apps/greeter"}, 60, "both layers listed")
    wait(driver, lambda d: all(phase == "deployed" for phase, _ in deployed(d).values()), 180, "both layers deployed")
    wait(driver, lambda d: all(drift == "in-sync" for _, drift in deployed(d).values()), 180, "the drift report in sync")
    assert driver.execute_script("return window.charthouseMarker") == "same page", "the page reloaded"
    shot(driver, "cluster-deployed")

    # Discover now: the page counts as discovering until a run that started later has ended
    # (the agent may be quick enough that the page never shows "Discovering…").
    runs = int(driver.find_element(By.ID, "discovery-runs").text)
    driver.find_element(By.ID, "discover").send_keys(Keys.ENTER)
    wait(driver, lambda d: "after=%d" % runs in d.current_url, 30, "the discovery asked for")
    driver.execute_script("window.charthouseMarker = 'same page'")
    wait(driver, lambda d: int(d.find_element(By.ID, "discovery-runs").text) > runs, 120, "a later discovery ended")
    wait(driver, EC.text_to_be_present_in_element((By.ID, "discover"), "Discover now"), 30, "the button back")
    assert driver.execute_script("return window.charthouseMarker") == "same page", "the page reloaded"
    releases = [row.get_attribute("data-release") for row in driver.find_elements(By.CSS_SELECTOR, "#releases tbody tr")]
    assert "apps/greeter" in releases, releases

    # A new draft profile of every release deployed in the cluster.
    driver.find_element(By.ID, "from-cluster-name").send_keys("edge-copy")
    driver.find_element(By.ID, "profile-from-cluster").click()
    wait(driver, lambda d: layer_names(d) == ["greeter", "hello"], 30, "the profile made of the cluster's releases")
    driver.get(BASE + "/clusters/" + cluster)
    wait(driver, EC.presence_of_element_located((By.ID, "detach")), 30, "back on the cluster")

    # Detach: the agent uninstalls; the page follows until nothing is left.
    driver.find_element(By.ID, "detach").click()
    wait(driver, EC.presence_of_element_located((By.ID, "confirm")), 30, "the confirmation")
    assert "uninstalls" in driver.find_element(By.TAG_NAME, "main").text
    driver.find_element(By.ID, "confirm").click()
    wait(driver, EC.presence_of_element_located((By.ID, "no-attachment")), 30, "detached")
    wait(driver, lambda d: not deployed(d), 180, "the releases uninstalled")


def flow_deploy_member(driver):
    member = CONFIG["memberA"]
    sign_in(driver, member["username"], member["password"])
    driver.get(BASE + "/clusters/" + CONFIG["clusterID"])
    wait(driver, EC.presence_of_element_located((By.ID, "discovery")), 30, "the cluster page")
    for action in ("discover", "attach", "detach", "issue-token", "remove-cluster", "profile-from-cluster"):
        assert not driver.find_elements(By.ID, action), f"a member sees {action}"
    shot(driver, "cluster-member")
    driver.get(BASE + "/clusters/" + CONFIG["clusterID"] + "/attach")
    assert "administrator" in wait(driver, EC.presence_of_element_located((By.ID, "error-message")), 30, "refused").text


def flow_deploy_isolation(driver):
    other = CONFIG["adminB"]
    sign_in(driver, other["username"], other["password"])
    driver.get(BASE + "/clusters")
    assert not driver.find_elements(By.CSS_SELECTOR, "#clusters tbody tr"), "tenant B sees no cluster"
    for path in ("/clusters/%s", "/clusters/%s/attach", "/clusters/%s/live"):
        driver.get(BASE + path % CONFIG["clusterID"])
        assert "not found" in wait(driver, EC.presence_of_element_located((By.ID, "error-message")), 30, path).text
    # Tenant B's own profile cannot import from tenant A's cluster.
    driver.get(BASE + "/profiles/new")
    driver.find_element(By.ID, "name").send_keys("b-stack")
    driver.find_element(By.ID, "create").click()
    wait(driver, EC.presence_of_element_located((By.ID, "no-layers")), 30, "B's profile")
    profile = driver.current_url.rstrip("/").split("/")[-1]
    driver.get(BASE + "/profiles/%s/layers/import?cluster=%s" % (profile, CONFIG["clusterID"]))
    wait(driver, EC.presence_of_element_located((By.ID, "no-clusters")), 30, "no cluster to import from")
    assert not driver.find_elements(By.ID, "release"), "A's releases are not offered"


FLOWS = {"deploy": flow_deploy, "deploy_member": flow_deploy_member, "deploy_isolation": flow_deploy_isolation}
