// VMARs (the root and sub-regions made by zx_vmar_allocate) and mappings.
//
// Mappings are real mmaps in this process. A mapping is made by reserving its whole range
// (anonymous PROT_NONE), then mapping runs into it with MAP_FIXED: consecutive pages supplied by
// the same layer at consecutive offsets become one MAP_SHARED mmap of that layer's memfd; pages
// that read as zero in a mapping without PERM_WRITE become an anonymous private mapping (the
// kernel's shared zero page, no memory); a PERM_WRITE mapping always maps its VMO's top layer
// directly (pages that a frozen layer supplies are copied up first). Pages past the VMO's end
// (ZX_VM_ALLOW_FAULTS, or after a shrink) are anonymous PROT_NONE: touching them faults.
//
// Only ranges recorded in zx_g.mappings are ever unmapped or overwritten: this library runs
// inside a JVM, whose memory must never be touched.
//
// Root VMAR: base ZX_HOST_ROOT_VMAR_BASE (16 MiB), size ZX_HOST_ROOT_VMAR_SIZE; ZX_VM_SPECIFIC
// offsets are relative to that base. Its handle has ZX_HOST_ROOT_VMAR_RIGHTS (no WAIT).

#define _GNU_SOURCE 1
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "zx_internal.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

#define VM_CAN_MAP_PERMS (ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_EXECUTE)

// The address spaces of other processes (vmar_create_aspace), linked by next_sibling.
static struct vmar* g_aspaces;

void vmar_destroy(struct vmar* vmar) {
  if (zx_g.root == vmar) zx_g.root = NULL;
  free(vmar);
}

zx_info_vmar_t vmar_get_info(const struct vmar* vmar) {
  zx_info_vmar_t info = {.base = vmar->base, .len = vmar->size};
  return info;
}

// Whether `v` is `scope` or lies inside it.
static bool vmar_within(const struct vmar* v, const struct vmar* scope) {
  for (; v != NULL; v = v->parent) {
    if (v == scope) return true;
  }
  return false;
}

// Gives [addr, addr + len) back: to the host for the root VMAR, to `vmar`'s own reservation
// (anonymous PROT_NONE again) for a sub-region, so that nothing else can be placed there.
// Tearing down a populated range is done under the mmap lock as well (see populate_pages): the
// page tables are dropped 32 MiB at a time first (MADV_DONTNEED only drops this mapping's view:
// the pages stay in the memfds), so the munmap or mmap that follows has nothing left to zap.
// 32 MiB: zapping that much populated memory holds the lock for about a millisecond, and a lazy
// 256 MiB mapping with one page touched pays 8 calls (2 MiB pieces cost it 128 calls, 6x the
// whole snapshot + map + unmap of one page: snapshot_after_write_256m_over_4k went 1.4 -> 8.8).
static void vmar_release_range(const struct vmar* vmar, uintptr_t addr, size_t len) {
  const size_t chunk = (size_t)32 << 20;
  for (size_t done = 0; len > chunk && done < len; done += chunk) {
    madvise((void*)(addr + done), len - done < chunk ? len - done : chunk, MADV_DONTNEED);
  }
  if (vmar->parent == NULL) {
    munmap((void*)addr, len);
  } else {
    mmap((void*)addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1,
         0);
  }
}

// This process's root VMAR, made on first use (NULL: out of memory).
static struct vmar* root_vmar(void) {
  if (zx_g.root == NULL) {
    struct vmar* root = calloc(1, sizeof(*root));
    if (root != NULL) {
      root->obj.type = ZX_OBJ_TYPE_VMAR;
      root->obj.koid = zx_new_koid();
      root->base = (uintptr_t)ZX_HOST_ROOT_VMAR_BASE;
      root->size = (size_t)ZX_HOST_ROOT_VMAR_SIZE;
      root->flags = VM_CAN_MAP_PERMS | ZX_VM_CAN_MAP_SPECIFIC;
      zx_g.root = root;
    }
  }
  return zx_g.root;
}

ZX_EXPORT zx_handle_t zx_vmar_root_self(void) {
  zx_lock();
  if (zx_g.root_handle == ZX_HANDLE_INVALID) {
    struct vmar* root = root_vmar();
    if (root != NULL) {
      root->obj.refs++;  // held while we try to add the handle
      zx_handle_t h;
      if (handle_alloc(&root->obj, ZX_HOST_ROOT_VMAR_RIGHTS, &h) == ZX_OK) zx_g.root_handle = h;
      object_unref(&root->obj);
    }
  }
  zx_handle_t h = zx_g.root_handle;
  zx_unlock();
  return h;
}

// ---- Page mapping ------------------------------------------------------------------------

// Fills the page tables of [addr, addr + len) (mapped with `prot`) with the pages already there,
// as ZX_VM_MAP_RANGE asks, a few MiB at a time. Populating holds the process's mmap lock, and one
// MAP_POPULATE or MADV_POPULATE_READ over a large range holds it until the whole range is done,
// keeping out every mmap, munmap and mprotect of other threads meanwhile: a JVM whose GC commits
// or uncommits heap while the world is stopping then waits for it (time to safepoint 100-300 ms
// for 512 MiB). Best effort, as MAP_POPULATE is: a page left out faults in on first touch.
// Before Linux 5.14 (no MADV_POPULATE_READ) readable pages are touched instead.
static void populate_pages(uintptr_t addr, size_t len, int prot) {
  const size_t chunk = (size_t)2 << 20;
  for (size_t done = 0; done < len; done += chunk) {
    size_t n = len - done < chunk ? len - done : chunk;
    if (madvise((void*)(addr + done), n, MADV_POPULATE_READ) == 0) continue;
    if (errno != EINVAL || (prot & PROT_READ) == 0) return;
    for (size_t at = 0; at < n; at += zx_page()) {
      (void)*(volatile const char*)(addr + done + at);
    }
  }
}

struct map_ctx {
  struct mapping* m;
  bool populate;
  struct layer* zero_layer;  // pages no layer supplies map from it (b's top), or NULL: zeros
  bool lower;                // a writable mapping got a run from a layer below the top
  bool have;  // a pending run
  uint64_t at;
  uint64_t n;
  struct layer* layer;
  uint64_t lp;
  int fd;     // the memfd holding the run's pages (the layer's, or its lent_fd)
};

