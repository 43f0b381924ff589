// Tasks: this process, its threads and its job (the objects zx_process_self, zx_thread_self and
// zx_job_default hand out), processes made by zx_process_create (address spaces that run no
// code), and the ZX_INFO_PROCESS_* topics.
//
// The host process is the only process that runs code. Its job, its process object and each
// thread's object are made on first use and live as long as the library (the runtime holds a
// reference, as Fuchsia's runtime holds their handles); closing the handle an accessor returned is
// allowed, and the accessor then makes a new handle to the same object. A thread object is made
// per host thread that asks; none is ever terminated (the host tells the library nothing when a
// thread exits).

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "zx_internal.h"

// A job, a process or a thread: an object with the koid of the task it belongs to.
struct task {
  struct object obj;
  zx_koid_t related_koid;  // a process's job, a thread's process; 0 for the job
  // A process made by zx_process_create: its address space (root VMAR, one reference), which
  // ends with the process. NULL for this process, whose address space is the host's.
  struct vmar* aspace;
  char name[ZX_MAX_NAME_LEN];
};

static struct task* g_job;
static struct task* g_process;
static zx_handle_t g_job_handle;
static zx_handle_t g_process_handle;
static _Thread_local struct task* t_thread;
static _Thread_local zx_handle_t t_thread_handle;

static struct task* task_new(zx_obj_type_t type, zx_koid_t related_koid) {
  struct task* t = calloc(1, sizeof(*t));
  if (t == NULL) return NULL;
  t->obj.type = type;
  t->obj.koid = zx_new_koid();
  t->obj.refs = 1;  // the runtime's reference: never dropped
  t->related_koid = related_koid;
  return t;
}

void task_destroy(struct object* obj) {
  struct task* t = (struct task*)obj;
  if (t->aspace != NULL) {
    vmar_destroy_aspace(t->aspace);
    object_unref(&t->aspace->obj);
  }
  free(t);
}

zx_koid_t task_related_koid(const struct object* obj) {
  return ((const struct task*)obj)->related_koid;
}

// Whether `handle` is an open handle to `obj`.
static bool handle_is(zx_handle_t handle, const struct object* obj) {
  struct handle_entry* e = handle_lookup(handle);
  return e != NULL && e->obj == obj;
}

// The runtime's handle to *task (made with `rights` if it has none), creating the task first.
// ZX_HANDLE_INVALID if either cannot be made (no memory, or the handle table is full).
static zx_handle_t task_handle(struct task** task, zx_handle_t* handle, zx_obj_type_t type,
                               zx_koid_t related_koid, zx_rights_t rights) {
  if (*task == NULL) *task = task_new(type, related_koid);
  if (*task == NULL) return ZX_HANDLE_INVALID;
  if (!handle_is(*handle, &(*task)->obj) &&
      handle_alloc(&(*task)->obj, rights, handle) != ZX_OK) {
    *handle = ZX_HANDLE_INVALID;
  }
  return *handle;
}

static zx_koid_t job_koid(void) {
  task_handle(&g_job, &g_job_handle, ZX_OBJ_TYPE_JOB, ZX_KOID_INVALID, ZX_DEFAULT_JOB_RIGHTS);
  return g_job != NULL ? g_job->obj.koid : ZX_KOID_INVALID;
}

static zx_koid_t process_koid(void) {
  zx_koid_t job = job_koid();
  task_handle(&g_process, &g_process_handle, ZX_OBJ_TYPE_PROCESS, job,
              ZX_DEFAULT_PROCESS_RIGHTS);
  return g_process != NULL ? g_process->obj.koid : ZX_KOID_INVALID;
}

ZX_EXPORT zx_handle_t zx_job_default(void) {
  zx_lock();
  job_koid();
  zx_handle_t h = g_job_handle;
  zx_unlock();
  return h;
}

ZX_EXPORT zx_handle_t zx_process_self(void) {
  zx_lock();
  process_koid();
  zx_handle_t h = g_process_handle;
  zx_unlock();
  return h;
}

