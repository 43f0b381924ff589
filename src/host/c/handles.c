// Handles, generic object syscalls and the system calls (page size, clock).
//
// Handle values: bits 0-1 are always set, bits 2-21 are the slot index, bits 22-31 a generation
// that changes every time the slot is reused. Freed slots go to the back of a FIFO and are only
// reused once at least kMinFree slots are free, so a closed value does not come back at once
// (it comes back only after its slot was reused 1024 times).

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zx_internal.h"

#define HANDLE_INDEX_BITS 20u
#define HANDLE_MAX_SLOTS (1u << HANDLE_INDEX_BITS)
#define HANDLE_GEN_MASK 0x3ffu
#define NO_SLOT UINT32_MAX
enum { kMinFree = 64 };

struct zx_state zx_g = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .free_head = NO_SLOT,
    .free_tail = NO_SLOT,
    .next_koid = ZX_KOID_FIRST,
};

static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void state_init(void) {
  pthread_condattr_t attr;
  long ps = sysconf(_SC_PAGESIZE);
  zx_g.page_size = ps > 0 ? (uint64_t)ps : 4096u;  // sysconf cannot fail for _SC_PAGESIZE
  if (pthread_condattr_init(&attr) != 0 ||
      pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
      pthread_cond_init(&zx_g.cond, &attr) != 0) {
    abort();  // cannot run without the wait condition variable
  }
  pthread_condattr_destroy(&attr);
}

void zx_lock(void) {
  pthread_once(&g_once, state_init);
  pthread_mutex_lock(&zx_g.lock);
}

void zx_unlock(void) {
  zx_validate_locked();  // a no-op unless built with ZIRCON4J_VALIDATE (validate.c)
  pthread_mutex_unlock(&zx_g.lock);
}

uint64_t zx_page(void) { return zx_g.page_size; }

zx_koid_t zx_new_koid(void) { return zx_g.next_koid++; }

ZX_EXPORT uint32_t zx_system_get_page_size(void) {
  pthread_once(&g_once, state_init);
  return (uint32_t)zx_g.page_size;
}

