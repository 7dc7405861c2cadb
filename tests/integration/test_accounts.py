"""Accounts over real HTTP, as Open WebUI's users know them: sign-up (the first user is the admin),
sign-in, the token cookie, API keys, groups, role and password changes that end old tokens, every
401 and 403 for every kind of credential, and no secret ever shown back or logged."""
import json
import time

from harness import FakeUpstream, Gateway, check, run_tests

PASSWORD = "canary-password-7f3e"


def accounts_gateway(extra=None, fake=None):
    env = {"WEBUI_AUTH": "True", "GLOBAL_LOG_LEVEL": "trace"}
    if fake:
        env["OPENAI_API_BASE_URLS"] = fake.url
    env.update(extra or {})
    return Gateway(env)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def signup(gw, email, password=PASSWORD, name="N"):
    return gw.post("/api/v1/auths/signup", {"name": name, "email": email, "password": password})


def signin(gw, email, password=PASSWORD):
    return gw.post("/api/v1/auths/signin", {"email": email, "password": password})


def test_the_first_sign_up_is_the_admin_and_later_ones_wait_for_approval():
    fake = FakeUpstream(models=["m"], name="A")
    gw = accounts_gateway(fake=fake)
    try:
        check(gw.get("/openai/models")[0] == 401, "open without credentials")
        status, hdrs, raw = signup(gw, "Admin@Example.com", name="Ada")
        check(status == 200, raw)
        admin = json.loads(raw)
        check(admin["role"] == "admin" and admin["email"] == "admin@example.com" and
              admin["token_type"] == "Bearer" and admin["expires_at"] > time.time(), admin)
        cookie = hdrs["set-cookie"]
        check(cookie.startswith("token=" + admin["token"]) and "HttpOnly" in cookie and
              "SameSite=Lax" in cookie, cookie)
        check("password" not in raw.decode() and PASSWORD not in raw.decode(), raw)
        # The token works as a bearer token and as the cookie.
        check(gw.get("/openai/models", headers=bearer(admin["token"]))[0] == 200, "bearer")
        check(gw.get("/openai/models", headers={"Cookie": f"a=b; token={admin['token']}"})[0] == 200,
              "cookie")
        status, _, raw = gw.get("/api/v1/auths/", headers=bearer(admin["token"]))
        check(status == 200 and json.loads(raw)["id"] == admin["id"], raw)
        # Later sign-ups are pending: they may see who they are, nothing else.
        status, _, raw = signup(gw, "bob@example.com", name="Bob")
        bob = json.loads(raw)
        check(status == 200 and bob["role"] == "pending", raw)
        check(gw.get("/api/v1/auths/", headers=bearer(bob["token"]))[0] == 200, "pending whoami")
        status, _, raw = gw.get("/openai/models", headers=bearer(bob["token"]))
        check(status == 403, (status, raw))
        status, _, raw = signup(gw, "BOB@example.com")
        check(status == 400 and b"already registered" in raw, raw)
        status, _, raw = signup(gw, "not-an-email")
        check(status == 400 and b"email format" in raw, raw)
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()
    check(PASSWORD not in gw.output() and admin["token"] not in gw.output(), "a secret was logged")


def test_sign_in_checks_the_password_and_slows_guessing():
    gw = accounts_gateway()
    try:
        check(signup(gw, "a@example.com")[0] == 200, "signup")
        status, hdrs, raw = signin(gw, "A@example.com")
        check(status == 200 and json.loads(raw)["role"] == "admin", raw)
        status, _, raw = signin(gw, "a@example.com", "wrong")
        check(status == 400 and b"email or password provided is incorrect" in raw, raw)
        status, _, raw = signin(gw, "nobody@example.com", "wrong")
        check(status == 400 and b"email or password provided is incorrect" in raw, raw)
        codes = [signin(gw, "a@example.com", f"guess{i}")[0] for i in range(12)]
        check(codes[-1] == 429, codes)
        status, hdrs, raw = signin(gw, "a@example.com")  # even the right password waits now
        check(status == 429 and int(hdrs["retry-after"]) > 0 and b"try again" in raw, (status, raw))
    finally:
        check(gw.stop() == 0, gw.output())
    check(PASSWORD not in gw.output(), "the password was logged")


