// Tasks: zx_process_self, zx_thread_self, zx_job_default and the ZX_INFO_PROCESS_* topics.

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "harness.h"

static zx_info_handle_basic_t basic_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  memset(&info, 0, sizeof(info));
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL), ZX_OK);
  return info;
}

static zx_info_process_handle_stats_t handle_stats(void) {
  zx_info_process_handle_stats_t stats;
  memset(&stats, 0xCD, sizeof(stats));
  CHECK_EQ(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_HANDLE_STATS, &stats,
                              sizeof(stats), NULL, NULL),
           ZX_OK);
  return stats;
}

// ---- Accessors -----------------------------------------------------------------------------

SCENARIO(process_self_job_default_are_stable_task_handles) {
  zx_handle_t process = zx_process_self();
  zx_handle_t job = zx_job_default();
  CHECK(process != ZX_HANDLE_INVALID);
  CHECK(job != ZX_HANDLE_INVALID);
  CHECK_EQ(zx_process_self(), process);
  CHECK_EQ(zx_job_default(), job);
  zx_info_handle_basic_t p = basic_of(process);
  zx_info_handle_basic_t j = basic_of(job);
  CHECK_EQ(p.type, ZX_OBJ_TYPE_PROCESS);
  CHECK_EQ(p.rights, ZX_DEFAULT_PROCESS_RIGHTS);
  CHECK_EQ(p.props, ZX_OBJ_PROP_WAITABLE);
  CHECK_EQ(p.related_koid, j.koid);
  CHECK_EQ(j.type, ZX_OBJ_TYPE_JOB);
  CHECK_EQ(j.rights, ZX_DEFAULT_JOB_RIGHTS);
  CHECK_EQ(j.related_koid, ZX_KOID_INVALID);
  // A live process has not terminated.
  zx_signals_t observed = 0xFFFFFFFFu;
  CHECK_EQ(zx_object_wait_one(process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE_PAST, &observed),
           ZX_ERR_TIMED_OUT);
  CHECK_EQ(observed, 0);
  // Closing the runtime's handle is allowed; the accessor hands out a new one to the same object.
  CHECK_EQ(zx_handle_close(process), ZX_OK);
  zx_handle_t again = zx_process_self();
  CHECK(again != ZX_HANDLE_INVALID);
  CHECK_EQ(basic_of(again).koid, p.koid);
}

static void* other_thread_koids(void* arg) {
  zx_koid_t* out = arg;
  zx_handle_t self = zx_thread_self();
  out[0] = basic_of(self).koid;
  out[1] = basic_of(self).related_koid;
  out[2] = zx_thread_self() == self;
  return NULL;
}

SCENARIO(thread_self_is_one_thread_object_per_host_thread) {
  zx_handle_t self = zx_thread_self();
  CHECK(self != ZX_HANDLE_INVALID);
  CHECK_EQ(zx_thread_self(), self);
  zx_info_handle_basic_t t = basic_of(self);
  CHECK_EQ(t.type, ZX_OBJ_TYPE_THREAD);
  CHECK_EQ(t.rights, ZX_DEFAULT_THREAD_RIGHTS);
  CHECK_EQ(t.related_koid, basic_of(zx_process_self()).koid);
  zx_koid_t other[3] = {0, 0, 0};
  pthread_t thread;
  CHECK_EQ(pthread_create(&thread, NULL, other_thread_koids, other), 0);
  CHECK_EQ(pthread_join(thread, NULL), 0);
  CHECK(other[0] != ZX_KOID_INVALID);
  CHECK(other[0] != t.koid);
  CHECK_EQ(other[1], t.related_koid);
  CHECK_EQ(other[2], 1);
}

// ---- ZX_INFO_PROCESS_HANDLE_STATS ----------------------------------------------------------

