"""Crafted model files are refused within bounded memory: each is loaded in a child process whose
address space is capped a few hundred MB above its size after imports."""
import pytest

from crafted import CRAFTED, load_in_child

BOMB = 384 * 2**20          # each bomb member inflates to 384 MiB (about 400 kB on disk)
LIMIT_MB = 256              # address space the child may add on top of its baseline


@pytest.fixture(scope="module")
def crafted_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("crafted")


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_crafted_file_is_refused_in_bounded_memory(crafted_dir, name):
    path = CRAFTED[name](crafted_dir / (name.replace(" ", "_").replace("*", "") + ".zip"), BOMB)
    result = load_in_child(path, limit_mb=LIMIT_MB)
    assert result["outcome"] == "refused" and result["type"] == "ModelFileError", result
    assert str(path) in result["message"]
    assert result["peak_above_baseline_mb"] < 64, result


def test_a_good_model_loads_under_the_same_limit(crafted_dir):
    from crafted import good_members, write
    result = load_in_child(write(crafted_dir / "good.zip", good_members()), limit_mb=LIMIT_MB)
    assert result["outcome"] == "loaded", result
