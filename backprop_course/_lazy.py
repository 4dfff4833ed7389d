"""Names that load on first use: one mechanism for the package and its subpackages.

``import backprop_course`` (and ``backprop_course.symbolic`` / ``.widgets``) must stay fast, so their
public names are looked up in a table and imported only when first touched (PEP 562).
"""
from __future__ import annotations

import importlib

# No ``typing`` import: it alone takes ~9 ms, as long as the whole of ``import backprop_course``
# otherwise. The annotations below are strings (``from __future__ import annotations``) and are
# never evaluated, so the names they use need not exist at run time.


def lazy_names(package: str, namespace: dict[str, Any],
               table: Mapping[str, str | tuple[str, str | None]]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Make ``__getattr__`` and ``__dir__`` for a package.

    Parameters
    ----------
    package : str
        The package's ``__name__`` (for error messages).
    namespace : dict
        The package's ``globals()``: a loaded name is cached there, so the next access is plain.
    table : mapping
        name -> ``"module"`` (the attribute of that name in it), or ``("module", attribute)``
        where ``attribute`` None means the module itself.
    """

    def __getattr__(name: str) -> Any:
        try:
            target = table[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        module_name, attr = (target, name) if isinstance(target, str) else target
        module = importlib.import_module(module_name)
        value = module if attr is None else getattr(module, attr)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace.get("__all__", ())) | set(table))

    return __getattr__, __dir__
