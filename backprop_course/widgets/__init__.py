"""Interactive views (ipywidgets + matplotlib): thin shells over pure, tested functions."""
