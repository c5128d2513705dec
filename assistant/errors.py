"""A few exceptions; the CLI and UI turn them into messages for people."""


class AssistantError(Exception):
    """Base for errors whose message is meant for the user (Chinese, says what to do)."""


class ConfigurationError(AssistantError):
    """A setting is invalid or a configured model cannot be loaded."""


class DocumentError(AssistantError):
    """A file cannot be read as a policy document."""


class IndexMissingError(AssistantError):
    """No index has been built yet."""


class IndexModelMismatchError(AssistantError):
    """The index was built with another embedding model."""
