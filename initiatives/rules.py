# Loaded by rules' autodiscovery (rules.apps.AutodiscoverRulesConfig) at start-up.
import initiatives.access  # noqa: F401
