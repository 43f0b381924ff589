// Injected failures and syscall traces, for tests (see native-headers/zircon4j/fault.h).
//
// State is per thread: a thread's faults and trace live in a block it allocates when it arms its
// first fault or starts a trace, reachable only from its own thread-local pointer, so no lock is
// needed and no other thread's calls can see them. A pthread key frees the block when the thread
// ends. The global `zx_fault_threads` counts the threads that have one, so the hook in each
// syscall (ZX_FAULT_POINT) costs one relaxed load while no test uses this.

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zircon4j/fault.h>

#include "zx_internal.h"

// The syscalls that can fail (all exported zx_* functions returning zx_status_t), in the order
// of zircon4j_fault_syscall_name. Each starts with ZX_FAULT_POINT; the C suite fails each one.
static const char* const kSyscalls[] = {
    "zx_handle_close",        "zx_handle_close_many",    "zx_handle_duplicate",
    "zx_handle_replace",      "zx_object_wait_one",      "zx_object_wait_many",
    "zx_object_signal",       "zx_object_signal_peer",   "zx_object_get_info",
    "zx_object_get_property", "zx_object_set_property",  "zx_event_create",
    "zx_eventpair_create",    "zx_vmo_create",           "zx_vmo_read",
    "zx_vmo_write",           "zx_vmo_get_size",         "zx_vmo_set_size",
    "zx_vmo_create_child",    "zx_vmo_set_cache_policy", "zx_vmo_op_range",
    "zx_vmar_map",            "zx_vmar_unmap",           "zx_vmar_op_range",
    "zx_vmar_allocate",       "zx_vmar_destroy",         "zx_vmar_protect",
};
enum { kNumSyscalls = sizeof(kSyscalls) / sizeof(kSyscalls[0]) };
enum { kTraceCap = 4096 };  // calls recorded per trace; later ones are only counted

struct fault {
  uint32_t id;
  uint32_t syscall;  // index into kSyscalls
  zx_status_t status;
  uint32_t skip;     // matching calls still to let through
  uint32_t count;    // failures still to deliver
  uint32_t match;
  zx_handle_t handle;
  uint64_t option;
};

struct fault_state {
  struct fault faults[ZIRCON4J_FAULT_MAX];
  size_t num_faults;
  uint32_t next_id;
  bool tracing;
  size_t trace_len;  // calls recorded (only the first kTraceCap are kept)
  uint32_t trace[kTraceCap];
};

unsigned zx_fault_threads;

static _Thread_local struct fault_state* tl_state;
static pthread_key_t g_state_key;
static pthread_once_t g_key_once = PTHREAD_ONCE_INIT;

// Runs when a thread that still has a state ends (pthread_setspecific made the value non-NULL).
static void state_free(void* state) {
  free(state);
  __atomic_fetch_sub(&zx_fault_threads, 1, __ATOMIC_RELAXED);
}

static void key_init(void) {
  if (pthread_key_create(&g_state_key, state_free) != 0) abort();  // only if keys ran out
}

// The calling thread's state, created if `create`; NULL if there is none (or no memory).
static struct fault_state* state_get(bool create) {
  if (tl_state != NULL || !create) return tl_state;
  pthread_once(&g_key_once, key_init);
  struct fault_state* s = calloc(1, sizeof(*s));
  if (s == NULL) return NULL;
  if (pthread_setspecific(g_state_key, s) != 0) {
    free(s);
    return NULL;
  }
  s->next_id = 1;
  tl_state = s;
  __atomic_fetch_add(&zx_fault_threads, 1, __ATOMIC_RELAXED);
  return s;
}

// Drops the calling thread's state once it has neither faults nor a trace, so that the hook of
// every thread goes back to its one load when the last test is done with this.
static void state_release_if_idle(void) {
  struct fault_state* s = tl_state;
  if (s == NULL || s->num_faults > 0 || s->tracing) return;
  tl_state = NULL;
  pthread_setspecific(g_state_key, NULL);
  state_free(s);
}

static int syscall_index(const char* name) {
  for (int i = 0; i < kNumSyscalls; i++) {
    if (strcmp(kSyscalls[i], name) == 0) return i;
  }
  return -1;
}

static bool fault_matches(const struct fault* f, uint32_t syscall, zx_handle_t a, zx_handle_t b,
                          uint64_t option) {
  if (f->syscall != syscall) return false;
  if ((f->match & ZIRCON4J_FAULT_MATCH_HANDLE) && f->handle != a && f->handle != b) return false;
  if ((f->match & ZIRCON4J_FAULT_MATCH_OPTION) && f->option != option) return false;
  return true;
}

// zircon invalidates a valid source handle of zx_handle_replace whatever the call returns; an
// injected failure does the same (even an injected BAD_HANDLE: the handle passed was valid), so
// that code relying on that rule leaks nothing.
static void replace_consumes(zx_handle_t handle) {
  zx_lock();
  handle_close_locked(handle);  // BAD_HANDLE: nothing to invalidate
  zx_unlock();
}

