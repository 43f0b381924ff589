// Test controls of zircon4j's host emulation of zircon (libzircon.so built from src/host/c).
//
// Not part of zircon and not bound by jextract: these functions exist only in the emulation, so a
// caller looks them up by name (dlsym) and treats their absence as "not the emulation" (on
// Fuchsia the vDSO has none of them). Their names start with zircon4j_, a prefix zircon never uses.
//
// Injected failures: a thread arms a fault, and its next calls of the named syscall (those that
// match the fault's handle or option, when it has them) return the chosen status without doing
// anything, as if the kernel had refused them at the first check. The one side effect kept is
// zircon's own rule for zx_handle_replace: it invalidates a valid source handle whatever its
// status (only an invalid handle, which an injected ZX_ERR_BAD_HANDLE pretends, has nothing to
// invalidate; the valid one passed is invalidated all the same, so a caller that trusts the rule
// leaks nothing). Faults and traces belong to the thread that made them: other threads' calls
// never see them, so tests running in parallel do not interfere. They end with the thread.

#ifndef ZIRCON4J_FAULT_H_
#define ZIRCON4J_FAULT_H_

#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

// Match bits of zircon4j_fault_arm.
// Only calls with `handle` as one of their handle arguments (both of zx_vmar_map's) fail.
#define ZIRCON4J_FAULT_MATCH_HANDLE ((uint32_t)1u << 0)
// Only calls whose option argument equals `option` fail: the options of zx_vmo_create,
// zx_vmo_create_child, zx_vmar_map, zx_vmar_allocate, zx_vmar_protect, zx_event_create and
// zx_eventpair_create; the op of zx_vmo_op_range and zx_vmar_op_range; the rights of
// zx_handle_duplicate and zx_handle_replace; the topic of zx_object_get_info; the property of
// zx_object_get_property and zx_object_set_property; the signals of zx_object_wait_one; the cache
// policy of zx_vmo_set_cache_policy. A syscall without such an argument never matches.
#define ZIRCON4J_FAULT_MATCH_OPTION ((uint32_t)1u << 1)

// Faults one thread may have armed at once.
#define ZIRCON4J_FAULT_MAX 16

// Arms a fault on the calling thread: of its calls of `syscall` (a name such as "zx_vmar_map")
// that match (see the ZIRCON4J_FAULT_MATCH_* bits in `match`), the first `skip` run as usual and
// the `count` after them return `status`. Writes the fault's id (for zircon4j_fault_disarm) to
// *out_id. Checks, in order: INVALID_ARGS (syscall or out_id NULL, status not negative, count 0,
// unknown match bits, MATCH_HANDLE with ZX_HANDLE_INVALID); NOT_FOUND (no syscall of that name can
// fail: see zircon4j_fault_syscall_name); NO_RESOURCES (ZIRCON4J_FAULT_MAX faults armed already).
zx_status_t zircon4j_fault_arm(const char* syscall, zx_status_t status, uint32_t skip,
                               uint32_t count, uint32_t match, zx_handle_t handle,
                               uint64_t option, uint32_t* out_id);

// Removes fault `id` of the calling thread; *remaining (optional) gets how many of its failures
// were not delivered yet (0: all were). NOT_FOUND if the thread has no such fault.
zx_status_t zircon4j_fault_disarm(uint32_t id, uint32_t* remaining);

// How many failures fault `id` of the calling thread has not delivered yet, in *remaining (0 once
// all were; the fault stays armed until disarmed). NOT_FOUND if the thread has no such fault.
zx_status_t zircon4j_fault_remaining(uint32_t id, uint32_t* remaining);

// Removes every fault of the calling thread and ends its trace.
void zircon4j_fault_reset(void);

// Starts (again, from empty) a trace of the calling thread's syscalls: every later call of a
// syscall that can fail is recorded, in order, by its index (see zircon4j_fault_syscall_name).
// NO_MEMORY if the thread's trace cannot be allocated.
zx_status_t zircon4j_fault_trace_start(void);

// Ends the calling thread's trace: copies up to `capacity` recorded indexes into `indexes` and
// returns how many calls were recorded (more than `capacity` if some did not fit).
size_t zircon4j_fault_trace_stop(uint32_t* indexes, size_t capacity);

// The name of the syscall with index `index` (0, 1, ...), or NULL past the last: the syscalls that
// can fail, and so can be armed and traced.
const char* zircon4j_fault_syscall_name(uint32_t index);

#ifdef __cplusplus
}
#endif

#endif  // ZIRCON4J_FAULT_H_
