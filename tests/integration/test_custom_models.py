"""Custom models and per-model access control over real HTTP, as Open WebUI's users know them:
/api/v1/models (create, read, toggle, update, delete; ids in the query), who may read and change
a model (owner, public, grants to users and groups, admins), and the one rule on every model list
and inference route: a user sees and calls only what they may use, and a refused model is
answered exactly as an unknown one."""
import json
import time
from urllib.parse import quote

from harness import FakeUpstream, Gateway, check, run_tests

PASSWORD = "canary-password-7f3e"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


class Team:
    """A gateway over one OpenAI and one Ollama fake, with an admin, bob and carol (users), and
    a group "team" that carol is in."""

    def __init__(self, extra=None, wait=True):
        self.openai = FakeUpstream(models=["gpt-a", "gpt-b"], name="O")
        self.ollama = FakeUpstream(models=["llama3:latest"], name="L")
        env = {"WEBUI_AUTH": "True", "OPENAI_API_BASE_URLS": self.openai.url,
               "ENABLE_OLLAMA_API": "True", "OLLAMA_BASE_URLS": self.ollama.base}
        env.update(extra or {})
        self.gw = Gateway(env)
        self.admin = self.account("root@example.com")
        self.bob = self.account("bob@example.com", role="user")
        self.carol = self.account("carol@example.com", role="user")
        status, _, raw = self.gw.post("/api/v1/groups/create",
                                      {"name": "team", "description": ""}, headers=self.admin)
        self.team = json.loads(raw)["id"]
        self.gw.post(f"/api/v1/groups/id/{self.team}/users/add",
                     {"user_ids": [self.carol_id]}, headers=self.admin)
        deadline = time.time() + 10
        while wait:
            ids = self.ids("/openai/models", self.admin) + self.ids("/ollama/api/tags", self.admin)
            if {"gpt-a", "gpt-b", "llama3:latest"} <= set(ids):
                break
            check(time.time() < deadline, ids)
            time.sleep(0.05)

    def account(self, email, role=None):
        status, _, raw = self.gw.post("/api/v1/auths/signup",
                                      {"name": email.split("@")[0], "email": email,
                                       "password": PASSWORD})
        me = json.loads(raw)
        if role:
            self.gw.post(f"/api/v1/users/{me['id']}/update", {"role": role}, headers=self.admin)
            me = json.loads(self.gw.post("/api/v1/auths/signin",
                                         {"email": email, "password": PASSWORD})[2])
        if email.startswith("carol"):
            self.carol_id = me["id"]
        if email.startswith("bob"):
            self.bob_id = me["id"]
        return bearer(me["token"])

    def ids(self, path, who):
        status, _, raw = self.gw.get(path, headers=who)
        check(status == 200, (path, status, raw))
        body = json.loads(raw)
        return [m.get("id") or m.get("model") for m in body.get("data", body.get("models", []))]

    def stop(self):
        check(self.gw.stop() == 0, self.gw.output())
        self.openai.stop()
        self.ollama.stop()


def model_form(model_id, access="public", base=None, name=None):
    return {"id": model_id, "base_model_id": base, "name": name or model_id,
            "meta": {"description": "d", "custom": [1, 2]}, "params": {},
            "access_control": None if access == "public" else access}


CHAT = {"messages": [{"role": "user", "content": "hi"}]}


def same_refusal(gw, path, who, refused, unknown):
    a = gw.post(path, dict(CHAT, model=refused), headers=who)
    b = gw.post(path, dict(CHAT, model=unknown), headers=who)
    check(a[0] == b[0] and a[0] in (400, 404), (path, a, b))
    check(a[2].replace(refused.encode(), b"X") == b[2].replace(unknown.encode(), b"X"), (a, b))


