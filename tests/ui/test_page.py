"""The served page without a browser: what a link restores, hides and reports."""
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pn = pytest.importorskip("panel")

from workbench.ui.app import page  # noqa: E402
from workbench.ui.url_state import encode_conf  # noqa: E402

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_links():
    return re.findall(r"`(http://localhost:5006/workbench\?[^`]+)`", README.read_text())


def query_of(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_readme_lesson_links_name_only_what_the_page_has():
    links = readme_links()
    assert len(links) >= 2
    for url in links:
        template = page(query_of(url))
        notice = template.main[0]
        assert not notice.visible, f"{url}: {notice.object}"
        assert template.session.task.name == query_of(url)["task"]


def test_a_link_restores_configuration_and_epochs_and_hides_tabs_and_controls():
    base = page({"task": "Tiny Shakespeare"})
    conf = base.session.conf
    changed = type(conf).from_json(conf.to_json().replace('"tbptt_fwd_length": 50', '"tbptt_fwd_length": 25'))
    template = page({"task": "Tiny Shakespeare", "conf": encode_conf(changed), "epochs": "3",
                     "hide": "data,step,train.save,updater", "tab": "train"})
    session = template.session
    assert session.conf == changed and session.conf.tbptt_fwd_length == 25 and session.epochs == 3
    assert template.tabs.shown == ["Build", "Train", "Runs"] and template.tabs.active == 1
    assert not template.views["Train"].controls["save"].visible
    assert not template.views["Build"].controls["updater"].visible
    assert template.views["Build"].controls["layers"].visible
    assert template.views["Build"].state.conf == changed          # the Build tab shows the link's network


@pytest.mark.parametrize("query, says", [
    ({"task": "No such task"}, "is not one of the workbench's"),
    ({"conf": "not-a-configuration"}, "its conf could not be used"),
    ({"epochs": "0"}, "its epochs could not be used"),
    ({"hide": "nothing-here"}, "hides nothing-here, which the page does not have"),
])
def test_a_damaged_link_opens_the_defaults_and_says_what_it_dropped(query, says):
    template = page(query)
    notice = template.main[0]
    assert notice.visible and notice.alert_type == "warning" and says in notice.object
    assert template.session.conf is not None and template.session.task is not None
