"""The Build tab's sweep without workers: the fields a network offers, the values typed, what a
launch would start and why it cannot, the launch's message and event, and the card's widgets."""
from types import SimpleNamespace

import pytest

from workbench.errors import InvalidInputError
from workbench.nn import LSTM, Bidirectional, DenseLayer, InputType, MultiLayerConfiguration, RnnOutputLayer
from workbench.ui.build.sweep import SweepState, parse_values, sweepable
from workbench.ui.session import WorkbenchSession


@pytest.fixture
def session():
    """A session that looks as if it kept runs; start_sweep records what it is asked."""
    s = WorkbenchSession("UCI synthetic control")
    s.runs = SimpleNamespace(store=None)
    s.asked = []

    def start_sweep(space, epochs, n_samples, name=None):
        s.asked.append((space, epochs, n_samples, name))
        return name or "sweep 4", [SimpleNamespace(run_id=7), SimpleNamespace(run_id=8)], \
            [({"layers.0.n_out": 0}, "n_out must be >= 1")]
    s.start_sweep = start_sweep
    return s


def test_the_fields_a_network_offers_are_its_numbers_but_the_datas():
    conf = MultiLayerConfiguration([Bidirectional(LSTM(8)), DenseLayer(5), RnnOutputLayer(3)],
                                   input_type=InputType.recurrent(2), seed=None)
    fields = sweepable(conf)
    assert fields["layers.0.layer.n_out"] == 8 and fields["layers.1.n_out"] == 5
    assert fields["updater.lr"] == conf.updater.lr and fields["seed"] is None and fields["l2"] == 0.0
    assert "layers.2.n_out" not in fields and not any("n_in" in p or "input_type" in p for p in fields)
    assert sweepable(None) == {}


def test_values_are_read_as_the_fields_type():
    assert parse_values("updater.lr", "0.1, 1e-2 0.1", 0.02) == [0.1, 0.01]        # distinct, as typed
    assert parse_values("layers.0.n_out", "16,32;64", 32) == [16, 32, 64]
    assert parse_values("seed", "1 2", None) == [1, 2]
    for text, current, match in (("", 32, "type the values"), ("16, 3.5", 32, "'3.5' is not a whole number"),
                                 ("fast", 0.1, "'fast' is not a number"), ("inf", 0.1, "not a finite")):
        with pytest.raises(InvalidInputError, match=match):
            parse_values("f", text, current)


def test_the_plan_follows_the_fields_and_says_why_it_cannot_launch(session):
    s = SweepState(session)
    assert s.problem == "add a field to sweep" and s.plan == "" and s.space == {}
    s.add_field()                                            # the first field, with values around it
    assert s.fields == [{"field": "layers.0.n_out", "values": "16, 32, 64"}] and s.plan == "3 runs"
    s.add_field("updater.lr", "0.01 0.03")
    assert s.plan == "3 × 2 = 6 runs" and s.space == {"layers.0.n_out": [16, 32, 64], "updater.lr": [0.01, 0.03]}
    s.n_samples = 4
    assert s.plan == "4 of 6 combinations, drawn at random"
    s.n_samples = 7
    assert "more than the 6 combinations" in s.problem and s.space == {}
    s.n_samples = None
    s.set_values(1, "0.01, x")
    assert s.problem == "updater.lr: 'x' is not a number" and s.launch() == [] and s.message_kind == "error"
    s.set_field(1, "seed")
    assert s.fields[1] == {"field": "seed", "values": "42, 43, 44"} and s.plan == "3 × 3 = 9 runs"
    s.remove_field(0)
    assert [f["field"] for f in s.fields] == ["seed"]
    with pytest.raises(InvalidInputError, match="swept already"):
        s.add_field("seed")
    s.add_field("l2", "0 0.001")
    with pytest.raises(InvalidInputError, match=r"seed is swept already \(row 1\)"):
        s.set_field(1, "seed")
    s.remove_field(1)
    with pytest.raises(InvalidInputError, match="'layers.7.n_out' is not a field"):
        s.set_field(0, "layers.7.n_out")
    with pytest.raises(IndexError, match="1 fields are swept"):
        s.set_values(3, "1")
    session.conf = None                                      # the network became invalid in Build
    assert s.problem == "the network is not valid (see above)"
    session.runs = None
    assert "keeps no runs" in s.problem


def test_a_launch_starts_the_runs_and_says_the_points_left_out(session):
    s = SweepState(session, epochs=3)
    s.add_field("layers.0.n_out", "0, 8, 16")
    launched = []
    s.param.watch(lambda e: launched.append(e.new), "launched")
    assert s.launch() == [7, 8]
    assert session.asked == [({"layers.0.n_out": [0, 8, 16]}, 3, None, None)]
    assert s.message_kind == "warning" and "Launched sweep 4: 2 runs (#7–#8), 3 epochs each" in s.message
    assert "Left out: layers.0.n_out=0: n_out must be >= 1" in s.message
    s.sweep_name = "mine"
    s.launch()
    s.launch()                                               # the same name again still fires
    assert launched == ["sweep 4", "mine", "mine"] and session.asked[-1][3] == "mine"


def test_the_card_edits_the_state_and_has_a_tip_on_every_input(session):
    pn = pytest.importorskip("panel")
    from workbench.ui.build.sweep_view import SweepCard
    card = SweepCard(session)
    assert card.launch_button.disabled and "add a field" in card.plan.object
    card.add_button.clicks += 1                              # layers.0.n_out
    card.state.add_field("updater.lr", "0.01, 0.1")
    assert len(card.rows.objects) == len(card.state.fields) == 2 and not card.launch_button.disabled
    select, values = card._widgets[1]
    values.value = "0.5"
    assert card.state.space["updater.lr"] == [0.5] and card.plan.object == "**3 × 1 = 3 runs**"
    select.value = "seed"
    assert card.state.fields[1]["field"] == "seed" and card._widgets[1][1].value == "42, 43, 44"
    values = card._widgets[1][1]
    values.value = "1, 1.5"                                  # a refusal is a message in the card, not a raise
    assert card.launch_button.disabled and "'1.5' is not a whole number" in card.plan.object
    card.rows.objects[0][2].clicks += 1                      # remove the first row
    assert [f["field"] for f in card.state.fields] == ["seed"] and len(card.rows.objects) == 1
    inputs = [w for w in (*card._widgets[0], card.n_samples, card.epochs, card.name_input, card.add_button,
                          card.launch_button, card.rows.objects[0][2])]
    assert [w.name for w in inputs if not w.description] == []
    assert isinstance(card.__panel__(), pn.Card) and card.__panel__().collapsed