ZX_EXPORT zx_handle_t zx_thread_self(void) {
  zx_lock();
  zx_koid_t process = process_koid();
  zx_handle_t h = process == ZX_KOID_INVALID
                      ? ZX_HANDLE_INVALID
                      : task_handle(&t_thread, &t_thread_handle, ZX_OBJ_TYPE_THREAD, process,
                                    ZX_DEFAULT_THREAD_RIGHTS);
  zx_unlock();
  return h;
}

// ---- zx_process_create ---------------------------------------------------------------------

// Checks, in order: INVALID_ARGS (options other than 0; name NULL with name_size > 0),
// NOT_SUPPORTED (ZX_PROCESS_SHARED), BAD_HANDLE, WRONG_TYPE (not a job), ACCESS_DENIED (no
// MANAGE_PROCESS), INVALID_ARGS (proc_handle or vmar_handle NULL), NO_MEMORY. The process gets
// the first min(name_size, ZX_MAX_NAME_LEN - 1) bytes of `name` (up to a NUL) and an address
// space of its own; it never runs (zx_process_start does not exist here). It ends, taking its
// address space with it, when its last handle is closed: its root VMAR's handles then give
// BAD_STATE.
ZX_EXPORT zx_status_t zx_process_create(zx_handle_t job, const char* name, size_t name_size,
                                        uint32_t options, zx_handle_t* proc_handle,
                                        zx_handle_t* vmar_handle) {
  ZX_FAULT_POINT(job, ZX_HANDLE_INVALID, options);
  if ((options & ~ZX_PROCESS_SHARED) != 0 || (name == NULL && name_size > 0)) {
    return ZX_ERR_INVALID_ARGS;
  }
  if (options != 0) return ZX_ERR_NOT_SUPPORTED;
  zx_lock();
  zx_status_t status = ZX_OK;
  struct handle_entry* e = handle_lookup(job);
  if (e == NULL) {
    status = ZX_ERR_BAD_HANDLE;
  } else if (e->obj->type != ZX_OBJ_TYPE_JOB) {
    status = ZX_ERR_WRONG_TYPE;
  } else if ((e->rights & ZX_RIGHT_MANAGE_PROCESS) == 0) {
    status = ZX_ERR_ACCESS_DENIED;
  } else if (proc_handle == NULL || vmar_handle == NULL) {
    status = ZX_ERR_INVALID_ARGS;
  }
  if (status != ZX_OK) goto out;
  struct task* p = calloc(1, sizeof(*p));
  if (p == NULL || vmar_create_aspace(&p->aspace) != ZX_OK) {
    free(p);
    status = ZX_ERR_NO_MEMORY;
    goto out;
  }
  p->aspace->obj.refs++;  // the process's own reference (the other ends with the range)
  p->obj.type = ZX_OBJ_TYPE_PROCESS;
  p->obj.koid = zx_new_koid();
  p->related_koid = e->obj->koid;
  size_t len = name_size < ZX_MAX_NAME_LEN - 1 ? name_size : ZX_MAX_NAME_LEN - 1;
  if (len > 0) memcpy(p->name, name, strnlen(name, len));
  zx_handle_t proc;
  status = handle_alloc(&p->obj, ZX_DEFAULT_PROCESS_RIGHTS, &proc);
  if (status != ZX_OK) {
    task_destroy(&p->obj);
    goto out;
  }
  status = handle_alloc(&p->aspace->obj,
                        ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE,
                        vmar_handle);
  if (status != ZX_OK) {
    handle_close_locked(proc);  // ends the process and its address space
    goto out;
  }
  *proc_handle = proc;
out:
  zx_unlock();
  return status;
}

// ZX_PROP_NAME of a process ("" for other tasks).
void task_get_name(const struct object* obj, char out[ZX_MAX_NAME_LEN]) {
  memcpy(out, ((const struct task*)obj)->name, ZX_MAX_NAME_LEN);
}

// ---- Info topics ---------------------------------------------------------------------------

