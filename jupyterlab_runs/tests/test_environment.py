"""The kernel environment: reading a repository's git state runs none of the programs its config names."""

import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from jupyterlab_runs import helper
from jupyterlab_runs.tests._support import SCRATCH

GIT = shutil.which("git")


def git(folder, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=folder, check=True,
                   capture_output=True)  # fmt: skip


@unittest.skipIf(GIT is None, "git is not installed")
class GitInfoTest(unittest.TestCase):
    """A notebook folder inside a repository someone else configured: a downloaded project, a shared folder."""

    def setUp(self):
        self.folder = os.path.realpath(tempfile.mkdtemp(dir=SCRATCH))
        self.markers = os.path.realpath(tempfile.mkdtemp(dir=SCRATCH))
        git(self.folder, "init", "-q", "-b", "main")
        with open(os.path.join(self.folder, "data.txt"), "w") as file:
            file.write("rows\n")
        with open(os.path.join(self.folder, ".gitattributes"), "w") as file:
            file.write("*.txt filter=planted\n")
        git(self.folder, "add", ".")
        git(self.folder, "commit", "-q", "-m", "first")
        git(self.folder, "remote", "add", "origin", "https://example.org/project.git")
        # Each program the repository's config names leaves a marker when it runs.
        for name in ("fsmonitor", "clean", "hook"):
            script = os.path.join(self.markers, f"{name}.sh")
            with open(script, "w") as file:
                file.write(f"#!/bin/sh\ntouch {self.markers}/{name}-ran\ncat\n")
            os.chmod(script, os.stat(script).st_mode | stat.S_IEXEC)
        hooks = os.path.join(self.markers, "hooks")
        os.makedirs(hooks)
        shutil.copy(os.path.join(self.markers, "hook.sh"), os.path.join(hooks, "post-index-change"))
        git(self.folder, "config", "core.fsmonitor", os.path.join(self.markers, "fsmonitor.sh"))
        git(self.folder, "config", "filter.planted.clean", os.path.join(self.markers, "clean.sh"))
        git(self.folder, "config", "core.hooksPath", hooks)

    def ran(self):
        return sorted(name for name in os.listdir(self.markers) if name.endswith("-ran"))

    def test_reads_the_state_without_running_the_repository_s_programs(self):
        with open(os.path.join(self.folder, "data.txt"), "a") as file:
            file.write("more rows\n")  # a changed file git compares through its clean filter
        info = helper._git_info(self.folder)
        self.assertEqual(self.ran(), [])
        self.assertEqual(info["root"], self.folder)
        self.assertEqual(info["branch"], "main")
        self.assertRegex(info["commit"], r"^[0-9a-f]{40}$")
        self.assertEqual(info["remote"], "https://example.org/project.git")
        self.assertIs(info["dirty"], True)

    def test_a_clean_tree_whose_timestamps_changed_runs_nothing(self):
        os.utime(os.path.join(self.folder, "data.txt"), (1, 1))
        info = helper._git_info(self.folder)
        self.assertEqual(self.ran(), [])
        self.assertIs(info["dirty"], False)

    def test_the_session_environment_runs_nothing(self):
        env = helper.collect_environment({}, self.folder)
        self.assertEqual(self.ran(), [])
        self.assertEqual(env["git"]["root"], self.folder)

    def test_outside_a_repository(self):
        self.assertIsNone(helper._git_info(tempfile.mkdtemp(dir=SCRATCH)))


if __name__ == "__main__":
    unittest.main()