ZX_EXPORT zx_time_t zx_clock_get_monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (zx_time_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// ---- Handle table ------------------------------------------------------------------------

static zx_handle_t handle_value(uint32_t index, uint32_t gen) {
  return ((gen & HANDLE_GEN_MASK) << (HANDLE_INDEX_BITS + 2)) | (index << 2) |
         ZX_HANDLE_FIXED_BITS_MASK;
}

zx_status_t handle_alloc(struct object* obj, zx_rights_t rights, zx_handle_t* out) {
  zx_status_t status = vmar_prepare_user_write(out, sizeof(*out));
  if (status != ZX_OK) return status;
  uint32_t index;
  if (zx_g.free_count >= kMinFree ||
      (zx_g.num_handles == HANDLE_MAX_SLOTS && zx_g.free_count > 0)) {
    index = zx_g.free_head;
    zx_g.free_head = zx_g.handles[index].next_free;
    if (zx_g.free_head == NO_SLOT) zx_g.free_tail = NO_SLOT;
    zx_g.free_count--;
  } else {
    if (zx_g.num_handles == HANDLE_MAX_SLOTS) return ZX_ERR_NO_RESOURCES;
    if (zx_g.num_handles == zx_g.cap_handles) {
      uint32_t cap = zx_g.cap_handles ? zx_g.cap_handles * 2 : 64;
      struct handle_entry* grown = realloc(zx_g.handles, (size_t)cap * sizeof(*grown));
      if (grown == NULL) return ZX_ERR_NO_MEMORY;
      zx_g.handles = grown;
      zx_g.cap_handles = cap;
    }
    index = zx_g.num_handles++;
    zx_g.handles[index].gen = 0;
  }
  struct handle_entry* e = &zx_g.handles[index];
  e->obj = obj;
  e->rights = rights;
  e->next_free = NO_SLOT;
  obj->refs++;
  obj->handles++;
  zx_g.handles_by_type[obj->type]++;
  *out = handle_value(index, e->gen);
  return ZX_OK;
}

struct handle_entry* handle_lookup(zx_handle_t handle) {
  if ((handle & ZX_HANDLE_FIXED_BITS_MASK) != ZX_HANDLE_FIXED_BITS_MASK) return NULL;
  uint32_t index = (handle >> 2) & (HANDLE_MAX_SLOTS - 1);
  uint32_t gen = handle >> (HANDLE_INDEX_BITS + 2);
  if (index >= zx_g.num_handles) return NULL;
  struct handle_entry* e = &zx_g.handles[index];
  if (e->obj == NULL || (e->gen & HANDLE_GEN_MASK) != gen) return NULL;
  return e;
}

// Frees the slot of `handle` (its entry `e`) and returns the object, whose reference the caller
// now owns. Once the root VMAR's handle is gone, zx_vmar_root_self() hands out a new one.
static struct object* handle_free(zx_handle_t handle, struct handle_entry* e) {
  if (handle == zx_g.root_handle) zx_g.root_handle = ZX_HANDLE_INVALID;
  struct object* obj = e->obj;
  obj->handles--;
  zx_g.handles_by_type[obj->type]--;
  uint32_t index = (uint32_t)(e - zx_g.handles);
  e->obj = NULL;
  e->rights = 0;
  e->gen = (e->gen + 1) & HANDLE_GEN_MASK;
  e->next_free = NO_SLOT;
  if (zx_g.free_tail == NO_SLOT) {
    zx_g.free_head = index;
  } else {
    zx_g.handles[zx_g.free_tail].next_free = index;
  }
  zx_g.free_tail = index;
  zx_g.free_count++;
  // Waiters on this handle notice that it is gone.
  pthread_cond_broadcast(&zx_g.cond);
  return obj;
}

void object_unref(struct object* obj) {
  if (--obj->refs > 0) return;
  switch (obj->type) {
    case ZX_OBJ_TYPE_VMO:
      vmo_destroy((struct vmo*)obj);
      break;
    case ZX_OBJ_TYPE_VMAR:
      vmar_destroy((struct vmar*)obj);
      break;
    case ZX_OBJ_TYPE_PROCESS:
    case ZX_OBJ_TYPE_THREAD:
    case ZX_OBJ_TYPE_JOB:
      task_destroy(obj);
      break;
    default:
      event_destroy((struct event*)obj);
      break;
  }
}

// Drops the reference of a handle just freed, after telling the object if that was its last
// handle (an event pair end then tells its peer).
static void object_release_handle(struct object* obj) {
  if (obj->handles == 0 && obj->type == ZX_OBJ_TYPE_EVENTPAIR) {
    event_on_zero_handles((struct event*)obj);
  }
  object_unref(obj);
}

// Objects zx_object_wait_* and zx_object_signal accept (not VMARs).
static bool object_waitable(const struct object* obj) { return obj->type != ZX_OBJ_TYPE_VMAR; }

void object_signal(struct object* obj, zx_signals_t clear, zx_signals_t set) {
  zx_signals_t next = (obj->signals & ~clear) | set;
  if (next != obj->signals) {
    obj->signals = next;
    pthread_cond_broadcast(&zx_g.cond);
  }
}

// ---- Handle syscalls ---------------------------------------------------------------------

zx_status_t handle_close_locked(zx_handle_t handle) {
  struct handle_entry* e = handle_lookup(handle);
  if (e == NULL) return ZX_ERR_BAD_HANDLE;
  object_release_handle(handle_free(handle, e));
  return ZX_OK;
}

ZX_EXPORT zx_status_t zx_handle_close(zx_handle_t handle) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, ZX_FAULT_NO_OPTION);
  if (handle == ZX_HANDLE_INVALID) return ZX_OK;
  zx_lock();
  zx_status_t status = handle_close_locked(handle);
  zx_unlock();
  return status;
}

// Closes every handle of the array; ZX_HANDLE_INVALID entries are skipped. Checks: INVALID_ARGS
// (handles NULL with num_handles > 0); BAD_HANDLE if any entry was not an open handle (including
// a second copy of one closed earlier in the array), after closing all the others.
ZX_EXPORT zx_status_t zx_handle_close_many(const zx_handle_t* handles, size_t num_handles) {
  ZX_FAULT_POINT(ZX_HANDLE_INVALID, ZX_HANDLE_INVALID, ZX_FAULT_NO_OPTION);
  if (num_handles > 0 && handles == NULL) return ZX_ERR_INVALID_ARGS;
  zx_status_t status = ZX_OK;
  zx_lock();
  for (size_t i = 0; i < num_handles; i++) {
    if (handles[i] != ZX_HANDLE_INVALID && handle_close_locked(handles[i]) != ZX_OK) {
      status = ZX_ERR_BAD_HANDLE;
    }
  }
  zx_unlock();
  return status;
}

