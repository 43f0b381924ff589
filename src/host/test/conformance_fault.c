// Injected failures (zircon4j_fault_*, native-headers/zircon4j/fault.h): a fault fails the
// calling thread's next matching calls with its status, changes nothing else, and is invisible to
// other threads; a trace lists a thread's syscalls in order.

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon4j/fault.h>

#include "harness.h"

// Arms a fault with a checked status and returns its id.
static uint32_t arm(const char* syscall, zx_status_t status, uint32_t skip, uint32_t count,
                    uint32_t match, zx_handle_t handle, uint64_t option) {
  uint32_t id = 0;
  CHECK_EQ(zircon4j_fault_arm(syscall, status, skip, count, match, handle, option, &id), ZX_OK);
  return id;
}

// The failures fault `id` had not delivered when it was disarmed (checked to succeed).
static uint32_t disarm(uint32_t id) {
  uint32_t remaining = UINT32_MAX;
  CHECK_EQ(zircon4j_fault_disarm(id, &remaining), ZX_OK);
  return remaining;
}

static bool has_zero_children(zx_handle_t vmo) {
  return zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, ZX_TIME_INFINITE_PAST, NULL) == ZX_OK;
}

static bool handle_valid(zx_handle_t h) {
  return zx_object_get_info(h, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL) == ZX_OK;
}

SCENARIO(arm_rejects_bad_arguments_in_order) {
  uint32_t id;
  CHECK_EQ(zircon4j_fault_arm(NULL, ZX_ERR_INTERNAL, 0, 1, 0, 0, 0, &id), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zircon4j_fault_arm("zx_vmo_create", ZX_ERR_INTERNAL, 0, 1, 0, 0, 0, NULL),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zircon4j_fault_arm("zx_vmo_create", ZX_OK, 0, 1, 0, 0, 0, &id), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zircon4j_fault_arm("zx_vmo_create", 1, 0, 1, 0, 0, 0, &id), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zircon4j_fault_arm("zx_vmo_create", ZX_ERR_INTERNAL, 0, 0, 0, 0, 0, &id),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zircon4j_fault_arm("zx_vmo_create", ZX_ERR_INTERNAL, 0, 1, 4, 0, 0, &id),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zircon4j_fault_arm("zx_vmo_get_size", ZX_ERR_INTERNAL, 0, 1,
                              ZIRCON4J_FAULT_MATCH_HANDLE, ZX_HANDLE_INVALID, 0, &id),
           ZX_ERR_INVALID_ARGS);
  // Names are exact: no prefix, no other case, and no syscall that cannot fail.
  CHECK_EQ(zircon4j_fault_arm("zx_vmo_creat", ZX_ERR_INTERNAL, 0, 1, 0, 0, 0, &id),
           ZX_ERR_NOT_FOUND);
  CHECK_EQ(zircon4j_fault_arm("ZX_VMO_CREATE", ZX_ERR_INTERNAL, 0, 1, 0, 0, 0, &id),
           ZX_ERR_NOT_FOUND);
  CHECK_EQ(zircon4j_fault_arm("zx_system_get_page_size", ZX_ERR_INTERNAL, 0, 1, 0, 0, 0, &id),
           ZX_ERR_NOT_FOUND);
  uint32_t ids[ZIRCON4J_FAULT_MAX];
  for (int i = 0; i < ZIRCON4J_FAULT_MAX; i++) {
    ids[i] = arm("zx_event_create", ZX_ERR_INTERNAL, 0, 1, 0, 0, 0);
  }
  CHECK_EQ(zircon4j_fault_arm("zx_vmo_create", ZX_ERR_INTERNAL, 0, 1, 0, 0, 0, &id),
           ZX_ERR_NO_RESOURCES);
  for (int i = 0; i < ZIRCON4J_FAULT_MAX; i++) CHECK_EQ(disarm(ids[i]), 1);
  CHECK_EQ(zircon4j_fault_disarm(ids[0], NULL), ZX_ERR_NOT_FOUND);
}