def test_models_are_made_read_changed_and_deleted_by_who_may():
    t = Team()
    gw = t.gw
    try:
        # bob has no workspace.models permission: only admins make models here.
        status, _, raw = gw.post("/api/v1/models/create", model_form("mine"), headers=t.bob)
        check(status == 401 and b"401 Unauthorized" in raw, (status, raw))
        status, _, raw = gw.post("/api/v1/models/create",
                                 model_form("team/llama", {"read": {"group_ids": [t.team]}},
                                            base="llama3:latest"), headers=t.admin)
        made = json.loads(raw)
        check(status == 200 and made["id"] == "team/llama" and
              made["base_model_id"] == "llama3:latest" and made["meta"]["custom"] == [1, 2] and
              made["access_control"] == {"read": {"group_ids": [t.team]}} and
              made["is_active"] is True and made["created_at"] > 0, raw)
        status, _, raw = gw.post("/api/v1/models/create", model_form("team/llama"),
                                 headers=t.admin)
        check(status == 401 and b"already registered" in raw, (status, raw))
        check(gw.post("/api/v1/models/create", model_form("x" * 300), headers=t.admin)[0] == 400,
              "long id")
        for bad in [{"id": "y"}, dict(model_form("y"), meta=[]), dict(model_form("y"), access_control=5)]:
            check(gw.post("/api/v1/models/create", bad, headers=t.admin)[0] == 400, bad)
        q = "/api/v1/models/model?id=" + quote("team/llama", safe="")
        # carol reads it through her group; bob is told it is not there.
        check(gw.get(q, headers=t.carol)[0] == 200, "carol reads")
        status, _, raw = gw.get(q, headers=t.bob)
        check(status == 401 and b"could not find" in raw, (status, raw))
        unknown = gw.get("/api/v1/models/model?id=nope", headers=t.bob)
        check(unknown[0] == status and unknown[2] == raw, (unknown, raw))
        listed = json.loads(gw.get("/api/v1/models/", headers=t.carol)[2])
        check([m["id"] for m in listed] == ["team/llama"] and listed[0]["user"]["email"] ==
              "root@example.com", listed)
        check(json.loads(gw.get("/api/v1/models/", headers=t.bob)[2]) == [], "bob's list")
        # Changing needs write access: carol may only read.
        toggle = q.replace("/model?", "/model/toggle?")
        status, _, raw = gw.post(toggle, {}, headers=t.carol)
        check(status == 401 and b"401 Unauthorized" in raw, (status, raw))
        update = q.replace("/model?", "/model/update?")
        status, _, raw = gw.post(update, model_form("team/llama", name="Renamed"), headers=t.carol)
        check(status == 400 and b"permission" in raw, (status, raw))
        check(gw.request_delete(q.replace("/model?", "/model/delete?"), t.bob)[0] == 401, "bob")
        # The admin changes it; the store keeps the owner and when it was made.
        status, _, raw = gw.post(update, dict(model_form("team/llama", name="Renamed",
                                                         base="llama3:latest"),
                                              access_control={"read": {"user_ids": []},
                                                              "write": {"group_ids": [t.team]}}),
                                 headers=t.admin)
        changed = json.loads(raw)
        check(status == 200 and changed["name"] == "Renamed" and
              changed["created_at"] == made["created_at"] and changed["user_id"] == made["user_id"],
              raw)
        # carol may now write (and so read? no: write grants do not read): she toggles it.
        status, _, raw = gw.post(toggle, {}, headers=t.carol)
        check(status == 401, ("write without read", status, raw))
        check(json.loads(gw.post(toggle, {}, headers=t.admin)[2])["is_active"] is False, "toggle")
        check(len(json.loads(gw.get("/api/v1/models/base", headers=t.admin)[2])) == 0, "base")
        check(gw.get("/api/v1/models/base", headers=t.carol)[0] == 403, "base is for admins")
    finally:
        data = gw.data_dir
        t.stop()
    # The models outlive a restart.
    gw = Gateway({"WEBUI_AUTH": "True"}, data_dir=data)
    try:
        status, _, raw = gw.get("/api/v1/models/model?id=team%2Fllama", headers=t.admin)
        check(status == 200 and json.loads(raw)["name"] == "Renamed", raw)
        status, _, raw = gw.request_delete("/api/v1/models/model/delete?id=team%2Fllama", t.admin)
        check(status == 200 and raw == b"true", (status, raw))
        check(gw.get("/api/v1/models/model?id=team%2Fllama", headers=t.admin)[0] == 401, "gone")
    finally:
        check(gw.stop() == 0, gw.output())


