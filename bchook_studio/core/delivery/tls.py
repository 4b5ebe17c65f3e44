"""TLS settings of a webhook, and the checks on the files they name.

By default the server's certificate is verified against the operating system's
trust store through `truststore`. On Linux, truststore 0.10 uses OpenSSL's
default verify paths, which honour the SSL_CERT_FILE and SSL_CERT_DIR
environment variables, and falls back to the usual distribution bundles when
those paths contain no certificates. On Windows and macOS it uses the platform
verifier, which ignores those variables. There, trust a private CA through the
system's certificate store, or through the webhook's CA bundle.
"""

import os
from dataclasses import dataclass, field

FileState = tuple[str, int, int] | tuple[str]


class TlsSettingError(ValueError):
    """A TLS setting whose file is missing, unreadable or wrong.

    A delivery turns it into a failure of kind `tls`: the user fixes it in the
    webhook's TLS settings, next to the other TLS problems.
    """


@dataclass(frozen=True)
class TlsSetting:
    """How a webhook verifies the server and identifies itself over TLS."""

    verify: bool = True
    """False to accept any server certificate, which the delivery result records."""

    ca_bundle: str = ""
    """A PEM (or DER) CA file trusted in addition to the operating system's store."""

    client_cert: str = ""
    """The client certificate for mutual TLS: a PEM file, or PKCS#12 (.pfx, .p12).

    A PEM file contains the certificate, and its key too unless `client_key` is set.
    """

    client_key: str = ""
    """A PEM file with the private key of `client_cert`, when kept apart from it."""

    client_cert_password: str = field(default="", repr=False)
    """The passphrase of an encrypted PEM key, or the password of a PKCS#12 file."""

    def file_paths(self) -> tuple[str, ...]:
        """Return the files this setting reads, in a fixed order."""
        paths = [self.ca_bundle if self.verify else "", self.client_cert]
        paths.append(self.client_key)
        return tuple(path for path in paths if path)


def file_state(setting: TlsSetting) -> tuple[FileState, ...]:
    """Return each file's path, modification time and size, to notice a change.

    A file that cannot be read is listed by path alone; building the SSL context
    then reports it.
    """
    states: list[FileState] = []
    for path in setting.file_paths():
        try:
            status = os.stat(path)
        except OSError:
            states.append((path,))
        else:
            states.append((path, status.st_mtime_ns, status.st_size))
    return tuple(states)


MAX_TLS_FILE_BYTES = 16 * 1024 * 1024
"""The largest CA bundle, certificate or key file read, 16 MiB. The Mozilla
CA bundle that certifi ships is about 0.23 MiB."""


def read_tls_file(path: str, setting_name: str) -> bytes:
    """Return the bytes of a file named in the TLS settings, or raise TlsSettingError.

    `setting_name` names the setting, such as "CA bundle", for the message.
    Only a regular file of up to MAX_TLS_FILE_BYTES is read, so a device such
    as /dev/zero or a FIFO named in an imported webhook cannot stall a send.
    """
    from bchook_studio.core.files import UnsuitableFileError, read_regular_file

    try:
        data = read_regular_file(path, MAX_TLS_FILE_BYTES, f"{setting_name} file")
    except UnsuitableFileError as exc:
        # A folder, a device, a pipe, or a file over the limit.
        message = str(exc)
        raise TlsSettingError(
            f"{message[:1].upper()}{message[1:]} It is set in the webhook's TLS "
            "settings."
        ) from None
    except FileNotFoundError:
        raise TlsSettingError(
            f"The {setting_name} file {path} was not found. Choose an existing file "
            "in the webhook's TLS settings."
        ) from None
    except OSError as exc:
        raise TlsSettingError(
            f"The {setting_name} file {path} cannot be read: {exc.strerror}. Check its "
            "permissions."
        ) from None
    if not data.strip():
        raise TlsSettingError(
            f"The {setting_name} file {path} is empty. Choose a PEM or DER file."
        )
    return data