SCENARIO(process_handle_stats_count_open_handles_by_type) {
  zx_info_process_handle_stats_t before = handle_stats();
  zx_handle_t vmo = make_vmo(ps(), 0);
  zx_handle_t dup = ZX_HANDLE_INVALID, event = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, &dup), ZX_OK);
  CHECK_EQ(zx_event_create(0, &event), ZX_OK);
  zx_info_process_handle_stats_t during = handle_stats();
  CHECK_EQ(during.handle_count[ZX_OBJ_TYPE_VMO], before.handle_count[ZX_OBJ_TYPE_VMO] + 2);
  CHECK_EQ(during.handle_count[ZX_OBJ_TYPE_EVENT], before.handle_count[ZX_OBJ_TYPE_EVENT] + 1);
  CHECK(during.handle_count[ZX_OBJ_TYPE_PROCESS] >= 1);
  CHECK_EQ(during.handle_count[ZX_OBJ_TYPE_NONE], 0);
  CHECK_EQ(during.handle_count[ZX_OBJ_TYPE_UPPER_BOUND - 1], 0);
  // A mapping keeps its VMO alive but is not a handle.
  uint64_t* words = map_words(ZX_VM_PERM_READ, vmo, ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
  CHECK_EQ(zx_handle_close(dup), ZX_OK);
  CHECK_EQ(zx_handle_close(event), ZX_OK);
  zx_info_process_handle_stats_t after = handle_stats();
  CHECK_EQ(memcmp(&after, &before, sizeof(after)), 0);
  unmap_words(words, ps());
}

SCENARIO(process_handle_stats_errors_in_order) {
  zx_info_process_handle_stats_t stats;
  size_t actual = 9, avail = 9;
  zx_handle_t vmo = make_vmo(ps(), 0);
  CHECK_EQ(zx_object_get_info(0x70003u, ZX_INFO_PROCESS_HANDLE_STATS, &stats, sizeof(stats),
                              NULL, NULL),
           ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_object_get_info(vmo, ZX_INFO_PROCESS_HANDLE_STATS, &stats, sizeof(stats), NULL,
                              NULL),
           ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_object_get_info(zx_thread_self(), ZX_INFO_PROCESS_HANDLE_STATS, &stats,
                              sizeof(stats), NULL, NULL),
           ZX_ERR_WRONG_TYPE);
  zx_handle_t blind = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(zx_process_self(), ZX_RIGHT_READ, &blind), ZX_OK);
  CHECK_EQ(zx_object_get_info(blind, ZX_INFO_PROCESS_HANDLE_STATS, &stats, sizeof(stats), NULL,
                              NULL),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_HANDLE_STATS, &stats,
                              sizeof(stats) - 1, &actual, &avail),
           ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(actual, 0);
  CHECK_EQ(avail, 1);
  CHECK_EQ(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_HANDLE_STATS, NULL,
                              sizeof(stats), NULL, NULL),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_HANDLE_STATS, &stats,
                              sizeof(stats), &actual, &avail),
           ZX_OK);
  CHECK_EQ(actual, 1);
  CHECK_EQ(avail, 1);
  CHECK_EQ(zx_handle_close(blind), ZX_OK);
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}


// ---- zx_process_read_memory / zx_process_write_memory -----------------------------------------

