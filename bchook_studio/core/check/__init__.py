"""The endpoint check: send every topic with one webhook's settings, judge responses.

Build a `CheckPlan` (usually `CheckPlan.from_webhook`), run it with a
`CheckRunner` or `run_check` on a `ClientPool`, and write the `CheckResult`
with the functions in `bchook_studio.core.check.reports`.

Each topic gets a `Verdict`. It is `passed`, or `failed` when a response
misses an expectation. It is `error` when there is no response: the kind is a
delivery failure kind such as `refused`, or `template` when the body did not
render or is not well formed. It is `cancelled` when the run was cancelled
before the topic had a response.
"""

from bchook_studio.core.check.expectations import (
    ExpectationName,
    Expectations,
    Mismatch,
    judge_response,
)
from bchook_studio.core.check.plan import (
    DEFAULT_CONCURRENCY,
    MAX_CONCURRENCY,
    TOPIC_PLACEHOLDER,
    CheckPlan,
    CheckPlanError,
    unknown_placeholders,
)
from bchook_studio.core.check.response_fields import (
    FieldExpectation,
    parse_field_expectation,
)
from bchook_studio.core.check.results import (
    CANCELLED_KIND,
    TEMPLATE_KIND,
    CheckResult,
    CheckSummary,
    TopicResult,
    Verdict,
)
from bchook_studio.core.check.runner import (
    INTERNAL_KIND,
    CheckRunner,
    Recorder,
    ResultListener,
    RunnerState,
    run_check,
)
from bchook_studio.core.check.status_spec import (
    DEFAULT_STATUS,
    ExpectationError,
    StatusSpec,
    parse_status_spec,
)

__all__ = [
    "CANCELLED_KIND",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_STATUS",
    "INTERNAL_KIND",
    "MAX_CONCURRENCY",
    "TEMPLATE_KIND",
    "TOPIC_PLACEHOLDER",
    "CheckPlan",
    "CheckPlanError",
    "CheckResult",
    "CheckRunner",
    "CheckSummary",
    "ExpectationError",
    "ExpectationName",
    "Expectations",
    "FieldExpectation",
    "Mismatch",
    "Recorder",
    "ResultListener",
    "RunnerState",
    "StatusSpec",
    "TopicResult",
    "Verdict",
    "judge_response",
    "parse_field_expectation",
    "parse_status_spec",
    "run_check",
    "unknown_placeholders",
]