SCENARIO(failed_create_writes_no_handle_and_the_next_succeeds) {
  uint32_t id = arm("zx_vmo_create", ZX_ERR_NO_MEMORY, 0, 1, 0, 0, 0);
  zx_handle_t out = 0x5a5a5a5a;
  CHECK_EQ(zx_vmo_create(ps(), 0, &out), ZX_ERR_NO_MEMORY);
  CHECK_EQ(out, 0x5a5a5a5a);
  zx_handle_t vmo = make_vmo(ps(), 0);
  CHECK(vmo != ZX_HANDLE_INVALID);
  CHECK_EQ(disarm(id), 0);
  zx_handle_close(vmo);
}

SCENARIO(failed_calls_change_nothing) {
  zx_handle_t vmo = make_vmo(2 * ps(), 0);
  uint64_t before = 0x1122334455667788u;
  CHECK_EQ(zx_vmo_write(vmo, &before, 0, sizeof(before)), ZX_OK);

  uint32_t id = arm("zx_vmo_write", ZX_ERR_NO_MEMORY, 0, 1, 0, 0, 0);
  uint64_t after = 0;
  CHECK_EQ(zx_vmo_write(vmo, &after, 0, sizeof(after)), ZX_ERR_NO_MEMORY);
  uint64_t read = 0;
  CHECK_EQ(zx_vmo_read(vmo, &read, 0, sizeof(read)), ZX_OK);
  CHECK_EQ(read, before);
  CHECK_EQ(disarm(id), 0);

  id = arm("zx_vmo_set_size", ZX_ERR_NO_MEMORY, 0, 1, 0, 0, 0);
  CHECK_EQ(zx_vmo_set_size(vmo, ps()), ZX_ERR_NO_MEMORY);
  CHECK_EQ(disarm(id), 0);
  uint64_t size = 0;
  CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_OK);
  CHECK_EQ(size, 2 * ps());

  id = arm("zx_vmo_create_child", ZX_ERR_NO_MEMORY, 0, 1, 0, 0, 0);
  zx_handle_t child = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, ps(), &child), ZX_ERR_NO_MEMORY);
  CHECK_EQ(child, ZX_HANDLE_INVALID);
  CHECK(has_zero_children(vmo));
  CHECK_EQ(disarm(id), 0);

  id = arm("zx_vmar_map", ZX_ERR_NO_MEMORY, 0, 1, 0, 0, 0);
  zx_vaddr_t addr = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, ps(), &addr),
           ZX_ERR_NO_MEMORY);
  CHECK_EQ(addr, 0);
  CHECK_EQ(vmo_info(vmo).num_mappings, 0);
  CHECK_EQ(disarm(id), 0);

  id = arm("zx_handle_close", ZX_ERR_INTERNAL, 0, 1, 0, 0, 0);
  CHECK_EQ(zx_handle_close(vmo), ZX_ERR_INTERNAL);
  CHECK(handle_valid(vmo));
  CHECK_EQ(disarm(id), 0);

  id = arm("zx_handle_duplicate", ZX_ERR_NO_MEMORY, 0, 1, 0, 0, 0);
  zx_handle_t dup = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, &dup), ZX_ERR_NO_MEMORY);
  CHECK_EQ(dup, ZX_HANDLE_INVALID);
  CHECK_EQ(disarm(id), 0);
  zx_info_handle_count_t count;
  CHECK_EQ(zx_object_get_info(vmo, ZX_INFO_HANDLE_COUNT, &count, sizeof(count), NULL, NULL), ZX_OK);
  CHECK_EQ(count.handle_count, 1);

  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

