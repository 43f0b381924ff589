// Conformance scenarios for events, event pairs, zx_object_signal / zx_object_signal_peer,
// zx_object_wait_many, zx_handle_close_many, ZX_INFO_HANDLE_COUNT and zx_vmo_set_cache_policy.

#include <pthread.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "harness.h"

static zx_handle_t make_event(void) {
  zx_handle_t h = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_event_create(0, &h), ZX_OK);
  return h;
}

static zx_info_handle_basic_t basic_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  memset(&info, 0, sizeof(info));
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL), ZX_OK);
  return info;
}

static uint32_t handle_count_of(zx_handle_t h) {
  zx_info_handle_count_t info = {.handle_count = 12345};
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_HANDLE_COUNT, &info, sizeof(info), NULL, NULL), ZX_OK);
  return info.handle_count;
}

static zx_signals_t signals_of(zx_handle_t h) {
  zx_signals_t observed = 0;
  zx_status_t st = zx_object_wait_one(h, 0, ZX_TIME_INFINITE_PAST, &observed);
  CHECK_EQ(st, ZX_ERR_TIMED_OUT);
  return observed;
}

SCENARIO(event_create_checks_and_rights) {
  zx_handle_t h = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_event_create(1, &h), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_event_create(0, NULL), ZX_ERR_INVALID_ARGS);
  h = make_event();
  zx_info_handle_basic_t info = basic_of(h);
  CHECK_EQ(info.type, ZX_OBJ_TYPE_EVENT);
  CHECK_EQ(info.rights, ZX_DEFAULT_EVENT_RIGHTS);
  CHECK_EQ(info.props, ZX_OBJ_PROP_WAITABLE);
  CHECK_EQ(info.related_koid, 0);
  CHECK_EQ(signals_of(h), 0);
  CHECK_EQ(zx_handle_close(h), ZX_OK);
}

