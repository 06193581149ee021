"""The typed usage file runs against the real module (scripts/test-python also
checks it with `mypy --strict`, and the stubs with `stubtest`)."""

from __future__ import annotations

import pytest

import typed_usage


def test_the_typed_usage_file_runs(capsys: pytest.CaptureFixture[str]) -> None:
    typed_usage.main()
    assert "fake:video:0" in capsys.readouterr().out
