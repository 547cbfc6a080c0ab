"""Redaction: the shared corpus, secret-looking names, and that nothing secret reaches an event."""

import json
import os
import unittest
from unittest import mock

from jupyterlab_runs import helper
from jupyterlab_runs.tests._support import FakeComm, execute, load_corpus, of_kind


class CorpusTest(unittest.TestCase):
    """``secrets_corpus.json`` is shared with the TypeScript side (src/capture/redact.ts)."""

    def test_corpus_is_well_formed(self):
        corpus = load_corpus()
        self.assertGreater(len(corpus), 40)
        for case in corpus:
            with self.subTest(case["name"]):
                self.assertIsInstance(case["text"], str)
                if case.get("unchanged"):
                    self.assertNotIn("must_not_contain", case)
                else:
                    self.assertTrue(case["must_not_contain"])
                    for secret in case["must_not_contain"]:
                        self.assertIn(secret, case["text"])

    def test_secrets_are_redacted(self):
        for case in load_corpus():
            if case.get("unchanged"):
                continue
            with self.subTest(case["name"]):
                redacted = helper.redact_text(case["text"])
                self.assertIn(helper.REDACTED, redacted)
                for secret in case["must_not_contain"]:
                    self.assertNotIn(secret, redacted)

    def test_ordinary_text_is_unchanged(self):
        for case in load_corpus():
            if case.get("unchanged"):
                with self.subTest(case["name"]):
                    self.assertEqual(helper.redact_text(case["text"]), case["text"])

    def test_redaction_is_idempotent(self):
        for case in load_corpus():
            with self.subTest(case["name"]):
                once = helper.redact_text(case["text"])
                self.assertEqual(helper.redact_text(once), once)

    def test_url_keeps_the_user(self):
        self.assertEqual(
            helper.redact_text("postgresql://admin:s3cr3t@db:5432/prod"), "postgresql://admin:[REDACTED]@db:5432/prod"
        )


class SecretNameTest(unittest.TestCase):
    def test_secret_names(self):
        table = {
            "api_key": True, "OPENAI_API_KEY": True, "apikey": True, "api-key": True, "token": True,
            "HF_TOKEN": True, "access_token": True, "db_password": True, "PASSWD": True, "client_secret": True,
            "private_key": True, "aws_access_key_id": True, "GOOGLE_APPLICATION_CREDENTIALS": True,
            "credential": True, "max_tokens": False, "TOKENIZERS_PARALLELISM": False, "tokenizer": False,
            "seed": False, "alpha": False, "keyboard": False, "PATH": False, "monkey": False,
            "RUNS_PLANTED_VENDOR_KEY": True, "STRIPE_KEY": True, "sort_key": False, "KEYBOARD_LAYOUT": False,
        }  # fmt: skip
        for name, secret in table.items():
            with self.subTest(name):
                self.assertEqual(helper.is_secret_name(name), secret)

    def test_redact_named(self):
        self.assertEqual(helper.redact_named("api_key", "abc"), helper.REDACTED)
        self.assertEqual(helper.redact_named("api_key", 123), helper.REDACTED)
        self.assertIsNone(helper.redact_named("api_key", None))
        self.assertEqual(helper.redact_named("alpha", 0.1), 0.1)

    def test_redact_value_walks_containers(self):
        value = {"a": ["token: abcdef123456", {"b": "AKIAIOSFODNN7EXAMPLE"}], "n": 3, "f": 0.5, "z": None}
        self.assertEqual(
            helper.redact_value(value), {"a": ["token: [REDACTED]", {"b": "[REDACTED]"}], "n": 3, "f": 0.5, "z": None}
        )


class EventsAreRedactedTest(unittest.TestCase):
    """The seed of issue test (e): a planted AWS key in an env var, `api_key = "..."`, a printed token."""

    def test_nothing_secret_in_any_event(self):
        planted = {"PLANTED_AWS_KEY": "AKIAIOSFODNN7EXAMPLE", "MY_SERVICE_TOKEN": "tok-4f8a9b2c7d", "VISIBLE": "yes"}
        with mock.patch.dict(os.environ, planted):
            recorder = helper.Recorder()
            recorder.configure({"env_allowlist": ["MY_SERVICE_*", "VISIBLE"]})
            recorder.ensure_session()
        namespace = {}
        source = 'api_key = "sk-live-0123456789abcdef"\nprint("token: ghp_16C7e42F292c6912E7710c838347Ae178B4a")'
        execute(recorder, namespace, source)
        execute(recorder, namespace, 'raise ValueError("bad password=hunter2 for AKIAIOSFODNN7EXAMPLE")')
        recorder.log_param("db_password", "hunter2")
        recorder.set_tag("github_token", "ghp_16C7e42F292c6912E7710c838347Ae178B4a")
        recorder.note("call with Authorization: Bearer abcdefghijklmnop1234")
        comm = FakeComm()
        recorder.handle(comm, {"type": "hello", "after": 0})
        sent = json.dumps(comm.events())
        for secret in ("AKIAIOSFODNN7EXAMPLE", "tok-4f8a9b2c7d", "sk-live-0123456789abcdef", "hunter2",
                       "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "abcdefghijklmnop1234"):  # fmt: skip
            self.assertNotIn(secret, sent)
        env = of_kind(comm.events(), "session")[0]["env"]
        self.assertIn("PLANTED_AWS_KEY", env["env_names"])  # names always
        self.assertEqual(env["env_values"], {"MY_SERVICE_TOKEN": helper.REDACTED, "VISIBLE": "yes"})
        params = {event["name"]: event["value"] for event in of_kind(comm.events(), "param")}
        self.assertEqual(params["api_key"], helper.REDACTED)
        self.assertEqual(params["db_password"], helper.REDACTED)
        error = of_kind(comm.events(), "execution")[1]["error"]
        self.assertEqual(error["name"], "ValueError")
        self.assertIn(helper.REDACTED, error["value"])


if __name__ == "__main__":
    unittest.main()