// zircon's rule for zx_handle_replace holds for injected failures too: a valid source handle is
// invalidated whatever the status, even an injected BAD_HANDLE; an invalid one stays invalid.
SCENARIO(injected_replace_failure_invalidates_the_source_as_zircon_does) {
  zx_handle_t vmo = make_vmo(ps(), 0);
  uint32_t id = arm("zx_handle_replace", ZX_ERR_NO_MEMORY, 0, 1, 0, 0, 0);
  zx_handle_t out = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_replace(vmo, ZX_RIGHT_SAME_RIGHTS, &out), ZX_ERR_NO_MEMORY);
  CHECK_EQ(out, ZX_HANDLE_INVALID);
  CHECK(!handle_valid(vmo));
  CHECK_EQ(disarm(id), 0);

  vmo = make_vmo(ps(), 0);
  id = arm("zx_handle_replace", ZX_ERR_BAD_HANDLE, 0, 2, 0, 0, 0);
  CHECK_EQ(zx_handle_replace(vmo, ZX_RIGHT_SAME_RIGHTS, &out), ZX_ERR_BAD_HANDLE);
  CHECK(!handle_valid(vmo));
  CHECK_EQ(zx_handle_replace(vmo, ZX_RIGHT_SAME_RIGHTS, &out), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(out, ZX_HANDLE_INVALID);
  CHECK_EQ(disarm(id), 0);
}

SCENARIO(count_and_skip_pick_which_calls_fail) {
  zx_handle_t vmo = make_vmo(ps(), 0);
  uint64_t size;
  uint32_t id = arm("zx_vmo_get_size", ZX_ERR_TIMED_OUT, 1, 2, 0, 0, 0);
  CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_OK);
  CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_OK);
  CHECK_EQ(disarm(id), 0);

  id = arm("zx_vmo_get_size", ZX_ERR_TIMED_OUT, 0, 3, 0, 0, 0);
  uint32_t remaining = 0;
  CHECK_EQ(zircon4j_fault_remaining(id, &remaining), ZX_OK);
  CHECK_EQ(remaining, 3);
  CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zircon4j_fault_remaining(id, &remaining), ZX_OK);
  CHECK_EQ(remaining, 2);
  CHECK_EQ(disarm(id), 2);
  CHECK_EQ(zircon4j_fault_remaining(id, &remaining), ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_OK);
  zx_handle_close(vmo);
}

SCENARIO(two_faults_on_one_syscall_deliver_in_arming_order) {
  zx_handle_t vmo = make_vmo(ps(), 0);
  uint64_t size;
  uint32_t first = arm("zx_vmo_get_size", ZX_ERR_IO, 0, 1, 0, 0, 0);
  uint32_t second = arm("zx_vmo_get_size", ZX_ERR_INTERNAL, 0, 1, 0, 0, 0);
  CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_ERR_IO);
  CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_ERR_INTERNAL);
  CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_OK);
  CHECK_EQ(disarm(second), 0);
  CHECK_EQ(disarm(first), 0);
  zx_handle_close(vmo);
}

SCENARIO(handle_match_fails_only_calls_naming_that_handle) {
  zx_handle_t a = make_vmo(ps(), 0);
  zx_handle_t b = make_vmo(ps(), 0);
  uint64_t size;
  uint32_t id = arm("zx_vmo_get_size", ZX_ERR_ACCESS_DENIED, 0, 1, ZIRCON4J_FAULT_MATCH_HANDLE, b, 0);
  CHECK_EQ(zx_vmo_get_size(a, &size), ZX_OK);
  CHECK_EQ(zx_vmo_get_size(b, &size), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(disarm(id), 0);

  // zx_vmar_map has two handles: the VMO's matches as well as the VMAR's.
  id = arm("zx_vmar_map", ZX_ERR_NO_MEMORY, 0, 1, ZIRCON4J_FAULT_MATCH_HANDLE, b, 0);
  uint64_t* words = map_words(ZX_VM_PERM_READ, a, ps());
  zx_vaddr_t addr = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, b, 0, ps(), &addr),
           ZX_ERR_NO_MEMORY);
  CHECK_EQ(disarm(id), 0);
  unmap_words(words, ps());
  zx_handle_close(a);
  zx_handle_close(b);
}