def test_every_list_and_inference_route_shows_and_serves_only_what_the_caller_may_use():
    t = Team({"ENABLE_OPENAI_API_PASSTHROUGH": "True"})
    gw = t.gw
    try:
        # Base models without an entry are for admins only.
        check(t.ids("/openai/models", t.bob) == [] and t.ids("/ollama/api/tags", t.bob) == [],
              "bob sees base models")
        check(set(t.ids("/openai/models", t.admin)) == {"gpt-a", "gpt-b"}, "admin")
        same_refusal(gw, "/openai/chat/completions", t.bob, "gpt-a", "gpt-zzz")
        same_refusal(gw, "/ollama/api/chat", t.bob, "llama3", "nope3")
        same_refusal(gw, "/ollama/api/chat/0", t.bob, "llama3", "nope3")
        same_refusal(gw, "/ollama/v1/chat/completions", t.bob, "llama3:latest", "nope3:latest")
        # An admin publishes gpt-a to everyone, and llama3 to the team.
        gw.post("/api/v1/models/create", model_form("gpt-a", name="GPT A"), headers=t.admin)
        gw.post("/api/v1/models/create",
                model_form("llama3:latest", {"read": {"group_ids": [t.team]}}), headers=t.admin)
        for who in (t.bob, t.carol):
            check(t.ids("/openai/models", who) == ["gpt-a"], "gpt-a listed")
            check(t.ids("/openai/models/0", who) == ["gpt-a"], "gpt-a listed on url_idx 0")
            status, _, raw = gw.post("/openai/chat/completions", dict(CHAT, model="gpt-a"),
                                     headers=who)
            check(status == 200, raw)
        same_refusal(gw, "/openai/chat/completions", t.carol, "gpt-b", "gpt-zzz")
        check(t.ids("/ollama/api/tags", t.carol) == ["llama3:latest"], "carol's tags")
        check(t.ids("/ollama/api/tags/0", t.carol) == ["llama3:latest"], "carol's tags on 0")
        check(t.ids("/ollama/v1/models", t.carol) == ["llama3:latest"], "carol's v1 list")
        check(t.ids("/ollama/api/tags", t.bob) == [] and t.ids("/ollama/v1/models/0", t.bob) == [],
              "bob sees llama3")
        for path, model in [("/ollama/api/chat", "llama3"), ("/ollama/api/chat/0", "llama3"),
                            ("/ollama/v1/chat/completions", "llama3:latest")]:
            status, _, raw = gw.post(path, dict(CHAT, model=model, stream=False), headers=t.carol)
            check(status == 200, (path, raw))
            same_refusal(gw, path, t.bob, model, "nope3")
        # bob joins the team: the lists he gets follow at once (his cached lists are dropped).
        gw.post(f"/api/v1/groups/id/{t.team}/users/add", {"user_ids": [t.bob_id]}, headers=t.admin)
        check(t.ids("/ollama/api/tags", t.bob) == ["llama3:latest"], "bob's tags after joining")
        gw.post(f"/api/v1/groups/id/{t.team}/users/remove", {"user_ids": [t.bob_id]},
                headers=t.admin)
        check(t.ids("/ollama/api/tags", t.bob) == [], "bob's tags after leaving")
        # The passthrough (when enabled) refuses a model the caller may not use, before upstream.
        before = t.openai.stats()["chat_requests"]
        status, _, raw = gw.post("/openai/chat/completions/x", dict(CHAT, model="gpt-b"),
                                 headers=t.bob)
        check(status == 404 and b"Model not found" in raw, (status, raw))
        check(t.openai.stats()["chat_requests"] == before, "the refused request went upstream")
        status, _, raw = gw.post("/openai/chat/completions/x", dict(CHAT, model="gpt-a"),
                                 headers=t.bob)
        check(status != 404 or b"Model not found" not in raw, (status, raw))
        # Admins see and use all; with BYPASS_ADMIN_ACCESS_CONTROL=False they too need entries.
        check(gw.post("/openai/chat/completions", dict(CHAT, model="gpt-b"),
                      headers=t.admin)[0] == 200, "admin uses gpt-b")
    finally:
        t.stop()


