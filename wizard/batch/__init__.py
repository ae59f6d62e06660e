"""Batch onboarding (`setup --from links.toml`), without Qt: `lines` finds where each TOML table
and key is, `rows` reads and checks the file without AWS, `checks` checks the rows with AWS reads,
`runner` builds them; the command is wizard/commands/batch.py."""
