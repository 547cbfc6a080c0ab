# Keep in step with "version" in package.json (a unit test checks it).
__version__ = "0.1.0"
