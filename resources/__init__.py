"""Data files (consumer profiles, IAM policy, icons, style sheet), shipped as wizard.resources."""
