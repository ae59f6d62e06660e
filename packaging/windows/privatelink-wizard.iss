; Inno Setup 6 script for PrivateLink Wizard: a per-user install (no administrator rights needed),
; a Start-menu entry, an optional desktop icon and an uninstaller in "Installed apps".
; packaging/build.py compiles it after PyInstaller:
;   iscc /DAppVersion=0.1.0 /DSourceDir=dist\privatelink-wizard /DOutputDir=dist
;        /DIconFile=resources\icons\app.ico packaging\windows\privatelink-wizard.iss

; ArchitecturesAllowed=x64compatible (below) is new in Inno Setup 6.3: older compilers reject it.
#if VER < EncodeVer(6,3,0)
  #error Inno Setup 6.3 or newer is required (https://jrsoftware.org/isdl.php)
#endif

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=...
#endif
#ifndef SourceDir
  #error Pass the PyInstaller bundle folder: iscc /DSourceDir=...
#endif
#ifndef OutputDir
  #define OutputDir "."
#endif
#ifndef IconFile
  #define IconFile AddBackslash(SourcePath) + "..\..\resources\icons\app.ico"
#endif

#define AppName "PrivateLink Wizard"
#define ExeName "privatelink-wizard.exe"

[Setup]
; The AppId ties upgrades and the uninstaller together: never change it.
AppId={{6E1B7C52-3F0A-4B8E-9D2C-5A4F1E7B9C31}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=PrivateLink Wizard contributors
AppPublisherURL=https://github.com/privatelink-wizard/privatelink-wizard
AppSupportURL=https://github.com/privatelink-wizard/privatelink-wizard/issues
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
; Per user by default (installs to %LOCALAPPDATA%\Programs); an administrator may still choose
; "for all users" in the first dialog.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; PySide6 wheels are 64-bit only.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#ExeName}
UninstallDisplayName={#AppName}
OutputDir={#OutputDir}
OutputBaseFilename=privatelink-wizard-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running copy before replacing its files.
CloseApplications=yes
; The command-line folder goes on the user's PATH (see [Code]): tell Explorer, so that terminals
; opened from now on find `privatelink-wizard`.
ChangesEnvironment=yes
; That PATH is the installing user's own (HKCU), also when an administrator installs for all users.
UsedUserAreasWarning=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle: files of the old version must not linger in _internal.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; `privatelink-wizard <command>` in a terminal runs privatelink-wizard-cli.exe (a windowed .exe
; cannot print). Only bin\ goes on PATH, so `privatelink-wizard` finds this and not the windowed app.
Source: "{#AddBackslash(SourcePath)}privatelink-wizard.cmd"; DestDir: "{app}\bin"; Flags: ignoreversion

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#ExeName}"; Comment: "Expose an AWS database to a data platform over AWS PrivateLink"
Name: "{group}\{#AppName} (demo sandbox)"; Filename: "{app}\{#ExeName}"; Parameters: "--demo"; Comment: "Try the wizard on a built-in sample AWS account"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#ExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#ExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
const
  EnvironmentKey = 'Environment';

function CommandFolder(): String;
begin
  Result := ExpandConstant('{app}\bin');
end;

{ Position of Folder in a ;-separated Paths value (case-insensitive), counted in ';' + Paths + ';'. }
function PathEntry(Paths, Folder: String): Integer;
begin
  Result := Pos(';' + Uppercase(Folder) + ';', ';' + Uppercase(Paths) + ';');
end;

{ Add the folder to the user's Path once: an upgrade or repair must not add it again. }
procedure AddToUserPath(Folder: String);
var
  Paths: String;
begin
  if not RegQueryStringValue(HKCU, EnvironmentKey, 'Path', Paths) then
    Paths := '';
  if PathEntry(Paths, Folder) > 0 then
    Exit;
  if (Paths <> '') and (Copy(Paths, Length(Paths), 1) <> ';') then
    Paths := Paths + ';';
  { Expandable, as Windows keeps it: other entries may use %USERPROFILE% and the like. }
  RegWriteExpandStringValue(HKCU, EnvironmentKey, 'Path', Paths + Folder);
end;

{ Take the folder out of the user's Path, leaving every other entry as it was. }
procedure RemoveFromUserPath(Folder: String);
var
  Paths: String;
  Found: Integer;
begin
  if not RegQueryStringValue(HKCU, EnvironmentKey, 'Path', Paths) then
    Exit;
  Found := PathEntry(Paths, Folder);
  if Found = 0 then
    Exit;
  Paths := ';' + Paths + ';';
  Delete(Paths, Found, Length(Folder) + 1);
  Paths := Copy(Paths, 2, Length(Paths) - 2);
  if Paths = '' then
    RegDeleteValue(HKCU, EnvironmentKey, 'Path')
  else
    RegWriteExpandStringValue(HKCU, EnvironmentKey, 'Path', Paths);
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if CurStep = ssPostInstall then
    AddToUserPath(CommandFolder());
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    RemoveFromUserPath(CommandFolder());
end;
