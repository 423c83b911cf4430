"""briefcast: personalised audio briefings on U.S. Congressional bills."""

__all__ = ["__version__"]

__version__ = "0.1.0"
