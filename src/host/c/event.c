// Events and event pairs: objects that only carry signals.
//
// An event asserts what zx_object_signal sets: the user signals and ZX_EVENT_SIGNALED. An event
// pair is two such objects, each knowing the other while it has handles; zx_object_signal_peer
// changes the other end's signals, and when the last handle of one end is closed the other end
// asserts ZX_EVENTPAIR_PEER_CLOSED (and can no longer be signaled through: PEER_CLOSED).

#include <stdlib.h>

#include "zx_internal.h"

static struct event* event_new(zx_obj_type_t type) {
  struct event* e = calloc(1, sizeof(*e));
  if (e == NULL) return NULL;
  e->obj.type = type;
  e->obj.koid = zx_new_koid();
  return e;
}

void event_destroy(struct event* e) { free(e); }

void event_on_zero_handles(struct event* e) {
  struct event* peer = e->peer;
  if (peer == NULL) return;
  peer->peer = NULL;
  e->peer = NULL;
  object_signal(&peer->obj, 0, ZX_EVENTPAIR_PEER_CLOSED);
}

zx_status_t event_signal_peer(struct object* obj, zx_signals_t clear, zx_signals_t set) {
  if (obj->type != ZX_OBJ_TYPE_EVENTPAIR) return ZX_ERR_NOT_SUPPORTED;
  const zx_signals_t allowed = ZX_USER_SIGNAL_ALL | ZX_EVENTPAIR_SIGNALED;
  if ((clear & ~allowed) != 0 || (set & ~allowed) != 0) return ZX_ERR_INVALID_ARGS;
  struct event* peer = ((struct event*)obj)->peer;
  if (peer == NULL) return ZX_ERR_PEER_CLOSED;
  object_signal(&peer->obj, clear, set);
  return ZX_OK;
}

zx_koid_t event_related_koid(const struct object* obj) {
  return obj->type == ZX_OBJ_TYPE_EVENTPAIR ? ((const struct event*)obj)->peer_koid
                                            : ZX_KOID_INVALID;
}

// Checks: INVALID_ARGS (options not 0), INVALID_ARGS (out NULL), NO_MEMORY / NO_RESOURCES.
// The handle has ZX_DEFAULT_EVENT_RIGHTS.
ZX_EXPORT zx_status_t zx_event_create(uint32_t options, zx_handle_t* out) {
  ZX_FAULT_POINT(ZX_HANDLE_INVALID, ZX_HANDLE_INVALID, options);
  if (options != 0 || out == NULL) return ZX_ERR_INVALID_ARGS;
  zx_lock();
  zx_status_t status = ZX_ERR_NO_MEMORY;
  struct event* e = event_new(ZX_OBJ_TYPE_EVENT);
  if (e != NULL) {
    status = handle_alloc(&e->obj, ZX_DEFAULT_EVENT_RIGHTS, out);
    if (status != ZX_OK) event_destroy(e);
  }
  zx_unlock();
  return status;
}

// Checks: NOT_SUPPORTED (options not 0), INVALID_ARGS (out0 or out1 NULL), NO_MEMORY /
// NO_RESOURCES. Both handles have ZX_DEFAULT_EVENTPAIR_RIGHTS; each end's related_koid is the
// other's koid.
ZX_EXPORT zx_status_t zx_eventpair_create(uint32_t options, zx_handle_t* out0, zx_handle_t* out1) {
  ZX_FAULT_POINT(ZX_HANDLE_INVALID, ZX_HANDLE_INVALID, options);
  if (options != 0) return ZX_ERR_NOT_SUPPORTED;
  if (out0 == NULL || out1 == NULL) return ZX_ERR_INVALID_ARGS;
  zx_lock();
  zx_status_t status = ZX_ERR_NO_MEMORY;
  struct event* a = event_new(ZX_OBJ_TYPE_EVENTPAIR);
  struct event* b = event_new(ZX_OBJ_TYPE_EVENTPAIR);
  if (a == NULL || b == NULL) {
    free(a);
    free(b);
    zx_unlock();
    return status;
  }
  a->peer = b;
  b->peer = a;
  a->peer_koid = b->obj.koid;
  b->peer_koid = a->obj.koid;
  zx_handle_t h0;
  status = handle_alloc(&a->obj, ZX_DEFAULT_EVENTPAIR_RIGHTS, &h0);
  if (status != ZX_OK) {
    event_destroy(a);
    event_destroy(b);
  } else if ((status = handle_alloc(&b->obj, ZX_DEFAULT_EVENTPAIR_RIGHTS, out1)) != ZX_OK) {
    a->peer = NULL;  // b never had a handle: nobody is told
    handle_close_locked(h0);
    event_destroy(b);
  } else {
    *out0 = h0;
  }
  zx_unlock();
  return status;
}
