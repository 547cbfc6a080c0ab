"""Tests of the kernel helper (stdlib unittest): /usr/bin/python3 -m unittest discover -s jupyterlab_runs/tests -t ."""
