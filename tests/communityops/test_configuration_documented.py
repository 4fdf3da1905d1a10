"""README's configuration table lists every environment variable the settings read, and nothing else."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# test.py reads only the suite's own switches (CO_TEST_*), no deployment's.
DEPLOYED_SETTINGS = ("base.py", "development.py", "production.py")
ENVIRONMENT_READERS = {"env_bool", "env_list"}  # base.py's helpers, name first


def _environment_names_read(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = ast.unparse(node.func)
            if function in ENVIRONMENT_READERS or function in {"os.environ.get", "os.getenv"}:
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(ast.literal_eval(node.slice))
    return names


def _names_in_readme_configuration_table() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split(" | ")[0])}


def test_every_environment_variable_the_settings_read_is_documented_and_nothing_more():
    settings_directory = ROOT / "communityops" / "settings"
    read = set().union(
        *(_environment_names_read((settings_directory / name).read_text()) for name in DEPLOYED_SETTINGS)
    )
    documented = _names_in_readme_configuration_table() - {"DJANGO_SETTINGS_MODULE"}  # read by manage.py and wsgi

    assert "SECRET_KEY" in read and len(documented) > 10
    assert {"undocumented": read - documented, "unused": documented - read} == {"undocumented": set(), "unused": set()}