def test_role_and_password_changes_end_old_tokens_at_once():
    fake = FakeUpstream(models=["m"], name="A")
    gw = accounts_gateway(fake=fake)
    try:
        admin = json.loads(signup(gw, "root@example.com")[2])
        bob = json.loads(signup(gw, "bob@example.com")[2])
        h = bearer(admin["token"])
        status, _, raw = gw.post(f"/api/v1/users/{bob['id']}/update", {"role": "user"}, headers=h)
        check(status == 200 and json.loads(raw)["role"] == "user", raw)
        check(gw.get("/openai/models", headers=bearer(bob["token"]))[0] == 401, "old token lives on")
        bob2 = json.loads(signin(gw, "bob@example.com")[2])
        check(gw.get("/openai/models", headers=bearer(bob2["token"]))[0] == 200, "new token")
        # Bob changes his password: his tokens end, and this session goes on with a new cookie.
        status, hdrs, raw = gw.post("/api/v1/auths/update/password",
                                    {"password": PASSWORD, "new_password": "another-secret"},
                                    headers=bearer(bob2["token"]))
        check(status == 200 and raw == b"true", raw)
        check(gw.get("/openai/models", headers=bearer(bob2["token"]))[0] == 401, "old token lives on")
        fresh = hdrs["set-cookie"].split(";")[0].split("=", 1)[1]
        check(gw.get("/openai/models", headers=bearer(fresh))[0] == 200, "the new cookie")
        check(signin(gw, "bob@example.com")[0] == 400, "old password still works")
        check(signin(gw, "bob@example.com", "another-secret")[0] == 200, "new password")
        status, _, raw = gw.post("/api/v1/auths/update/password",
                                 {"password": "wrong", "new_password": "x"}, headers=bearer(fresh))
        check(status == 400 and b"incorrect" in raw, raw)
        # Deleted: every token of the account ends.
        check(gw.request_delete(f"/api/v1/users/{bob['id']}", h)[0] == 200, "delete")
        check(gw.get("/api/v1/auths/", headers=bearer(fresh))[0] == 401, "deleted user's token")
        # The first admin is kept: not deleted, not demoted, and nobody deletes themselves.
        status, _, raw = gw.request_delete(f"/api/v1/users/{admin['id']}", h)
        check(status == 403, (status, raw))
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_sign_out_ends_that_token_alone_and_for_good():
    gw = accounts_gateway()
    data = gw.data_dir
    try:
        admin = json.loads(signup(gw, "root@example.com")[2])
        laptop, phone, tablet = (json.loads(signin(gw, "root@example.com")[2])["token"]
                                 for _ in range(3))
        for t in (admin["token"], laptop, phone, tablet):
            check(gw.get("/api/v1/auths/", headers=bearer(t))[0] == 200, "signed in")
        # By bearer token: that one ends at once, the others go on.
        status, hdrs, raw = gw.get("/api/v1/auths/signout", headers=bearer(laptop))
        check(status == 200 and json.loads(raw) == {"status": True}, raw)
        check(hdrs["set-cookie"].startswith("token=;"), hdrs)
        check(gw.get("/api/v1/auths/", headers=bearer(laptop))[0] == 401, "signed-out token works")
        check(gw.get("/api/v1/auths/", headers=bearer(phone))[0] == 200, "another token ended")
        # By cookie, and by POST.
        cookie = {"Cookie": f"token={phone}"}
        check(gw.post("/api/v1/auths/signout", {}, headers=cookie)[0] == 200, "cookie sign-out")
        check(gw.get("/api/v1/auths/", headers=cookie)[0] == 401, "signed-out cookie works")
        # Without a token, or with one already ended, there is nothing to end: still 200.
        check(gw.get("/api/v1/auths/signout")[0] == 200, "anonymous sign-out")
        check(gw.get("/api/v1/auths/signout", headers=bearer(laptop))[0] == 200, "twice")
        check(gw.get("/api/v1/auths/signout", headers=bearer("not.a.token"))[0] == 200, "junk")
    finally:
        check(gw.stop() == 0, gw.output())
    # At trace level, nothing a sign-out sees (the token, its id) reaches the log.
    for secret in [PASSWORD, laptop, phone, laptop.split(".")[2]]:
        check(secret not in gw.output(), "a secret was logged")
    # It stays ended over a restart; the tokens not signed out still work.
    gw = Gateway({"WEBUI_AUTH": "True"}, data_dir=data)
    try:
        check(gw.get("/api/v1/auths/", headers=bearer(laptop))[0] == 401, "revived by a restart")
        check(gw.get("/api/v1/auths/", headers=bearer(tablet))[0] == 200, "tablet ended")
    finally:
        check(gw.stop() == 0, gw.output())