// A new handle to `obj` with `rights` (ZX_RIGHT_SAME_RIGHTS: all of `held`), as duplicate and
// replace make it: INVALID_ARGS if `rights` is not a subset of `held`, then if `out` is NULL.
static zx_status_t handle_alloc_subset(struct object* obj, zx_rights_t held, zx_rights_t rights,
                                       zx_handle_t* out) {
  if (rights == ZX_RIGHT_SAME_RIGHTS) rights = held;
  if ((rights & ~held) != 0 || out == NULL) return ZX_ERR_INVALID_ARGS;
  return handle_alloc(obj, rights, out);
}

// Checks: BAD_HANDLE, ACCESS_DENIED (no DUPLICATE), INVALID_ARGS (rights not a subset, out NULL).
ZX_EXPORT zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights,
                                          zx_handle_t* out) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, rights);
  zx_status_t status;
  zx_lock();
  struct handle_entry* e = handle_lookup(handle);
  if (e == NULL) {
    status = ZX_ERR_BAD_HANDLE;
  } else if ((e->rights & ZX_RIGHT_DUPLICATE) == 0) {
    status = ZX_ERR_ACCESS_DENIED;
  } else {
    status = handle_alloc_subset(e->obj, e->rights, rights, out);
  }
  zx_unlock();
  return status;
}

// Checks: BAD_HANDLE; then the source handle is invalidated whatever happens next;
// INVALID_ARGS (rights not a subset, out NULL); NO_MEMORY.
ZX_EXPORT zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights,
                                        zx_handle_t* out) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, rights);
  zx_lock();
  struct handle_entry* e = handle_lookup(handle);
  if (e == NULL) {
    zx_unlock();
    return ZX_ERR_BAD_HANDLE;
  }
  zx_rights_t old_rights = e->rights;
  struct object* obj = handle_free(handle, e);  // we now own the handle's reference
  zx_status_t status = handle_alloc_subset(obj, old_rights, rights, out);
  object_release_handle(obj);
  zx_unlock();
  return status;
}

// ---- Waiting -----------------------------------------------------------------------------

// Sleeps on the condition variable until `deadline` (ZX_TIME_INFINITE: no deadline). Returns
// false once the deadline has passed.
static bool wait_until(zx_time_t deadline) {
  if (deadline != ZX_TIME_INFINITE && deadline <= zx_clock_get_monotonic()) return false;
  if (deadline == ZX_TIME_INFINITE) {
    pthread_cond_wait(&zx_g.cond, &zx_g.lock);
  } else {
    struct timespec ts = {(time_t)(deadline / 1000000000), (long)(deadline % 1000000000)};
    pthread_cond_timedwait(&zx_g.cond, &zx_g.lock, &ts);  // ETIMEDOUT: seen on the next call
  }
  return true;
}

