"""Reports: JSON, CSV and Gradescope results (``formats``), and the learner's progress table and chart
(``progress``, ``progress_view``)."""
