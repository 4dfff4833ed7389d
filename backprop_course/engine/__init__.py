"""The numeric engine: numpy and the standard library only.

Nothing in here may import SymPy, matplotlib, ipywidgets or the grading package (a test enforces it).
"""