SCENARIO(process_memory_goes_through_the_mapping_and_stops_at_its_end) {
  uint64_t p = ps();
  zx_handle_t self = zx_process_self();
  zx_handle_t v = make_vmo(2 * p, 0);
  uint64_t* words = map_words(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, v, 2 * p);
  words[0] = 0x1122334455667788u;
  uint8_t buf[64];
  size_t actual = 99;
  CHECK_EQ(zx_process_read_memory(self, (zx_vaddr_t)words, buf, 8, &actual), ZX_OK);
  CHECK_EQ(actual, 8);
  uint64_t got;
  memcpy(&got, buf, 8);
  CHECK_EQ(got, 0x1122334455667788u);
  // Writes land in the VMO (seen by zx_vmo_read and the mapping).
  uint64_t value = 0xA5A5A5A5A5A5A5A5u;
  CHECK_EQ(zx_process_write_memory(self, (zx_vaddr_t)words + p, &value, 8, &actual), ZX_OK);
  CHECK_EQ(actual, 8);
  CHECK_EQ(((volatile uint64_t*)words)[p / 8], value);
  uint64_t via_vmo = 0;
  CHECK_EQ(zx_vmo_read(v, &via_vmo, p, 8), ZX_OK);
  CHECK_EQ(via_vmo, value);
  // Unmap the second page: a read across the end is cut there, one starting past it fails.
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)words + p, p), ZX_OK);
  CHECK_EQ(zx_process_read_memory(self, (zx_vaddr_t)words + p - 4, buf, 16, &actual), ZX_OK);
  CHECK_EQ(actual, 4);
  CHECK_EQ(zx_process_write_memory(self, (zx_vaddr_t)words + p - 4, buf, 16, &actual), ZX_OK);
  CHECK_EQ(actual, 4);
  CHECK_EQ(zx_process_read_memory(self, (zx_vaddr_t)words + p, buf, 8, &actual),
           ZX_ERR_NO_MEMORY);
  CHECK_EQ(zx_process_write_memory(self, (zx_vaddr_t)words + p, buf, 8, &actual),
           ZX_ERR_NO_MEMORY);
  // Host memory no VMAR of ours manages (this stack) is reachable too.
  uint64_t local = 7;
  CHECK_EQ(zx_process_read_memory(self, (zx_vaddr_t)&local, buf, 8, NULL), ZX_OK);
  memcpy(&got, buf, 8);
  CHECK_EQ(got, 7);
  unmap_words(words, p);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(process_memory_errors_in_order) {
  uint64_t p = ps();
  zx_handle_t self = zx_process_self();
  zx_handle_t v = make_vmo(p, 0);
  uint64_t* ro = map_words(ZX_VM_PERM_READ, v, p);
  uint8_t buf[8];
  size_t actual = 0;
  CHECK_EQ(zx_process_read_memory(0x70003u, (zx_vaddr_t)ro, NULL, 8, &actual),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_process_read_memory(0x70003u, (zx_vaddr_t)ro, buf, 0, &actual),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_process_read_memory(self, (zx_vaddr_t)ro, buf, ((size_t)64 << 20) + 1, &actual),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_process_read_memory(0x70003u, (zx_vaddr_t)ro, buf, 8, &actual), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_process_read_memory(v, (zx_vaddr_t)ro, buf, 8, &actual), ZX_ERR_WRONG_TYPE);
  zx_handle_t read_only = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(self, ZX_RIGHT_READ, &read_only), ZX_OK);
  CHECK_EQ(zx_process_read_memory(read_only, (zx_vaddr_t)ro, buf, 8, &actual),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_process_write_memory(read_only, (zx_vaddr_t)ro, buf, 8, &actual),
           ZX_ERR_ACCESS_DENIED);
  // A read-only mapping is readable, not writable (the host makes no private copy for it).
  CHECK_EQ(zx_process_read_memory(self, (zx_vaddr_t)ro, buf, 8, &actual), ZX_OK);
  CHECK_EQ(zx_process_write_memory(self, (zx_vaddr_t)ro, buf, 8, &actual), ZX_ERR_NO_MEMORY);
  // A page of one of our regions with nothing mapped.
  zx_handle_t region = ZX_HANDLE_INVALID;
  zx_vaddr_t base = 0;
  CHECK_EQ(zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_READ, 0, p, &region, &base),
           ZX_OK);
  CHECK_EQ(zx_process_read_memory(self, base, buf, 8, &actual), ZX_ERR_NO_MEMORY);
  CHECK_EQ(zx_vmar_destroy(region), ZX_OK);
  CHECK_EQ(zx_handle_close(region), ZX_OK);
  CHECK_EQ(zx_handle_close(read_only), ZX_OK);
  unmap_words(ro, p);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// ---- zx_cache_flush, zx_system_get_features --------------------------------------------------

