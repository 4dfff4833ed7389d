"""Stands in for the ``__init__.py`` of a package the exercise forbids, inside a bubblewrap sandbox."""
raise ImportError("this module is not available to graded code in this exercise")
