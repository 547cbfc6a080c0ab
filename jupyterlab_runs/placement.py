"""Where a kernel with no frontend puts its runs: the store folder setting, the store, and the spool files.

A notebook executed headless (nbclient, papermill, ``jupyter execute``) appends its events to
``<store>/spool/<session>.jsonl``, and the Lab imports them (docs/CAPTURE.md, "Headless runs"). This module says
which store that is, and writes the files so that nobody else can read them or redirect them:

- the store is one the Lab uses: an existing store (``store.json``) at or above the notebook's folder, no higher than
  the root of the running Jupyter server that holds the folder (else the home folder), or else that server's own
  store. With neither, there is nowhere to put the runs, and the caller says so; no store is made up;
- every folder used must belong to the kernel's user, so a ``jupyter-runs/spool/`` planted in a shared parent
  (``/tmp``, a scratch disk) receives nothing;
- spool files are created ``0600`` and never opened through a symbolic link.

The store folder setting is checked exactly as the frontend checks it (``checkStoreFolder`` in
``src/settings/config.ts``); ``tests/store_folder_cases.json`` holds the cases both test suites run.

Standard library only; also sent inside the frontend's copy of the helper (``buildutils/embed-helper.mjs``).
"""

import json
import os
import re
import stat

DEFAULT_STORE_FOLDER = "jupyter-runs"
STORE_FILE = "store.json"
SPOOL_FOLDER = "spool"
MAX_RUNTIME_FILES = 100

# What JavaScript's String.prototype.trim() removes: Python's str.strip() differs (it keeps U+FEFF and removes
# U+001C-U+001F and U+0085), and the kernel must read the setting as the frontend does.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(map(chr, range(0x2000, 0x200B)))
_DRIVE = re.compile(r"[A-Za-z]:")


def check_store_folder(value):
    """``(folder, None)`` with the setting normalised (``./a//b/`` is ``a/b``), or ``(None, problem)``.

    The store folder is a path relative to the server root that stays inside it: not absolute, no ``..``, no
    hidden folder (the Contents API refuses to create them), no backslash, no NUL.
    """
    if not isinstance(value, str):
        return None, "is not a text value"
    path = value.strip(_JS_SPACE)
    if "\0" in path:
        return None, "contains a NUL character"
    if "\\" in path:
        return None, 'contains a backslash; separate folders with "/"'
    if path.startswith("/") or _DRIVE.match(path):
        return None, "is absolute; give a path relative to the server root"
    segments = [segment for segment in path.split("/") if segment not in ("", ".")]
    if ".." in segments:
        return None, 'leaves the server root with ".."'
    if any(segment.startswith(".") for segment in segments):
        return None, "names a hidden folder, which the Jupyter server refuses to create"
    if not segments:
        return None, "is empty"
    return "/".join(segments), None


def is_within(path, folder):
    """Whether ``path`` is ``folder`` or inside it (both absolute and normalised)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def server_roots():
    """Root folders of the Jupyter servers running for this user (their ``jpserver-*.json`` runtime files)."""
    runtime = os.environ.get("JUPYTER_RUNTIME_DIR") or os.path.join(
        os.environ.get("JUPYTER_DATA_DIR") or os.path.join(os.path.expanduser("~"), ".local", "share", "jupyter"),
        "runtime",
    )
    roots = []
    try:
        names = sorted(name for name in os.listdir(runtime) if name.endswith(".json") and "server-" in name)
    except OSError:
        return roots
    for name in names[:MAX_RUNTIME_FILES]:
        try:
            with open(os.path.join(runtime, name), encoding="utf-8") as file:
                info = json.load(file)
            root = info.get("root_dir") or info.get("notebook_dir")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(root, str) and os.path.isdir(root):
            roots.append(os.path.realpath(os.path.expanduser(root)))
    return roots


def owned(path, follow=True):
    """Whether ``path`` is a folder of the kernel's user (``follow=False``: and not a symbolic link)."""
    try:
        info = os.stat(path) if follow else os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def is_store(folder):
    """Whether ``folder`` is a store the Lab made (it holds ``store.json``) and belongs to the kernel's user."""
    return os.path.isfile(os.path.join(folder, STORE_FILE)) and owned(folder)


def find_store(folder, relative, roots=None):
    """Where the runs of a notebook in ``folder`` go: ``(store, root, None)``, or ``(None, None, why not)``.

    ``relative`` is the checked store folder setting as a relative OS path. The nearest store (``is_store``) at or
    above ``folder`` wins, looking no higher than the root of the deepest running Jupyter server holding
    ``folder``, or else the home folder (when it holds ``folder``); else that server's store, made on first use,
    since that Lab imports it. Else nothing: the runs cannot be placed.
    """
    start = os.path.realpath(folder)
    servers = sorted((root for root in (server_roots() if roots is None else roots) if is_within(start, root)),
                     key=len, reverse=True)  # fmt: skip
    home = os.path.realpath(os.path.expanduser("~"))
    top = servers[0] if servers else (home if is_within(start, home) else start)
    current = start
    while True:
        candidate = os.path.join(current, relative)
        if is_store(candidate):
            return candidate, current, None
        if current == top:
            break
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    if servers:
        store = os.path.join(servers[0], relative)
        if not os.path.exists(store) or owned(store):
            return store, servers[0], None
        return None, None, f"{store} does not belong to this user"
    return None, None, (
        f"no Jupyter server is running whose root holds {start}, and no store ({os.path.join(relative, STORE_FILE)}) "
        f"is in it or above it up to {top}: open that folder (or one above it) in JupyterLab once, then run again"
    )


def spool_folder(store):
    """``<store>/spool``, made if missing (the store too, for a running server's store); raises ``OSError``."""
    folder = os.path.join(store, SPOOL_FOLDER)
    os.makedirs(store, exist_ok=True)
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    if not owned(store) or not owned(folder, follow=False):
        raise PermissionError(f"{folder} is not a folder of this user")
    return folder


def append(path, text, exclusive=False):
    """Append ``text`` to the spool file ``path`` in one write, then fsync; ``exclusive``: a new file (mode 0600).

    Never through a symbolic link: a link planted in the path's place makes the call fail.
    """
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | (os.O_EXCL if exclusive else 0)
    descriptor = os.open(path, flags, 0o600)
    try:
        data = text.encode("utf-8")
        while data:
            data = data[os.write(descriptor, data) :]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read(path):
    """The text of the spool file ``path``, never through a symbolic link; raises ``OSError``."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with open(descriptor, encoding="utf-8", closefd=True) as file:
        return file.read()