SCENARIO(cache_flush_checks_its_options) {
  uint64_t word = 0;
  CHECK_EQ(zx_cache_flush(&word, sizeof(word), ZX_CACHE_FLUSH_DATA), ZX_OK);
  CHECK_EQ(zx_cache_flush(&word, sizeof(word), ZX_CACHE_FLUSH_INSN), ZX_OK);
  CHECK_EQ(zx_cache_flush(&word, sizeof(word), ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INSN), ZX_OK);
  CHECK_EQ(zx_cache_flush(&word, sizeof(word), ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE),
           ZX_OK);
  CHECK_EQ(zx_cache_flush(&word, sizeof(word), 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_cache_flush(&word, sizeof(word), ZX_CACHE_FLUSH_INVALIDATE), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_cache_flush(&word, sizeof(word), ZX_CACHE_FLUSH_INSN | ZX_CACHE_FLUSH_INVALIDATE),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_cache_flush(&word, sizeof(word), 1u << 3), ZX_ERR_INVALID_ARGS);
}

SCENARIO(system_features_answer_vm_and_tagging) {
  uint32_t features = 0xFFFFFFFFu;
  CHECK_EQ(zx_system_get_features(ZX_FEATURE_KIND_VM, &features), ZX_OK);
  CHECK_EQ(features & ZX_VM_FEATURE_CAN_MAP_XOM, 0);
  features = 0xFFFFFFFFu;
  CHECK_EQ(zx_system_get_features(ZX_FEATURE_KIND_ADDRESS_TAGGING, &features), ZX_OK);
  CHECK_EQ(features, 0);
  CHECK_EQ(zx_system_get_features(ZX_FEATURE_KIND_VM, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_system_get_features(99u, &features), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_system_get_features(ZX_FEATURE_KIND_HW_BREAKPOINT_COUNT, &features),
           ZX_ERR_NOT_SUPPORTED);
}

// ---- zx_process_create ---------------------------------------------------------------------

static zx_info_vmar_t vmar_info(zx_handle_t vmar) {
  zx_info_vmar_t info = {0, 0};
  CHECK_EQ(zx_object_get_info(vmar, ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL), ZX_OK);
  return info;
}

SCENARIO(process_create_gives_a_process_with_an_address_space_of_its_own) {
  uint64_t p = ps();
  zx_handle_t proc = ZX_HANDLE_INVALID, vmar = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_process_create(zx_job_default(), "child-proc", 10, 0, &proc, &vmar), ZX_OK);
  zx_info_handle_basic_t pb = basic_of(proc);
  CHECK_EQ(pb.type, ZX_OBJ_TYPE_PROCESS);
  CHECK_EQ(pb.rights, ZX_DEFAULT_PROCESS_RIGHTS);
  CHECK_EQ(pb.related_koid, basic_of(zx_job_default()).koid);
  CHECK(pb.koid != basic_of(zx_process_self()).koid);
  zx_info_handle_basic_t vb = basic_of(vmar);
  CHECK_EQ(vb.type, ZX_OBJ_TYPE_VMAR);
  CHECK_EQ(vb.rights,
           ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE);
  char name[ZX_MAX_NAME_LEN];
  CHECK_EQ(zx_object_get_property(proc, ZX_PROP_NAME, name, sizeof(name)), ZX_OK);
  CHECK_EQ(strcmp(name, "child-proc"), 0);
  zx_info_vmar_t aspace = vmar_info(vmar);
  CHECK(aspace.len > 0);
  CHECK_EQ(aspace.base % p, 0);
  // Its handles are its own: it holds none.
  zx_info_process_handle_stats_t stats;
  CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS_HANDLE_STATS, &stats, sizeof(stats), NULL,
                              NULL),
           ZX_OK);
  for (uint32_t t = 0; t < ZX_OBJ_TYPE_UPPER_BOUND; t++) CHECK_EQ(stats.handle_count[t], 0);
  // VMARs are allocated, mapped, protected and destroyed inside it.
  zx_handle_t sub = ZX_HANDLE_INVALID;
  zx_vaddr_t sub_base = 0;
  CHECK_EQ(zx_vmar_allocate(vmar,
                            ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE,
                            0, 4 * p, &sub, &sub_base),
           ZX_OK);
  CHECK(sub_base >= aspace.base && sub_base + 4 * p <= aspace.base + aspace.len);
  zx_handle_t v = make_vmo(2 * p, 0);
  uint64_t value = 0x0123456789ABCDEFu;
  CHECK_EQ(zx_vmo_write(v, &value, 0, 8), ZX_OK);
  zx_vaddr_t addr = 0;
  CHECK_EQ(zx_vmar_map(sub, ZX_VM_SPECIFIC | ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, p, v, 0, 2 * p,
                       &addr),
           ZX_OK);
  CHECK_EQ(addr, sub_base + p);
  CHECK_EQ(vmo_info(v).num_mappings, 1);
  uint64_t got = 0;
  size_t actual = 0;
  CHECK_EQ(zx_process_read_memory(proc, addr, &got, 8, &actual), ZX_OK);
  CHECK_EQ(got, value);
  CHECK_EQ(zx_process_write_memory(proc, addr + p, &value, 8, &actual), ZX_OK);
  CHECK_EQ(zx_vmo_read(v, &got, p, 8), ZX_OK);
  CHECK_EQ(got, value);
  CHECK_EQ(zx_process_read_memory(proc, sub_base, &got, 8, &actual), ZX_ERR_NO_MEMORY);
  CHECK_EQ(zx_vmar_protect(sub, ZX_VM_PERM_READ, addr, p), ZX_OK);
  CHECK_EQ(zx_process_write_memory(proc, addr, &value, 8, &actual), ZX_ERR_NO_MEMORY);
  // None of it is in this process: not in our root VMAR, not readable as our memory.
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), addr, p), ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_process_read_memory(zx_process_self(), addr, &got, 8, &actual), ZX_ERR_NO_MEMORY);
  CHECK_EQ(zx_vmar_unmap(sub, addr, p), ZX_OK);
  CHECK_EQ(zx_vmar_destroy(sub), ZX_OK);
  CHECK_EQ(vmo_info(v).num_mappings, 0);
  // Closing the process ends its address space: mappings go, its VMAR handle gives BAD_STATE.
  CHECK_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, v, 0, p, &addr), ZX_OK);
  CHECK_EQ(vmo_info(v).num_mappings, 1);
  CHECK_EQ(zx_handle_close(proc), ZX_OK);
  CHECK_EQ(vmo_info(v).num_mappings, 0);
  CHECK_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, v, 0, p, &addr), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ, 0, p, &sub, &sub_base), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_handle_close(sub), ZX_OK);
  CHECK_EQ(zx_handle_close(vmar), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(process_create_errors_in_order) {
  zx_handle_t proc = ZX_HANDLE_INVALID, vmar = ZX_HANDLE_INVALID;
  zx_handle_t job = zx_job_default();
  CHECK_EQ(zx_process_create(job, "x", 1, 2u, &proc, &vmar), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_process_create(job, NULL, 1, 0, &proc, &vmar), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_process_create(job, "x", 1, ZX_PROCESS_SHARED, &proc, &vmar),
           ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_process_create(0x70003u, "x", 1, 0, &proc, &vmar), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_process_create(zx_process_self(), "x", 1, 0, &proc, &vmar), ZX_ERR_WRONG_TYPE);
  zx_handle_t weak = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(job, ZX_DEFAULT_JOB_RIGHTS & ~ZX_RIGHT_MANAGE_PROCESS, &weak),
           ZX_OK);
  CHECK_EQ(zx_process_create(weak, "x", 1, 0, &proc, &vmar), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_process_create(job, "x", 1, 0, NULL, &vmar), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_process_create(job, "x", 1, 0, &proc, NULL), ZX_ERR_INVALID_ARGS);
  // A long name is cut to ZX_MAX_NAME_LEN - 1 bytes; an empty one is fine.
  const char long_name[] = "0123456789012345678901234567890123456789";
  CHECK_EQ(zx_process_create(job, long_name, sizeof(long_name), 0, &proc, &vmar), ZX_OK);
  char name[ZX_MAX_NAME_LEN];
  CHECK_EQ(zx_object_get_property(proc, ZX_PROP_NAME, name, sizeof(name)), ZX_OK);
  CHECK_EQ(strlen(name), ZX_MAX_NAME_LEN - 1);
  CHECK_EQ(zx_handle_close(proc), ZX_OK);
  CHECK_EQ(zx_handle_close(vmar), ZX_OK);
  CHECK_EQ(zx_process_create(job, NULL, 0, 0, &proc, &vmar), ZX_OK);
  // Its root VMAR cannot be destroyed (the address space needs it), as ours.
  CHECK_EQ(zx_vmar_destroy(vmar), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_handle_close(vmar), ZX_OK);
  CHECK_EQ(zx_handle_close(proc), ZX_OK);
  CHECK_EQ(zx_handle_close(weak), ZX_OK);
}