// The wait of zx_object_wait_one and zx_object_wait_many over `n` (1..ZX_WAIT_MANY_MAX_ITEMS)
// items, with the lock held. Checks each item in order: BAD_HANDLE, ACCESS_DENIED (no WAIT),
// NOT_SUPPORTED (a VMAR: not waitable; its handles never have WAIT, so it gets ACCESS_DENIED).
// Then waits until an item's object asserts one of its `waitfor` signals (OK), an item's handle
// is closed (CANCELED; that item's `pending` gets ZX_SIGNAL_HANDLE_CLOSED) or the deadline
// passes (TIMED_OUT; a deadline at or before now polls). `pending` is set only after a wait.
static zx_status_t wait_items(zx_wait_item_t* items, size_t n, zx_time_t deadline) {
  struct object* objs[ZX_WAIT_MANY_MAX_ITEMS];
  bool closed[ZX_WAIT_MANY_MAX_ITEMS] = {false};
  for (size_t i = 0; i < n; i++) {
    struct handle_entry* e = handle_lookup(items[i].handle);
    if (e == NULL) return ZX_ERR_BAD_HANDLE;
    if ((e->rights & ZX_RIGHT_WAIT) == 0) return ZX_ERR_ACCESS_DENIED;
    if (!object_waitable(e->obj)) return ZX_ERR_NOT_SUPPORTED;
    objs[i] = e->obj;
  }
  for (size_t i = 0; i < n; i++) objs[i]->refs++;  // readable even if a handle is closed
  zx_status_t status = ZX_ERR_TIMED_OUT;
  bool any_closed = false;
  for (;;) {
    for (size_t i = 0; i < n; i++) {
      if ((objs[i]->signals & items[i].waitfor) != 0) status = ZX_OK;
    }
    if (status == ZX_OK || !wait_until(deadline)) break;
    // The table may have moved (realloc): look the values up again. A value carries its slot's
    // generation, so it resolves only while that very handle is open.
    for (size_t i = 0; i < n; i++) {
      struct handle_entry* e = handle_lookup(items[i].handle);
      if (e == NULL || e->obj != objs[i]) closed[i] = any_closed = true;
    }
    if (any_closed) break;
  }
  for (size_t i = 0; i < n; i++) {
    items[i].pending = objs[i]->signals | (closed[i] ? ZX_SIGNAL_HANDLE_CLOSED : 0);
  }
  for (size_t i = 0; i < n; i++) object_unref(objs[i]);
  return any_closed ? ZX_ERR_CANCELED : status;
}

// Checks: see wait_items. `observed` is optional; it is written after any wait.
ZX_EXPORT zx_status_t zx_object_wait_one(zx_handle_t handle, zx_signals_t signals,
                                         zx_time_t deadline, zx_signals_t* observed) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, signals);
  zx_wait_item_t item = {.handle = handle, .waitfor = signals, .pending = 0};
  zx_lock();
  zx_status_t status = wait_items(&item, 1, deadline);
  zx_unlock();
  bool waited = status == ZX_OK || status == ZX_ERR_TIMED_OUT || status == ZX_ERR_CANCELED;
  if (waited && observed != NULL) *observed = item.pending;
  return status;
}

// Checks, in order: with no items, sleeps until the deadline and gives TIMED_OUT; OUT_OF_RANGE
// (more than ZX_WAIT_MANY_MAX_ITEMS); INVALID_ARGS (items NULL); then see wait_items. Every
// item's `pending` is written after a wait (OK, TIMED_OUT, CANCELED).
ZX_EXPORT zx_status_t zx_object_wait_many(zx_wait_item_t* items, size_t num_items,
                                          zx_time_t deadline) {
  ZX_FAULT_POINT(ZX_HANDLE_INVALID, ZX_HANDLE_INVALID, ZX_FAULT_NO_OPTION);
  if (num_items == 0) {
    zx_lock();
    while (wait_until(deadline)) {
    }
    zx_unlock();
    return ZX_ERR_TIMED_OUT;
  }
  if (num_items > ZX_WAIT_MANY_MAX_ITEMS) return ZX_ERR_OUT_OF_RANGE;
  if (items == NULL) return ZX_ERR_INVALID_ARGS;
  zx_wait_item_t copy[ZX_WAIT_MANY_MAX_ITEMS];
  memcpy(copy, items, num_items * sizeof(*items));
  zx_lock();
  zx_status_t status = wait_items(copy, num_items, deadline);
  zx_unlock();
  if (status == ZX_OK || status == ZX_ERR_TIMED_OUT || status == ZX_ERR_CANCELED) {
    for (size_t i = 0; i < num_items; i++) items[i].pending = copy[i].pending;
  }
  return status;
}

// ---- Signals -----------------------------------------------------------------------------