SCENARIO(object_signal_sets_and_clears_allowed_bits) {
  zx_handle_t ev = make_event();
  CHECK_EQ(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_3), ZX_OK);
  CHECK_EQ(signals_of(ev), ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_3);
  CHECK_EQ(zx_object_signal(ev, ZX_USER_SIGNAL_3, ZX_USER_SIGNAL_0), ZX_OK);
  CHECK_EQ(signals_of(ev), ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0);
  // Clear applies before set: both on the same bit leave it set.
  CHECK_EQ(zx_object_signal(ev, ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_0), ZX_OK);
  CHECK_EQ(signals_of(ev) & ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_0);
  // Bits outside the allowed set: INVALID_ARGS, nothing changes.
  CHECK_EQ(zx_object_signal(ev, 0, ZX_EVENTPAIR_PEER_CLOSED), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_signal(ev, ZX_SIGNAL_HANDLE_CLOSED, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(signals_of(ev), ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0);
  // A VMO allows only the user signals.
  zx_handle_t vmo = make_vmo(ps(), 0);
  CHECK_EQ(zx_object_signal(vmo, 0, ZX_USER_SIGNAL_7), ZX_OK);
  CHECK_EQ(signals_of(vmo), ZX_VMO_ZERO_CHILDREN | ZX_USER_SIGNAL_7);
  CHECK_EQ(zx_object_signal(vmo, ZX_VMO_ZERO_CHILDREN, 0), ZX_ERR_INVALID_ARGS);
  // Rights and handles.
  zx_handle_t ro = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(ev, ZX_DEFAULT_EVENT_RIGHTS & ~ZX_RIGHT_SIGNAL, &ro), ZX_OK);
  CHECK_EQ(zx_object_signal(ro, 0, ZX_USER_SIGNAL_1), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_object_signal(ro, 0, ZX_EVENTPAIR_PEER_CLOSED), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_object_signal(ZX_HANDLE_INVALID, 0, 0), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_object_signal(zx_vmar_root_self(), 0, ZX_USER_SIGNAL_0), ZX_ERR_ACCESS_DENIED);
  // signal_peer on objects without peers: their handles lack SIGNAL_PEER.
  CHECK_EQ(zx_object_signal_peer(ev, 0, ZX_USER_SIGNAL_0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_object_signal_peer(vmo, 0, ZX_USER_SIGNAL_0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_object_signal_peer(ZX_HANDLE_INVALID, 0, 0), ZX_ERR_BAD_HANDLE);
  // Properties an event does not have: no property rights.
  uint64_t size = 0;
  CHECK_EQ(zx_object_get_property(ev, ZX_PROP_VMO_CONTENT_SIZE, &size, sizeof(size)),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
  CHECK_EQ(zx_handle_close(ev), ZX_OK);
}

SCENARIO(eventpair_signals_its_peer_and_reports_peer_closed) {
  zx_handle_t a = ZX_HANDLE_INVALID, b = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_eventpair_create(1, &a, &b), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_eventpair_create(0, NULL, &b), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_eventpair_create(0, &a, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_eventpair_create(0, &a, &b), ZX_OK);
  zx_info_handle_basic_t ia = basic_of(a), ib = basic_of(b);
  CHECK_EQ(ia.type, ZX_OBJ_TYPE_EVENTPAIR);
  CHECK_EQ(ia.rights, ZX_DEFAULT_EVENTPAIR_RIGHTS);
  CHECK_EQ(ia.related_koid, ib.koid);
  CHECK_EQ(ib.related_koid, ia.koid);
  CHECK_EQ(zx_object_signal_peer(a, 0, ZX_EVENTPAIR_SIGNALED | ZX_USER_SIGNAL_2), ZX_OK);
  CHECK_EQ(signals_of(b), ZX_EVENTPAIR_SIGNALED | ZX_USER_SIGNAL_2);
  CHECK_EQ(signals_of(a), 0);
  CHECK_EQ(zx_object_signal_peer(b, 0, ZX_EVENTPAIR_PEER_CLOSED), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_signal_peer(a, ZX_USER_SIGNAL_2, 0), ZX_OK);
  CHECK_EQ(signals_of(b), ZX_EVENTPAIR_SIGNALED);
  // PEER_CLOSED only once the last handle of a is gone.
  zx_handle_t a2 = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(a, ZX_RIGHT_SAME_RIGHTS, &a2), ZX_OK);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
  CHECK_EQ(signals_of(b) & ZX_EVENTPAIR_PEER_CLOSED, 0);
  // Replacing the last handle keeps the end alive.
  zx_handle_t a3 = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_replace(a2, ZX_RIGHT_SAME_RIGHTS, &a3), ZX_OK);
  CHECK_EQ(signals_of(b) & ZX_EVENTPAIR_PEER_CLOSED, 0);
  CHECK_EQ(zx_handle_close(a3), ZX_OK);
  CHECK_EQ(signals_of(b), ZX_EVENTPAIR_SIGNALED | ZX_EVENTPAIR_PEER_CLOSED);
  CHECK_EQ(zx_object_signal_peer(b, 0, ZX_USER_SIGNAL_0), ZX_ERR_PEER_CLOSED);
  CHECK_EQ(zx_object_signal(b, ZX_EVENTPAIR_SIGNALED, 0), ZX_OK);
  CHECK_EQ(signals_of(b), ZX_EVENTPAIR_PEER_CLOSED);
  // related_koid survives the peer.
  CHECK_EQ(basic_of(b).related_koid, ia.koid);
  CHECK_EQ(zx_handle_close(b), ZX_OK);
}

SCENARIO(failed_replace_of_last_handle_closes_the_end) {
  zx_handle_t a = ZX_HANDLE_INVALID, b = ZX_HANDLE_INVALID, out = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_eventpair_create(0, &a, &b), ZX_OK);
  CHECK_EQ(zx_handle_replace(a, ZX_RIGHT_READ, &out), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(signals_of(b) & ZX_EVENTPAIR_PEER_CLOSED, ZX_EVENTPAIR_PEER_CLOSED);
  CHECK_EQ(zx_handle_close(b), ZX_OK);
}

SCENARIO(handle_count_counts_open_handles) {
  zx_handle_t v = make_vmo(ps(), 0);
  CHECK_EQ(handle_count_of(v), 1);
  zx_handle_t d = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(v, ZX_RIGHT_SAME_RIGHTS, &d), ZX_OK);
  CHECK_EQ(handle_count_of(v), 2);
  // A mapping keeps the VMO alive but is not a handle.
  zx_vaddr_t addr = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, v, 0, ps(), &addr), ZX_OK);
  CHECK_EQ(handle_count_of(d), 2);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
  CHECK_EQ(handle_count_of(d), 1);
  zx_handle_t no_inspect = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(d, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_INSPECT, &no_inspect), ZX_OK);
  zx_info_handle_count_t info;
  size_t actual = 7, avail = 7;
  CHECK_EQ(zx_object_get_info(no_inspect, ZX_INFO_HANDLE_COUNT, &info, sizeof(info), NULL, NULL),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_object_get_info(d, ZX_INFO_HANDLE_COUNT, &info, sizeof(info) - 1, &actual, &avail),
           ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(actual, 0);
  CHECK_EQ(avail, 1);
  CHECK_EQ(zx_object_get_info(d, ZX_INFO_HANDLE_COUNT, NULL, sizeof(info), NULL, NULL),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(handle_count_of(zx_vmar_root_self()), 1);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), addr, ps()), ZX_OK);
  CHECK_EQ(zx_handle_close(no_inspect), ZX_OK);
  CHECK_EQ(zx_handle_close(d), ZX_OK);
}