// Copies the one record `info` of `size` bytes to the caller's buffer, as every single-record
// topic does: BUFFER_TOO_SMALL (*records stays 1), INVALID_ARGS (NULL buffer).
static zx_status_t copy_record(const void* info, size_t size, void* buffer, size_t buffer_size) {
  if (buffer_size < size) return ZX_ERR_BUFFER_TOO_SMALL;
  if (buffer == NULL) return ZX_ERR_INVALID_ARGS;
  zx_status_t status = vmar_prepare_user_write(buffer, size);
  if (status == ZX_OK) memcpy(buffer, info, size);
  return status;
}

// A list topic's records: the first buffer_size / size of the n in `records` are copied.
static zx_status_t copy_records(const void* records, size_t n, size_t size, void* buffer,
                                size_t buffer_size, size_t* written) {
  size_t fit = buffer_size / size < n ? buffer_size / size : n;
  if (fit > 0 && buffer == NULL) return ZX_ERR_INVALID_ARGS;
  zx_status_t status = fit > 0 ? vmar_prepare_user_write(buffer, fit * size) : ZX_OK;
  if (status == ZX_OK && fit > 0) memcpy(buffer, records, fit * size);
  *written = fit;
  return status;
}

// ZX_INFO_PROCESS_MAPS of process `p`.
static zx_status_t process_maps(const struct task* p, void* buffer, size_t buffer_size,
                                size_t* records, size_t* written) {
  const struct vmar* aspace = p->aspace != NULL ? p->aspace : zx_g.root;
  size_t n = vmar_list_maps(aspace, p->name, NULL, 0);
  zx_info_maps_t* maps = calloc(n, sizeof(*maps));
  if (maps == NULL) return ZX_ERR_NO_MEMORY;
  vmar_list_maps(aspace, p->name, maps, n);
  *records = n;
  zx_status_t status = copy_records(maps, n, sizeof(*maps), buffer, buffer_size, written);
  free(maps);
  return status;
}

// ZX_INFO_PROCESS_VMOS of process `p`: one record per handle to a VMO (this process only; flag
// VIA_HANDLE), then one per mapping (VIA_MAPPING, rights 0), as zircon lists them (a VMO may
// appear several times).
static zx_status_t process_vmos(const struct task* p, bool v1, void* buffer, size_t buffer_size,
                                size_t* records, size_t* written) {
  const struct vmar* aspace = p->aspace != NULL ? p->aspace : zx_g.root;
  size_t handles = p->aspace == NULL ? zx_g.handles_by_type[ZX_OBJ_TYPE_VMO] : 0;
  size_t mapped = vmar_list_mapped_vmos(aspace, NULL, 0);
  size_t n = handles + mapped;
  size_t size = v1 ? sizeof(zx_info_vmo_v1_t) : sizeof(zx_info_vmo_t);
  struct vmo** vmos = calloc(mapped + 1, sizeof(*vmos));
  char* out = calloc(n + 1, size);
  zx_status_t status = vmos == NULL || out == NULL ? ZX_ERR_NO_MEMORY : ZX_OK;
  size_t k = 0;
  for (uint32_t i = 0; status == ZX_OK && k < handles && i < zx_g.num_handles; i++) {
    struct handle_entry* h = &zx_g.handles[i];
    if (h->obj == NULL || h->obj->type != ZX_OBJ_TYPE_VMO) continue;
    zx_info_vmo_t info;
    status = vmo_get_info((struct vmo*)h->obj, h->rights, &info);
    memcpy(out + k++ * size, &info, size);
  }
  if (status == ZX_OK) vmar_list_mapped_vmos(aspace, vmos, mapped);
  for (size_t i = 0; status == ZX_OK && i < mapped; i++) {
    zx_info_vmo_t info;
    status = vmo_get_info(vmos[i], 0, &info);
    info.flags = (info.flags & ~ZX_INFO_VMO_VIA_HANDLE) | ZX_INFO_VMO_VIA_MAPPING;
    memcpy(out + k++ * size, &info, size);
  }
  *records = k;
  if (status == ZX_OK) status = copy_records(out, k, size, buffer, buffer_size, written);
  free(vmos);
  free(out);
  return status;
}

