"""Build hook: put the lesson notebooks and the learner exercises (not the solutions) in the wheel.

They land in ``backprop_course/course/{notebooks,exercises}/``, where ``backprop-course lab`` finds them
after a plain ``pip install``. A glob per folder keeps ``exercises/solutions/`` out by construction.
"""
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CourseFilesHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        for folder in ("notebooks", "exercises"):
            for nb in sorted((root / folder).glob("*.ipynb")):
                build_data["force_include"][str(nb)] = f"backprop_course/course/{folder}/{nb.name}"
