"""Headless notebook flows: execute a parameterised notebook with papermill, export it with nbconvert."""

from kit.pipeline.execute import execute
from kit.pipeline.export import export_html

__all__ = ["execute", "export_html"]
