"""The app home folder that holds the database, the log and window settings."""

import os
from pathlib import Path

HOME_ENV_VAR = "BCHOOK_STUDIO_HOME"


class HomeFolderError(OSError):
    """The app home folder cannot be created or written."""


def app_home(create: bool = True) -> Path:
    """Return the app home folder, creating it unless `create` is false.

    `BCHOOK_STUDIO_HOME` wins over the platform's user data folder, so tests,
    benchmarks and portable installs never touch the user's real profile.
    """
    configured = os.environ.get(HOME_ENV_VAR, "").strip()
    if configured:
        path = Path(configured).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("BrainCert Hook Studio", False))

    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HomeFolderError(
                f"cannot create the app home folder {path}: {exc.strerror}. "
                f"Set {HOME_ENV_VAR} to a folder you can write."
            ) from exc
    return path
