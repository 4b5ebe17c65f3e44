"""The template designer: body mode, template editor, event data and live preview."""

from bchook_studio.gui.designer.designer import TemplateDesigner
from bchook_studio.gui.designer.format_switch import (
    FormatSwitchAction,
    FormatSwitchPlan,
)
from bchook_studio.gui.designer.problem_list import DesignerProblem, ProblemSite
from bchook_studio.gui.designer.render_runner import RenderRunner

__all__ = [
    "DesignerProblem",
    "FormatSwitchAction",
    "FormatSwitchPlan",
    "ProblemSite",
    "RenderRunner",
    "TemplateDesigner",
]
