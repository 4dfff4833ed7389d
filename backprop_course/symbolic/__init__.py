"""Symbolic derivations with SymPy (seed 002 and generalisations). Imports the engine only for numeric checks."""
