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


class IndexCorruptError(AssistantError):
    """The index on disk is incomplete or inconsistent; only a rebuild repairs it."""


class IndexBusyError(AssistantError):
    """Another ingest holds the index folder's lock."""


class StoreError(AssistantError):
    """Writing to Chroma or to the index folder failed; the index is left as it was."""
