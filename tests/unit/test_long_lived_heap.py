"""A started service sets what it holds aside from the garbage collector, so that a
full collection no longer stops it for 20–160 ms (bench/README.md)."""
import gc
import weakref

from shared.service import LongLivedHeap, OtgService


class Cycle:
    def __init__(self):
        self.me = self


def test_what_a_service_holds_at_start_is_left_out_of_later_collections():
    gc.unfreeze()
    try:
        LongLivedHeap().start()
        assert gc.get_freeze_count() > 0
        assert gc.get_count()[0] < 100  # the collection just ran
    finally:
        gc.unfreeze()


def test_garbage_made_before_the_start_is_collected_not_kept_for_good():
    garbage = Cycle()
    gone = weakref.ref(garbage)
    del garbage
    gc.unfreeze()
    try:
        LongLivedHeap().start()
        assert gone() is None
    finally:
        gc.unfreeze()


def test_a_stopped_service_gives_what_it_held_back_to_the_collector():
    gc.unfreeze()
    heap = LongLivedHeap()
    heap.start()
    heap.stop()  # a process that starts many containers (the tests) frees each one
    assert gc.get_freeze_count() == 0
    heap.start()
    heap.kill()
    assert gc.get_freeze_count() == 0


def test_every_service_sets_its_heap_aside_when_it_starts():
    assert isinstance(OtgService.heap, LongLivedHeap)