SCENARIO(option_match_fails_only_calls_with_that_option) {
  zx_handle_t vmo = make_vmo(ps(), 0);
  uint32_t id =
      arm("zx_vmo_create_child", ZX_ERR_NOT_SUPPORTED, 0, 1, ZIRCON4J_FAULT_MATCH_OPTION, 0,
          ZX_VMO_CHILD_SLICE);
  zx_handle_t snapshot = ZX_HANDLE_INVALID;
  zx_handle_t slice = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, ps(), &snapshot), ZX_OK);
  CHECK_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, ps(), &slice), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(disarm(id), 0);

  // A syscall without an option argument never matches an option fault.
  id = arm("zx_vmo_get_size", ZX_ERR_INTERNAL, 0, 1, ZIRCON4J_FAULT_MATCH_OPTION, 0, 0);
  uint64_t size;
  CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_OK);
  CHECK_EQ(disarm(id), 1);

  // Both matches together: the handle and the option must both fit.
  id = arm("zx_object_get_info", ZX_ERR_INTERNAL, 0, 1,
           ZIRCON4J_FAULT_MATCH_HANDLE | ZIRCON4J_FAULT_MATCH_OPTION, vmo, ZX_INFO_VMO);
  zx_info_handle_basic_t basic;
  CHECK_EQ(zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL), ZX_OK);
  zx_info_vmo_t info;
  CHECK_EQ(zx_object_get_info(snapshot, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL), ZX_OK);
  CHECK_EQ(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL), ZX_ERR_INTERNAL);
  CHECK_EQ(disarm(id), 0);
  zx_handle_close(snapshot);
  zx_handle_close(vmo);
}

struct thread_probe {
  zx_handle_t vmo;
  zx_status_t status;
  bool arm_own;  // arm a fault on the thread itself and end without disarming it
};

static void* probe_get_size(void* arg) {
  struct thread_probe* p = arg;
  if (p->arm_own) {
    uint32_t id;
    zircon4j_fault_arm("zx_vmo_get_size", ZX_ERR_IO, 0, 5, 0, 0, 0, &id);
  }
  uint64_t size;
  p->status = zx_vmo_get_size(p->vmo, &size);
  return NULL;  // an armed fault ends with its thread (the sanitized run checks it is freed)
}

static zx_status_t get_size_on_thread(zx_handle_t vmo, bool arm_own) {
  struct thread_probe probe = {.vmo = vmo, .status = 1, .arm_own = arm_own};
  pthread_t thread;
  CHECK_EQ(pthread_create(&thread, NULL, probe_get_size, &probe), 0);
  CHECK_EQ(pthread_join(thread, NULL), 0);
  return probe.status;
}

SCENARIO(faults_belong_to_the_thread_that_armed_them) {
  zx_handle_t vmo = make_vmo(ps(), 0);
  uint32_t id = arm("zx_vmo_get_size", ZX_ERR_INTERNAL, 0, 1, 0, 0, 0);
  CHECK_EQ(get_size_on_thread(vmo, false), ZX_OK);
  uint64_t size;
  CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_ERR_INTERNAL);
  CHECK_EQ(disarm(id), 0);

  CHECK_EQ(get_size_on_thread(vmo, true), ZX_ERR_IO);
  CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_OK);
  // Another thread's id means nothing here.
  CHECK_EQ(zircon4j_fault_disarm(id + 1000, NULL), ZX_ERR_NOT_FOUND);
  zx_handle_close(vmo);
}

