"""The README's Python example runs as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[3] / "README.md"


def test_readme_python_example_runs(capsys):
    text = README.read_text()
    section = text[text.index("### Python") :]
    example = re.search(r"```python\n(.*?)```", section, re.S)
    assert example is not None, "README has no Python example under ### Python"
    exec(compile(example.group(1), "README.md", "exec"), {})
    assert "access denied: a patient may not write" in capsys.readouterr().out