// Checks: BAD_HANDLE, ACCESS_DENIED (no SIGNAL), NOT_SUPPORTED (not waitable), INVALID_ARGS (a
// mask bit outside the user signals, plus ZX_EVENT_SIGNALED / ZX_EVENTPAIR_SIGNALED on events
// and event pairs). Clears, then sets.
ZX_EXPORT zx_status_t zx_object_signal(zx_handle_t handle, uint32_t clear_mask,
                                       uint32_t set_mask) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, ZX_FAULT_NO_OPTION);
  zx_status_t status = ZX_OK;
  zx_lock();
  struct handle_entry* e = handle_lookup(handle);
  if (e == NULL) {
    status = ZX_ERR_BAD_HANDLE;
  } else if ((e->rights & ZX_RIGHT_SIGNAL) == 0) {
    status = ZX_ERR_ACCESS_DENIED;
  } else if (!object_waitable(e->obj)) {
    status = ZX_ERR_NOT_SUPPORTED;
  } else {
    zx_signals_t allowed = ZX_USER_SIGNAL_ALL;
    if (e->obj->type == ZX_OBJ_TYPE_EVENT || e->obj->type == ZX_OBJ_TYPE_EVENTPAIR) {
      allowed |= ZX_EVENT_SIGNALED;
    }
    if ((clear_mask & ~allowed) != 0 || (set_mask & ~allowed) != 0) {
      status = ZX_ERR_INVALID_ARGS;
    } else {
      object_signal(e->obj, clear_mask, set_mask);
    }
  }
  zx_unlock();
  return status;
}

// Checks: BAD_HANDLE, ACCESS_DENIED (no SIGNAL_PEER), then see event_signal_peer.
ZX_EXPORT zx_status_t zx_object_signal_peer(zx_handle_t handle, uint32_t clear_mask,
                                            uint32_t set_mask) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, ZX_FAULT_NO_OPTION);
  zx_status_t status;
  zx_lock();
  struct handle_entry* e = handle_lookup(handle);
  if (e == NULL) {
    status = ZX_ERR_BAD_HANDLE;
  } else if ((e->rights & ZX_RIGHT_SIGNAL_PEER) == 0) {
    status = ZX_ERR_ACCESS_DENIED;
  } else {
    status = event_signal_peer(e->obj, clear_mask, set_mask);
  }
  zx_unlock();
  return status;
}

// ---- Object info -------------------------------------------------------------------------

_Static_assert(sizeof(zx_info_vmo_v1_t) == offsetof(zx_info_vmo_t, metadata_bytes) &&
                   offsetof(zx_info_vmo_v1_t, cache_policy) ==
                       offsetof(zx_info_vmo_t, cache_policy),
               "zx_info_vmo_v1_t is a prefix of zx_info_vmo_t");