SCENARIO(reset_disarms_everything) {
  zx_handle_t vmo = make_vmo(ps(), 0);
  uint32_t id = arm("zx_vmo_get_size", ZX_ERR_INTERNAL, 0, 3, 0, 0, 0);
  arm("zx_handle_close", ZX_ERR_INTERNAL, 0, 3, 0, 0, 0);
  zircon4j_fault_reset();
  uint64_t size;
  CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_OK);
  CHECK_EQ(zircon4j_fault_disarm(id, NULL), ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

static const char* traced_name(uint32_t index) {
  const char* name = zircon4j_fault_syscall_name(index);
  return name != NULL ? name : "(none)";
}

SCENARIO(trace_lists_the_threads_syscalls_in_order) {
  CHECK_EQ(zircon4j_fault_trace_stop(NULL, 0), 0);  // no trace running
  CHECK_EQ(zircon4j_fault_trace_start(), ZX_OK);
  zx_handle_t vmo = make_vmo(ps(), 0);
  uint64_t* words = map_words(ZX_VM_PERM_READ, vmo, ps());
  unmap_words(words, ps());
  zx_handle_close(vmo);
  zx_system_get_page_size();  // cannot fail: not traced
  uint32_t got[8];
  size_t n = zircon4j_fault_trace_stop(got, 8);
  CHECK_EQ(n, 4);
  const char* want[] = {"zx_vmo_create", "zx_vmar_map", "zx_vmar_unmap", "zx_handle_close"};
  for (size_t i = 0; i < 4 && i < n; i++) CHECK_EQ(strcmp(traced_name(got[i]), want[i]), 0);

  // More calls than room: all are counted, the first ones kept.
  CHECK_EQ(zircon4j_fault_trace_start(), ZX_OK);
  for (int i = 0; i < 10; i++) zx_handle_close(ZX_HANDLE_INVALID);
  CHECK_EQ(zircon4j_fault_trace_stop(got, 2), 10);
  CHECK_EQ(strcmp(traced_name(got[1]), "zx_handle_close"), 0);
}

// Calls syscall `name` with arguments good enough to reach its first check; the fault armed for
// it must answer first. Returns its status, or 1 if the name is not known here.
static zx_status_t call_by_name(const char* name, zx_handle_t vmo, zx_handle_t event) {
  zx_handle_t out = ZX_HANDLE_INVALID, out2 = ZX_HANDLE_INVALID;
  uint64_t word = 0;
  zx_vaddr_t addr = 0;
  zx_info_handle_basic_t basic;
  char name_buf[ZX_MAX_NAME_LEN] = {0};
  zx_wait_item_t item = {.handle = event, .waitfor = ZX_EVENT_SIGNALED, .pending = 0};
  zx_handle_t root = zx_vmar_root_self();
  if (!strcmp(name, "zx_handle_close")) return zx_handle_close(vmo);
  if (!strcmp(name, "zx_handle_close_many")) return zx_handle_close_many(&vmo, 1);
  if (!strcmp(name, "zx_handle_duplicate")) return zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, &out);
  if (!strcmp(name, "zx_handle_replace")) {
    // A failed replace still consumes its source: give it a duplicate.
    zx_handle_t dup = ZX_HANDLE_INVALID;
    CHECK_EQ(zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, &dup), ZX_OK);
    zx_status_t status = zx_handle_replace(dup, ZX_RIGHT_SAME_RIGHTS, &out);
    CHECK(!handle_valid(dup));
    return status;
  }
  if (!strcmp(name, "zx_object_wait_one"))
    return zx_object_wait_one(event, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE_PAST, NULL);
  if (!strcmp(name, "zx_object_wait_many")) return zx_object_wait_many(&item, 1, ZX_TIME_INFINITE_PAST);
  if (!strcmp(name, "zx_object_signal")) return zx_object_signal(event, 0, ZX_EVENT_SIGNALED);
  if (!strcmp(name, "zx_object_signal_peer")) return zx_object_signal_peer(event, 0, 0);
  if (!strcmp(name, "zx_object_get_info"))
    return zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL);
  if (!strcmp(name, "zx_object_get_property"))
    return zx_object_get_property(vmo, ZX_PROP_NAME, name_buf, sizeof(name_buf));
  if (!strcmp(name, "zx_object_set_property"))
    return zx_object_set_property(vmo, ZX_PROP_NAME, "x", 1);
  if (!strcmp(name, "zx_event_create")) return zx_event_create(0, &out);
  if (!strcmp(name, "zx_eventpair_create")) return zx_eventpair_create(0, &out, &out2);
  if (!strcmp(name, "zx_vmo_create")) return zx_vmo_create(ps(), 0, &out);
  if (!strcmp(name, "zx_vmo_read")) return zx_vmo_read(vmo, &word, 0, sizeof(word));
  if (!strcmp(name, "zx_vmo_write")) return zx_vmo_write(vmo, &word, 0, sizeof(word));
  if (!strcmp(name, "zx_vmo_get_size")) return zx_vmo_get_size(vmo, &word);
  if (!strcmp(name, "zx_vmo_set_size")) return zx_vmo_set_size(vmo, ps());
  if (!strcmp(name, "zx_vmo_create_child"))
    return zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, ps(), &out);
  if (!strcmp(name, "zx_vmo_set_cache_policy"))
    return zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_CACHED);
  if (!strcmp(name, "zx_vmo_op_range"))
    return zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, ps(), NULL, 0);
  if (!strcmp(name, "zx_vmar_map"))
    return zx_vmar_map(root, ZX_VM_PERM_READ, 0, vmo, 0, ps(), &addr);
  if (!strcmp(name, "zx_vmar_unmap")) return zx_vmar_unmap(root, (zx_vaddr_t)0x1000000, ps());
  if (!strcmp(name, "zx_vmar_op_range"))
    return zx_vmar_op_range(root, ZX_VMAR_OP_COMMIT, (zx_vaddr_t)0x1000000, ps(), NULL, 0);
  if (!strcmp(name, "zx_vmar_allocate"))
    return zx_vmar_allocate(root, ZX_VM_CAN_MAP_READ, 0, ps(), &out, &addr);
  if (!strcmp(name, "zx_vmar_destroy")) return zx_vmar_destroy(root);
  if (!strcmp(name, "zx_vmar_protect"))
    return zx_vmar_protect(root, ZX_VM_PERM_READ, (zx_vaddr_t)0x1000000, ps());
  return 1;
}

