"""Exercise checks (public and hidden), notebook extraction and the grader."""