def test_presets_reach_their_base_model_with_their_params_and_system_prompt():
    t = Team()
    gw = t.gw
    try:
        params = {"system": "You help {{USER_NAME}} <{{USER_EMAIL}}> on {{CURRENT_DATE}}.",
                  "temperature": "0.25", "max_tokens": 64.0, "stop": "END", "seed": 7,
                  "stream_response": True, "function_calling": "native",
                  "custom_params": {"top_k": "40", "my_key": "{\"a\": 1}"}}
        for preset, base in [("helper", "gpt-a"), ("local-helper", "llama3:latest")]:
            form = dict(model_form(preset, {"read": {"user_ids": [t.carol_id]}}, base=base),
                        params=params)
            check(gw.post("/api/v1/models/create", form, headers=t.admin)[0] == 200, preset)
        # carol may use the presets and so their base models, through them alone.
        check(t.ids("/openai/models", t.carol) == [], "a preset grants its base model itself")
        chat = {"model": "helper", "stream": False, "temperature": 0.9,
                "messages": [{"role": "system", "content": "Be brief."},
                             {"role": "user", "content": "hi"}]}
        status, _, raw = gw.post("/openai/chat/completions", chat, headers=t.carol)
        check(status == 200, raw)
        got = json.loads(t.openai.stats()["last_body"])
        today = time.strftime("%Y-%m-%d", time.gmtime())
        check(got["model"] == "gpt-a" and got["temperature"] == 0.25 and got["max_tokens"] == 64 and
              got["stop"] == ["END"] and got["seed"] == 7 and got["my_key"] == {"a": 1} and
              got["top_k"] == 40, got)
        for gone in ["system", "stream_response", "function_calling", "custom_params"]:
            check(gone not in got, (gone, got))
        check(got["messages"][0] == {"role": "system", "content":
                                     f"You help carol <carol@example.com> on {today}.\nBe brief."},
              got["messages"])
        # Ollama's own API: params into options (max_tokens as num_predict), a new system message.
        ollama_chat = {"model": "local-helper", "stream": False,
                       "messages": [{"role": "user", "content": "hi"}]}
        status, _, raw = gw.post("/ollama/api/chat", ollama_chat, headers=t.carol)
        check(status == 200, raw)
        got = json.loads(t.ollama.stats()["last_body"])
        o = got["options"]
        check(got["model"] == "llama3:latest" and o["temperature"] == 0.25 and
              o["num_predict"] == 64 and o["stop"] == ["END"] and o["seed"] == 7 and
              o["top_k"] == 40, got)
        check(got["messages"][0]["role"] == "system" and
              got["messages"][0]["content"].startswith("You help carol") and
              got["messages"][1] == {"role": "user", "content": "hi"}, got["messages"])
        # A preset whose base is not served (or is itself a preset) is not there, by its own name.
        for name, base in [("p-missing", "secret-base"), ("p-nested", "helper")]:
            form = dict(model_form(name, {"read": {"user_ids": [t.carol_id]}}, base=base))
            gw.post("/api/v1/models/create", form, headers=t.admin)
            for path in ["/openai/chat/completions", "/ollama/api/chat", "/ollama/api/chat/0",
                         "/ollama/v1/chat/completions"]:
                same_refusal(gw, path, t.carol, name, "no-such-preset")
                status, _, raw = gw.post(path, dict(CHAT, model=name), headers=t.carol)
                check(base.encode() not in raw, (path, raw))
        # Who may not use a preset, or calls one switched off, is told it is not there.
        same_refusal(gw, "/openai/chat/completions", t.bob, "helper", "no-such-preset")
        gw.post("/api/v1/models/model/toggle?id=helper", {}, headers=t.admin)
        same_refusal(gw, "/openai/chat/completions", t.carol, "helper", "no-such-preset")
    finally:
        t.stop()


