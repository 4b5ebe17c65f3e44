"""The installer recipes reference the resources, version and steps they need.

CI builds no installer, so these tests read the recipes instead.
"""

import ast
import configparser
import plistlib
import re
import runpy
import struct

import pytest

from tests.packaging.helpers import PACKAGING, ROOT, packaging_module, recorded_sizes

SPEC = PACKAGING / "bchook-studio.spec"
ISS = PACKAGING / "windows" / "bchook-studio.iss"
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def spec_text() -> str:
    return SPEC.read_text(encoding="utf-8")


def test_spec_is_python():
    ast.parse(spec_text(), filename=str(SPEC))


def test_spec_bundles_resources_where_app_looks():
    from bchook_studio.core.resources import PACKAGED_NAME

    text = spec_text()

    assert '(str(ROOT / "resources"), "bchook_studio/_resources")' in text
    assert PACKAGED_NAME == "_resources"


def test_spec_bundles_package_metadata():
    assert "copy_metadata(version_info.DIST_NAME)" in spec_text()
    assert packaging_module("version_info").DIST_NAME == "bchook-studio"


def test_spec_uses_hooks_and_launcher():
    text = spec_text()

    assert 'hookspath=[str(SPEC_DIR / "hooks")]' in text
    assert 'str(SPEC_DIR / "launcher.py")' in text
    assert (PACKAGING / "hooks" / "hook-pygments.py").is_file()
    assert (PACKAGING / "launcher.py").is_file()


def test_spec_version_comes_from_metadata():
    text = spec_text()

    assert "VERSION = version_info.package_version()" in text
    assert re.search(r"version\s*=\s*['\"]\d", text) is None


def test_spec_console_only_on_linux():
    text = spec_text()

    assert "WINDOWED = PLATFORM in (bundle_rules.WINDOWS, bundle_rules.MACOS)" in text
    assert "console=not WINDOWED" in text
    assert 'name=f"{EXE_NAME}-cli"' in text


def test_pygments_hook_keeps_media_type_lexers():
    hook = runpy.run_path(str(PACKAGING / "hooks" / "hook-pygments.py"))
    hidden = set(hook["hiddenimports"])

    assert "pygments.lexers.data" in hidden
    assert "pygments.lexers.html" in hidden
    assert "pygments.lexers.special" in hidden
    assert not any(name.startswith("pygments.formatters") for name in hidden)
    assert not any(name.startswith("pygments.styles") for name in hidden)


@pytest.mark.parametrize(
    ("path", "platform", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "linux", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", "linux", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", "linux", False),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", "linux", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", "linux", False),
        ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", "darwin", True),
        ("PySide6/Qt/plugins/platforms/libqminimal.dylib", "darwin", False),
        ("PySide6\\plugins\\platforms\\qwindows.dll", "win32", True),
        ("PySide6\\plugins\\platforms\\qdirect2d.dll", "win32", False),
        ("PySide6\\plugins\\styles\\qmodernwindowsstyle.dll", "win32", True),
        ("PySide6/Qt/plugins/styles/libqmacstyle.dylib", "darwin", True),
        (
            "PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so",
            "linux",
            True,
        ),
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", "linux", True),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "linux", False),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", "linux", False),
        (
            "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
            "linux",
            False,
        ),
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", "linux", False),
        ("PySide6/Qt/translations/qtbase_de.qm", "linux", False),
        ("PySide6\\translations\\qtbase_de.qm", "win32", False),
        ("PySide6/Qt/lib/libQt6Core.so.6", "linux", True),
        ("PySide6/Qt/lib/libQt6Network.so.6", "linux", True),
        ("PySide6/Qt/lib/libQt6DBus.so.6", "linux", True),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", "linux", True),
        ("PySide6/Qt/lib/libQt6WaylandClient.so.6", "linux", False),
        ("PySide6/Qt/lib/libQt6Svg.so.6", "linux", False),
        ("PySide6/Qt/lib/QtSvg.framework/Versions/A/QtSvg", "darwin", True),
        ("PySide6/Qt/lib/libicudata.so.73", "linux", True),
        ("libxcb-cursor.so.0", "linux", False),
        ("libX11.so.6", "linux", False),
        ("libfontconfig.so.1", "linux", False),
        ("libglib-2.0.so.0", "linux", False),
        ("libssl.so.3", "linux", True),
        ("libpython3.11.so.1.0", "linux", True),
        ("libstdc++.so.6", "linux", True),
        ("PySide6\\opengl32sw.dll", "win32", False),
        ("bchook_studio/_resources/topics/catalogue.json", "linux", True),
    ],
)
def test_bundle_rules(path, platform, kept):
    rules = packaging_module("bundle_rules")

    assert (rules.exclusion_reason(path, platform) is None) == kept