def test_api_keys_are_shown_once_work_as_bearer_and_end_when_deleted():
    fake = FakeUpstream(models=["m"], name="A")
    gw = accounts_gateway(fake=fake)
    try:
        admin = json.loads(signup(gw, "root@example.com")[2])
        h = bearer(admin["token"])
        status, _, raw = gw.post("/api/v1/auths/api_key", {}, headers=h)
        key = json.loads(raw)["api_key"]
        check(status == 200 and key.startswith("sk-") and len(key) == 35, raw)
        status, _, raw = gw.get("/openai/models", headers=bearer(key))
        check(status == 200, raw)
        status, _, raw = gw.post("/openai/chat/completions", {"model": "m"}, headers=bearer(key))
        check(status == 200 and b"A:tok0" in raw, raw)
        status, _, raw = gw.get("/api/v1/auths/api_key", headers=h)
        shown = json.loads(raw)["api_key"]
        check(status == 200 and key not in raw.decode() and shown.startswith("sk-") and
              shown.endswith(key[-4:]), raw)
        status, _, raw = gw.get("/api/v1/auths/", headers=bearer(key))
        check(status == 200 and key.encode() not in raw, raw)  # never shown back
        check(gw.request_delete("/api/v1/auths/api_key", h)[0] == 200, "delete")
        check(gw.get("/openai/models", headers=bearer(key))[0] == 401, "a deleted key still works")
        check(gw.get("/api/v1/auths/api_key", headers=h)[0] == 404, "a deleted key is shown")
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()
    check(key not in gw.output(), "the API key was logged")