SCENARIO(close_many_closes_all_and_reports_bad_handles) {
  zx_handle_t a[4], b[4];
  for (int i = 0; i < 4; i++) CHECK_EQ(zx_eventpair_create(0, &a[i], &b[i]), ZX_OK);
  zx_handle_t list[6] = {a[0], ZX_HANDLE_INVALID, a[1], a[2], ZX_HANDLE_INVALID, a[3]};
  CHECK_EQ(zx_handle_close_many(list, 6), ZX_OK);
  for (int i = 0; i < 4; i++) {
    CHECK_EQ(signals_of(b[i]) & ZX_EVENTPAIR_PEER_CLOSED, ZX_EVENTPAIR_PEER_CLOSED);
  }
  // A value twice: the second is BAD_HANDLE, every handle is still closed.
  zx_handle_t c = make_event(), d = make_event();
  zx_handle_t dup_list[4] = {c, d, c, b[0]};
  CHECK_EQ(zx_handle_close_many(dup_list, 4), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_handle_close(d), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_handle_close(b[0]), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_handle_close_many(NULL, 0), ZX_OK);
  CHECK_EQ(zx_handle_close_many(NULL, 1), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_handle_close_many(&b[1], 3), ZX_OK);
}

SCENARIO(wait_many_checks_in_order) {
  zx_wait_item_t items[ZX_WAIT_MANY_MAX_ITEMS + 1];
  memset(items, 0, sizeof(items));
  zx_handle_t ev = make_event();
  for (size_t i = 0; i < ZX_WAIT_MANY_MAX_ITEMS + 1; i++) {
    items[i].handle = ev;
    items[i].waitfor = ZX_EVENT_SIGNALED;
  }
  CHECK_EQ(zx_object_wait_many(items, ZX_WAIT_MANY_MAX_ITEMS + 1, ZX_TIME_INFINITE_PAST),
           ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_object_wait_many(NULL, 1, ZX_TIME_INFINITE_PAST), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_wait_many(NULL, 0, ZX_TIME_INFINITE_PAST), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_object_wait_many(NULL, 0, zx_clock_get_monotonic() + 1000000), ZX_ERR_TIMED_OUT);
  // The full 64 items are accepted (the same handle many times).
  CHECK_EQ(zx_object_wait_many(items, ZX_WAIT_MANY_MAX_ITEMS, ZX_TIME_INFINITE_PAST),
           ZX_ERR_TIMED_OUT);
  zx_handle_t no_wait = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(ev, ZX_RIGHT_SIGNAL | ZX_RIGHT_DUPLICATE, &no_wait), ZX_OK);
  items[0].pending = 0xAAAA;
  items[1].handle = ZX_HANDLE_INVALID;
  items[2].handle = no_wait;
  CHECK_EQ(zx_object_wait_many(items, 3, ZX_TIME_INFINITE_PAST), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(items[0].pending, 0xAAAA);  // untouched: no wait happened
  items[1].handle = no_wait;
  items[2].handle = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_object_wait_many(items, 3, ZX_TIME_INFINITE_PAST), ZX_ERR_ACCESS_DENIED);
  items[1].handle = zx_vmar_root_self();
  CHECK_EQ(zx_object_wait_many(items, 2, ZX_TIME_INFINITE_PAST), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_close(no_wait), ZX_OK);
  CHECK_EQ(zx_handle_close(ev), ZX_OK);
}