zx_status_t task_get_info(struct handle_entry* e, uint32_t topic, void* buffer,
                          size_t buffer_size, size_t* records, size_t* written) {
  *records = 0;
  bool process_topic = topic == ZX_INFO_PROCESS_HANDLE_STATS || topic == ZX_INFO_PROCESS_MAPS ||
                       topic == ZX_INFO_PROCESS_VMOS || topic == ZX_INFO_PROCESS_VMOS_V1;
  if (!process_topic) return ZX_ERR_NOT_SUPPORTED;
  if (e->obj->type != ZX_OBJ_TYPE_PROCESS) return ZX_ERR_WRONG_TYPE;
  if ((e->rights & ZX_RIGHT_INSPECT) == 0) return ZX_ERR_ACCESS_DENIED;
  const struct task* p = (const struct task*)e->obj;
  switch (topic) {
    case ZX_INFO_PROCESS_MAPS:
      return process_maps(p, buffer, buffer_size, records, written);
    case ZX_INFO_PROCESS_VMOS:
    case ZX_INFO_PROCESS_VMOS_V1:
      return process_vmos(p, topic == ZX_INFO_PROCESS_VMOS_V1, buffer, buffer_size, records,
                          written);
    default:
      break;
  }
  switch (topic) {
    case ZX_INFO_PROCESS_HANDLE_STATS: {
      *records = 1;
      // Every handle is this process's: a created process holds none.
      zx_info_process_handle_stats_t info;
      memset(&info, 0, sizeof(info));
      if (((struct task*)e->obj)->aspace == NULL) {
        memcpy(info.handle_count, zx_g.handles_by_type, sizeof(info.handle_count));
      }
      return copy_record(&info, sizeof(info), buffer, buffer_size);
    }
    default:
      return ZX_ERR_NOT_SUPPORTED;
  }
}

// ---- zx_process_read_memory / zx_process_write_memory ---------------------------------------

// Largest transfer per call (zircon's kMaxDebugReadBlock / kMaxDebugWriteBlock: 64 MiB).
#define PROCESS_MEMORY_MAX ((size_t)64 << 20)

// Copies up to `len` bytes from `src` to `dst` through a pipe, one page at a time (a pipe always
// holds a page, so neither call blocks): a page the kernel cannot read or write ends the copy
// with EFAULT instead of a fault in the library. Returns the bytes copied, or -1 if none were.
// For hosts without process_vm_readv/writev.
static ssize_t copy_through_pipe(void* dst, const void* src, size_t len) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  size_t done = 0;
  while (done < len) {
    size_t chunk = len - done < zx_page() ? len - done : (size_t)zx_page();
    ssize_t w = write(fds[1], (const char*)src + done, chunk);
    if (w <= 0) break;
    ssize_t r = read(fds[0], (char*)dst + done, (size_t)w);
    if (r > 0) done += (size_t)r;
    if (r != w) break;
  }
  close(fds[0]);
  close(fds[1]);
  return done > 0 ? (ssize_t)done : -1;
}

