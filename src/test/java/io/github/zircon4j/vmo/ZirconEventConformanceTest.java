package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.ZxTestSupport.assertOk;
import static io.github.zircon4j.vmo.ZxTestSupport.assertStatus;
import static io.github.zircon4j.vmo.ZxTestSupport.handleBasic;
import static io.github.zircon4j.vmo.ZxTestSupport.pageSize;
import static io.github.zircon4j.vmo.ZxTestSupport.poll;
import static io.github.zircon4j.vmo.ZxTestSupport.root;
import static io.github.zircon4j.vmo.ZxTestSupport.vmoInfo;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.ZxTestSupport.HandleBasic;
import io.github.zircon4j.vmo.ZxTestSupport.Resources;
import io.github.zircon4j.zircon.Zircon;
import io.github.zircon4j.zircon.zx_info_handle_count;
import io.github.zircon4j.zircon.zx_wait_item;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Events and event pairs, zx_object_signal / zx_object_signal_peer, zx_object_wait_many,
 * zx_handle_close_many, ZX_INFO_HANDLE_COUNT and zx_vmo_set_cache_policy.
 */
class ZirconEventConformanceTest {
  @BeforeAll
  static void loadZircon() {
    ZirconLibrary.ensureLoaded();
  }

  private static int event(Resources res) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
      assertOk(Zircon.zx_event_create(0, out), "zx_event_create");
      return res.own(out.get(ValueLayout.JAVA_INT, 0));
    }
  }

  private static int[] eventPair(Resources res) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocate(ValueLayout.JAVA_INT);
      MemorySegment b = arena.allocate(ValueLayout.JAVA_INT);
      assertOk(Zircon.zx_eventpair_create(0, a, b), "zx_eventpair_create");
      return new int[] {
        res.own(a.get(ValueLayout.JAVA_INT, 0)), res.own(b.get(ValueLayout.JAVA_INT, 0))
      };
    }
  }

  /** The signals asserted on {@code handle} right now. */
  private static int signalsOf(int handle) {
    ZxTestSupport.WaitResult r = poll(handle, 0);
    assertStatus(r.status(), Zircon.ZX_ERR_TIMED_OUT(), "poll for no signal");
    return r.observed();
  }

  private static long handleCount(int handle) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = zx_info_handle_count.allocate(arena);
      assertOk(
          Zircon.zx_object_get_info(
              handle,
              Zircon.ZX_INFO_HANDLE_COUNT(),
              info,
              zx_info_handle_count.sizeof(),
              MemorySegment.NULL,
              MemorySegment.NULL),
          "ZX_INFO_HANDLE_COUNT");
      return Integer.toUnsignedLong(zx_info_handle_count.handle_count(info));
    }
  }

  @Test
  void anEventStartsUnsignaledWithDefaultEventRights() {
    try (var res = new Resources()) {
      int ev = event(res);
      HandleBasic info = handleBasic(ev);
      assertThat(info.type()).isEqualTo(Zircon.ZX_OBJ_TYPE_EVENT());
      assertThat(info.rights()).isEqualTo(Zircon.ZX_DEFAULT_EVENT_RIGHTS());
      assertThat(info.props()).isEqualTo(Zircon.ZX_OBJ_PROP_WAITABLE());
      assertThat(signalsOf(ev)).isZero();
    }
  }

  @Test
  void eventCreateRejectsOptions() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
      assertStatus(Zircon.zx_event_create(1, out), Zircon.ZX_ERR_INVALID_ARGS(), "options 1");
      MemorySegment other = arena.allocate(ValueLayout.JAVA_INT);
      assertStatus(
          Zircon.zx_eventpair_create(1, out, other),
          Zircon.ZX_ERR_NOT_SUPPORTED(),
          "eventpair options 1");
    }
  }

  @Test
  void objectSignalSetsAndClearsOnlyAllowedBits() {
    try (var res = new Resources()) {
      int ev = event(res);
      int set = Zircon.ZX_EVENT_SIGNALED() | Zircon.ZX_USER_SIGNAL_3();
      assertOk(Zircon.zx_object_signal(ev, 0, set), "signal");
      assertThat(signalsOf(ev)).isEqualTo(set);
      assertOk(Zircon.zx_object_signal(ev, Zircon.ZX_USER_SIGNAL_3(), 0), "clear");
      assertThat(signalsOf(ev)).isEqualTo(Zircon.ZX_EVENT_SIGNALED());
      assertStatus(
          Zircon.zx_object_signal(ev, 0, Zircon.ZX_EVENTPAIR_PEER_CLOSED()),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "set PEER_CLOSED on an event");
      int vmo = res.vmo(pageSize());
      assertStatus(
          Zircon.zx_object_signal(vmo, 0, Zircon.ZX_EVENT_SIGNALED()),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "set SIGNALED on a VMO");
      int noSignal =
          res.duplicate(ev, Zircon.ZX_DEFAULT_EVENT_RIGHTS() & ~Zircon.ZX_RIGHT_SIGNAL());
      assertStatus(
          Zircon.zx_object_signal(noSignal, 0, Zircon.ZX_USER_SIGNAL_0()),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "signal without SIGNAL");
      assertStatus(
          Zircon.zx_object_signal_peer(ev, 0, Zircon.ZX_USER_SIGNAL_0()),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "signal_peer on an event (no SIGNAL_PEER)");
    }
  }

  @Test
  void anEventPairSignalsItsPeerUntilThePeerIsClosed() {
    try (var res = new Resources()) {
      int[] pair = eventPair(res);
      HandleBasic a = handleBasic(pair[0]);
      HandleBasic b = handleBasic(pair[1]);
      assertThat(a.type()).isEqualTo(Zircon.ZX_OBJ_TYPE_EVENTPAIR());
      assertThat(a.rights()).isEqualTo(Zircon.ZX_DEFAULT_EVENTPAIR_RIGHTS());
      assertThat(a.relatedKoid()).isEqualTo(b.koid());
      assertThat(b.relatedKoid()).isEqualTo(a.koid());
      assertOk(
          Zircon.zx_object_signal_peer(pair[0], 0, Zircon.ZX_EVENTPAIR_SIGNALED()), "signal peer");
      assertThat(signalsOf(pair[1])).isEqualTo(Zircon.ZX_EVENTPAIR_SIGNALED());
      assertThat(signalsOf(pair[0])).isZero();
      res.closeOk(pair[0]);
      assertThat(signalsOf(pair[1]))
          .isEqualTo(Zircon.ZX_EVENTPAIR_SIGNALED() | Zircon.ZX_EVENTPAIR_PEER_CLOSED());
      assertStatus(
          Zircon.zx_object_signal_peer(pair[1], 0, Zircon.ZX_USER_SIGNAL_0()),
          Zircon.ZX_ERR_PEER_CLOSED(),
          "signal a closed peer");
      assertThat(handleBasic(pair[1]).relatedKoid()).isEqualTo(a.koid());
    }
  }

  @Test
  void handleCountCountsHandlesNotMappings() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      assertThat(handleCount(vmo)).isEqualTo(1);
      int dup = res.duplicate(vmo, Zircon.ZX_RIGHT_SAME_RIGHTS());
      assertThat(handleCount(vmo)).isEqualTo(2);
      res.map(Zircon.ZX_VM_PERM_READ(), vmo, 0, pageSize());
      res.closeOk(vmo);
      assertThat(handleCount(dup)).isEqualTo(1);
      int blind = res.duplicate(dup, Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_INSPECT());
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment info = zx_info_handle_count.allocate(arena);
        assertStatus(
            Zircon.zx_object_get_info(
                blind,
                Zircon.ZX_INFO_HANDLE_COUNT(),
                info,
                info.byteSize(),
                MemorySegment.NULL,
                MemorySegment.NULL),
            Zircon.ZX_ERR_ACCESS_DENIED(),
            "HANDLE_COUNT without INSPECT");
      }
    }
  }

  @Test
  void closeManyClosesEveryHandleAndReportsADuplicate() {
    try (var res = new Resources();
        Arena arena = Arena.ofConfined()) {
      int[] p1 = eventPair(res);
      int[] p2 = eventPair(res);
      res.forget(p1[0]);
      res.forget(p2[0]);
      MemorySegment list =
          arena.allocateFrom(ValueLayout.JAVA_INT, p1[0], Zircon.ZX_HANDLE_INVALID(), p2[0], p1[0]);
      assertStatus(
          Zircon.zx_handle_close_many(list, 4),
          Zircon.ZX_ERR_BAD_HANDLE(),
          "close_many with a handle twice");
      assertThat(signalsOf(p1[1]) & Zircon.ZX_EVENTPAIR_PEER_CLOSED()).isNotZero();
      assertThat(signalsOf(p2[1]) & Zircon.ZX_EVENTPAIR_PEER_CLOSED()).isNotZero();
    }
  }

  @Test
  void waitManyReportsEachItemsSignals() {
    try (var res = new Resources();
        Arena arena = Arena.ofConfined()) {
      int quiet = event(res);
      int loud = event(res);
      assertOk(Zircon.zx_object_signal(loud, 0, Zircon.ZX_EVENT_SIGNALED()), "signal");
      MemorySegment items = zx_wait_item.allocateArray(2, arena);
      int[] handles = {quiet, loud};
      for (int i = 0; i < 2; i++) {
        MemorySegment item = zx_wait_item.asSlice(items, i);
        zx_wait_item.handle(item, handles[i]);
        zx_wait_item.waitfor(item, Zircon.ZX_EVENT_SIGNALED());
        zx_wait_item.pending(item, 0xAAAA);
      }
      assertOk(Zircon.zx_object_wait_many(items, 2, Zircon.ZX_TIME_INFINITE()), "wait_many");
      assertThat(zx_wait_item.pending(zx_wait_item.asSlice(items, 0))).isZero();
      assertThat(zx_wait_item.pending(zx_wait_item.asSlice(items, 1)))
          .isEqualTo(Zircon.ZX_EVENT_SIGNALED());
      assertStatus(
          Zircon.zx_object_wait_many(items, Zircon.ZX_WAIT_MANY_MAX_ITEMS() + 1, 0),
          Zircon.ZX_ERR_OUT_OF_RANGE(),
          "65 items");
      zx_wait_item.handle(zx_wait_item.asSlice(items, 1), root());
      assertStatus(
          Zircon.zx_object_wait_many(items, 2, Zircon.ZX_TIME_INFINITE_PAST()),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "the root VMAR has no WAIT");
    }
  }

  @Test
  void cachePolicyIsRecordedUntilTheVmoIsMappedOrHasChildren() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      assertOk(Zircon.zx_vmo_set_cache_policy(vmo, Zircon.ZX_CACHE_POLICY_UNCACHED()), "uncached");
      assertThat(vmoInfo(vmo).cachePolicy()).isEqualTo(Zircon.ZX_CACHE_POLICY_UNCACHED());
      assertStatus(
          Zircon.zx_vmo_set_cache_policy(vmo, Zircon.ZX_CACHE_POLICY_MASK() + 1),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "policy outside the mask");
      long addr = res.map(Zircon.ZX_VM_PERM_READ(), vmo, 0, pageSize());
      assertStatus(
          Zircon.zx_vmo_set_cache_policy(vmo, Zircon.ZX_CACHE_POLICY_CACHED()),
          Zircon.ZX_ERR_BAD_STATE(),
          "while mapped");
      res.unmapOk(addr, pageSize());
      // An uncached VMO has no copy-on-write children (ZirconFidelityConformanceTest): a slice.
      int child = res.child(vmo, Zircon.ZX_VMO_CHILD_SLICE(), 0, pageSize());
      assertStatus(
          Zircon.zx_vmo_set_cache_policy(vmo, Zircon.ZX_CACHE_POLICY_CACHED()),
          Zircon.ZX_ERR_BAD_STATE(),
          "with a child");
      assertStatus(
          Zircon.zx_vmo_set_cache_policy(child, Zircon.ZX_CACHE_POLICY_CACHED()),
          Zircon.ZX_ERR_BAD_STATE(),
          "on a child");
      res.closeOk(child);
      assertOk(Zircon.zx_vmo_set_cache_policy(vmo, Zircon.ZX_CACHE_POLICY_CACHED()), "cached");
      int noMap = res.duplicate(vmo, Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_MAP());
      assertStatus(
          Zircon.zx_vmo_set_cache_policy(noMap, Zircon.ZX_CACHE_POLICY_CACHED()),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "without MAP");
    }
  }
}