// ---- ZX_INFO_PROCESS_MAPS / ZX_INFO_PROCESS_VMOS -----------------------------------------------

SCENARIO(process_maps_lists_the_address_space_in_depth_first_order) {
  uint64_t p = ps();
  zx_handle_t proc = ZX_HANDLE_INVALID, vmar = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_process_create(zx_job_default(), "maps", 4, 0, &proc, &vmar), ZX_OK);
  zx_info_vmar_t aspace = vmar_info(vmar);
  zx_handle_t sub = ZX_HANDLE_INVALID;
  zx_vaddr_t sub_base = 0, a = 0, b = 0;
  CHECK_EQ(zx_vmar_allocate(vmar, ZX_VM_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_SPECIFIC,
                            4 * p, 4 * p, &sub, &sub_base),
           ZX_OK);
  zx_handle_t v = make_vmo(3 * p, 0);
  CHECK_EQ(zx_object_set_property(v, ZX_PROP_NAME, "mapped", 6), ZX_OK);
  uint8_t byte = 1;
  CHECK_EQ(zx_vmo_write(v, &byte, p, 1), ZX_OK);
  CHECK_EQ(zx_vmar_map(vmar, ZX_VM_SPECIFIC | ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, v, 0, 2 * p,
                       &a),
           ZX_OK);
  CHECK_EQ(zx_vmar_map(sub, ZX_VM_SPECIFIC | ZX_VM_PERM_READ, p, v, p, p, &b), ZX_OK);
  zx_info_maps_t maps[8];
  size_t actual = 0, avail = 0;
  CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS_MAPS, maps, sizeof(maps), &actual, &avail),
           ZX_OK);
  CHECK_EQ(actual, 5);
  CHECK_EQ(avail, 5);
  CHECK_EQ(maps[0].type, ZX_INFO_MAPS_TYPE_ASPACE);
  CHECK_EQ(maps[0].depth, 0);
  CHECK_EQ(strcmp(maps[0].name, "maps"), 0);
  CHECK_EQ(maps[1].type, ZX_INFO_MAPS_TYPE_VMAR);
  CHECK_EQ(maps[1].depth, 1);
  CHECK_EQ(maps[1].base, aspace.base);
  CHECK_EQ(maps[1].size, aspace.len);
  CHECK_EQ(maps[2].type, ZX_INFO_MAPS_TYPE_MAPPING);  // at the base, before the sub-region
  CHECK_EQ(maps[2].depth, 2);
  CHECK_EQ(maps[2].base, a);
  CHECK_EQ(maps[2].size, 2 * p);
  CHECK_EQ(strcmp(maps[2].name, "mapped"), 0);
  CHECK_EQ(maps[2].u.mapping.mmu_flags, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  CHECK_EQ(maps[2].u.mapping.vmo_koid, vmo_info(v).koid);
  CHECK_EQ(maps[2].u.mapping.vmo_offset, 0);
  CHECK_EQ(maps[2].u.mapping.committed_pages, 1);
  CHECK_EQ(maps[3].type, ZX_INFO_MAPS_TYPE_VMAR);
  CHECK_EQ(maps[3].depth, 2);
  CHECK_EQ(maps[3].base, sub_base);
  CHECK_EQ(maps[4].type, ZX_INFO_MAPS_TYPE_MAPPING);
  CHECK_EQ(maps[4].depth, 3);
  CHECK_EQ(maps[4].base, b);
  CHECK_EQ(maps[4].u.mapping.mmu_flags, ZX_VM_PERM_READ);
  CHECK_EQ(maps[4].u.mapping.vmo_offset, p);
  // A short buffer is no error for a list: actual says how many were copied.
  CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS_MAPS, maps, 2 * sizeof(maps[0]), &actual,
                              &avail),
           ZX_OK);
  CHECK_EQ(actual, 2);
  CHECK_EQ(avail, 5);
  CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS_MAPS, NULL, 0, &actual, &avail), ZX_OK);
  CHECK_EQ(actual, 0);
  CHECK_EQ(avail, 5);
  CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS_MAPS, NULL, sizeof(maps), &actual, &avail),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_get_info(vmar, ZX_INFO_PROCESS_MAPS, maps, sizeof(maps), &actual, &avail),
           ZX_ERR_WRONG_TYPE);
  // The process's VMOs: one record per mapping (it holds no handle).
  zx_info_vmo_t vmos[4];
  CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS_VMOS, vmos, sizeof(vmos), &actual, &avail),
           ZX_OK);
  CHECK_EQ(actual, 2);
  CHECK_EQ(avail, 2);
  CHECK_EQ(vmos[0].koid, vmo_info(v).koid);
  CHECK_EQ(vmos[0].flags & (ZX_INFO_VMO_VIA_MAPPING | ZX_INFO_VMO_VIA_HANDLE),
           ZX_INFO_VMO_VIA_MAPPING);
  zx_info_vmo_v1_t v1[4];
  CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS_VMOS_V1, v1, sizeof(v1), &actual, &avail),
           ZX_OK);
  CHECK_EQ(actual, 2);
  CHECK_EQ(v1[1].koid, vmo_info(v).koid);
  CHECK_EQ(zx_handle_close(proc), ZX_OK);
  CHECK_EQ(zx_handle_close(sub), ZX_OK);
  CHECK_EQ(zx_handle_close(vmar), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(process_maps_and_vmos_of_this_process) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(p, 0);
  uint64_t* words = map_words(ZX_VM_PERM_READ, v, p);
  zx_handle_t self = zx_process_self();
  size_t actual = 0, avail = 0;
  CHECK_EQ(zx_object_get_info(self, ZX_INFO_PROCESS_MAPS, NULL, 0, &actual, &avail), ZX_OK);
  CHECK(avail >= 3);
  zx_info_maps_t* maps = calloc(avail + 4, sizeof(*maps));
  CHECK_EQ(zx_object_get_info(self, ZX_INFO_PROCESS_MAPS, maps, (avail + 4) * sizeof(*maps),
                              &actual, &avail),
           ZX_OK);
  CHECK_EQ(actual, avail);
  CHECK_EQ(maps[1].type, ZX_INFO_MAPS_TYPE_VMAR);
  int found = 0;
  for (size_t i = 0; i < actual; i++) {
    if (maps[i].type == ZX_INFO_MAPS_TYPE_MAPPING && maps[i].base == (zx_vaddr_t)words) found++;
  }
  CHECK_EQ(found, 1);
  free(maps);
  CHECK_EQ(zx_object_get_info(self, ZX_INFO_PROCESS_VMOS, NULL, 0, &actual, &avail), ZX_OK);
  zx_info_vmo_t* vmos = calloc(avail + 4, sizeof(*vmos));
  CHECK_EQ(zx_object_get_info(self, ZX_INFO_PROCESS_VMOS, vmos, (avail + 4) * sizeof(*vmos),
                              &actual, &avail),
           ZX_OK);
  int via_handle = 0, via_mapping = 0;
  for (size_t i = 0; i < actual; i++) {
    if (vmos[i].koid != vmo_info(v).koid) continue;
    if ((vmos[i].flags & ZX_INFO_VMO_VIA_HANDLE) != 0) via_handle++;
    if ((vmos[i].flags & ZX_INFO_VMO_VIA_MAPPING) != 0) via_mapping++;
  }
  CHECK_EQ(via_handle, 1);
  CHECK_EQ(via_mapping, 1);
  free(vmos);
  zx_handle_t blind = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(self, ZX_RIGHT_READ, &blind), ZX_OK);
  CHECK_EQ(zx_object_get_info(blind, ZX_INFO_PROCESS_VMOS, NULL, 0, &actual, &avail),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_close(blind), ZX_OK);
  unmap_words(words, p);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

void run_process_tests(void) {
  RUN(process_self_job_default_are_stable_task_handles);
  RUN(thread_self_is_one_thread_object_per_host_thread);
  RUN(process_handle_stats_count_open_handles_by_type);
  RUN(process_handle_stats_errors_in_order);
  RUN(process_memory_goes_through_the_mapping_and_stops_at_its_end);
  RUN(process_memory_errors_in_order);
  RUN(cache_flush_checks_its_options);
  RUN(system_features_answer_vm_and_tagging);
  RUN(process_create_gives_a_process_with_an_address_space_of_its_own);
  RUN(process_create_errors_in_order);
  RUN(process_maps_lists_the_address_space_in_depth_first_order);
  RUN(process_maps_and_vmos_of_this_process);
}
