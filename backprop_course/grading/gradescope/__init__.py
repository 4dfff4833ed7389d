"""The Gradescope autograder: the zip (``bundle``), the wheel inside it (``wheel``), what runs on
Gradescope for each submission (``run``) and the shell scripts it carries (``files/``)."""