def test_every_credential_kind_gets_the_same_401_and_403():
    fake = FakeUpstream(models=["m"], name="A")
    gw = accounts_gateway({"USER_PERMISSIONS_FEATURES_API_KEYS": "True"}, fake=fake)
    try:
        admin = json.loads(signup(gw, "root@example.com")[2])
        ah = bearer(admin["token"])
        user = json.loads(signup(gw, "u@example.com")[2])
        gw.post(f"/api/v1/users/{user['id']}/update", {"role": "user"}, headers=ah)
        user = json.loads(signin(gw, "u@example.com")[2])
        user_key = json.loads(gw.post("/api/v1/auths/api_key", {}, headers=bearer(user["token"]))[2])["api_key"]
        admin_key = json.loads(gw.post("/api/v1/auths/api_key", {}, headers=ah)[2])["api_key"]
        kinds = {
            "user": [bearer(user["token"]), {"Cookie": f"token={user['token']}"}, bearer(user_key)],
            "admin": [ah, {"Cookie": f"token={admin['token']}"}, bearer(admin_key)],
        }
        for path in ["/openai/config", "/api/v1/users/", "/gateway/upstreams"]:
            check(gw.get(path)[0] == 401, path)
            check(gw.get(path, headers=bearer("garbage"))[0] == 401, path)
            check(gw.get(path, headers=bearer("sk-" + "0" * 32))[0] == 401, path)
            for h in kinds["user"]:
                check(gw.get(path, headers=h)[0] == 403, (path, h))
            for h in kinds["admin"]:
                check(gw.get(path, headers=h)[0] == 200, (path, h))
        for h in kinds["user"] + kinds["admin"]:
            check(gw.get("/openai/models", headers=h)[0] == 200, h)
        # A write authenticated by the cookie from another site is refused (cross-site guard).
        form = json.loads(gw.get("/openai/config", headers=ah)[2])
        status, _, raw = gw.post("/openai/config/update", form,
                                 headers={"Cookie": f"token={admin['token']}",
                                          "Origin": "http://evil.example"})
        check(status == 403, (status, raw))
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_permissions_come_from_the_defaults_and_groups_and_guard_api_keys():
    gw = accounts_gateway({"USER_PERMISSIONS_CHAT_EDIT": "False"})
    data = gw.data_dir
    try:
        admin = json.loads(signup(gw, "root@example.com")[2])
        ah = bearer(admin["token"])
        user = json.loads(signup(gw, "u@example.com")[2])
        gw.post(f"/api/v1/users/{user['id']}/update", {"role": "user"}, headers=ah)
        status, _, raw = signin(gw, "u@example.com")
        user = json.loads(raw)
        uh = bearer(user["token"])
        # Open WebUI's defaults and variables: no API keys for users, chat.edit turned off here.
        perms = user["permissions"]
        check(perms["features"]["api_keys"] is False and perms["chat"]["edit"] is False and
              perms["chat"]["delete"] is True and perms["workspace"]["models"] is False, perms)
        status, _, raw = gw.post("/api/v1/auths/api_key", {}, headers=uh)
        check(status == 403 and b"not allowed" in raw, (status, raw))
        check(gw.get("/api/v1/auths/api_key", headers=uh)[0] == 403, "GET without the permission")
        check(gw.post("/api/v1/auths/api_key", {}, headers=ah)[0] == 200, "admins always may")
        # A group grants more: the most permissive value wins.
        status, _, raw = gw.post("/api/v1/groups/create",
                                 {"name": "keys", "description": "",
                                  "permissions": {"features": {"api_keys": True},
                                                  "chat": {"edit": False}}}, headers=ah)
        group = json.loads(raw)
        gw.post(f"/api/v1/groups/id/{group['id']}/users/add", {"user_ids": [user["id"]]}, headers=ah)
        status, _, raw = gw.get("/api/v1/users/permissions", headers=uh)
        mine = json.loads(raw)
        check(status == 200 and mine["features"]["api_keys"] is True and
              mine["chat"]["edit"] is False, raw)
        check(json.loads(gw.get("/api/v1/auths/", headers=uh)[2])["permissions"] == mine, "whoami")
        status, _, raw = gw.post("/api/v1/auths/api_key", {}, headers=uh)
        check(status == 200 and json.loads(raw)["api_key"].startswith("sk-"), raw)
        # An admin changes the defaults; only admins may, and only with sections of booleans.
        check(gw.get("/api/v1/users/default/permissions", headers=uh)[0] == 403, "user reads")
        check(gw.post("/api/v1/users/default/permissions", {"chat": {"edit": True}},
                      headers=uh)[0] == 403, "user writes")
        for bad in [[], {"chat": True}, {"chat": {"edit": "yes"}}]:
            status, _, raw = gw.post("/api/v1/users/default/permissions", bad, headers=ah)
            check(status == 400, (bad, status, raw))
        status, _, raw = gw.post("/api/v1/users/default/permissions", {"chat": {"edit": True}},
                                 headers=ah)
        stored = json.loads(raw)
        check(status == 200 and stored["chat"]["edit"] is True and
              stored["chat"]["delete"] is True, raw)
        check(json.loads(gw.get("/api/v1/users/permissions", headers=uh)[2])["chat"]["edit"],
              "default change not applied")
    finally:
        check(gw.stop() == 0, gw.output())
    # What the admin stored outlives a restart and wins over the environment.
    gw = Gateway({"WEBUI_AUTH": "True", "USER_PERMISSIONS_CHAT_EDIT": "False"}, data_dir=data)
    try:
        status, _, raw = gw.get("/api/v1/users/default/permissions", headers=ah)
        check(status == 200 and json.loads(raw)["chat"]["edit"] is True, raw)
    finally:
        check(gw.stop() == 0, gw.output())


def test_requests_keep_last_active_at_current_without_a_write_each():
    gw = accounts_gateway({"USER_PERMISSIONS_FEATURES_API_KEYS": "True"})
    try:
        admin = json.loads(signup(gw, "root@example.com")[2])
        ah = bearer(admin["token"])
        user = json.loads(signup(gw, "u@example.com")[2])
        gw.post(f"/api/v1/users/{user['id']}/update", {"role": "user"}, headers=ah)
        user = json.loads(signin(gw, "u@example.com")[2])
        key = json.loads(gw.post("/api/v1/auths/api_key", {}, headers=bearer(user["token"]))[2])

        def last_active():
            return json.loads(gw.get(f"/api/v1/users/{user['id']}", headers=ah)[2])["last_active_at"]

        signed_in_at = last_active()
        while time.time() < signed_in_at + 1.2:  # so that "later" shows in whole seconds
            time.sleep(0.05)
        for _ in range(20):
            check(gw.get("/api/v1/groups/", headers=bearer(key["api_key"]))[0] == 200, "key")
        deadline = time.time() + 15
        while last_active() <= signed_in_at:
            check(time.time() < deadline, "last_active_at did not move after requests")
            time.sleep(0.1)
    finally:
        check(gw.stop() == 0, gw.output())