def test_the_unified_list_merges_every_provider_with_stored_models_for_each_caller():
    t = Team({"MODEL_ORDER_LIST": json.dumps(["llama3:latest"])})
    gw = t.gw
    try:
        def unified(who):
            status, _, raw = gw.get("/api/models", headers=who)
            check(status == 200, raw)
            return json.loads(raw)["data"]

        everything = unified(t.admin)
        check([m["id"] for m in everything] == ["llama3:latest", "gpt-a", "gpt-b"], everything)
        llama = everything[0]
        check(llama["owned_by"] == "ollama" and llama["object"] == "model" and
              llama["ollama"]["model"] == "llama3:latest" and llama["ollama"]["urls"] == [0] and
              llama["connection_type"] == "local", llama)
        check(everything[1]["owned_by"] == "openai" and everything[1]["urlIdx"] == 0, everything)
        check(unified(t.bob) == [], "bob sees base models without entries")
        # Stored names and meta lay over their base; a preset follows, inheriting its owner.
        gw.post("/api/v1/models/create", model_form("gpt-a", name="Alpha"), headers=t.admin)
        gw.post("/api/v1/models/create", model_form("gpt-b", name="Beta"), headers=t.admin)
        gw.post("/api/v1/models/model/toggle?id=gpt-b", {}, headers=t.admin)
        gw.post("/api/v1/models/create", model_form("coder", {"read": {"user_ids": [t.carol_id]}},
                                                    base="llama3:latest", name="Coder"),
                headers=t.admin)
        everything = unified(t.admin)
        check([m["id"] for m in everything] == ["llama3:latest", "gpt-a", "coder"], everything)
        alpha, coder = everything[1], everything[2]
        check(alpha["name"] == "Alpha" and alpha["info"]["meta"]["description"] == "d", alpha)
        check(coder["preset"] is True and coder["owned_by"] == "ollama" and
              coder["connection_type"] == "local" and coder["info"]["base_model_id"] ==
              "llama3:latest", coder)
        check([m["id"] for m in unified(t.bob)] == ["gpt-a"], "bob: the public one")
        check([m["id"] for m in unified(t.carol)] == ["gpt-a", "coder"], "carol")
        status, _, raw = gw.get("/api/models/base", headers=t.admin)
        check(status == 200 and [m["id"] for m in json.loads(raw)["data"]] ==
              ["gpt-a", "gpt-b", "llama3:latest"], raw)
        check(gw.get("/api/models/base", headers=t.bob)[0] == 403, "base for admins")
    finally:
        t.stop()


def test_users_who_make_models_cannot_hand_out_models_kept_from_them():
    t = Team({"USER_PERMISSIONS_WORKSPACE_MODELS_ACCESS": "True"})
    gw = t.gw
    try:
        # An entry for a base model decides who may use it: admins only.
        status, _, raw = gw.post("/api/v1/models/create", model_form("gpt-b"), headers=t.bob)
        check(status == 401, (status, raw))
        check(t.ids("/openai/models", t.carol) == [], "bob published gpt-b")
        # A preset only on a model its author may use.
        status, _, raw = gw.post("/api/v1/models/create", model_form("bobs", base="gpt-b"),
                                 headers=t.bob)
        check(status == 401, (status, raw))
        gw.post("/api/v1/models/create", model_form("gpt-a"), headers=t.admin)
        status, _, raw = gw.post("/api/v1/models/create", model_form("bobs", {}, base="gpt-a"),
                                 headers=t.bob)
        check(status == 200, raw)
        check(gw.post("/openai/chat/completions", dict(CHAT, model="bobs"),
                      headers=t.bob)[0] == 200, "the owner uses their preset")
        status, _, raw = gw.post("/api/v1/models/model/update?id=bobs",
                                 model_form("bobs", base="gpt-b"), headers=t.bob)
        check(status == 400 and b"permission" in raw, (status, raw))
    finally:
        t.stop()


