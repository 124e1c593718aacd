"""The README's example runs as written."""
import pathlib
import re


def test_readme_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)             # the files an example writes (model.onnx) go there
    text = (pathlib.Path(__file__).parent.parent / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README has no python example"
    namespace = {}                          # later blocks build on earlier ones, as a reader would
    for code in blocks:
        exec(compile(code, "README.md", "exec"), namespace)