def test_api_keys_can_be_disabled_and_restricted_to_endpoints():
    fake = FakeUpstream(models=["m"], name="A")
    gw = accounts_gateway({"ENABLE_API_KEY_ENDPOINT_RESTRICTIONS": "True",
                           "API_KEY_ALLOWED_ENDPOINTS": "/openai/chat/completions"}, fake=fake)
    try:
        admin = json.loads(signup(gw, "root@example.com")[2])
        key = json.loads(gw.post("/api/v1/auths/api_key", {}, headers=bearer(admin["token"]))[2])["api_key"]
        check(gw.post("/openai/chat/completions", {"model": "m"}, headers=bearer(key))[0] == 200, "allowed")
        status, _, raw = gw.get("/openai/models", headers=bearer(key))
        check(status == 403 and b"not allowed to access this endpoint" in raw, (status, raw))
    finally:
        check(gw.stop() == 0, gw.output())
    gw = accounts_gateway({"ENABLE_API_KEY": "False"}, fake=fake)
    try:
        admin = json.loads(signup(gw, "root@example.com")[2])
        status, _, raw = gw.post("/api/v1/auths/api_key", {}, headers=bearer(admin["token"]))
        check(status == 403 and b"not allowed" in raw, (status, raw))
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_groups_are_made_filled_emptied_and_deleted_by_admins():
    gw = accounts_gateway()
    try:
        admin = json.loads(signup(gw, "root@example.com")[2])
        h = bearer(admin["token"])
        bob = json.loads(signup(gw, "bob@example.com")[2])
        gw.post(f"/api/v1/users/{bob['id']}/update", {"role": "user"}, headers=h)
        bob = json.loads(signin(gw, "bob@example.com")[2])
        status, _, raw = gw.post("/api/v1/groups/create", {"name": "team", "description": "d"}, headers=h)
        g = json.loads(raw)
        check(status == 200 and g["name"] == "team" and g["member_count"] == 0 and g["user_id"] == admin["id"], raw)
        check(gw.post("/api/v1/groups/create", {"name": "x"}, headers=bearer(bob["token"]))[0] == 403, "user made a group")
        status, _, raw = gw.post(f"/api/v1/groups/id/{g['id']}/users/add",
                                 {"user_ids": [bob["id"], "nobody"]}, headers=h)
        check(status == 200 and json.loads(raw)["user_ids"] == [bob["id"]], raw)
        status, _, raw = gw.get("/api/v1/groups/", headers=bearer(bob["token"]))
        check(status == 200 and [x["id"] for x in json.loads(raw)] == [g["id"]], raw)
        status, _, raw = gw.get("/api/v1/users/", headers=h)
        users = {u["email"]: u for u in json.loads(raw)["users"]}
        check(json.loads(raw)["total"] == 2 and users["bob@example.com"]["group_ids"] == [g["id"]], raw)
        status, _, raw = gw.post(f"/api/v1/groups/id/{g['id']}/update",
                                 {"name": "team2", "permissions": {"chat": {"x": True}}}, headers=h)
        check(status == 200 and json.loads(raw)["name"] == "team2" and
              json.loads(raw)["user_ids"] == [bob["id"]], raw)
        status, _, raw = gw.post(f"/api/v1/groups/id/{g['id']}/users/remove", {"user_ids": [bob["id"]]}, headers=h)
        check(status == 200 and json.loads(raw)["member_count"] == 0, raw)
        check(gw.request_delete(f"/api/v1/groups/id/{g['id']}/delete", h)[0] == 200, "delete")
        check(gw.get(f"/api/v1/groups/id/{g['id']}", headers=h)[0] == 404, "still there")
    finally:
        check(gw.stop() == 0, gw.output())