// Checks: BAD_HANDLE; NOT_SUPPORTED (unknown topic); WRONG_TYPE (ZX_INFO_VMO* on a non-VMO,
// ZX_INFO_VMAR on a non-VMAR, ZX_INFO_PROCESS_* on a non-process); ACCESS_DENIED (ZX_INFO_VMAR,
// ZX_INFO_HANDLE_COUNT, ZX_INFO_PROCESS_* without INSPECT);
// BUFFER_TOO_SMALL (then actual = 0, avail = 1); INVALID_ARGS (NULL buffer).
// `actual` and `avail` are optional record counts.
ZX_EXPORT zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void* buffer,
                                         size_t buffer_size, size_t* actual, size_t* avail) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, topic);
  zx_status_t status = ZX_OK;
  size_t records = 0;
  size_t written = SIZE_MAX;  // set by list topics: the records copied
  zx_lock();
  struct handle_entry* e = handle_lookup(handle);
  if (e == NULL) {
    zx_unlock();
    return ZX_ERR_BAD_HANDLE;
  }
  switch (topic) {
    case ZX_INFO_HANDLE_VALID:
      break;
    case ZX_INFO_HANDLE_BASIC: {
      records = 1;
      if (buffer_size < sizeof(zx_info_handle_basic_t)) {
        status = ZX_ERR_BUFFER_TOO_SMALL;
      } else if (buffer == NULL) {
        status = ZX_ERR_INVALID_ARGS;
      } else {
        zx_info_handle_basic_t info;
        memset(&info, 0, sizeof(info));
        info.koid = e->obj->koid;
        info.rights = e->rights;
        info.type = e->obj->type;
        if (e->obj->type == ZX_OBJ_TYPE_VMO) {
          // related_koid names a pager-backed VMO's pager; no VMO here has one, so it is 0 (a
          // child's parent is reported by ZX_INFO_VMO.parent_koid, not here).
          info.related_koid = ZX_KOID_INVALID;
        }
        if (e->obj->type == ZX_OBJ_TYPE_EVENTPAIR) info.related_koid = event_related_koid(e->obj);
        if (e->obj->type == ZX_OBJ_TYPE_PROCESS || e->obj->type == ZX_OBJ_TYPE_THREAD ||
            e->obj->type == ZX_OBJ_TYPE_JOB) {
          info.related_koid = task_related_koid(e->obj);
        }
        if (object_waitable(e->obj)) info.props = ZX_OBJ_PROP_WAITABLE;
        status = vmar_prepare_user_write(buffer, sizeof(info));
        if (status == ZX_OK) memcpy(buffer, &info, sizeof(info));
      }
      break;
    }
    case ZX_INFO_VMO_V1:
    case ZX_INFO_VMO: {
      // The V1 record is the current one cut short: copying its size of the current record
      // answers V1.
      size_t record = topic == ZX_INFO_VMO ? sizeof(zx_info_vmo_t) : sizeof(zx_info_vmo_v1_t);
      records = 1;
      if (e->obj->type != ZX_OBJ_TYPE_VMO) {
        status = ZX_ERR_WRONG_TYPE;
        records = 0;
      } else if (buffer_size < record) {
        status = ZX_ERR_BUFFER_TOO_SMALL;
      } else if (buffer == NULL) {
        status = ZX_ERR_INVALID_ARGS;
      } else {
        zx_info_vmo_t info;
        status = vmo_get_info((struct vmo*)e->obj, e->rights, &info);
        if (status == ZX_OK) status = vmar_prepare_user_write(buffer, record);
        if (status == ZX_OK) memcpy(buffer, &info, record);
      }
      break;
    }
    case ZX_INFO_HANDLE_COUNT: {
      records = 1;
      if ((e->rights & ZX_RIGHT_INSPECT) == 0) {
        status = ZX_ERR_ACCESS_DENIED;
        records = 0;
      } else if (buffer_size < sizeof(zx_info_handle_count_t)) {
        status = ZX_ERR_BUFFER_TOO_SMALL;
      } else if (buffer == NULL) {
        status = ZX_ERR_INVALID_ARGS;
      } else {
        zx_info_handle_count_t info = {.handle_count = e->obj->handles};
        status = vmar_prepare_user_write(buffer, sizeof(info));
        if (status == ZX_OK) memcpy(buffer, &info, sizeof(info));
      }
      break;
    }
    case ZX_INFO_VMAR: {
      records = 1;
      if (e->obj->type != ZX_OBJ_TYPE_VMAR) {
        status = ZX_ERR_WRONG_TYPE;
        records = 0;
      } else if ((e->rights & ZX_RIGHT_INSPECT) == 0) {
        status = ZX_ERR_ACCESS_DENIED;
        records = 0;
      } else if (buffer_size < sizeof(zx_info_vmar_t)) {
        status = ZX_ERR_BUFFER_TOO_SMALL;
      } else if (buffer == NULL) {
        status = ZX_ERR_INVALID_ARGS;
      } else {
        zx_info_vmar_t info = vmar_get_info((struct vmar*)e->obj);
        status = vmar_prepare_user_write(buffer, sizeof(info));
        if (status == ZX_OK) memcpy(buffer, &info, sizeof(info));
      }
      break;
    }
    default:  // the task topics (process.c), or NOT_SUPPORTED
      status = task_get_info(e, topic, buffer, buffer_size, &records, &written);
      break;
  }
  zx_unlock();
  if (status == ZX_OK || status == ZX_ERR_BUFFER_TOO_SMALL) {
    if (actual != NULL) *actual = status != ZX_OK ? 0 : written != SIZE_MAX ? written : records;
    if (avail != NULL) *avail = records;
  }
  return status;
}

// ---- Properties --------------------------------------------------------------------------

// Looks up `handle` for a property syscall: BAD_HANDLE, then ACCESS_DENIED without `right`.
static zx_status_t property_lookup(zx_handle_t handle, zx_rights_t right, struct object** out) {
  struct handle_entry* e = handle_lookup(handle);
  if (e == NULL) return ZX_ERR_BAD_HANDLE;
  if ((e->rights & right) == 0) return ZX_ERR_ACCESS_DENIED;
  *out = e->obj;
  return ZX_OK;
}

// ZX_PROP_VMO_CONTENT_SIZE, read or written: BUFFER_TOO_SMALL for less than a uint64_t, then
// WRONG_TYPE for anything but a VMO (the kernel's order for both directions).
static zx_status_t content_size_property_check(const struct object* obj, size_t value_size) {
  if (value_size < sizeof(uint64_t)) return ZX_ERR_BUFFER_TOO_SMALL;
  if (obj->type != ZX_OBJ_TYPE_VMO) return ZX_ERR_WRONG_TYPE;
  return ZX_OK;
}