static zx_status_t map_flush(struct map_ctx* c) {
  if (!c->have) return ZX_OK;
  uint64_t ps = zx_page();
  void* addr = (void*)(c->m->base + c->at * ps);
  void* got;
  if (c->layer != NULL) {
    // A writable mapping's page from a frozen layer is mapped read-only: mapping_map_pages
    // write-protects it before making it writable, so no store can reach the frozen layer.
    int prot = c->layer != c->zero_layer ? c->m->prot & ~PROT_WRITE : c->m->prot;
    got = mmap(addr, (size_t)(c->n * ps), prot, MAP_SHARED | MAP_FIXED, c->fd,
               (off_t)(c->lp * ps));
    if (got != MAP_FAILED && c->populate) populate_pages((uintptr_t)got, (size_t)(c->n * ps), prot);
  } else {
    got = mmap(addr, (size_t)(c->n * ps), c->m->prot,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
    if (got != MAP_FAILED && c->populate) {
      populate_pages((uintptr_t)got, (size_t)(c->n * ps), c->m->prot);
    }
  }
  c->have = false;
  return got == MAP_FAILED ? ZX_ERR_NO_MEMORY : ZX_OK;
}

// Adds n pages at mapping page `at`, from memfd `fd` at page `lp` of layer `l`, to the pending
// run, or flushes it and starts another.
static zx_status_t map_piece(struct map_ctx* c, uint64_t at, uint64_t n, struct layer* l,
                             uint64_t lp, int fd) {
  if (c->have && c->layer == l && c->fd == fd && c->at + c->n == at &&
      (l == NULL || c->lp + c->n == lp)) {
    c->n += n;
    return ZX_OK;
  }
  zx_status_t status = map_flush(c);
  if (status != ZX_OK) return status;
  c->have = true;
  c->at = at;
  c->n = n;
  c->layer = l;
  c->lp = lp;
  c->fd = fd;
  return ZX_OK;
}

static zx_status_t map_run(void* arg, uint64_t at, uint64_t n, struct layer* l, uint64_t lp) {
  struct map_ctx* c = arg;
  if (l == NULL && c->zero_layer != NULL) {
    l = c->zero_layer;
    lp = c->m->off / zx_page() + at;
  }
  if (c->m->writable && l != c->zero_layer) c->lower = true;
  // Pages no layer supplies map from the top's memfd, created here if need be.
  if (l == NULL || l == c->zero_layer) {
    int fd = l == NULL ? -1 : layer_fd(l);
    if (l != NULL && fd < 0) return layer_fd_status();
    return map_piece(c, at, n, l, lp, fd);
  }
  // A run of one layer may come from two memfds for this mapping (lent pages, see
  // layer_view_span); consecutive pieces of one memfd at consecutive pages stay one mmap.
  while (n > 0) {
    int fd;
    uint64_t k = layer_view_span(l, lp, n, c->m->backing->top->fd, &fd);
    zx_status_t status = map_piece(c, at, k, l, lp, fd);
    if (status != ZX_OK) return status;
    at += k;
    lp += k;
    n -= k;
  }
  return ZX_OK;
}

// Whether page `page` of non-slice `b` lies in a writable mapping of b. Sets *seg_end to the end
// (at most `end`) of the stretch from `page` that has the same answer.
static bool writable_cover(const struct vmo* b, uint64_t page, uint64_t end, uint64_t* seg_end) {
  uint64_t ps = zx_page();
  bool covered = false;
  uint64_t reach = page;
  bool grew = true;
  while (grew) {  // extend over overlapping or touching writable mappings
    grew = false;
    for (const struct mapping* w = b->maps; w != NULL; w = w->backing_next) {
      if (!w->writable) continue;
      uint64_t wf = w->off / ps;
      uint64_t we = wf + w->len / ps;
      if (wf <= reach && reach < we) {
        covered = true;
        reach = we;
        grew = true;
      }
    }
  }
  if (covered) {
    *seg_end = reach < end ? reach : end;
    return true;
  }
  uint64_t next = end;
  for (const struct mapping* w = b->maps; w != NULL; w = w->backing_next) {
    if (!w->writable) continue;
    uint64_t wf = w->off / ps;
    if (wf > page && wf < next) next = wf;
  }
  *seg_end = next;
  return false;
}

// The common case of a fresh read-only mapping: every page comes from one run (one layer at
// consecutive offsets, or all zero). Such a mapping needs no reservation and no per-run mmap:
// one mmap places it, which keeps map + unmap at two address-space changes.
struct single_run {
  unsigned runs;
  struct layer* layer;
  uint64_t lp;
  uint64_t n;
  int fd;         // the memfd holding the run for this mapping (see layer_view_span)
  int viewer_fd;  // the memfd of the mapped VMO's top layer
};

static zx_status_t single_run_add(void* arg, uint64_t at, uint64_t n, struct layer* l,
                                  uint64_t lp) {
  (void)at;
  struct single_run* r = arg;
  int fd = -1;
  if (l != NULL && layer_view_span(l, lp, n, r->viewer_fd, &fd) != n) return ZX_ERR_STOP;
  if (r->runs == 1 && r->layer == l && r->fd == fd && (l == NULL || r->lp + r->n == lp)) {
    r->n += n;
    return ZX_OK;
  }
  if (++r->runs > 1) return ZX_ERR_STOP;  // more than one run: not the fast path
  r->layer = l;
  r->lp = lp;
  r->n = n;
  r->fd = fd;
  return ZX_OK;
}

// More runs than this in a read-only mapping make the frozen layer below the top filled.
#define MAP_RUN_LIMIT 16u

// Counts runs as map_run would make them (up to MAP_RUN_LIMIT + 1), for a read-only mapping.
struct run_count {
  unsigned runs;
  struct layer* layer;
  uint64_t next_lp;
  int fd;
  int viewer_fd;
};

static zx_status_t run_count_add(void* arg, uint64_t at, uint64_t n, struct layer* l,
                                 uint64_t lp) {
  (void)at;
  struct run_count* r = arg;
  while (n > 0) {
    int fd = -1;
    uint64_t k = l == NULL ? n : layer_view_span(l, lp, n, r->viewer_fd, &fd);
    if (r->runs == 0 || r->layer != l || r->fd != fd || (l != NULL && r->next_lp != lp)) {
      if (++r->runs > MAP_RUN_LIMIT) return ZX_ERR_STOP;
    }
    r->layer = l;
    r->fd = fd;
    r->next_lp = lp + k;
    lp += k;
    n -= k;
  }
  return ZX_OK;
}

void fill_if_fragmented(struct vmo* b, uint64_t page, uint64_t end) {
  struct layer* top = b->top;
  struct layer* f = top->below;
  if (f == NULL || !f->frozen || page >= end) return;
  struct run_count r = {.viewer_fd = top->fd};
  if (layer_walk_mapped(top, page, end - page, page, run_count_add, &r) != ZX_ERR_STOP) return;
  // Only the layer right below the top is filled: pages of the top itself in the range would
  // still break the run (a top changes; it is never filled).
  if (layer_holds_any(top, page, end)) return;
  uint64_t lim = top->below_limit < end ? top->below_limit : end;
  if (page < lim) layer_fill(f, page + top->below_off, lim + top->below_off);
}

// Whether pages [page, page + npages) of non-slice `b`, as seen by a read-only mapping, form a
// single run; if so, fills *run.
static bool single_run_of(struct vmo* b, uint64_t page, uint64_t npages, struct single_run* run) {
  uint64_t seg_end;
  if (writable_cover(b, page, page + npages, &seg_end) || seg_end != page + npages) return false;
  fill_if_fragmented(b, page, page + npages);
  *run = (struct single_run){.viewer_fd = b->top->fd};
  return layer_walk_mapped(b->top, page, npages, 0, single_run_add, run) == ZX_OK &&
         run->runs == 1;
}

static zx_status_t protect_lower_run(void* arg, uint64_t at, uint64_t n, struct layer* l,
                                     uint64_t lp) {
  (void)lp;
  struct mapping* m = arg;
  if (l == NULL || l == m->backing->top) return ZX_OK;
  uint64_t ps = zx_page();
  uintptr_t addr = m->base + (at - m->off / ps) * ps;
  zx_status_t status = wp_protect(addr, (size_t)(n * ps));
  if (status == ZX_OK && mprotect((void*)addr, (size_t)(n * ps), m->prot) != 0) {
    status = ZX_ERR_NO_MEMORY;
  }
  return status;
}

// (Re)establishes pages [rel, rel + npages) of mapping `m` from its VMO's current layers.
//
// Read-only mappings map runs of pages from the layers that supply them, zeros as anonymous
// memory. Pages that a writable mapping of the same VMO covers (and all pages of a writable
// mapping) must show the top layer where nothing below supplies them: they may be holes that
// the writer fills. A writable mapping's page that a frozen layer supplies (only after a lazy
// snapshot, see uffd.c) is mapped from that layer write-protected; its first store faults and
// is copied up. (A snapshot registers and protects whole writable mappings, see vmo.c; a remap
// here makes fresh, unregistered pages, so a fault costs no registration.)
zx_status_t mapping_map_pages(struct mapping* m, uint64_t rel, uint64_t npages, bool populate) {
  uint64_t ps = zx_page();
  uint64_t bp = m->off / ps + rel;
  uint64_t lim = vmo_backing_limit(m->vmo);
  uint64_t valid = bp < lim ? lim - bp : 0;
  if (valid > npages) valid = npages;
  struct layer* top = m->backing->top;
  if (valid > 0) {
    struct map_ctx c = {.m = m, .populate = populate};
    zx_status_t status = ZX_OK;
    if (m->writable && !wp_enabled()) {
      // Without write protection a writable mapping shows the top layer only: a snapshot copies
      // up every page of its range first (vmo.c), so no frozen layer is ever mapped writable.
      layer_open_gaps(top);
      c.zero_layer = top;
      status = map_run(&c, rel, valid, top, bp);
    } else if (m->writable) {
      layer_open_gaps(top);  // the writer's stores allocate pages we do not see
      c.zero_layer = top;
      status = layer_walk(top, bp, valid, rel, map_run, &c);
    } else {
      uint64_t cur = bp;
      uint64_t end = bp + valid;
      while (cur < end && status == ZX_OK) {
        uint64_t seg_end;
        bool covered = writable_cover(m->backing, cur, end, &seg_end);
        if (covered) layer_open_gaps(top);  // reading a hole through it allocates a page
        c.zero_layer = covered ? top : NULL;
        // Where nothing can write, the pages may come as one run of a filled layer (vmo.c).
        if (!covered) fill_if_fragmented(m->backing, cur, seg_end);
        status = (covered ? layer_walk : layer_walk_mapped)(top, cur, seg_end - cur,
                                                            rel + (cur - bp), map_run, &c);
        if (status == ZX_OK && covered) status = map_flush(&c);
        cur = seg_end;
      }
    }
    if (status == ZX_OK) status = map_flush(&c);
    if (status != ZX_OK) return status;
    if (m->writable && c.lower) {
      status = wp_register(m->base + rel * ps, (size_t)(valid * ps));
      if (status == ZX_OK) status = layer_walk(top, bp, valid, bp, protect_lower_run, m);
      if (status != ZX_OK) return status;
      m->wp_armed = true;
    }
  }
  if (valid < npages) {
    void* got = mmap((void*)(m->base + (rel + valid) * ps), (size_t)((npages - valid) * ps),
                     PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
    if (got == MAP_FAILED) return ZX_ERR_NO_MEMORY;
  }
  return ZX_OK;
}

// Re-points pages [page, page + npages) (coordinates of non-slice `b`) in every mapping of b.
zx_status_t vmo_remap(struct vmo* b, uint64_t page, uint64_t npages) {
  uint64_t ps = zx_page();
  zx_status_t result = ZX_OK;
  for (struct mapping* m = b->maps; m != NULL; m = m->backing_next) {
    uint64_t first = m->off / ps;
    uint64_t end = first + m->len / ps;
    uint64_t lo = page > first ? page : first;
    uint64_t hi = page + npages < end ? page + npages : end;
    if (lo >= hi) continue;
    zx_status_t status = mapping_map_pages(m, lo - first, hi - lo, false);
    if (status != ZX_OK) result = status;
  }
  return result;
}

static struct mapping* mapping_at(const struct vmar* scope, uintptr_t addr, bool deep);

bool mapping_protect(struct mapping* m) {
  uint64_t ps = zx_page();
  uint64_t first = m->off / ps;
  uint64_t end = first + m->len / ps;
  uint64_t lim = vmo_backing_limit(m->vmo);
  if (end > lim) end = lim;
  if (first >= end) return true;
  size_t len = (size_t)((end - first) * ps);
  if (!wp_enabled() || wp_register(m->base, len) != ZX_OK || wp_protect(m->base, len) != ZX_OK) {
    return false;
  }
  m->wp_armed = true;
  return true;
}

// Lifts the write protection of b's page `page` in every writable mapping of b that shows it;
// sets *woken if that covered `addr` (the faulting thread's page).
static void unprotect_page(struct vmo* b, uint64_t page, uintptr_t addr, bool* woken) {
  uint64_t ps = zx_page();
  for (struct mapping* w = b->maps; w != NULL; w = w->backing_next) {
    if (!w->writable || !w->wp_armed) continue;
    uint64_t first = w->off / ps;
    if (page < first || page >= first + w->len / ps) continue;
    uintptr_t at = w->base + (uintptr_t)((page - first) * ps);
    if (wp_unprotect(at, (size_t)ps) == ZX_OK && at == addr) *woken = true;
  }
}

zx_status_t vmar_resolve_write(uintptr_t addr, bool* woken) {
  *woken = false;
  // Any mapping, in the root VMAR or a sub-region. None (unmapped, or its region destroyed
  // meanwhile), or one that no longer lets stores through (zx_vmar_protect took PERM_WRITE away
  // meanwhile): nothing to copy; the writer retries and gets what the range allows now.
  struct mapping* m = mapping_at(zx_g.root, addr, true);
  if (m == NULL || !m->writable || (m->prot & PROT_WRITE) == 0) return ZX_OK;
  uint64_t ps = zx_page();
  uint64_t bp = (m->off + (addr - m->base)) / ps;
  if (bp >= vmo_backing_limit(m->vmo)) return ZX_OK;  // past the end: PROT_NONE, not ours
  struct vmo* b = m->backing;
  struct layer* top = b->top;
  // The common case, a page lent by a snapshot: the mappings show it in the top's memfd, where
  // the store may land once the snapshot has its own copy. Then no mapping moves.
  if (lent_borrower(top, bp) != NULL) {
    // The faulting mapping shows the page (in the top's memfd): the copy is taken from there.
    zx_status_t status = lent_reclaim_from(top, bp, bp + 1, (const void*)addr);
    if (status == ZX_OK) unprotect_page(b, bp, addr, woken);
    return status;
  }
  // The top's own page, or a hole of the top's memfd that nothing below supplies: the mappings
  // show it in the top's memfd already (a protection left over from before a merge).
  struct layer* supplier = layer_supplier(top, bp);
  if (supplier == NULL || supplier == top) {
    unprotect_page(b, bp, addr, woken);
    return ZX_OK;
  }
  // A page of a frozen layer of its own memfd: copied up, and re-pointed in every mapping.
  zx_status_t status = vmo_copy_up(b, bp, 1);
  if (status == ZX_OK) status = vmo_remap(b, bp, 1);
  return status;
}

static zx_status_t unprotect_run(void* arg, uint64_t at, uint64_t n, struct layer* l,
                                 uint64_t lp) {
  (void)lp;
  struct mapping* m = arg;
  if (l != NULL && l != m->backing->top) return ZX_OK;  // a frozen layer's page: stays protected
  uint64_t ps = zx_page();
  wp_unprotect(m->base + (uintptr_t)((at - m->off / ps) * ps), (size_t)(n * ps));  // best effort
  return ZX_OK;
}

void vmo_unprotect_own(struct vmo* b) {
  uint64_t ps = zx_page();
  for (struct mapping* m = b->maps; m != NULL; m = m->backing_next) {
    if (!m->writable || !m->wp_armed) continue;
    uint64_t first = m->off / ps;
    uint64_t end = first + m->len / ps;
    uint64_t lim = vmo_backing_limit(m->vmo);  // past it: PROT_NONE
    if (end > lim) end = lim;
    if (first < end) layer_walk(b->top, first, end - first, first, unprotect_run, m);
  }
}

// Copies up and re-points the pages of [lo, hi) that writable mapping `m` may show protected.
static zx_status_t resolve_range(struct mapping* m, uintptr_t lo, uintptr_t hi) {
  uint64_t ps = zx_page();
  uint64_t first = (m->off + (lo - m->base)) / ps;
  uint64_t end = (m->off + (hi - m->base) + ps - 1) / ps;
  uint64_t lim = vmo_backing_limit(m->vmo);
  if (end > lim) end = lim;
  if (first >= end) return ZX_OK;
  zx_status_t status = vmo_copy_up(m->backing, first, end - first);
  if (status == ZX_OK) status = vmo_remap(m->backing, first, end - first);
  return status;
}

zx_status_t vmar_prepare_user_write(void* ptr, size_t len) {
  uintptr_t lo = (uintptr_t)ptr;
  uintptr_t hi = len > UINTPTR_MAX - lo ? UINTPTR_MAX : lo + len;
  zx_status_t result = ZX_OK;
  for (struct mapping* m = zx_g.mappings; m != NULL && len > 0; m = m->next) {
    if (!m->wp_armed || m->base >= hi || m->base + m->len <= lo) continue;
    zx_status_t status = resolve_range(m, lo > m->base ? lo : m->base,
                                       hi < m->base + m->len ? hi : m->base + m->len);
    if (status != ZX_OK) result = status;
  }
  return result;
}

void vmar_resolve_all_protected(void) {
  for (struct mapping* m = zx_g.mappings; m != NULL; m = m->next) {
    if (m->wp_armed && resolve_range(m, m->base, m->base + m->len) == ZX_OK) m->wp_armed = false;
  }
}

struct mapping* vmar_mapping_at(const struct vmar* scope, uintptr_t addr) {
  struct mapping* m = scope != NULL ? mapping_at(scope, addr, true) : NULL;
  for (const struct vmar* v = m != NULL ? m->vmar : NULL; v != NULL && v != scope; v = v->parent) {
    if (v->aspace) return NULL;  // another process's: not below `scope` for zircon
  }
  return m;
}

bool vmar_region_at(const struct vmar* scope, uintptr_t addr) {
  for (struct vmar* r = scope != NULL ? scope->children : NULL; r != NULL; r = r->next_sibling) {
    if (addr >= r->base && addr - r->base < r->size) return true;
  }
  if (scope != zx_g.root) return false;
  for (struct vmar* r = g_aspaces; r != NULL; r = r->next_sibling) {
    if (addr >= r->base && addr - r->base < r->size) return true;  // another process's
  }
  return false;
}

zx_status_t user_fault_status(const void* ptr, size_t len) {
  uint64_t ps = zx_page();
  uintptr_t lo = (uintptr_t)ptr / ps * ps;
  uintptr_t hi = len > UINTPTR_MAX - (uintptr_t)ptr ? UINTPTR_MAX / ps * ps
                                                     : ((uintptr_t)ptr + len + ps - 1) / ps * ps;
  // The host sees a sub-region's unmapped pages as mapped (its PROT_NONE reservation); zircon
  // has nothing there. The same for pages of a mapping past its VMO's end.
  for (uintptr_t page = lo; page < hi && page != 0; page += ps) {
    struct mapping* m = zx_g.root != NULL ? mapping_at(zx_g.root, page, true) : NULL;
    if (m != NULL) {
      if ((m->off + (page - m->base)) / ps >= vmo_backing_limit(m->vmo)) return ZX_ERR_NOT_FOUND;
      page = m->base + m->len - ps;  // the rest of the mapping is mapped
      continue;
    }
    for (struct vmar* r = zx_g.root != NULL ? zx_g.root->children : NULL; r != NULL;) {
      if (page < r->base || page - r->base >= r->size) {
        r = r->next_sibling;
        continue;
      }
      return ZX_ERR_NOT_FOUND;  // inside a region and no mapping of it covers the page
    }
    unsigned char resident;
    if (mincore((void*)page, (size_t)ps, &resident) != 0 && errno == ENOMEM) {
      return ZX_ERR_NOT_FOUND;
    }
  }
  return ZX_ERR_ACCESS_DENIED;
}

bool vmo_writably_mapped(const struct vmo* b) {
  for (const struct mapping* m = b->maps; m != NULL; m = m->backing_next) {
    if (m->writable) return true;
  }
  return false;
}

// ---- Mapping records ---------------------------------------------------------------------

// Adds `m` to its backing VMO's list of mappings (after `after`, or first).
static void mapping_link_backing(struct mapping* m, struct mapping* after) {
  struct vmo* b = m->backing;
  m->backing_prev = after;
  m->backing_next = after != NULL ? after->backing_next : b->maps;
  if (m->backing_next != NULL) m->backing_next->backing_prev = m;
  if (after != NULL) after->backing_next = m; else b->maps = m;
}

static void mapping_unlink_backing(struct mapping* m) {
  if (m->backing_prev != NULL) m->backing_prev->backing_next = m->backing_next;
  else m->backing->maps = m->backing_next;
  if (m->backing_next != NULL) m->backing_next->backing_prev = m->backing_prev;
  m->backing_prev = m->backing_next = NULL;
}

static void mapping_release(struct mapping* m) {
  mapping_unlink_backing(m);
  m->vmo->num_mappings--;
  struct vmo* v = m->vmo;
  struct vmar* region = m->vmar;
  free(m);
  object_unref(&v->obj);
  object_unref(&region->obj);
}

// Splits `m` at `at` (strictly inside it): the right piece becomes a new record after it.
static zx_status_t mapping_split(struct mapping* m, uintptr_t at) {
  struct mapping* right = malloc(sizeof(*right));
  if (right == NULL) return ZX_ERR_NO_MEMORY;
  *right = *m;
  right->base = at;
  right->len = m->base + m->len - at;
  right->off = m->off + (at - m->base);
  right->next = m->next;
  m->next = right;
  mapping_link_backing(right, m);
  m->vmo->obj.refs++;
  m->vmo->num_mappings++;
  m->vmar->obj.refs++;
  m->len = at - m->base;
  return ZX_OK;
}

// Removes [lo, hi) from every mapping recorded directly in `scope`, splitting those that
// straddle it. Only the recorded pieces are given back (when `release`). Returns whether any
// mapping intersected.
static bool unmap_records(struct vmar* scope, uintptr_t lo, uintptr_t hi, bool release,
                          zx_status_t* status) {
  bool found = false;
  *status = ZX_OK;
  struct mapping** link = &zx_g.mappings;
  while (*link != NULL) {
    struct mapping* m = *link;
    uintptr_t end = m->base + m->len;
    uintptr_t s = lo > m->base ? lo : m->base;
    uintptr_t e = hi < end ? hi : end;
    if (m->vmar != scope || s >= e) {
      link = &m->next;
      continue;
    }
    found = true;
    if (s > m->base && e < end) {  // split: the right piece [e, end) is kept as a new record
      *status = mapping_split(m, e);
      if (*status != ZX_OK) return found;
      m->len = s - m->base;
    } else if (s > m->base) {  // keep the left part
      m->len = s - m->base;
    } else if (e < end) {  // keep the right part
      m->off += e - m->base;
      m->len = end - e;
      m->base = e;
    } else {
      *link = m->next;
      if (release) vmar_release_range(scope, s, e - s);
      mapping_release(m);
      continue;
    }
    if (release) vmar_release_range(scope, s, e - s);
    link = &m->next;
  }
  return found;
}

// The mapping covering `addr` recorded directly in `scope` (or, when `deep`, anywhere inside it).
static struct mapping* mapping_at(const struct vmar* scope, uintptr_t addr, bool deep) {
  for (struct mapping* m = zx_g.mappings; m != NULL; m = m->next) {
    bool in_scope = deep ? vmar_within(m->vmar, scope) : m->vmar == scope;
    if (in_scope && addr >= m->base && addr - m->base < m->len) return m;
  }
  return NULL;
}

// The lowest base in (addr, hi) of a mapping recorded directly in `scope`, or hi.
static uintptr_t next_mapping_start(const struct vmar* scope, uintptr_t addr, uintptr_t hi) {
  uintptr_t best = hi;
  for (struct mapping* m = zx_g.mappings; m != NULL; m = m->next) {
    if (m->vmar == scope && m->base > addr && m->base < best) best = m->base;
  }
  return best;
}

// For SPECIFIC_OVERWRITE in the root VMAR: reserves every part of [lo, hi) that is not one of its
// mappings with MAP_FIXED_NOREPLACE. Fails with ALREADY_EXISTS (undoing its reservations) when
// any such part is memory it did not map (including sub-regions).
static zx_status_t reserve_gaps(struct vmar* root, uintptr_t lo, uintptr_t hi) {
  uintptr_t cur = lo;
  while (cur < hi) {
    struct mapping* m = mapping_at(root, cur, false);
    if (m != NULL) {
      cur = m->base + m->len;
      continue;
    }
    uintptr_t next = next_mapping_start(root, cur, hi);
    void* got = mmap((void*)cur, next - cur, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (got != (void*)cur) {
      if (got != MAP_FAILED) munmap(got, next - cur);
      // Undo the gaps reserved so far (those in [lo, cur) that are not our mappings).
      uintptr_t u = lo;
      while (u < cur) {
        struct mapping* um = mapping_at(root, u, false);
        if (um != NULL) {
          u = um->base + um->len;
          continue;
        }
        uintptr_t un = next_mapping_start(root, u, cur);
        munmap((void*)u, un - u);
        u = un;
      }
      return got == MAP_FAILED && errno != EEXIST ? ZX_ERR_NO_MEMORY : ZX_ERR_ALREADY_EXISTS;
    }
    cur = next;
  }
  return ZX_OK;
}

// ---- Sub-regions -------------------------------------------------------------------------

// The first child region of `vmar` overlapping [lo, hi), or NULL.
static struct vmar* child_overlapping(const struct vmar* vmar, uintptr_t lo, uintptr_t hi) {
  for (struct vmar* c = vmar->children; c != NULL; c = c->next_sibling) {
    if (c->base < hi && lo < c->base + c->size) return c;
  }
  return NULL;
}

// Whether [lo, hi) of sub-region `vmar` holds any of its mappings or child regions. Sets *end to
// the end of the first occupant found.
static bool range_busy(const struct vmar* vmar, uintptr_t lo, uintptr_t hi, uintptr_t* end) {
  struct vmar* c = child_overlapping(vmar, lo, hi);
  if (c != NULL) {
    *end = c->base + c->size;
    return true;
  }
  for (struct mapping* m = zx_g.mappings; m != NULL; m = m->next) {
    if (m->vmar == vmar && m->base < hi && lo < m->base + m->len) {
      *end = m->base + m->len;
      return true;
    }
  }
  return false;
}

// Finds the lowest `align`-aligned free range of `len` bytes in sub-region `vmar` (first fit).
// NO_MEMORY when there is none.
static zx_status_t find_gap(const struct vmar* vmar, size_t len, uint64_t align, uintptr_t* out) {
  uintptr_t end = vmar->base + vmar->size;
  uintptr_t cand = (vmar->base + (uintptr_t)(align - 1)) & ~(uintptr_t)(align - 1);
  while (cand >= vmar->base && cand <= end && len <= end - cand) {
    uintptr_t busy_end;
    if (!range_busy(vmar, cand, cand + len, &busy_end)) {
      *out = cand;
      return ZX_OK;
    }
    uintptr_t next = (busy_end + (uintptr_t)(align - 1)) & ~(uintptr_t)(align - 1);
    if (next <= cand) break;  // wrapped
    cand = next;
  }
  return ZX_ERR_NO_MEMORY;
}

// Destroys `vmar` and everything below it: its mappings are removed, its children destroyed,
// and (when `release`) its range is given back to its parent. Its handles stay valid; every
// VMAR operation on them then gives BAD_STATE.
static void vmar_teardown(struct vmar* vmar, bool release) {
  while (vmar->children != NULL) vmar_teardown(vmar->children, false);
  struct mapping** link = &zx_g.mappings;
  while (*link != NULL) {
    struct mapping* m = *link;
    if (m->vmar == vmar) {
      *link = m->next;
      mapping_release(m);
    } else {
      link = &m->next;
    }
  }
  struct vmar* parent = vmar->parent;
  if (release) vmar_release_range(parent, vmar->base, vmar->size);
  struct vmar** sib = vmar->aspace ? &g_aspaces : &parent->children;
  while (*sib != vmar) sib = &(*sib)->next_sibling;
  *sib = vmar->next_sibling;
  vmar->next_sibling = NULL;
  vmar->destroyed = true;
  vmar->parent = NULL;
  object_unref(&vmar->obj);    // the parent's reference
  object_unref(&parent->obj);  // this region's reference on its parent
}

// ---- Address spaces of other processes ------------------------------------------------------

// Another process's root VMAR: a range of ZX_HOST_ASPACE_SIZE bytes reserved in this address
// space, handled like a region of this process's root VMAR that the root does not list as a
// child (the root's own operations never see it), with every CAN_MAP_* flag.
zx_status_t vmar_create_aspace(struct vmar** out) {
  struct vmar* root = root_vmar();
  struct vmar* aspace = calloc(1, sizeof(*aspace));
  if (root == NULL || aspace == NULL) {
    free(aspace);
    return ZX_ERR_NO_MEMORY;
  }
  void* got = mmap(NULL, (size_t)ZX_HOST_ASPACE_SIZE, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (got == MAP_FAILED) {
    free(aspace);
    return ZX_ERR_NO_MEMORY;
  }
  aspace->obj.type = ZX_OBJ_TYPE_VMAR;
  aspace->obj.koid = zx_new_koid();
  aspace->obj.refs = 1;  // the process's reference, dropped by vmar_destroy_aspace
  aspace->base = (uintptr_t)got;
  aspace->size = (size_t)ZX_HOST_ASPACE_SIZE;
  aspace->flags = VM_CAN_MAP_PERMS | ZX_VM_CAN_MAP_SPECIFIC;
  aspace->parent = root;
  aspace->aspace = true;
  root->obj.refs++;
  aspace->next_sibling = g_aspaces;
  g_aspaces = aspace;
  *out = aspace;
  return ZX_OK;
}

void vmar_destroy_aspace(struct vmar* aspace) {
  if (!aspace->destroyed) vmar_teardown(aspace, true);  // drops the process's reference
}

// ---- ZX_INFO_PROCESS_MAPS / ZX_INFO_PROCESS_VMOS ---------------------------------------------

static zx_status_t count_own_run(void* arg, uint64_t at, uint64_t n, struct layer* l,
                                 uint64_t lp) {
  (void)at;
  (void)lp;
  struct mapping* m = ((void**)arg)[0];
  if (l != NULL && l == m->backing->top) *(size_t*)((void**)arg)[1] += (size_t)n;
  return ZX_OK;
}

// Adds the record of `vmar` (depth `depth`) and of everything below it, in address order, to
// out[*n...] while *n < cap; *n counts every record.
static void list_maps(const struct vmar* vmar, size_t depth, zx_info_maps_t* out, size_t cap,
                      size_t* n) {
  uint64_t ps = zx_page();
  if (*n < cap) {
    zx_info_maps_t* r = &out[*n];
    memset(r, 0, sizeof(*r));
    strcpy(r->name, vmar->parent == NULL || vmar->aspace ? "root" : "useralloc");
    r->base = vmar->base;
    r->size = vmar->size;
    r->depth = depth;
    r->type = ZX_INFO_MAPS_TYPE_VMAR;
  }
  (*n)++;
  for (uintptr_t cursor = vmar->base;;) {  // the next child region or mapping from `cursor`
    struct vmar* child = NULL;
    struct mapping* map = NULL;
    for (struct vmar* c = vmar->children; c != NULL; c = c->next_sibling) {
      if (c->base >= cursor && (child == NULL || c->base < child->base)) child = c;
    }
    for (struct mapping* m = zx_g.mappings; m != NULL; m = m->next) {
      if (m->vmar == vmar && m->base >= cursor && (map == NULL || m->base < map->base)) map = m;
    }
    if (child == NULL && map == NULL) return;
    if (map == NULL || (child != NULL && child->base < map->base)) {
      list_maps(child, depth + 1, out, cap, n);
      cursor = child->base + child->size;
      continue;
    }
    if (*n < cap) {
      zx_info_maps_t* r = &out[*n];
      memset(r, 0, sizeof(*r));
      vmo_get_name(map->vmo, r->name);
      r->base = map->base;
      r->size = map->len;
      r->depth = depth + 1;
      r->type = ZX_INFO_MAPS_TYPE_MAPPING;
      r->u.mapping.mmu_flags = ((map->prot & PROT_READ) != 0 ? ZX_VM_PERM_READ : 0) |
                               ((map->prot & PROT_WRITE) != 0 ? ZX_VM_PERM_WRITE : 0) |
                               ((map->prot & PROT_EXEC) != 0 ? ZX_VM_PERM_EXECUTE : 0);
      r->u.mapping.vmo_koid = map->vmo->obj.koid;
      uint64_t slice_off = map->vmo->slice ? map->vmo->backing_off : 0;
      r->u.mapping.vmo_offset = map->off - slice_off;
      uint64_t first = map->off / ps;
      uint64_t end = first + map->len / ps;
      uint64_t lim = vmo_backing_limit(map->vmo);
      size_t committed = 0;
      void* ctx[2] = {map, &committed};
      if (end > lim) end = lim;
      if (first < end) layer_walk(map->backing->top, first, end - first, first, count_own_run, ctx);
      r->u.mapping.committed_pages = committed;
    }
    (*n)++;
    cursor = map->base + map->len;
  }
}

size_t vmar_list_maps(const struct vmar* aspace, const char* name, zx_info_maps_t* out,
                      size_t cap) {
  size_t n = 0;
  if (cap > 0) {
    memset(&out[0], 0, sizeof(out[0]));
    strncpy(out[0].name, name, ZX_MAX_NAME_LEN - 1);
    out[0].base = aspace != NULL ? aspace->base : 0;
    out[0].size = aspace != NULL ? aspace->size : 0;
    out[0].type = ZX_INFO_MAPS_TYPE_ASPACE;
  }
  n++;
  if (aspace != NULL && !aspace->destroyed) list_maps(aspace, 1, out, cap, &n);
  return n;
}

size_t vmar_list_mapped_vmos(const struct vmar* aspace, struct vmo** out, size_t cap) {
  size_t n = 0;
  for (struct mapping* m = zx_g.mappings; m != NULL; m = m->next) {
    if (aspace == NULL || vmar_mapping_at(aspace, m->base) != m) continue;
    if (n < cap) out[n] = m->vmo;
    n++;
  }
  return n;
}

// ---- Syscalls ----------------------------------------------------------------------------

// Looks up a VMAR handle: BAD_HANDLE, WRONG_TYPE.
static zx_status_t vmar_lookup(zx_handle_t handle, zx_rights_t* rights, struct vmar** out) {
  struct handle_entry* e = handle_lookup(handle);
  if (e == NULL) return ZX_ERR_BAD_HANDLE;
  if (e->obj->type != ZX_OBJ_TYPE_VMAR) return ZX_ERR_WRONG_TYPE;
  *rights = e->rights;
  *out = (struct vmar*)e->obj;
  return ZX_OK;
}

#define VM_ALIGN_MASK ((zx_vm_option_t)0xffu << ZX_VM_ALIGN_BASE)

// What zx_vmar_map was asked for, once its arguments are checked (map_check).
struct map_request {
  struct vmar* vmar;
  struct vmo* vmo;
  zx_vm_option_t options;
  size_t vmar_offset;
  uint64_t vmo_offset;
  size_t rlen;          // len rounded up to pages
  uint64_t align;       // bytes, at least a page
  bool specific;        // SPECIFIC or SPECIFIC_OVERWRITE
  int prot;             // PROT_* asked for
  int max_prot;         // PROT_* the VMO and VMAR handles allow (zx_vmar_protect's ceiling)
};

// Steps 1-7 of zx_vmar_map's checks (see there), lock held. Fills *req.
static zx_status_t map_check(zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset,
                             zx_handle_t vmo_handle, uint64_t vmo_offset, size_t len,
                             const zx_vaddr_t* mapped_addr, struct map_request* req) {
  const zx_vm_option_t known = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE |
                               ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_MAP_RANGE |
                               ZX_VM_REQUIRE_NON_RESIZABLE | ZX_VM_ALLOW_FAULTS |
                               ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED | VM_ALIGN_MASK;
  uint64_t ps = zx_page();
  zx_rights_t vmar_rights;
  struct vmar* vmar;
  zx_status_t status = vmar_lookup(handle, &vmar_rights, &vmar);
  if (status != ZX_OK) return status;
  struct handle_entry* ve = handle_lookup(vmo_handle);
  if (ve == NULL) return ZX_ERR_BAD_HANDLE;
  if (ve->obj->type != ZX_OBJ_TYPE_VMO) return ZX_ERR_WRONG_TYPE;
  struct vmo* v = (struct vmo*)ve->obj;
  zx_rights_t vmo_rights = ve->rights;
  if ((vmo_rights & ZX_RIGHT_MAP) == 0) return ZX_ERR_ACCESS_DENIED;
  // The host has no execute-only mappings.
  if ((options & ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED) != 0 && (options & ZX_VM_PERM_EXECUTE) != 0)
    options |= ZX_VM_PERM_READ;
  uint32_t align_log2 = (options & VM_ALIGN_MASK) >> ZX_VM_ALIGN_BASE;
  uint64_t align = align_log2 != 0 && align_log2 <= 32 ? (uint64_t)1 << align_log2 : ps;
  if (align < ps) align = ps;
  bool specific = (options & (ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE)) != 0;
  bool perm_r = (options & ZX_VM_PERM_READ) != 0;
  bool perm_w = (options & ZX_VM_PERM_WRITE) != 0;
  bool perm_x = (options & ZX_VM_PERM_EXECUTE) != 0;
  if ((options & ~known) != 0 || (align_log2 != 0 && (align_log2 < 10 || align_log2 > 32)) ||
      ((options & ZX_VM_SPECIFIC_OVERWRITE) != 0 && (options & ZX_VM_MAP_RANGE) != 0) ||
      (!specific && vmar_offset != 0) || vmo_offset % ps != 0 || len == 0 ||
      ((perm_w || perm_x) && !perm_r) ||
      (specific && ((vmar_offset % ps) != 0 || (vmar->base + vmar_offset) % align != 0)) ||
      mapped_addr == NULL) {
    return ZX_ERR_INVALID_ARGS;
  }
  if (len > SIZE_MAX - (ps - 1)) return ZX_ERR_OUT_OF_RANGE;
  size_t rlen = (len + (ps - 1)) / ps * ps;
  if (vmo_offset > UINT64_MAX - rlen) return ZX_ERR_OUT_OF_RANGE;
  if (specific && (vmar_offset > vmar->size || rlen > vmar->size - vmar_offset)) {
    return ZX_ERR_INVALID_ARGS;
  }
  bool can_r = (vmo_rights & ZX_RIGHT_READ) != 0 && (vmar_rights & ZX_RIGHT_READ) != 0;
  bool can_w = (vmo_rights & ZX_RIGHT_WRITE) != 0 && (vmar_rights & ZX_RIGHT_WRITE) != 0;
  bool can_x = (vmo_rights & ZX_RIGHT_EXECUTE) != 0 && (vmar_rights & ZX_RIGHT_EXECUTE) != 0;
  if ((perm_r && !can_r) || (perm_w && !can_w) || (perm_x && !can_x) ||
      (specific && (vmar->flags & ZX_VM_CAN_MAP_SPECIFIC) == 0)) {
    return ZX_ERR_ACCESS_DENIED;
  }
  if (vmar->destroyed) return ZX_ERR_BAD_STATE;
  if ((options & ZX_VM_REQUIRE_NON_RESIZABLE) != 0 && v->resizable) return ZX_ERR_NOT_SUPPORTED;
  if ((options & ZX_VM_ALLOW_FAULTS) == 0 && vmo_offset + rlen > v->size) {
    return ZX_ERR_BUFFER_TOO_SMALL;
  }
  *req = (struct map_request){
      .vmar = vmar,
      .vmo = v,
      .options = options,
      .vmar_offset = vmar_offset,
      .vmo_offset = vmo_offset,
      .rlen = rlen,
      .align = align,
      .specific = specific,
      .prot = (perm_r ? PROT_READ : 0) | (perm_w ? PROT_WRITE : 0) | (perm_x ? PROT_EXEC : 0),
      .max_prot = (can_r ? PROT_READ : 0) | (can_w ? PROT_WRITE : 0) | (can_x ? PROT_EXEC : 0),
  };
  return ZX_OK;
}

// Reserves `len` bytes anywhere in the host's address space, aligned to `align` (the root VMAR
// without SPECIFIC): anonymous PROT_NONE, trimmed to the aligned range.
static zx_status_t reserve_anywhere(size_t len, uint64_t align, uintptr_t* base) {
  uint64_t ps = zx_page();
  size_t slack = align > ps ? (size_t)align : 0;
  if (len > SIZE_MAX - slack) return ZX_ERR_NO_MEMORY;
  void* got = mmap(NULL, len + slack, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
                   0);
  if (got == MAP_FAILED) return ZX_ERR_NO_MEMORY;
  uintptr_t raw = (uintptr_t)got;
  *base = (raw + (uintptr_t)(align - 1)) & ~(uintptr_t)(align - 1);
  if (*base > raw) munmap(got, *base - raw);
  if (raw + len + slack > *base + len) munmap((void*)(*base + len), raw + len + slack - (*base + len));
  return ZX_OK;
}

// Where a SPECIFIC mapping goes in the root VMAR: MAP_FIXED_NOREPLACE (ALREADY_EXISTS on any
// overlap), or for SPECIFIC_OVERWRITE the root's own mappings there are replaced (reserve_gaps).
static zx_status_t reserve_specific_in_root(struct vmar* root, const struct map_request* req,
                                            uintptr_t base) {
  size_t rlen = req->rlen;
  if ((req->options & ZX_VM_SPECIFIC_OVERWRITE) != 0) {
    zx_status_t status = reserve_gaps(root, base, base + rlen);
    if (status != ZX_OK) return status;
    zx_status_t split_status;
    unmap_records(root, base, base + rlen, false, &split_status);
    void* got = mmap((void*)base, rlen, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    return got == MAP_FAILED || split_status != ZX_OK ? ZX_ERR_NO_MEMORY : ZX_OK;
  }
  void* got = mmap((void*)base, rlen, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
  if (got == (void*)base) return ZX_OK;
  if (got != MAP_FAILED) munmap(got, rlen);
  return got == MAP_FAILED && errno != EEXIST ? ZX_ERR_NO_MEMORY : ZX_ERR_ALREADY_EXISTS;
}

// Step 8 of zx_vmar_map: where the mapping goes. Reserves its range (in a sub-region, part of
// the region's reservation), or, for a fresh read-only mapping whose pages are one run, maps it
// at once (*mapped_whole).
static zx_status_t map_place(const struct map_request* req, uintptr_t* base,
                             bool* mapped_whole) {
  uint64_t ps = zx_page();
  struct vmar* vmar = req->vmar;
  struct vmo* v = req->vmo;
  size_t rlen = req->rlen;
  *mapped_whole = false;
  if (vmar->parent != NULL) {
    // A sub-region's range is reserved already: the mapping goes over part of that reservation.
    if (!req->specific) return find_gap(vmar, rlen, req->align, base);
    *base = vmar->base + req->vmar_offset;
    uintptr_t busy_end;
    bool overwrite = (req->options & ZX_VM_SPECIFIC_OVERWRITE) != 0;
    if (!overwrite && range_busy(vmar, *base, *base + rlen, &busy_end)) {
      return ZX_ERR_ALREADY_EXISTS;
    }
    if (child_overlapping(vmar, *base, *base + rlen) != NULL) return ZX_ERR_ALREADY_EXISTS;
    zx_status_t status = ZX_OK;
    if (overwrite) unmap_records(vmar, *base, *base + rlen, false, &status);
    return status;
  }
  if (req->specific) {
    *base = (uintptr_t)(ZX_HOST_ROOT_VMAR_BASE + req->vmar_offset);
    return reserve_specific_in_root(vmar, req, *base);
  }
  struct vmo* backing = v->slice ? v->backing : v;
  uint64_t first_page = ((v->slice ? v->backing_off : 0) + req->vmo_offset) / ps;
  struct single_run run;
  if (req->align == ps && (req->prot & PROT_WRITE) == 0 &&
      first_page + rlen / ps <= vmo_backing_limit(v) &&
      single_run_of(backing, first_page, rlen / ps, &run)) {
    void* got = run.layer != NULL
                    ? mmap(NULL, rlen, req->prot, MAP_SHARED, run.fd, (off_t)(run.lp * ps))
                    : mmap(NULL, rlen, req->prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                           -1, 0);
    if (got == MAP_FAILED) return ZX_ERR_NO_MEMORY;
    if ((req->options & ZX_VM_MAP_RANGE) != 0) populate_pages((uintptr_t)got, rlen, req->prot);
    *base = (uintptr_t)got;
    *mapped_whole = true;
    return ZX_OK;
  }
  return reserve_anywhere(rlen, req->align, base);
}

// The rest of zx_vmar_map: records the mapping at `base` and shows the VMO's pages there (unless
// map_place mapped them already). On failure the range is given back and nothing is recorded.
static zx_status_t map_populate(const struct map_request* req, uintptr_t base,
                                bool mapped_whole) {
  uint64_t ps = zx_page();
  struct vmo* v = req->vmo;
  size_t rlen = req->rlen;
  struct mapping* m = calloc(1, sizeof(*m));
  if (m == NULL) {
    vmar_release_range(req->vmar, base, rlen);
    return ZX_ERR_NO_MEMORY;
  }
  m->base = base;
  m->len = rlen;
  m->vmo = v;
  m->vmar = req->vmar;
  m->max_prot = req->max_prot;
  m->backing = v->slice ? v->backing : v;
  m->off = (v->slice ? v->backing_off : 0) + req->vmo_offset;
  m->prot = req->prot;
  m->writable = (req->prot & PROT_WRITE) != 0;
  zx_status_t status = ZX_OK;
  // Without write protection a writable mapping may show the top layer only: what frozen layers
  // supply in its range is copied up first. With it, their pages are mapped write-protected and
  // copied when first stored to (mapping_map_pages).
  if (m->writable && !wp_enabled()) {
    uint64_t first = m->off / ps;
    uint64_t end = first + rlen / ps;
    uint64_t lim = vmo_backing_limit(v);
    if (end > lim) end = lim;
    if (first < end) status = vmo_copy_up(m->backing, first, end - first);
  }
  m->next = zx_g.mappings;
  zx_g.mappings = m;
  mapping_link_backing(m, NULL);
  if (status == ZX_OK && m->writable) {
    // Other mappings of these pages must now show the top layer (copied-up pages, and holes
    // that this mapping may fill).
    status = vmo_remap(m->backing, m->off / ps, rlen / ps);
  }
  if (status == ZX_OK && !mapped_whole) {
    status = mapping_map_pages(m, 0, rlen / ps, (req->options & ZX_VM_MAP_RANGE) != 0);
  }
  if (status != ZX_OK) {
    zx_g.mappings = m->next;
    mapping_unlink_backing(m);
    vmar_release_range(req->vmar, base, rlen);
    free(m);
    return status;
  }
  v->obj.refs++;
  v->num_mappings++;
  req->vmar->obj.refs++;
  return ZX_OK;
}

// Checks, in order:
//  1. BAD_HANDLE / WRONG_TYPE for the VMAR handle, then for the VMO handle.
//  2. ACCESS_DENIED: the VMO handle lacks MAP.
//  3. INVALID_ARGS: unknown or unsupported option bits (CAN_MAP_*, COMPACT,
//     OFFSET_IS_UPPER_LIMIT), alignment outside 1KB..4GB, SPECIFIC_OVERWRITE with MAP_RANGE,
//     vmar_offset != 0 without SPECIFIC*, vmo_offset unaligned, len == 0, PERM_WRITE or
//     PERM_EXECUTE without PERM_READ, SPECIFIC offset unaligned or misaligned for ALIGN,
//     mapped_addr NULL.
//  4. OUT_OF_RANGE: len rounds up past SIZE_MAX, or vmo_offset + len overflows;
//     INVALID_ARGS: SPECIFIC range outside the VMAR.
//  5. ACCESS_DENIED: a PERM_* bit whose right the VMO or VMAR handle lacks; SPECIFIC* in a VMAR
//     without CAN_MAP_SPECIFIC.
//  6. BAD_STATE: the VMAR was destroyed.
//  7. NOT_SUPPORTED: REQUIRE_NON_RESIZABLE on a resizable VMO; BUFFER_TOO_SMALL: the mapping
//     runs past the VMO's end without ALLOW_FAULTS.
//  8. ALREADY_EXISTS: SPECIFIC overlaps anything mapped (in a sub-region: its mappings and child
//     regions), or SPECIFIC_OVERWRITE overlaps memory that is not one of the VMAR's own mappings;
//     NO_MEMORY (in a sub-region: no free range of len bytes).
// Three steps: map_check (1-7), map_place (8: where it goes), map_populate (the pages).
ZX_EXPORT zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset,
                                  zx_handle_t vmo_handle, uint64_t vmo_offset, size_t len,
                                  zx_vaddr_t* mapped_addr) {
  ZX_FAULT_POINT(handle, vmo_handle, options);
  struct map_request req;
  uintptr_t base = 0;
  bool mapped_whole = false;
  zx_lock();
  zx_status_t status = map_check(handle, options, vmar_offset, vmo_handle, vmo_offset, len,
                                 mapped_addr, &req);
  if (status == ZX_OK) status = vmar_prepare_user_write(mapped_addr, sizeof(*mapped_addr));
  if (status == ZX_OK) status = map_place(&req, &base, &mapped_whole);
  if (status == ZX_OK) status = map_populate(&req, base, mapped_whole);
  if (status == ZX_OK) *mapped_addr = base;
  zx_unlock();
  return status;
}

// Checks: BAD_HANDLE, WRONG_TYPE, INVALID_ARGS (addr unaligned, len 0, rounded len overflowing),
// BAD_STATE (destroyed VMAR), INVALID_ARGS (a sub-region's range not inside it; a child region
// only partly in the range, or in it while the handle lacks OP_CHILDREN), NOT_FOUND (neither a mapping of this VMAR nor a child region in the
// range). Unmaps every piece of this VMAR's own mappings in [addr, addr + roundup(len)),
// splitting mappings, and destroys the child regions wholly inside the range; gaps and foreign
// memory are left alone.
ZX_EXPORT zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, ZX_FAULT_NO_OPTION);
  uint64_t ps = zx_page();
  zx_rights_t rights;
  struct vmar* vmar;
  zx_lock();
  zx_status_t status = vmar_lookup(handle, &rights, &vmar);
  if (status != ZX_OK) goto out;
  if (addr % ps != 0 || len == 0 || len > SIZE_MAX - (ps - 1) ||
      addr > UINTPTR_MAX - (len + (ps - 1)) / ps * ps) {
    status = ZX_ERR_INVALID_ARGS;
    goto out;
  }
  if (vmar->destroyed) {
    status = ZX_ERR_BAD_STATE;
    goto out;
  }
  size_t rlen = (len + (ps - 1)) / ps * ps;
  uintptr_t end = addr + rlen;
  if (vmar->parent != NULL && (addr < vmar->base || end > vmar->base + vmar->size)) {
    status = ZX_ERR_INVALID_ARGS;
    goto out;
  }
  for (struct vmar* c = vmar->children; c != NULL; c = c->next_sibling) {
    bool overlaps = c->base < end && addr < c->base + c->size;
    // A region is destroyed only whole, and only through a handle with OP_CHILDREN.
    if (overlaps && (c->base < addr || c->base + c->size > end ||
                     (rights & ZX_RIGHT_OP_CHILDREN) == 0)) {
      status = ZX_ERR_INVALID_ARGS;
      goto out;
    }
  }
  bool found = unmap_records(vmar, addr, end, true, &status);
  struct vmar* c;
  while (status == ZX_OK && (c = child_overlapping(vmar, addr, end)) != NULL) {
    vmar_teardown(c, true);
    found = true;
  }
  if (status == ZX_OK && !found) status = ZX_ERR_NOT_FOUND;
out:
  zx_unlock();
  return status;
}

// Checks, in order (zircon's VmAddressRegionDispatcher::RangeOp and VmAddressRegion::RangeOp):
//  1. BAD_HANDLE, WRONG_TYPE; INVALID_ARGS for an unknown op.
//  2. ACCESS_DENIED: the VMAR handle lacks WRITE (COMMIT, DECOMMIT, ZERO) or READ (MAP_RANGE,
//     PREFETCH); DONT_NEED and ALWAYS_NEED are hints and need no right.
//  3. INVALID_ARGS: buffer non-NULL or buffer_size non-zero, size 0, address unaligned.
//  4. OUT_OF_RANGE: address + size overflows, or the range is not inside the VMAR.
//  5. BAD_STATE: the VMAR was destroyed.
//  6. In address order: BAD_STATE for a part of the range no mapping covers (in this VMAR or a
//     region below it); INVALID_ARGS for a mapping in a region below this VMAR when the op is
//     COMMIT, DECOMMIT or PREFETCH (they act as if they could raise its permissions, which a
//     parent may not) or the handle lacks OP_CHILDREN; ACCESS_DENIED for a mapping that could
//     never be writable (COMMIT, DECOMMIT, ZERO: the VMO or VMAR handle used to map it lacked
//     WRITE; a read-only mapping of a writable VMO is fine) or readable (PREFETCH);
//     NOT_SUPPORTED for DECOMMIT where the VMO cannot decommit.
// Nothing changes unless every check passes (zircon acts mapping by mapping, so a failure part
// way leaves the earlier mappings done). COMMIT commits the VMO pages and pre-faults them;
// DECOMMIT decommits and ZERO zeroes them (zx_vmo_op_range's semantics); MAP_RANGE, PREFETCH
// and ALWAYS_NEED pre-fault what the VMO holds (no page is committed); DONT_NEED does nothing
// (no pager here).
ZX_EXPORT zx_status_t zx_vmar_op_range(zx_handle_t handle, uint32_t op, zx_vaddr_t address,
                                       size_t size, void* buffer, size_t buffer_size) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, op);
  uint64_t ps = zx_page();
  zx_rights_t rights;
  struct vmar* vmar;
  zx_lock();
  zx_status_t status = vmar_lookup(handle, &rights, &vmar);
  if (status != ZX_OK) goto out;
  bool needs_write = op == ZX_VMAR_OP_COMMIT || op == ZX_VMAR_OP_DECOMMIT || op == ZX_VMAR_OP_ZERO;
  bool needs_read = op == ZX_VMAR_OP_MAP_RANGE || op == ZX_VMAR_OP_PREFETCH;
  if (!needs_write && !needs_read && op != ZX_VMAR_OP_DONT_NEED && op != ZX_VMAR_OP_ALWAYS_NEED) {
    status = ZX_ERR_INVALID_ARGS;
    goto out;
  }
  if ((needs_write && (rights & ZX_RIGHT_WRITE) == 0) ||
      (needs_read && (rights & ZX_RIGHT_READ) == 0)) {
    status = ZX_ERR_ACCESS_DENIED;
    goto out;
  }
  if (buffer != NULL || buffer_size != 0 || size == 0 || address % ps != 0) {
    status = ZX_ERR_INVALID_ARGS;
    goto out;
  }
  if (size > SIZE_MAX - (ps - 1) || address > UINTPTR_MAX - (size + (ps - 1)) / ps * ps ||
      address < vmar->base ||
      address + (size + (ps - 1)) / ps * ps - vmar->base > vmar->size) {
    status = ZX_ERR_OUT_OF_RANGE;
    goto out;
  }
  if (vmar->destroyed) {
    status = ZX_ERR_BAD_STATE;
    goto out;
  }
  uintptr_t end = address + (size + (ps - 1)) / ps * ps;
  bool raises = op == ZX_VMAR_OP_COMMIT || op == ZX_VMAR_OP_DECOMMIT || op == ZX_VMAR_OP_PREFETCH;
  for (uintptr_t cur = address; cur < end;) {
    struct mapping* m = vmar_mapping_at(vmar, cur);
    if (m == NULL) {
      status = ZX_ERR_BAD_STATE;
      goto out;
    }
    if (m->vmar != vmar && (raises || (rights & ZX_RIGHT_OP_CHILDREN) == 0)) {
      status = ZX_ERR_INVALID_ARGS;
      goto out;
    }
    if ((needs_write && (m->max_prot & PROT_WRITE) == 0) ||
        (op == ZX_VMAR_OP_PREFETCH && (m->max_prot & PROT_READ) == 0)) {
      status = ZX_ERR_ACCESS_DENIED;
      goto out;
    }
    if (op == ZX_VMAR_OP_DECOMMIT && !vmo_can_decommit(m->vmo)) {
      status = ZX_ERR_NOT_SUPPORTED;
      goto out;
    }
    cur = m->base + m->len;
  }
  for (uintptr_t cur = address; cur < end && status == ZX_OK;) {
    struct mapping* m = vmar_mapping_at(vmar, cur);
    uintptr_t piece_end = m->base + m->len < end ? m->base + m->len : end;
    uint64_t first = (m->off + (cur - m->base)) / ps;
    uint64_t n = (piece_end - cur) / ps;
    uint64_t lim = vmo_backing_limit(m->vmo);
    uint64_t valid = first < lim ? (lim - first < n ? lim - first : n) : 0;
    if (op == ZX_VMAR_OP_COMMIT && valid > 0) {
      status = vmo_commit_pages(m->backing, first, valid);
    } else if (op == ZX_VMAR_OP_DECOMMIT && valid > 0) {
      status = vmo_decommit_pages(m->backing, first, valid);
    } else if (op == ZX_VMAR_OP_ZERO && valid > 0) {
      status = vmo_zero_range(m->backing, first * ps, valid * ps);
    }
    bool populate = op == ZX_VMAR_OP_COMMIT || op == ZX_VMAR_OP_MAP_RANGE ||
                    op == ZX_VMAR_OP_PREFETCH || op == ZX_VMAR_OP_ALWAYS_NEED;
    if (status == ZX_OK && populate && (m->prot & PROT_READ) != 0 && valid > 0) {
      populate_pages(cur, (size_t)(valid * ps), m->prot);
    }
    cur = piece_end;
  }
out:
  zx_unlock();
  return status;
}

// ---- Sub-regions and protection ----------------------------------------------------------

// Checks, in order:
//  1. BAD_HANDLE / WRONG_TYPE; ACCESS_DENIED: the parent handle lacks READ, WRITE or EXECUTE for
//     a CAN_MAP_READ, _WRITE or _EXECUTE option.
//  2. INVALID_ARGS: option bits other than COMPACT, SPECIFIC, CAN_MAP_* and ALIGN_* (PERM_* too),
//     an alignment outside 1KB..4GB; child_vmar or child_addr NULL; size 0 or not page-aligned;
//     offset != 0 without SPECIFIC; with SPECIFIC, offset unaligned, misaligned for the ALIGN
//     option, or the range not inside the parent; without SPECIFIC, size above the parent's.
//  3. BAD_STATE: the parent was destroyed.
//  4. ACCESS_DENIED: a CAN_MAP_* the parent does not allow; SPECIFIC without the parent's
//     CAN_MAP_SPECIFIC.
//  5. ALREADY_EXISTS: SPECIFIC overlaps a mapping or region; NO_MEMORY: no free range.
// The child's handle has ZX_DEFAULT_VMAR_RIGHTS plus READ, WRITE, EXECUTE for its CAN_MAP_*.
ZX_EXPORT zx_status_t zx_vmar_allocate(zx_handle_t parent_vmar, zx_vm_option_t options,
                                       size_t offset, size_t size, zx_handle_t* child_vmar,
                                       zx_vaddr_t* child_addr) {
  ZX_FAULT_POINT(parent_vmar, ZX_HANDLE_INVALID, options);
  const zx_vm_option_t known = ZX_VM_COMPACT | ZX_VM_SPECIFIC | ZX_VM_CAN_MAP_SPECIFIC |
                               VM_CAN_MAP_PERMS | VM_ALIGN_MASK;
  uint64_t ps = zx_page();
  zx_rights_t need = ((options & ZX_VM_CAN_MAP_READ) != 0 ? ZX_RIGHT_READ : 0) |
                     ((options & ZX_VM_CAN_MAP_WRITE) != 0 ? ZX_RIGHT_WRITE : 0) |
                     ((options & ZX_VM_CAN_MAP_EXECUTE) != 0 ? ZX_RIGHT_EXECUTE : 0);
  zx_rights_t rights;
  struct vmar* parent;
  zx_lock();
  zx_status_t status = vmar_lookup(parent_vmar, &rights, &parent);
  if (status != ZX_OK) goto out;
  if ((rights & need) != need) {
    status = ZX_ERR_ACCESS_DENIED;
    goto out;
  }
  uint32_t align_log2 = (options & VM_ALIGN_MASK) >> ZX_VM_ALIGN_BASE;
  uint64_t align = align_log2 != 0 && align_log2 <= 32 ? (uint64_t)1 << align_log2 : ps;
  if (align < ps) align = ps;
  bool specific = (options & ZX_VM_SPECIFIC) != 0;
  if ((options & ~known) != 0 || (align_log2 != 0 && (align_log2 < 10 || align_log2 > 32)) ||
      child_vmar == NULL || child_addr == NULL || size == 0 || size % ps != 0 ||
      (!specific && offset != 0) ||
      (specific && (offset % ps != 0 || (parent->base + offset) % align != 0 ||
                    offset > parent->size || size > parent->size - offset)) ||
      (!specific && size > parent->size)) {
    status = ZX_ERR_INVALID_ARGS;
    goto out;
  }
  if (parent->destroyed) {
    status = ZX_ERR_BAD_STATE;
    goto out;
  }
  if ((options & VM_CAN_MAP_PERMS & ~parent->flags) != 0 ||
      (specific && (parent->flags & ZX_VM_CAN_MAP_SPECIFIC) == 0)) {
    status = ZX_ERR_ACCESS_DENIED;
    goto out;
  }
  // child_addr is written under the lock (child_vmar too, by handle_alloc).
  status = vmar_prepare_user_write(child_addr, sizeof(*child_addr));
  if (status != ZX_OK) goto out;
  struct vmar* child = calloc(1, sizeof(*child));
  if (child == NULL) {
    status = ZX_ERR_NO_MEMORY;
    goto out;
  }
  uintptr_t base = 0;
  if (parent->parent != NULL) {
    // Inside a sub-region: its reservation already covers the child's range.
    uintptr_t busy_end;
    if (!specific) {
      status = find_gap(parent, size, align, &base);
    } else {
      base = parent->base + offset;
      if (range_busy(parent, base, base + size, &busy_end)) status = ZX_ERR_ALREADY_EXISTS;
    }
  } else if (specific) {
    base = parent->base + offset;
    void* got = mmap((void*)base, size, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (got != (void*)base) {
      if (got != MAP_FAILED) munmap(got, size);
      status = got == MAP_FAILED && errno != EEXIST ? ZX_ERR_NO_MEMORY : ZX_ERR_ALREADY_EXISTS;
    }
  } else {
    size_t slack = align > ps ? (size_t)align : 0;
    void* got = size > SIZE_MAX - slack
                    ? MAP_FAILED
                    : mmap(NULL, size + slack, PROT_NONE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (got == MAP_FAILED) {
      status = ZX_ERR_NO_MEMORY;
    } else {
      uintptr_t raw = (uintptr_t)got;
      base = (raw + (uintptr_t)(align - 1)) & ~(uintptr_t)(align - 1);
      if (base > raw) munmap(got, base - raw);
      if (raw + size + slack > base + size) {
        munmap((void*)(base + size), raw + size + slack - (base + size));
      }
    }
  }
  if (status == ZX_OK) {
    child->obj.type = ZX_OBJ_TYPE_VMAR;
    child->obj.koid = zx_new_koid();
    child->base = base;
    child->size = size;
    child->flags = options & (VM_CAN_MAP_PERMS | ZX_VM_CAN_MAP_SPECIFIC);
    zx_rights_t child_rights = ZX_DEFAULT_VMAR_RIGHTS | need;
    child->obj.refs = 1;  // the parent's reference, dropped when the child is destroyed
    status = handle_alloc(&child->obj, child_rights, child_vmar);
    if (status != ZX_OK) vmar_release_range(parent, base, size);
  }
  if (status != ZX_OK) {
    free(child);
    goto out;
  }
  child->parent = parent;
  parent->obj.refs++;
  child->next_sibling = parent->children;
  parent->children = child;
  *child_addr = base;
out:
  zx_unlock();
  return status;
}

// Checks: BAD_HANDLE, WRONG_TYPE, NOT_SUPPORTED (a root VMAR: ours or another process's),
// BAD_STATE (already destroyed).
// Unmaps everything in the region and destroys its sub-regions; its range goes back to its
// parent. The handle stays open.
ZX_EXPORT zx_status_t zx_vmar_destroy(zx_handle_t handle) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, ZX_FAULT_NO_OPTION);
  zx_rights_t rights;
  struct vmar* vmar;
  zx_lock();
  zx_status_t status = vmar_lookup(handle, &rights, &vmar);
  if (status == ZX_OK && (vmar == zx_g.root || vmar->aspace)) {
    status = ZX_ERR_NOT_SUPPORTED;  // a root VMAR: the address space needs it
  } else if (status == ZX_OK && vmar->destroyed) {
    status = ZX_ERR_BAD_STATE;
  } else if (status == ZX_OK) {
    vmar_teardown(vmar, true);
  }
  zx_unlock();
  return status;
}

// Checks, in order:
//  1. BAD_HANDLE / WRONG_TYPE; ACCESS_DENIED: the VMAR handle lacks READ, WRITE or EXECUTE for
//     a PERM_* option.
//  2. INVALID_ARGS: PERM_WRITE or PERM_EXECUTE without PERM_READ, addr unaligned, option bits
//     other than PERM_* (and PERM_READ_IF_XOM_UNSUPPORTED), len 0 or rounding past the address
//     space.
//  3. BAD_STATE: the VMAR was destroyed. INVALID_ARGS: a sub-region's range not inside it.
//  4. In address order through [addr, addr + roundup(len)): INVALID_ARGS for a child region,
//     NOT_FOUND for a gap, ACCESS_DENIED for a mapping whose VMO and VMAR handles at map time did
//     not allow the new permissions.
// Then every mapping piece in the range gets the new protection (mappings are split at the
// range's ends); a mapping made writable shows its VMO's own pages from then on.
ZX_EXPORT zx_status_t zx_vmar_protect(zx_handle_t handle, zx_vm_option_t options, zx_vaddr_t addr,
                                      size_t len) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, options);
  const zx_vm_option_t known = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE |
                               ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED;
  uint64_t ps = zx_page();
  if ((options & ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED) != 0 && (options & ZX_VM_PERM_EXECUTE) != 0)
    options |= ZX_VM_PERM_READ;  // the host has no execute-only mappings
  bool perm_r = (options & ZX_VM_PERM_READ) != 0;
  bool perm_w = (options & ZX_VM_PERM_WRITE) != 0;
  bool perm_x = (options & ZX_VM_PERM_EXECUTE) != 0;
  zx_rights_t need = (perm_r ? ZX_RIGHT_READ : 0) | (perm_w ? ZX_RIGHT_WRITE : 0) |
                     (perm_x ? ZX_RIGHT_EXECUTE : 0);
  int prot = (perm_r ? PROT_READ : 0) | (perm_w ? PROT_WRITE : 0) | (perm_x ? PROT_EXEC : 0);
  zx_rights_t rights;
  struct vmar* vmar;
  zx_lock();
  zx_status_t status = vmar_lookup(handle, &rights, &vmar);
  if (status != ZX_OK) goto out;
  if ((rights & need) != need) {
    status = ZX_ERR_ACCESS_DENIED;
    goto out;
  }
  if (((perm_w || perm_x) && !perm_r) || addr % ps != 0 || (options & ~known) != 0 || len == 0 ||
      len > SIZE_MAX - (ps - 1) || addr > UINTPTR_MAX - (len + (ps - 1)) / ps * ps) {
    status = ZX_ERR_INVALID_ARGS;
    goto out;
  }
  if (vmar->destroyed) {
    status = ZX_ERR_BAD_STATE;
    goto out;
  }
  uintptr_t end = addr + (len + (ps - 1)) / ps * ps;
  if (vmar->parent != NULL && (addr < vmar->base || end > vmar->base + vmar->size)) {
    status = ZX_ERR_INVALID_ARGS;
    goto out;
  }
  for (uintptr_t cur = addr; cur < end;) {
    struct mapping* m = mapping_at(vmar, cur, false);
    if (m == NULL) {
      struct vmar* c = child_overlapping(vmar, cur, cur + ps);
      status = c != NULL ? ZX_ERR_INVALID_ARGS : ZX_ERR_NOT_FOUND;
      goto out;
    }
    if ((prot & ~m->max_prot) != 0) {
      status = ZX_ERR_ACCESS_DENIED;
      goto out;
    }
    cur = m->base + m->len;
  }
  // Split at both ends, then change every piece inside.
  struct mapping* first = mapping_at(vmar, addr, false);
  if (first->base < addr) status = mapping_split(first, addr);
  struct mapping* last = mapping_at(vmar, end - 1, false);
  if (status == ZX_OK && last->base + last->len > end) status = mapping_split(last, end);
  for (uintptr_t cur = addr; cur < end && status == ZX_OK;) {
    struct mapping* m = mapping_at(vmar, cur, false);
    uint64_t first_page = m->off / ps;
    uint64_t npages = m->len / ps;
    if (m->writable) {
      // It shows the VMO's own pages already (and, after a lazy snapshot, write-protects those a
      // frozen layer supplies): only the protection of the pages inside the VMO changes; those
      // past its end stay PROT_NONE. mprotect keeps the userfaultfd write protection, so a
      // writer racing this call stores before it or faults and is resolved as always. (A re-map
      // would show the frozen layer's pages read-only for a moment: a racing store would get
      // SIGSEGV.)
      uint64_t lim = vmo_backing_limit(m->vmo);
      uint64_t valid = first_page < lim ? lim - first_page : 0;
      if (valid > npages) valid = npages;
      if (valid > 0 && mprotect((void*)m->base, (size_t)(valid * ps), prot) != 0) {
        status = ZX_ERR_NO_MEMORY;
      }
      m->prot = prot;
      cur = m->base + m->len;
      continue;
    }
    if (perm_w) {
      // As zx_vmar_map does for PERM_WRITE: the mapping must show the VMO's top layer, and the
      // VMO's other mappings must show it too wherever this one can write.
      uint64_t lim = vmo_backing_limit(m->vmo);
      uint64_t valid_end = first_page + npages < lim ? first_page + npages : lim;
      if (first_page < valid_end) status = vmo_copy_up(m->backing, first_page, valid_end - first_page);
      m->writable = true;
      if (status == ZX_OK) status = vmo_remap(m->backing, first_page, npages);
    }
    m->prot = prot;
    if (status == ZX_OK) status = mapping_map_pages(m, 0, npages, false);
    cur = m->base + m->len;
  }
out:
  zx_unlock();
  return status;
}
