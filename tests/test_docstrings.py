"""Every docstring example in kit runs, and every public statistic shows one (formula, source, example)."""

import doctest
import importlib
import inspect
import pkgutil

import pytest

import kit

MODULES = sorted(m.name for m in pkgutil.walk_packages(kit.__path__, "kit."))
STATISTICS = ("kit.metrics.estimates", "kit.metrics.segments", "kit.metrics.trends", "kit.metrics.planning",
              "kit.metrics.targets", "kit.servqual", "kit.kano", "kit.reliability", "kit.drivers", "kit.stats",
              "kit.weights")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


@pytest.mark.parametrize("name", STATISTICS)
def test_public_statistics_have_an_example(name):
    module = importlib.import_module(name)
    public = [f for n, f in inspect.getmembers(module, inspect.isfunction)
              if not n.startswith("_") and f.__module__ == name]
    assert public
    missing = [f.__name__ for f in public if ">>>" not in (f.__doc__ or "")]
    assert missing == [], f"add a doctest example to {missing}"