def test_prefixed_ids_are_granted_and_refused_by_the_id_clients_see():
    t = Team({"OPENAI_API_CONFIGS": json.dumps({"0": {"prefix_id": "team"}}),
              "OLLAMA_API_CONFIGS": json.dumps({"0": {"prefix_id": "loc"}})}, wait=False)
    gw = t.gw
    try:
        deadline = time.time() + 10
        while {"team.gpt-a", "loc.llama3:latest"} - set(t.ids("/api/models", t.admin)):
            check(time.time() < deadline, t.ids("/api/models", t.admin))
            time.sleep(0.05)
        gw.post("/api/v1/models/create", model_form("team.gpt-a"), headers=t.admin)
        gw.post("/api/v1/models/create", model_form("loc.llama3:latest"), headers=t.admin)
        check(t.ids("/openai/models", t.bob) == ["team.gpt-a"], "prefixed OpenAI id")
        check(t.ids("/ollama/api/tags", t.bob) == ["loc.llama3:latest"], "prefixed Ollama id")
        for path, model in [("/openai/chat/completions", "team.gpt-a"),
                            ("/ollama/api/chat", "loc.llama3"),
                            ("/api/chat/completions", "loc.llama3:latest")]:
            status, _, raw = gw.post(path, dict(CHAT, model=model, stream=False), headers=t.bob)
            check(status == 200, (path, raw))
        # The upstream's own names (without the prefix) are not the ids clients see.
        same_refusal(gw, "/openai/chat/completions", t.bob, "team.gpt-b", "team.gpt-zzz")
        same_refusal(gw, "/api/chat/completions", t.bob, "team.gpt-b", "team.gpt-zzz")
    finally:
        t.stop()


def test_bypass_settings():
    t = Team({"BYPASS_MODEL_ACCESS_CONTROL": "True"})
    try:
        check(set(t.ids("/openai/models", t.bob)) == {"gpt-a", "gpt-b"}, "bypass: bob sees all")
        check(t.gw.post("/openai/chat/completions", dict(CHAT, model="gpt-b"),
                        headers=t.bob)[0] == 200, "bypass: bob calls")
    finally:
        t.stop()
    t = Team({"BYPASS_ADMIN_ACCESS_CONTROL": "False"}, wait=False)
    try:
        # An entry of the admin's own (owner only): the one base model they now see.
        t.gw.post("/api/v1/models/create", model_form("gpt-b", {}), headers=t.admin)
        deadline = time.time() + 10
        while t.ids("/openai/models", t.admin) != ["gpt-b"]:
            check(time.time() < deadline, t.ids("/openai/models", t.admin))
            time.sleep(0.05)
        same_refusal(t.gw, "/openai/chat/completions", t.admin, "gpt-a", "gpt-zzz")
        check(t.gw.post("/openai/chat/completions", dict(CHAT, model="gpt-b"),
                        headers=t.admin)[0] == 200, "own entry")
    finally:
        t.stop()


if __name__ == "__main__":
    run_tests([test_models_are_made_read_changed_and_deleted_by_who_may,
               test_every_list_and_inference_route_shows_and_serves_only_what_the_caller_may_use,
               test_presets_reach_their_base_model_with_their_params_and_system_prompt,
               test_the_unified_list_merges_every_provider_with_stored_models_for_each_caller,
               test_users_who_make_models_cannot_hand_out_models_kept_from_them,
               test_prefixed_ids_are_granted_and_refused_by_the_id_clients_see,
               test_bypass_settings])