SCENARIO(wait_many_reports_every_items_signals) {
  zx_handle_t e1 = make_event(), e2 = make_event();
  zx_handle_t vmo = make_vmo(ps(), 0);
  CHECK_EQ(zx_object_signal(e2, 0, ZX_USER_SIGNAL_1), ZX_OK);
  zx_wait_item_t items[3] = {
      {.handle = e1, .waitfor = ZX_EVENT_SIGNALED},
      {.handle = e2, .waitfor = ZX_EVENT_SIGNALED},
      {.handle = vmo, .waitfor = ZX_USER_SIGNAL_0},
  };
  CHECK_EQ(zx_object_wait_many(items, 3, ZX_TIME_INFINITE_PAST), ZX_ERR_TIMED_OUT);
  CHECK_EQ(items[0].pending, 0);
  CHECK_EQ(items[1].pending, ZX_USER_SIGNAL_1);
  CHECK_EQ(items[2].pending, ZX_VMO_ZERO_CHILDREN);
  CHECK_EQ(zx_object_signal(e2, 0, ZX_EVENT_SIGNALED), ZX_OK);
  CHECK_EQ(zx_object_wait_many(items, 3, ZX_TIME_INFINITE), ZX_OK);
  CHECK_EQ(items[1].pending, ZX_USER_SIGNAL_1 | ZX_EVENT_SIGNALED);
  CHECK_EQ(zx_handle_close(e1), ZX_OK);
  CHECK_EQ(zx_handle_close(e2), ZX_OK);
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

struct peer_job {
  zx_handle_t target;
  zx_handle_t gate;  // the test raises USER_SIGNAL_0 on it right before it starts waiting
  int close;         // 1: close `target`; 0: signal it
};

static void* signal_or_close(void* arg) {
  struct peer_job* job = arg;
  // Wait until the main thread is about to block (it raises USER_SIGNAL_0 on the gate first).
  CHECK_EQ(zx_object_wait_one(job->gate, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE, NULL), ZX_OK);
  if (job->close) {
    CHECK_EQ(zx_handle_close(job->target), ZX_OK);
  } else {
    CHECK_EQ(zx_object_signal_peer(job->target, 0, ZX_EVENTPAIR_SIGNALED), ZX_OK);
  }
  return NULL;
}

SCENARIO(wait_many_wakes_on_a_peer_signal) {
  zx_handle_t a = ZX_HANDLE_INVALID, b = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_eventpair_create(0, &a, &b), ZX_OK);
  zx_handle_t gate = make_event(), idle = make_event();
  struct peer_job job = {.target = b, .gate = gate, .close = 0};
  pthread_t t;
  CHECK_EQ(pthread_create(&t, NULL, signal_or_close, &job), 0);
  zx_wait_item_t items[2] = {{.handle = idle, .waitfor = ZX_EVENT_SIGNALED},
                             {.handle = a, .waitfor = ZX_EVENTPAIR_SIGNALED}};
  CHECK_EQ(zx_object_signal(gate, 0, ZX_USER_SIGNAL_0), ZX_OK);
  CHECK_EQ(zx_object_wait_many(items, 2, ZX_TIME_INFINITE), ZX_OK);
  CHECK_EQ(items[1].pending, ZX_EVENTPAIR_SIGNALED);
  CHECK_EQ(items[0].pending, 0);
  pthread_join(t, NULL);
  CHECK_EQ(zx_handle_close_many((zx_handle_t[]){a, b, gate, idle}, 4), ZX_OK);
}

// The closing thread may win the race and close the handle before the wait starts (then the
// wait is BAD_HANDLE); attempts repeat until one closes it during the wait, which must then be
// CANCELED with HANDLE_CLOSED in that item only.
SCENARIO(wait_many_is_canceled_when_a_handle_closes) {
  zx_handle_t other = make_event();
  int canceled = 0;
  for (int attempt = 0; attempt < 200 && canceled == 0; attempt++) {
    zx_handle_t ev = make_event(), gate = make_event();
    struct peer_job job = {.target = ev, .gate = gate, .close = 1};
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, signal_or_close, &job), 0);
    zx_wait_item_t items[2] = {{.handle = other, .waitfor = ZX_EVENT_SIGNALED},
                               {.handle = ev, .waitfor = ZX_EVENT_SIGNALED}};
    CHECK_EQ(zx_object_signal(gate, 0, ZX_USER_SIGNAL_0), ZX_OK);
    zx_status_t st = zx_object_wait_many(items, 2, ZX_TIME_INFINITE);
    CHECK(st == ZX_ERR_CANCELED || st == ZX_ERR_BAD_HANDLE);
    if (st == ZX_ERR_CANCELED) {
      canceled++;
      CHECK_EQ(items[1].pending & ZX_SIGNAL_HANDLE_CLOSED, ZX_SIGNAL_HANDLE_CLOSED);
      CHECK_EQ(items[0].pending & ZX_SIGNAL_HANDLE_CLOSED, 0);
    }
    pthread_join(t, NULL);
    CHECK_EQ(zx_handle_close(gate), ZX_OK);
  }
  CHECK_EQ(canceled, 1);
  CHECK_EQ(zx_handle_close(other), ZX_OK);
}

