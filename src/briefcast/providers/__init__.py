"""Adapters for every port, chosen by name from one registry.

Built-in adapters register themselves exactly as a third-party one would.
Vendor SDKs are imported lazily inside their adapter module.
"""
