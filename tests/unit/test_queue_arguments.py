"""The arguments every queue a service declares takes, by OTG_QUEUE_TYPE."""
import pytest

from shared import broker, config


def test_quorum_follower_queues_are_replicated_with_one_active_consumer(monkeypatch):
    monkeypatch.setenv("OTG_QUEUE_TYPE", "quorum")
    assert broker.follower_queue_arguments() == {"x-queue-type": "quorum",
                                                 "x-single-active-consumer": True}


def test_classic_follower_queues_name_no_type_so_old_queues_redeclare_alike(monkeypatch):
    monkeypatch.setenv("OTG_QUEUE_TYPE", "Classic")
    assert broker.follower_queue_arguments() == {"x-single-active-consumer": True}
    assert broker.queue_arguments() == {}


def test_dead_letter_queues_take_the_type_but_no_single_consumer(monkeypatch):
    from shared import deadletter
    monkeypatch.setenv("OTG_QUEUE_TYPE", "quorum")
    queue = deadletter.queue_for("registry.handle_inspection_hazard_found")
    assert queue.queue_arguments == {"x-queue-type": "quorum"} and queue.durable


def test_the_new_setting_wins_over_the_old_one(monkeypatch):
    monkeypatch.setenv("OTG_QUORUM_QUEUES", "1")
    monkeypatch.setenv("OTG_QUEUE_TYPE", "classic")
    assert config.queue_type() == "classic"


def test_an_unknown_queue_type_is_named(monkeypatch):
    monkeypatch.setenv("OTG_QUEUE_TYPE", "stream")
    with pytest.raises(ValueError, match="OTG_QUEUE_TYPE='stream'"):
        broker.follower_queue_arguments()
