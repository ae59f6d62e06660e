# Install the setup.exe the way a user does (per user, silently), then check what ships:
# the installed app passes --self-test, the `privatelink-wizard` command is on the user's PATH
# exactly once (also after installing twice), and the uninstaller takes the app and that PATH
# entry away. CI runs it after packaging/build.py; it changes the current user's PATH, so run it
# on a throw-away machine.
#   pwsh packaging/windows/check_installer.ps1 dist\privatelink-wizard-0.1.0-windows-x64-setup.exe
param([Parameter(Mandatory = $true)][string]$Setup)
$ErrorActionPreference = 'Stop'

$dir = Join-Path ([IO.Path]::GetTempPath()) 'plw-installed'
$bin = Join-Path $dir 'bin'

function UserPathEntries {
    $path = [Environment]::GetEnvironmentVariable('Path', 'User')
    if (-not $path) { return @() }
    return @($path.Split(';') | Where-Object { $_ -ieq $bin })
}

function Install {
    $p = Start-Process -FilePath $Setup -Wait -PassThru -ArgumentList @(
        '/VERYSILENT', '/SUPPRESSMSGBOXES', '/NORESTART', "/DIR=`"$dir`"", "/LOG=`"$dir-setup.log`"")
    if ($p.ExitCode -ne 0) { Get-Content "$dir-setup.log" -Tail 30; throw "setup exited with $($p.ExitCode)" }
}

Install
Install  # an upgrade or repair must not add the folder to PATH a second time
$entries = @(UserPathEntries)
if ($entries.Count -ne 1) { throw "expected $bin once on the user's PATH, found it $($entries.Count) times" }

# A new terminal gets the user's PATH from the registry: resolve the command the way it would.
$env:Path = [Environment]::GetEnvironmentVariable('Path', 'Machine') + ';' +
            [Environment]::GetEnvironmentVariable('Path', 'User')
$command = (Get-Command privatelink-wizard -ErrorAction Stop).Source
Write-Output "privatelink-wizard resolves to $command"
$version = & privatelink-wizard --version
if ($LASTEXITCODE -ne 0) { throw "privatelink-wizard --version exited with $LASTEXITCODE" }
Write-Output $version
$env:QT_QPA_PLATFORM = 'offscreen'
& privatelink-wizard --self-test
if ($LASTEXITCODE -ne 0) { throw "the installed app's --self-test failed ($LASTEXITCODE)" }

# The uninstaller hands over to a copy of itself and returns at once: wait for it to finish.
Start-Process -FilePath (Join-Path $dir 'unins000.exe') -Wait -ArgumentList @(
    '/VERYSILENT', '/SUPPRESSMSGBOXES', '/NORESTART')
$deadline = (Get-Date).AddSeconds(120)
while (((Test-Path (Join-Path $dir 'privatelink-wizard.exe')) -or (@(UserPathEntries).Count -gt 0)) -and
       (Get-Date) -lt $deadline) {
    Start-Sleep -Seconds 2
}
if (Test-Path (Join-Path $dir 'privatelink-wizard.exe')) { throw 'the uninstaller left the app in place' }
$entries = @(UserPathEntries)
if ($entries.Count -ne 0) { throw "the uninstaller left $bin on the user's PATH" }
Write-Output 'Installer check passed: installed, on PATH once, --self-test passed, uninstalled cleanly.'
