"""What the browser tests need before they start."""

import pytest

from tests.browser.conftest import require_chromium


def test_a_missing_chromium_fails_the_run_with_the_install_command(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)  # outside CI too: never a quiet skip
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium"):
        require_chromium(str(tmp_path / "chromium"))


def test_an_installed_chromium_lets_them_run(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.touch()
    require_chromium(str(chromium))