def test_plugin_names():
    rules = packaging_module("bundle_rules")

    assert rules.plugin_name("libqxcb.so") == "xcb"
    assert rules.plugin_name("libqcocoa.dylib") == "cocoa"
    assert rules.plugin_name("qwindows.dll") == "windows"
    assert rules.plugin_name("libcomposeplatforminputcontextplugin.so") == (
        "composeplatforminputcontextplugin"
    )


def test_orphaned_libraries():
    rules = packaging_module("bundle_rules")
    links = {
        "src/gtk3theme.so": ["libcairo.so.2", "libglib.so.0", "libQt6Gui.so.6"],
        "src/libcairo.so.2": ["libpixman.so.0", "libpng16.so.16"],
        "src/QtGui.abi3.so": ["libQt6Gui.so.6"],
        "src/libQt6Gui.so.6": ["libpng16.so.16", "libglib.so.0"],
    }
    kept = [
        ("PySide6/QtGui.abi3.so", "src/QtGui.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "src/libQt6Gui.so.6", "BINARY"),
        ("libcairo.so.2", "src/libcairo.so.2", "BINARY"),
        ("libpixman.so.0", "src/libpixman.so.0", "BINARY"),
        ("libpng16.so.16", "src/libpng16.so.16", "BINARY"),
        ("libglib.so.0", "src/libglib.so.0", "BINARY"),
        ("libloaded-by-name.so", "src/libloaded-by-name.so", "BINARY"),
    ]
    dropped = [
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "src/gtk3theme.so", "BINARY")
    ]

    orphans = rules.orphaned_libraries(
        kept, dropped, lambda source: links.get(source, [])
    )

    assert sorted(entry[0] for entry in orphans) == ["libcairo.so.2", "libpixman.so.0"]


def test_version_numbers():
    version_info = packaging_module("version_info")

    assert version_info.version_numbers("0.1.0") == (0, 1, 0, 0)
    assert version_info.version_numbers("2.3") == (2, 3, 0, 0)
    assert version_info.version_numbers("1.2.0rc1+local") == (1, 2, 0, 0)
    with pytest.raises(ValueError, match=r"pyproject\.toml"):
        version_info.version_numbers("dev")


def test_windows_version_files(tmp_path):
    version_info = packaging_module("version_info")

    paths = version_info.write_windows_files("1.4.2", tmp_path)
    gui = paths["gui"].read_text(encoding="utf-8")
    iss = paths["iss"].read_text(encoding="utf-8")

    ast.parse(gui, mode="eval")
    assert "filevers=(1, 4, 2, 0)" in gui
    assert "StringStruct('ProductVersion', '1.4.2')" in gui
    assert "StringStruct('OriginalFilename', 'bchook-studio.exe')" in gui
    assert "'bchook-studio-cli.exe'" in paths["cli"].read_text(encoding="utf-8")
    assert '#define AppVersion "1.4.2"' in iss
    assert '#define AppVersionNumbers "1.4.2.0"' in iss


def test_inno_setup_reads_generated_version(tmp_path):
    text = ISS.read_text(encoding="utf-8")
    version_info = packaging_module("version_info")

    written = version_info.write_windows_files("0.1.0", tmp_path)

    assert written["iss"].name == "version.iss"
    assert 'version_info.write_windows_files(VERSION, GENERATED / "windows")' in (
        spec_text()
    )
    assert 'GENERATED = ROOT / "build" / "generated"' in spec_text()
    assert r'"\build\generated\windows\version.iss"' in text
    assert "#include VersionFile" in text
    assert "AppVersion={#AppVersion}" in text
    assert "OutputBaseFilename=BrainCertHookStudio-{#AppVersion}-" in text