// Copies between the caller's `buffer` and [vaddr, vaddr + len) of this process as zircon does:
// through the mapping at `vaddr` (its VMO, up to the mapping's end and the VMO's end), never past
// it. Memory that none of our VMARs manages (the host's own: heap, stacks, libraries) is copied
// with process_vm_readv/writev, which stops at the first page it cannot access. *done: the bytes
// copied; NO_MEMORY if none could be.
static zx_status_t process_copy(const struct task* process, uintptr_t vaddr, void* buffer,
                                size_t len, bool write, size_t* done) {
  uint64_t ps = zx_page();
  *done = 0;
  const struct vmar* aspace = process->aspace != NULL ? process->aspace : zx_g.root;
  struct mapping* m = vmar_mapping_at(aspace, vaddr);
  if (m != NULL) {
    uint64_t off = m->off + (vaddr - m->base);
    uint64_t lim = vmo_backing_limit(m->vmo) * ps;  // backing coordinates
    if (off >= lim || (write && (!m->writable || (m->prot & PROT_WRITE) == 0))) {
      return ZX_ERR_NO_MEMORY;
    }
    size_t n = len;
    if (n > m->base + m->len - vaddr) n = m->base + m->len - vaddr;
    if (n > lim - off) n = (size_t)(lim - off);
    zx_status_t status = write ? vmo_write_bytes(m->backing, buffer, off, n)
                               : vmo_read_bytes(m->backing, buffer, off, n);
    if (status == ZX_OK) *done = n;
    return status;
  }
  if (process->aspace != NULL) return ZX_ERR_NO_MEMORY;  // its address space maps nothing there
  if (vmar_region_at(zx_g.root, vaddr)) return ZX_ERR_NO_MEMORY;  // reserved, nothing mapped
  struct iovec local = {buffer, len};
  struct iovec remote = {(void*)vaddr, len};
  ssize_t n = write ? process_vm_writev(getpid(), &local, 1, &remote, 1, 0)
                    : process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
  if (n < 0 && (errno == ENOSYS || errno == EPERM)) {  // e.g. under qemu-user
    n = write ? copy_through_pipe((void*)vaddr, buffer, len)
              : copy_through_pipe(buffer, (void*)vaddr, len);
  }
  if (n <= 0) return ZX_ERR_NO_MEMORY;
  *done = (size_t)n;
  return ZX_OK;
}

// Checks, in order: INVALID_ARGS (buffer NULL, buffer_size 0 or above 64 MiB), BAD_HANDLE,
// WRONG_TYPE (not a process), ACCESS_DENIED (READ and WRITE both needed), NO_MEMORY (nothing
// readable at vaddr). A read that runs past the mapping at vaddr stops there (ZX_OK, *actual
// short). *actual is optional.
static zx_status_t process_memory(zx_handle_t handle, zx_vaddr_t vaddr, void* buffer,
                                  size_t buffer_size, size_t* actual, bool write) {
  if (buffer == NULL || buffer_size == 0 || buffer_size > PROCESS_MEMORY_MAX) {
    return ZX_ERR_INVALID_ARGS;
  }
  zx_lock();
  size_t done = 0;
  zx_status_t status;
  struct handle_entry* e = handle_lookup(handle);
  if (e == NULL) {
    status = ZX_ERR_BAD_HANDLE;
  } else if (e->obj->type != ZX_OBJ_TYPE_PROCESS) {
    status = ZX_ERR_WRONG_TYPE;
  } else if ((e->rights & (ZX_RIGHT_READ | ZX_RIGHT_WRITE)) != (ZX_RIGHT_READ | ZX_RIGHT_WRITE)) {
    status = ZX_ERR_ACCESS_DENIED;
  } else {
    status = write ? ZX_OK : vmar_prepare_user_write(buffer, buffer_size);
    if (status == ZX_OK) {
      status = process_copy((struct task*)e->obj, vaddr, buffer, buffer_size, write, &done);
    }
    if (status == ZX_OK && actual != NULL) status = vmar_prepare_user_write(actual, sizeof(*actual));
  }
  zx_unlock();
  if (status == ZX_OK && actual != NULL) *actual = done;
  return status;
}

ZX_EXPORT zx_status_t zx_process_read_memory(zx_handle_t handle, zx_vaddr_t vaddr, void* buffer,
                                             size_t buffer_size, size_t* actual) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, ZX_FAULT_NO_OPTION);
  return process_memory(handle, vaddr, buffer, buffer_size, actual, false);
}

ZX_EXPORT zx_status_t zx_process_write_memory(zx_handle_t handle, zx_vaddr_t vaddr,
                                              const void* buffer, size_t buffer_size,
                                              size_t* actual) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, ZX_FAULT_NO_OPTION);
  return process_memory(handle, vaddr, (void*)buffer, buffer_size, actual, true);
}
