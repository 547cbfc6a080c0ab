"""Tests of the kernel helper (stdlib unittest), run with the interpreter of the environment under test:
build/venvs/dev/bin/python -m unittest discover -s jupyterlab_runs/tests -t ."""