def test_inno_setup_per_user_install():
    text = ISS.read_text(encoding="utf-8")

    assert "PrivilegesRequired=lowest" in text
    assert r"DefaultDirName={localappdata}\Programs\{#AppName}" in text
    assert "PrivilegesRequiredOverridesAllowed" not in text
    assert r'Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"' in text
    assert r"UninstallDisplayIcon={app}\{#AppExe}" in text
    assert r'Source: "{#BundleDir}\*"' in text
    assert r'#define BundleDir RepoRoot + "\dist\bchook-studio"' in text


def test_inno_setup_icon_is_generated():
    text = ISS.read_text(encoding="utf-8")
    make_icons_source = (PACKAGING / "make_icons.py").read_text(encoding="utf-8")

    assert r"SetupIconFile={#RepoRoot}\build\generated\icons\bchook-studio.ico" in text
    assert 'ICON_NAME = "bchook-studio"' in make_icons_source
    assert 'GENERATED / "icons"' in spec_text()


def test_info_plist():
    with (PACKAGING / "macos" / "Info.plist").open("rb") as file:
        plist = plistlib.load(file)

    assert plist["CFBundleIdentifier"] == "com.braincert.hookstudio"
    assert plist["NSHighResolutionCapable"] is True
    assert plist["LSMinimumSystemVersion"] == "13.0"
    assert "CFBundleShortVersionString" not in plist
    assert "CFBundleVersion" not in plist


def test_spec_puts_version_in_plist():
    text = spec_text()

    assert 'info_plist["CFBundleShortVersionString"] = VERSION' in text
    assert 'SPEC_DIR / "macos" / "Info.plist"' in text
    assert 'bundle_identifier=info_plist["CFBundleIdentifier"]' in text


def test_dmg_script_signs_and_notarises_when_configured():
    text = (PACKAGING / "macos" / "build-dmg.sh").read_text(encoding="utf-8")

    assert "codesign --force --deep --options runtime --timestamp" in text
    assert "xcrun notarytool submit" in text
    assert "--wait" in text
    assert "xcrun stapler staple" in text
    for variable in (
        "MACOS_SIGNING_IDENTITY",
        "APPLE_ID",
        "APPLE_TEAM_ID",
        "APPLE_APP_PASSWORD",
    ):
        assert variable in text
    assert "hdiutil create" in text


def workflow_steps() -> list[str]:
    text = WORKFLOW.read_text(encoding="utf-8")
    steps = text.split("\n    steps:\n", 1)[1]
    return re.split(r"\n      - ", "\n" + steps)[1:]


@pytest.mark.parametrize("system", ["Linux", "macOS", "Windows"])
def test_workflow_self_tests_frozen_app(system):
    matching = [
        step
        for step in workflow_steps()
        if f"runner.os == '{system}'" in step and " self-test" in step
    ]

    assert matching, f"no step runs the frozen self-test on {system}"


def test_workflow_matrix():
    text = WORKFLOW.read_text(encoding="utf-8")

    assert re.search(r"os: ubuntu-", text)
    assert re.search(r"os: macos-", text)
    assert re.search(r"os: windows-", text)
    assert 'python-version: "3.11"' in text
    assert "actions/upload-artifact" in text


def test_workflow_tests_before_freezing():
    steps = workflow_steps()

    def index_of(fragment: str) -> int:
        return next(i for i, step in enumerate(steps) if fragment in step)

    assert index_of("run: make test") < index_of("run: make package")
    assert index_of("-m pytest") < index_of("Scripts/pyinstaller")
    assert index_of("run: make package") < index_of("make package-check")