// Every syscall that can fail takes a fault (its hook is in place) and, failing, changes nothing:
// the VMO, the event and the root VMAR are intact afterwards.
SCENARIO(every_listed_syscall_can_be_failed) {
  zx_handle_t vmo = make_vmo(ps(), 0);
  zx_handle_t event = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_event_create(0, &event), ZX_OK);
  uint32_t index = 0;
  for (const char* name; (name = zircon4j_fault_syscall_name(index)) != NULL; index++) {
    g_scenario = name;
    uint32_t id = arm(name, ZX_ERR_INTERNAL, 0, 1, 0, 0, 0);
    CHECK_EQ(call_by_name(name, vmo, event), ZX_ERR_INTERNAL);
    CHECK_EQ(disarm(id), 0);
  }
  g_scenario = "every_listed_syscall_can_be_failed";
  CHECK_EQ(index, 27);
  CHECK(handle_valid(vmo));
  CHECK(handle_valid(event));
  CHECK(handle_valid(zx_vmar_root_self()));
  CHECK(has_zero_children(vmo));
  CHECK_EQ(vmo_info(vmo).num_mappings, 0);
  zx_signals_t observed = 0;
  CHECK_EQ(zx_object_wait_one(event, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE_PAST, &observed),
           ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_handle_close(event), ZX_OK);
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

void run_fault_tests(void) {
  RUN(arm_rejects_bad_arguments_in_order);
  RUN(failed_create_writes_no_handle_and_the_next_succeeds);
  RUN(failed_calls_change_nothing);
  RUN(injected_replace_failure_invalidates_the_source_as_zircon_does);
  RUN(count_and_skip_pick_which_calls_fail);
  RUN(two_faults_on_one_syscall_deliver_in_arming_order);
  RUN(handle_match_fails_only_calls_naming_that_handle);
  RUN(option_match_fails_only_calls_with_that_option);
  RUN(faults_belong_to_the_thread_that_armed_them);
  RUN(reset_disarms_everything);
  RUN(trace_lists_the_threads_syscalls_in_order);
  RUN(every_listed_syscall_can_be_failed);
}