SCENARIO(cache_policy_rules) {
  zx_handle_t v = make_vmo(ps(), 0);
  CHECK_EQ(zx_vmo_set_cache_policy(v, ZX_CACHE_POLICY_UNCACHED), ZX_OK);
  CHECK_EQ(vmo_info(v).cache_policy, ZX_CACHE_POLICY_UNCACHED);
  CHECK_EQ(zx_vmo_set_cache_policy(v, ZX_CACHE_POLICY_UNCACHED_DEVICE), ZX_OK);
  CHECK_EQ(zx_vmo_set_cache_policy(v, ZX_CACHE_POLICY_WRITE_COMBINING), ZX_OK);
  CHECK_EQ(vmo_info(v).cache_policy, ZX_CACHE_POLICY_WRITE_COMBINING);
  // Checks in order: the policy value before the handle, then MAP.
  CHECK_EQ(zx_vmo_set_cache_policy(ZX_HANDLE_INVALID, ZX_CACHE_POLICY_MASK + 1),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_set_cache_policy(ZX_HANDLE_INVALID, ZX_CACHE_POLICY_CACHED), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_vmo_set_cache_policy(zx_vmar_root_self(), ZX_CACHE_POLICY_CACHED),
           ZX_ERR_WRONG_TYPE);
  zx_handle_t no_map = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(v, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_MAP, &no_map), ZX_OK);
  CHECK_EQ(zx_vmo_set_cache_policy(no_map, ZX_CACHE_POLICY_CACHED), ZX_ERR_ACCESS_DENIED);
  // Committed pages under a non-cached policy pin it; decommitting frees it again.
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_COMMIT, 0, ps(), NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_set_cache_policy(v, ZX_CACHE_POLICY_CACHED), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_DECOMMIT, 0, ps(), NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_set_cache_policy(v, ZX_CACHE_POLICY_CACHED), ZX_OK);
  // Under CACHED, committed pages do not matter.
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_COMMIT, 0, ps(), NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_set_cache_policy(v, ZX_CACHE_POLICY_UNCACHED), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_DECOMMIT, 0, ps(), NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_set_cache_policy(v, ZX_CACHE_POLICY_CACHED), ZX_OK);
  // Mapped: BAD_STATE until unmapped.
  zx_vaddr_t addr = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, v, 0, ps(), &addr), ZX_OK);
  CHECK_EQ(zx_vmo_set_cache_policy(v, ZX_CACHE_POLICY_CACHED), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), addr, ps()), ZX_OK);
  CHECK_EQ(zx_vmo_set_cache_policy(v, ZX_CACHE_POLICY_CACHED), ZX_OK);
  // With a child, and on the child itself: BAD_STATE.
  zx_handle_t child = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, ps(), &child), ZX_OK);
  CHECK_EQ(zx_vmo_set_cache_policy(v, ZX_CACHE_POLICY_CACHED), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmo_set_cache_policy(child, ZX_CACHE_POLICY_CACHED), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  CHECK_EQ(zx_vmo_set_cache_policy(v, ZX_CACHE_POLICY_CACHED), ZX_OK);
  CHECK_EQ(zx_handle_close(no_map), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

void run_event_tests(void) {
  RUN(event_create_checks_and_rights);
  RUN(object_signal_sets_and_clears_allowed_bits);
  RUN(eventpair_signals_its_peer_and_reports_peer_closed);
  RUN(failed_replace_of_last_handle_closes_the_end);
  RUN(handle_count_counts_open_handles);
  RUN(close_many_closes_all_and_reports_bad_handles);
  RUN(wait_many_checks_in_order);
  RUN(wait_many_reports_every_items_signals);
  RUN(wait_many_wakes_on_a_peer_signal);
  RUN(wait_many_is_canceled_when_a_handle_closes);
  RUN(cache_policy_rules);
}