zx_status_t fault_check(const char* name, zx_handle_t a, zx_handle_t b, uint64_t option) {
  struct fault_state* s = tl_state;
  if (s == NULL) return ZX_OK;  // another thread has faults
  int index = syscall_index(name);
  if (index < 0) abort();  // a hook in a syscall missing from kSyscalls
  uint32_t syscall = (uint32_t)index;
  if (s->tracing) {
    if (s->trace_len < kTraceCap) s->trace[s->trace_len] = syscall;
    s->trace_len++;
  }
  for (size_t i = 0; i < s->num_faults; i++) {
    struct fault* f = &s->faults[i];
    if (f->count == 0 || !fault_matches(f, syscall, a, b, option)) continue;
    if (f->skip > 0) {
      f->skip--;
      continue;
    }
    f->count--;
    if (strcmp(name, "zx_handle_replace") == 0) replace_consumes(a);
    return f->status;
  }
  return ZX_OK;
}

ZX_EXPORT zx_status_t zircon4j_fault_arm(const char* syscall, zx_status_t status, uint32_t skip,
                                         uint32_t count, uint32_t match, zx_handle_t handle,
                                         uint64_t option, uint32_t* out_id) {
  const uint32_t known = ZIRCON4J_FAULT_MATCH_HANDLE | ZIRCON4J_FAULT_MATCH_OPTION;
  if (syscall == NULL || out_id == NULL || status >= 0 || count == 0 || (match & ~known) != 0 ||
      ((match & ZIRCON4J_FAULT_MATCH_HANDLE) && handle == ZX_HANDLE_INVALID)) {
    return ZX_ERR_INVALID_ARGS;
  }
  int index = syscall_index(syscall);
  if (index < 0) return ZX_ERR_NOT_FOUND;
  struct fault_state* s = state_get(true);
  if (s == NULL) return ZX_ERR_NO_MEMORY;
  if (s->num_faults == ZIRCON4J_FAULT_MAX) return ZX_ERR_NO_RESOURCES;
  struct fault* f = &s->faults[s->num_faults++];
  *f = (struct fault){.id = s->next_id++,
                      .syscall = (uint32_t)index,
                      .status = status,
                      .skip = skip,
                      .count = count,
                      .match = match,
                      .handle = handle,
                      .option = option};
  *out_id = f->id;
  return ZX_OK;
}

ZX_EXPORT zx_status_t zircon4j_fault_disarm(uint32_t id, uint32_t* remaining) {
  struct fault_state* s = state_get(false);
  if (s == NULL) return ZX_ERR_NOT_FOUND;
  for (size_t i = 0; i < s->num_faults; i++) {
    if (s->faults[i].id != id) continue;
    if (remaining != NULL) *remaining = s->faults[i].count;
    // Keep the order of the others: the first armed fault that matches a call delivers first.
    memmove(&s->faults[i], &s->faults[i + 1], (s->num_faults - i - 1) * sizeof(s->faults[0]));
    s->num_faults--;
    state_release_if_idle();
    return ZX_OK;
  }
  return ZX_ERR_NOT_FOUND;
}

ZX_EXPORT zx_status_t zircon4j_fault_remaining(uint32_t id, uint32_t* remaining) {
  struct fault_state* s = state_get(false);
  if (s == NULL || remaining == NULL) return s == NULL ? ZX_ERR_NOT_FOUND : ZX_ERR_INVALID_ARGS;
  for (size_t i = 0; i < s->num_faults; i++) {
    if (s->faults[i].id == id) {
      *remaining = s->faults[i].count;
      return ZX_OK;
    }
  }
  return ZX_ERR_NOT_FOUND;
}

ZX_EXPORT void zircon4j_fault_reset(void) {
  struct fault_state* s = state_get(false);
  if (s == NULL) return;
  s->num_faults = 0;
  s->tracing = false;
  state_release_if_idle();
}

ZX_EXPORT zx_status_t zircon4j_fault_trace_start(void) {
  struct fault_state* s = state_get(true);
  if (s == NULL) return ZX_ERR_NO_MEMORY;
  s->tracing = true;
  s->trace_len = 0;
  return ZX_OK;
}

ZX_EXPORT size_t zircon4j_fault_trace_stop(uint32_t* indexes, size_t capacity) {
  struct fault_state* s = state_get(false);
  if (s == NULL || !s->tracing) return 0;
  size_t kept = s->trace_len < kTraceCap ? s->trace_len : kTraceCap;
  if (indexes != NULL) memcpy(indexes, s->trace, (kept < capacity ? kept : capacity) * sizeof(*indexes));
  size_t recorded = s->trace_len;
  s->tracing = false;
  state_release_if_idle();
  return recorded;
}

ZX_EXPORT const char* zircon4j_fault_syscall_name(uint32_t index) {
  return index < kNumSyscalls ? kSyscalls[index] : NULL;
}
