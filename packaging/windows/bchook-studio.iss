; Inno Setup 6 script: a per-user installer for BrainCert Hook Studio.
;
;   iscc packaging\windows\bchook-studio.iss
;
; Build the bundle first (pyinstaller packaging\bchook-studio.spec): it leaves
; dist\bchook-studio\ and writes build\generated\windows\version.iss with the
; version from the package metadata, which this script includes. The
; installer goes to dist\installers\. It needs no administrator rights:
; everything goes under the user's %LOCALAPPDATA%\Programs.

#define RepoRoot AddBackslash(SourcePath) + "..\.."
#define VersionFile RepoRoot + "\build\generated\windows\version.iss"
#if !FileExists(VersionFile)
  #error build\generated\windows\version.iss is missing: run pyinstaller packaging\bchook-studio.spec first
#endif
#include VersionFile

#define AppName "BrainCert Hook Studio"
#define AppExe "bchook-studio.exe"
#define BundleDir RepoRoot + "\dist\bchook-studio"

[Setup]
; The AppId identifies the app for upgrades and the uninstaller; never change it.
AppId={{6F1C2A7E-5B3D-4E8A-9C41-2D7B8E0F3A55}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=BrainCert Hook Studio developers
VersionInfoVersion={#AppVersionNumbers}
VersionInfoProductVersion={#AppVersionNumbers}
VersionInfoDescription={#AppName} installer
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#RepoRoot}\dist\installers
OutputBaseFilename=BrainCertHookStudio-{#AppVersion}-windows-x64-setup
SetupIconFile={#RepoRoot}\build\generated\icons\bchook-studio.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/ultra64
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade replaces the bundle's libraries; files that a newer build no
; longer ships must not linger beside them.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Design, send and receive BrainCert LMS webhooks"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