def test_accounts_survive_a_restart_and_a_headless_admin_is_made_once():
    env = {"WEBUI_ADMIN_EMAIL": "boss@example.com", "WEBUI_ADMIN_PASSWORD": PASSWORD}
    gw = accounts_gateway(env)
    data = gw.data_dir
    try:
        status, _, raw = signin(gw, "boss@example.com")
        boss = json.loads(raw)
        check(status == 200 and boss["role"] == "admin", raw)
        check(json.loads(signup(gw, "u@example.com")[2])["role"] == "pending", "second user")
    finally:
        check(gw.stop() == 0, gw.output())
    gw = Gateway({"WEBUI_AUTH": "True", **env}, data_dir=data)
    try:
        # The token outlives the restart (the signing key is kept in the data directory).
        status, _, raw = gw.get("/api/v1/users/", headers=bearer(boss["token"]))
        check(status == 200 and json.loads(raw)["total"] == 2, raw)
    finally:
        check(gw.stop() == 0, gw.output())
    # Single-user mode on a data directory with accounts would hand them all out: refused.
    try:
        Gateway({"WEBUI_AUTH": "False"}, data_dir=data)
        check(False, "single-user mode started over existing accounts")
    except AssertionError as e:
        check("existing users" in str(e), str(e))


def test_upstreams_see_the_real_caller_and_session_auth_forwards_only_sign_in_tokens():
    a = FakeUpstream(models=["m"], name="A")
    b = FakeUpstream(models=["s"], name="B")
    configs = {"0": {"headers": {"X-Who": "{{USER_NAME}}/{{USER_ID}}"}},
               "1": {"auth_type": "session"}}
    gw = accounts_gateway({"ENABLE_FORWARD_USER_INFO_HEADERS": "True",
                           "OPENAI_API_BASE_URLS": f"{a.url};{b.url}",
                           "OPENAI_API_KEYS": "sk-gateway-key;",
                           "OPENAI_API_CONFIGS": json.dumps(configs)})
    try:
        admin = json.loads(signup(gw, "root@example.com", name="Root User")[2])
        h = bearer(admin["token"])
        deadline = time.time() + 10
        while True:
            listed = json.loads(gw.get("/openai/models", headers=h)[2])["data"]
            if {"m", "s"} <= {m["id"] for m in listed}:
                break
            check(time.time() < deadline, listed)
            time.sleep(0.05)
        status, _, raw = gw.post("/openai/chat/completions", {"model": "m"}, headers=h)
        check(status == 200, raw)
        seen = a.stats()["last_headers"]
        check(seen["x-openwebui-user-id"] == [admin["id"]] and
              seen["x-openwebui-user-email"] == ["root@example.com"] and
              seen["x-openwebui-user-role"] == ["admin"] and
              seen["x-openwebui-user-name"] == ["Root User"], seen)
        check(seen["x-who"] == [f"Root User/{admin['id']}"], seen)
        check(a.stats()["last_auth"] == "Bearer sk-gateway-key", a.stats()["last_auth"])
        # auth_type session: the caller's own sign-in token goes upstream...
        status, _, raw = gw.post("/openai/chat/completions", {"model": "s"}, headers=h)
        check(status == 200 and b.stats()["last_auth"] == "Bearer " + admin["token"], b.stats())
        # ...the cookie's token too, but never an API key the caller signed in with.
        status, _, raw = gw.post("/openai/chat/completions", {"model": "s"},
                                 headers={"Cookie": f"token={admin['token']}"})
        check(status == 200 and b.stats()["last_auth"] == "Bearer " + admin["token"], b.stats())
        key = json.loads(gw.post("/api/v1/auths/api_key", {}, headers=h)[2])["api_key"]
        gw.post("/openai/chat/completions", {"model": "s"}, headers=bearer(key))
        check(key not in json.dumps(b.stats()), "the caller's API key reached an upstream")
    finally:
        check(gw.stop() == 0, gw.output())
        a.stop()
        b.stop()


if __name__ == "__main__":
    run_tests([test_the_first_sign_up_is_the_admin_and_later_ones_wait_for_approval,
               test_sign_in_checks_the_password_and_slows_guessing,
               test_role_and_password_changes_end_old_tokens_at_once,
               test_api_keys_are_shown_once_work_as_bearer_and_end_when_deleted,
               test_every_credential_kind_gets_the_same_401_and_403,
               test_api_keys_can_be_disabled_and_restricted_to_endpoints,
               test_groups_are_made_filled_emptied_and_deleted_by_admins,
               test_accounts_survive_a_restart_and_a_headless_admin_is_made_once,
               test_upstreams_see_the_real_caller_and_session_auth_forwards_only_sign_in_tokens])