def test_desktop_file():
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment]
    parser.read(ROOT / "resources" / "bchook-studio.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]

    assert entry["Type"] == "Application"
    assert entry["Name"] == "BrainCert Hook Studio"
    assert entry["Exec"] == "bchook-studio"
    assert entry["Icon"] == "bchook-studio"
    assert entry["Terminal"] == "false"


def test_icon_source_is_1024_png():
    data = (ROOT / "resources" / "icons" / "bchook-studio.png").read_bytes()

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (1024, 1024)


def test_make_icons(tmp_path):
    image_module = pytest.importorskip(
        "PIL.Image", reason="Pillow comes with the package extra"
    )
    make_icons = packaging_module("make_icons")

    make_icons.write_icons(make_icons.DEFAULT_SOURCE, tmp_path)
    with image_module.open(tmp_path / "bchook-studio.ico") as ico:
        ico_sizes = set(ico.info["sizes"])
    with image_module.open(tmp_path / "hicolor/32x32/apps/bchook-studio.png") as png:
        png_size = png.size

    assert ico_sizes == {(size, size) for size in make_icons.ICO_SIZES}
    assert (tmp_path / "bchook-studio.icns").read_bytes()[:4] == b"icns"
    assert png_size == (32, 32)
    assert (tmp_path / "hicolor/512x512/apps/bchook-studio.png").is_file()


@pytest.mark.parametrize(
    ("setting", "result"),
    [
        ("wayland", "xcb"),
        ("wayland;xcb", "xcb"),
        ("xcb", "xcb"),
        ("offscreen", "offscreen"),
        ("eglfs;offscreen", "offscreen"),
        ("xcb:dpi=96", "xcb:dpi=96"),
    ],
)
def test_launcher_keeps_bundled_platforms(monkeypatch, setting, result):
    launcher = packaging_module("launcher")
    monkeypatch.setattr(launcher.sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", setting)

    launcher.use_bundled_platform()

    assert launcher.os.environ["QT_QPA_PLATFORM"] == result


def test_launcher_leaves_unset_platform(monkeypatch):
    launcher = packaging_module("launcher")
    monkeypatch.setattr(launcher.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)

    launcher.use_bundled_platform()

    assert "QT_QPA_PLATFORM" not in launcher.os.environ


def test_launcher_uses_xcb_on_wayland_desktop(monkeypatch):
    launcher = packaging_module("launcher")
    monkeypatch.setattr(launcher.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")

    launcher.use_bundled_platform()

    assert launcher.os.environ["QT_QPA_PLATFORM"] == "xcb"


def test_launcher_leaves_other_systems(monkeypatch):
    launcher = packaging_module("launcher")
    monkeypatch.setattr(launcher.sys, "platform", "darwin")
    monkeypatch.setenv("QT_QPA_PLATFORM", "cocoa")

    launcher.use_bundled_platform()

    assert launcher.os.environ["QT_QPA_PLATFORM"] == "cocoa"


@pytest.mark.parametrize(
    ("original", "expected"), [("/opt/lib", "/opt/lib"), (None, None)]
)
def test_launcher_restores_library_path(monkeypatch, original, expected):
    launcher = packaging_module("launcher")
    monkeypatch.setattr(launcher.sys, "platform", "linux")
    monkeypatch.setattr(launcher.sys, "frozen", True, raising=False)
    monkeypatch.setenv("LD_LIBRARY_PATH", "/bundle/_internal")
    if original is None:
        monkeypatch.delenv("LD_LIBRARY_PATH_ORIG", raising=False)
    else:
        monkeypatch.setenv("LD_LIBRARY_PATH_ORIG", original)

    launcher.restore_library_path()

    assert launcher.os.environ.get("LD_LIBRARY_PATH") == expected


def test_launcher_keeps_library_path_unfrozen(monkeypatch):
    launcher = packaging_module("launcher")
    monkeypatch.delattr(launcher.sys, "frozen", raising=False)
    monkeypatch.setenv("LD_LIBRARY_PATH", "/somewhere")

    launcher.restore_library_path()

    assert launcher.os.environ["LD_LIBRARY_PATH"] == "/somewhere"


def test_makefile_freezes_with_project_venv():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")

    assert "\npackage: $(PACKAGE_STAMP)\n\t$(BIN)/pyinstaller " in text
    assert "packaging/bchook-studio.spec" in text
    assert "\npackage-check: " in text
    assert "self-test" in text


def test_recorded_sizes_within_limits():
    sizes = recorded_sizes()

    assert set(sizes) == {"Unpacked (`dist/bchook-studio`)", "tar + xz -9"}
    for measure, (size, limit) in sizes.items():
        assert size <= limit, measure
