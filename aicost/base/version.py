"""The package version (one place; read by the build and by ``aicost --version``)."""

__version__ = "0.1.0"
