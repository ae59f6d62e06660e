@echo off
rem The "privatelink-wizard" command in a terminal (setup, status, teardown...): the installer
rem puts this folder on the user's PATH. It runs the console twin of the windowed app, which
rem can print; the exit code passes through.
"%~dp0..\privatelink-wizard-cli.exe" %*