// Checks, in order: INVALID_ARGS (value NULL), BAD_HANDLE, ACCESS_DENIED (no GET_PROPERTY); then
//   ZX_PROP_NAME: BUFFER_TOO_SMALL (value_size < ZX_MAX_NAME_LEN). Objects without a name (all
//     but VMOs) read as an empty name. Writes exactly ZX_MAX_NAME_LEN bytes.
//   ZX_PROP_VMO_CONTENT_SIZE: BUFFER_TOO_SMALL (value_size < 8), WRONG_TYPE (not a VMO).
//   Any other property: INVALID_ARGS (as zircon's kernel; its doc says NOT_SUPPORTED).
ZX_EXPORT zx_status_t zx_object_get_property(zx_handle_t handle, uint32_t property, void* value,
                                             size_t value_size) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, property);
  if (value == NULL) return ZX_ERR_INVALID_ARGS;
  struct object* obj;
  zx_lock();
  zx_status_t status = property_lookup(handle, ZX_RIGHT_GET_PROPERTY, &obj);
  if (status != ZX_OK) goto out;
  switch (property) {
    case ZX_PROP_NAME: {
      if (value_size < ZX_MAX_NAME_LEN) {
        status = ZX_ERR_BUFFER_TOO_SMALL;
        break;
      }
      char name[ZX_MAX_NAME_LEN] = {0};
      if (obj->type == ZX_OBJ_TYPE_VMO) vmo_get_name((struct vmo*)obj, name);
      if (obj->type == ZX_OBJ_TYPE_PROCESS) task_get_name(obj, name);
      status = vmar_prepare_user_write(value, sizeof(name));
      if (status == ZX_OK) memcpy(value, name, sizeof(name));
      break;
    }
    case ZX_PROP_VMO_CONTENT_SIZE: {
      status = content_size_property_check(obj, value_size);
      if (status != ZX_OK) break;
      uint64_t content_size = vmo_get_content_size((struct vmo*)obj);
      status = vmar_prepare_user_write(value, sizeof(content_size));
      if (status == ZX_OK) memcpy(value, &content_size, sizeof(content_size));
      break;
    }
    default:
      status = ZX_ERR_INVALID_ARGS;
      break;
  }
out:
  zx_unlock();
  return status;
}

// Checks, in order: INVALID_ARGS (value NULL), BAD_HANDLE, ACCESS_DENIED (no SET_PROPERTY); then
//   ZX_PROP_NAME: the name is the first min(value_size, ZX_MAX_NAME_LEN - 1) bytes of `value`, up
//     to a NUL; NOT_SUPPORTED for objects without a name (all but VMOs).
//   ZX_PROP_VMO_CONTENT_SIZE: BUFFER_TOO_SMALL (value_size < 8), WRONG_TYPE (not a VMO), then any
//     status of zeroing the VMO from the new content size to its end.
//   Any other property: INVALID_ARGS.
ZX_EXPORT zx_status_t zx_object_set_property(zx_handle_t handle, uint32_t property,
                                             const void* value, size_t value_size) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, property);
  if (value == NULL) return ZX_ERR_INVALID_ARGS;
  struct object* obj;
  zx_lock();
  zx_status_t status = property_lookup(handle, ZX_RIGHT_SET_PROPERTY, &obj);
  if (status != ZX_OK) goto out;
  switch (property) {
    case ZX_PROP_NAME:
      if (obj->type == ZX_OBJ_TYPE_VMO) {
        vmo_set_name((struct vmo*)obj, value, value_size);
      } else {
        status = ZX_ERR_NOT_SUPPORTED;
      }
      break;
    case ZX_PROP_VMO_CONTENT_SIZE: {
      status = content_size_property_check(obj, value_size);
      if (status != ZX_OK) break;
      uint64_t content_size;
      memcpy(&content_size, value, sizeof(content_size));
      status = vmo_set_content_size((struct vmo*)obj, content_size);
      break;
    }
    default:
      status = ZX_ERR_INVALID_ARGS;
      break;
  }
out:
  zx_unlock();
  return status;
}
