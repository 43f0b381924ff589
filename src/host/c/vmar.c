// The root VMAR and mappings.
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

void vmar_destroy(struct vmar* vmar) {
  if (zx_g.root == vmar) zx_g.root = NULL;
  free(vmar);
}

ZX_EXPORT zx_handle_t zx_vmar_root_self(void) {
  zx_lock();
  if (zx_g.root_handle == ZX_HANDLE_INVALID) {
    struct vmar* root = zx_g.root;
    if (root == NULL) {
      root = calloc(1, sizeof(*root));
      if (root != NULL) {
        root->obj.type = ZX_OBJ_TYPE_VMAR;
        root->obj.koid = zx_new_koid();
        zx_g.root = root;
      }
    }
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

struct map_ctx {
  struct mapping* m;
  int populate;
  struct layer* zero_layer;  // pages no layer supplies map from it (b's top), or NULL: zeros
  bool lower;                // a writable mapping got a run from a layer below the top
  bool have;  // a pending run
  uint64_t at;
  uint64_t n;
  struct layer* layer;
  uint64_t lp;
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
    got = mmap(addr, (size_t)(c->n * ps), prot, MAP_SHARED | MAP_FIXED | c->populate,
               layer_fd(c->layer), (off_t)(c->lp * ps));
  } else {
    got = mmap(addr, (size_t)(c->n * ps), c->m->prot,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE | c->populate, -1, 0);
  }
  c->have = false;
  return got == MAP_FAILED ? ZX_ERR_NO_MEMORY : ZX_OK;
}

static zx_status_t map_run(void* arg, uint64_t at, uint64_t n, struct layer* l, uint64_t lp) {
  struct map_ctx* c = arg;
  if (l == NULL && c->zero_layer != NULL) {
    l = c->zero_layer;
    lp = c->m->off / zx_page() + at;
  }
  if (c->m->writable && l != c->zero_layer) c->lower = true;
  if (c->have && c->layer == l && c->at + c->n == at && (l == NULL || c->lp + c->n == lp)) {
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
    for (const struct mapping* w = zx_g.mappings; w != NULL; w = w->next) {
      if (w->backing != b || !w->writable) continue;
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
  for (const struct mapping* w = zx_g.mappings; w != NULL; w = w->next) {
    if (w->backing != b || !w->writable) continue;
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
};

static zx_status_t single_run_add(void* arg, uint64_t at, uint64_t n, struct layer* l,
                                  uint64_t lp) {
  (void)at;
  struct single_run* r = arg;
  if (r->runs == 1 && r->layer == l && (l == NULL || r->lp + r->n == lp)) {
    r->n += n;
    return ZX_OK;
  }
  if (++r->runs > 1) return ZX_ERR_STOP;  // more than one run: not the fast path
  r->layer = l;
  r->lp = lp;
  r->n = n;
  return ZX_OK;
}

// Whether pages [page, page + npages) of non-slice `b`, as seen by a read-only mapping, form a
// single run; if so, fills *run.
static bool single_run_of(struct vmo* b, uint64_t page, uint64_t npages, struct single_run* run) {
  uint64_t seg_end;
  if (writable_cover(b, page, page + npages, &seg_end) || seg_end != page + npages) return false;
  *run = (struct single_run){0};
  return layer_walk(b->top, page, npages, 0, single_run_add, run) == ZX_OK && run->runs == 1;
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
  int pop = populate ? MAP_POPULATE : 0;
  struct layer* top = m->backing->top;
  if (valid > 0) {
    struct map_ctx c = {.m = m, .populate = pop};
    zx_status_t status = ZX_OK;
    if (m->writable && !wp_enabled()) {
      // Without write protection a writable mapping shows the top layer only: a snapshot copies
      // up every page of its range first (vmo.c), so no frozen layer is ever mapped writable.
      layer_untrack(top);
      c.zero_layer = top;
      status = map_run(&c, rel, valid, top, bp);
    } else if (m->writable) {
      layer_untrack(top);  // the writer's stores allocate pages we do not see
      c.zero_layer = top;
      status = layer_walk(top, bp, valid, rel, map_run, &c);
    } else {
      uint64_t cur = bp;
      uint64_t end = bp + valid;
      while (cur < end && status == ZX_OK) {
        uint64_t seg_end;
        bool covered = writable_cover(m->backing, cur, end, &seg_end);
        if (covered) layer_untrack(top);  // reading a hole through it allocates a page
        c.zero_layer = covered ? top : NULL;
        status = layer_walk(top, cur, seg_end - cur, rel + (cur - bp), map_run, &c);
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
  for (struct mapping* m = zx_g.mappings; m != NULL; m = m->next) {
    if (m->backing != b) continue;
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

// The mapping holding address `addr`, or NULL.
static struct mapping* mapping_at(uintptr_t addr);

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

zx_status_t vmar_resolve_write(uintptr_t addr) {
  struct mapping* m = mapping_at(addr);
  if (m == NULL || !m->writable) return ZX_OK;  // unmapped meanwhile: the writer retries
  uint64_t ps = zx_page();
  uint64_t bp = (m->off + (addr - m->base)) / ps;
  if (bp >= vmo_backing_limit(m->vmo)) return ZX_OK;  // past the end: PROT_NONE, not ours
  zx_status_t status = vmo_copy_up(m->backing, bp, 1);
  if (status == ZX_OK) status = vmo_remap(m->backing, bp, 1);
  return status;
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

bool vmo_writably_mapped(const struct vmo* b) {
  for (const struct mapping* m = zx_g.mappings; m != NULL; m = m->next) {
    if (m->backing == b && m->writable) return true;
  }
  return false;
}

// ---- Mapping records ---------------------------------------------------------------------

static void mapping_release(struct mapping* m) {
  m->vmo->num_mappings--;
  struct vmo* v = m->vmo;
  free(m);
  object_unref(&v->obj);
}

// Removes [lo, hi) from every recorded mapping, splitting those that straddle it. Only the
// recorded pieces are munmapped (when `do_munmap`). Returns whether any mapping intersected.
static bool unmap_records(uintptr_t lo, uintptr_t hi, bool do_munmap, zx_status_t* status) {
  bool found = false;
  *status = ZX_OK;
  struct mapping** link = &zx_g.mappings;
  while (*link != NULL) {
    struct mapping* m = *link;
    uintptr_t end = m->base + m->len;
    uintptr_t s = lo > m->base ? lo : m->base;
    uintptr_t e = hi < end ? hi : end;
    if (s >= e) {
      link = &m->next;
      continue;
    }
    found = true;
    if (s > m->base && e < end) {  // split: the right piece becomes a new record
      struct mapping* right = malloc(sizeof(*right));
      if (right == NULL) {
        *status = ZX_ERR_NO_MEMORY;
        return found;
      }
      *right = *m;
      right->base = e;
      right->len = end - e;
      right->off = m->off + (e - m->base);
      right->next = m->next;
      m->next = right;
      m->vmo->obj.refs++;
      m->vmo->num_mappings++;
      m->len = s - m->base;
    } else if (s > m->base) {  // keep the left part
      m->len = s - m->base;
    } else if (e < end) {  // keep the right part
      m->off += e - m->base;
      m->len = end - e;
      m->base = e;
    } else {
      *link = m->next;
      if (do_munmap) munmap((void*)s, e - s);
      mapping_release(m);
      continue;
    }
    if (do_munmap) munmap((void*)s, e - s);
    link = &m->next;
  }
  return found;
}

static struct mapping* mapping_at(uintptr_t addr) {
  for (struct mapping* m = zx_g.mappings; m != NULL; m = m->next) {
    if (addr >= m->base && addr - m->base < m->len) return m;
  }
  return NULL;
}

// The lowest recorded mapping base in (addr, hi), or hi.
static uintptr_t next_mapping_start(uintptr_t addr, uintptr_t hi) {
  uintptr_t best = hi;
  for (struct mapping* m = zx_g.mappings; m != NULL; m = m->next) {
    if (m->base > addr && m->base < best) best = m->base;
  }
  return best;
}

// For SPECIFIC_OVERWRITE: reserves every part of [lo, hi) that is not one of our mappings with
// MAP_FIXED_NOREPLACE. Fails with ALREADY_EXISTS (undoing its reservations) when any such part
// is memory we did not map.
static zx_status_t reserve_gaps(uintptr_t lo, uintptr_t hi) {
  uintptr_t cur = lo;
  while (cur < hi) {
    struct mapping* m = mapping_at(cur);
    if (m != NULL) {
      cur = m->base + m->len;
      continue;
    }
    uintptr_t next = next_mapping_start(cur, hi);
    void* got = mmap((void*)cur, next - cur, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (got != (void*)cur) {
      if (got != MAP_FAILED) munmap(got, next - cur);
      // Undo the gaps reserved so far (those in [lo, cur) that are not our mappings).
      uintptr_t u = lo;
      while (u < cur) {
        struct mapping* um = mapping_at(u);
        if (um != NULL) {
          u = um->base + um->len;
          continue;
        }
        uintptr_t un = next_mapping_start(u, cur);
        munmap((void*)u, un - u);
        u = un;
      }
      return got == MAP_FAILED && errno != EEXIST ? ZX_ERR_NO_MEMORY : ZX_ERR_ALREADY_EXISTS;
    }
    cur = next;
  }
  return ZX_OK;
}

// ---- Syscalls ----------------------------------------------------------------------------

static zx_status_t vmar_lookup(zx_handle_t handle, zx_rights_t* rights) {
  struct handle_entry* e = handle_lookup(handle);
  if (e == NULL) return ZX_ERR_BAD_HANDLE;
  if (e->obj->type != ZX_OBJ_TYPE_VMAR) return ZX_ERR_WRONG_TYPE;
  *rights = e->rights;
  return ZX_OK;
}

#define VM_ALIGN_MASK ((zx_vm_option_t)0xffu << ZX_VM_ALIGN_BASE)

// Checks, in order:
//  1. BAD_HANDLE / WRONG_TYPE for the VMAR handle, then for the VMO handle.
//  2. ACCESS_DENIED: the VMO handle lacks MAP.
//  3. INVALID_ARGS: unknown or unsupported option bits (CAN_MAP_*, COMPACT,
//     OFFSET_IS_UPPER_LIMIT), alignment outside 1KB..4GB, SPECIFIC_OVERWRITE with MAP_RANGE,
//     vmar_offset != 0 without SPECIFIC*, vmo_offset unaligned, len == 0, PERM_WRITE or
//     PERM_EXECUTE without PERM_READ, SPECIFIC offset unaligned or misaligned for ALIGN,
//     mapped_addr NULL.
//  4. OUT_OF_RANGE: len rounds up past SIZE_MAX, or vmo_offset + len overflows;
//     INVALID_ARGS: SPECIFIC range outside the root VMAR.
//  5. ACCESS_DENIED: a PERM_* bit whose right the VMO or VMAR handle lacks.
//  6. NOT_SUPPORTED: REQUIRE_NON_RESIZABLE on a resizable VMO; BUFFER_TOO_SMALL: the mapping
//     runs past the VMO's end without ALLOW_FAULTS.
//  7. ALREADY_EXISTS: SPECIFIC overlaps anything mapped, or SPECIFIC_OVERWRITE overlaps memory
//     that is not one of our mappings; NO_MEMORY.
ZX_EXPORT zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset,
                                  zx_handle_t vmo_handle, uint64_t vmo_offset, size_t len,
                                  zx_vaddr_t* mapped_addr) {
  const zx_vm_option_t known = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE |
                               ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_MAP_RANGE |
                               ZX_VM_REQUIRE_NON_RESIZABLE | ZX_VM_ALLOW_FAULTS |
                               ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED | VM_ALIGN_MASK;
  uint64_t ps = zx_page();
  zx_rights_t vmar_rights;
  zx_lock();
  zx_status_t status = vmar_lookup(handle, &vmar_rights);
  if (status != ZX_OK) goto out;
  struct handle_entry* ve = handle_lookup(vmo_handle);
  if (ve == NULL) {
    status = ZX_ERR_BAD_HANDLE;
    goto out;
  }
  if (ve->obj->type != ZX_OBJ_TYPE_VMO) {
    status = ZX_ERR_WRONG_TYPE;
    goto out;
  }
  struct vmo* v = (struct vmo*)ve->obj;
  zx_rights_t vmo_rights = ve->rights;
  if ((vmo_rights & ZX_RIGHT_MAP) == 0) {
    status = ZX_ERR_ACCESS_DENIED;
    goto out;
  }
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
      (specific && ((vmar_offset % ps) != 0 || (ZX_HOST_ROOT_VMAR_BASE + vmar_offset) % align != 0)) ||
      mapped_addr == NULL) {
    status = ZX_ERR_INVALID_ARGS;
    goto out;
  }
  if (len > SIZE_MAX - (ps - 1)) {
    status = ZX_ERR_OUT_OF_RANGE;
    goto out;
  }
  size_t rlen = (len + (ps - 1)) / ps * ps;
  if (vmo_offset > UINT64_MAX - rlen) {
    status = ZX_ERR_OUT_OF_RANGE;
    goto out;
  }
  if (specific && (vmar_offset > ZX_HOST_ROOT_VMAR_SIZE || rlen > ZX_HOST_ROOT_VMAR_SIZE - vmar_offset)) {
    status = ZX_ERR_INVALID_ARGS;
    goto out;
  }
  if ((perm_r && ((vmo_rights & ZX_RIGHT_READ) == 0 || (vmar_rights & ZX_RIGHT_READ) == 0)) ||
      (perm_w && ((vmo_rights & ZX_RIGHT_WRITE) == 0 || (vmar_rights & ZX_RIGHT_WRITE) == 0)) ||
      (perm_x && ((vmo_rights & ZX_RIGHT_EXECUTE) == 0 || (vmar_rights & ZX_RIGHT_EXECUTE) == 0))) {
    status = ZX_ERR_ACCESS_DENIED;
    goto out;
  }
  if ((options & ZX_VM_REQUIRE_NON_RESIZABLE) != 0 && v->resizable) {
    status = ZX_ERR_NOT_SUPPORTED;
    goto out;
  }
  if ((options & ZX_VM_ALLOW_FAULTS) == 0 && vmo_offset + rlen > v->size) {
    status = ZX_ERR_BUFFER_TOO_SMALL;
    goto out;
  }

  status = vmar_prepare_user_write(mapped_addr, sizeof(*mapped_addr));
  if (status != ZX_OK) goto out;

  // Reserve the address range (or, on the fast path, map it at once).
  uintptr_t base;
  struct vmo* backing = v->slice ? v->backing : v;
  uint64_t first_page = ((v->slice ? v->backing_off : 0) + vmo_offset) / ps;
  struct single_run run;
  bool mapped_whole = false;
  if (!specific && align == ps && !perm_w && first_page + rlen / ps <= vmo_backing_limit(v) &&
      single_run_of(backing, first_page, rlen / ps, &run)) {
    int pop = (options & ZX_VM_MAP_RANGE) != 0 ? MAP_POPULATE : 0;
    int prot = (perm_r ? PROT_READ : 0) | (perm_x ? PROT_EXEC : 0);
    void* got = run.layer != NULL
                    ? mmap(NULL, rlen, prot, MAP_SHARED | pop, run.layer->fd, (off_t)(run.lp * ps))
                    : mmap(NULL, rlen, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | pop,
                           -1, 0);
    if (got == MAP_FAILED) {
      status = ZX_ERR_NO_MEMORY;
      goto out;
    }
    base = (uintptr_t)got;
    mapped_whole = true;
  } else if (!specific) {
    size_t slack = align > ps ? (size_t)align : 0;
    if (rlen > SIZE_MAX - slack) {
      status = ZX_ERR_NO_MEMORY;
      goto out;
    }
    void* got = mmap(NULL, rlen + slack, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
    if (got == MAP_FAILED) {
      status = ZX_ERR_NO_MEMORY;
      goto out;
    }
    uintptr_t raw = (uintptr_t)got;
    base = (raw + (uintptr_t)(align - 1)) & ~(uintptr_t)(align - 1);
    if (base > raw) munmap(got, base - raw);
    if (raw + rlen + slack > base + rlen) munmap((void*)(base + rlen), raw + rlen + slack - (base + rlen));
  } else {
    base = (uintptr_t)(ZX_HOST_ROOT_VMAR_BASE + vmar_offset);
    if ((options & ZX_VM_SPECIFIC_OVERWRITE) != 0) {
      status = reserve_gaps(base, base + rlen);
      if (status != ZX_OK) goto out;
      zx_status_t split_status;
      unmap_records(base, base + rlen, false, &split_status);
      void* got = mmap((void*)base, rlen, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
      if (got == MAP_FAILED || split_status != ZX_OK) {
        status = ZX_ERR_NO_MEMORY;
        goto out;
      }
    } else {
      void* got = mmap((void*)base, rlen, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
      if (got != (void*)base) {
        if (got != MAP_FAILED) munmap(got, rlen);
        status = got == MAP_FAILED && errno != EEXIST ? ZX_ERR_NO_MEMORY : ZX_ERR_ALREADY_EXISTS;
        goto out;
      }
    }
  }

  struct mapping* m = calloc(1, sizeof(*m));
  if (m == NULL) {
    munmap((void*)base, rlen);
    status = ZX_ERR_NO_MEMORY;
    goto out;
  }
  m->base = base;
  m->len = rlen;
  m->vmo = v;
  m->backing = v->slice ? v->backing : v;
  m->off = (v->slice ? v->backing_off : 0) + vmo_offset;
  m->prot = (perm_r ? PROT_READ : 0) | (perm_w ? PROT_WRITE : 0) | (perm_x ? PROT_EXEC : 0);
  m->writable = perm_w;
  if (m->writable) {
    uint64_t first = m->off / ps;
    uint64_t end = first + rlen / ps;
    uint64_t lim = vmo_backing_limit(v);
    if (end > lim) end = lim;
    if (first < end) status = vmo_copy_up(m->backing, first, end - first);
  }
  m->next = zx_g.mappings;
  zx_g.mappings = m;
  if (status == ZX_OK && m->writable) {
    // Other mappings of these pages must now show the top layer (copied-up pages, and holes
    // that this mapping may fill).
    status = vmo_remap(m->backing, m->off / ps, rlen / ps);
  }
  if (status == ZX_OK && !mapped_whole) {
    status = mapping_map_pages(m, 0, rlen / ps, (options & ZX_VM_MAP_RANGE) != 0);
  }
  if (status != ZX_OK) {
    zx_g.mappings = m->next;
    munmap((void*)base, rlen);
    free(m);
    goto out;
  }
  v->obj.refs++;
  v->num_mappings++;
  *mapped_addr = base;
out:
  zx_unlock();
  return status;
}

// Checks: BAD_HANDLE, WRONG_TYPE, INVALID_ARGS (addr unaligned, len 0, rounded len overflowing),
// NOT_FOUND (no mapping of ours in the range). Unmaps every piece of our mappings in
// [addr, addr + roundup(len)), splitting mappings; gaps and foreign memory are left alone.
ZX_EXPORT zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len) {
  uint64_t ps = zx_page();
  zx_rights_t rights;
  zx_lock();
  zx_status_t status = vmar_lookup(handle, &rights);
  if (status != ZX_OK) goto out;
  if (addr % ps != 0 || len == 0 || len > SIZE_MAX - (ps - 1) ||
      addr > UINTPTR_MAX - (len + (ps - 1)) / ps * ps) {
    status = ZX_ERR_INVALID_ARGS;
    goto out;
  }
  size_t rlen = (len + (ps - 1)) / ps * ps;
  if (!unmap_records(addr, addr + rlen, true, &status)) status = ZX_ERR_NOT_FOUND;
out:
  zx_unlock();
  return status;
}

// Checks: BAD_HANDLE, WRONG_TYPE, INVALID_ARGS (unknown op, address unaligned, size 0),
// OUT_OF_RANGE (address + size overflows), NOT_FOUND (part of the range is not one of our
// mappings), ACCESS_DENIED (COMMIT/DECOMMIT: the VMAR handle lacks WRITE or a mapping lacks
// PERM_WRITE), NOT_SUPPORTED (DECOMMIT of a VMO that cannot decommit, see zx_vmo_op_range).
// COMMIT commits the VMO pages and pre-faults them; MAP_RANGE pre-faults; DECOMMIT decommits the
// VMO pages; DONT_NEED and ALWAYS_NEED are accepted hints that do nothing.
ZX_EXPORT zx_status_t zx_vmar_op_range(zx_handle_t handle, uint32_t op, zx_vaddr_t address,
                                       size_t size, void* buffer, size_t buffer_size) {
  (void)buffer;
  (void)buffer_size;
  uint64_t ps = zx_page();
  zx_rights_t rights;
  zx_lock();
  zx_status_t status = vmar_lookup(handle, &rights);
  if (status != ZX_OK) goto out;
  if ((op != ZX_VMAR_OP_COMMIT && op != ZX_VMAR_OP_DECOMMIT && op != ZX_VMAR_OP_MAP_RANGE &&
       op != ZX_VMAR_OP_DONT_NEED && op != ZX_VMAR_OP_ALWAYS_NEED) ||
      address % ps != 0 || size == 0) {
    status = ZX_ERR_INVALID_ARGS;
    goto out;
  }
  if (size > SIZE_MAX - (ps - 1) || address > UINTPTR_MAX - (size + (ps - 1)) / ps * ps) {
    status = ZX_ERR_OUT_OF_RANGE;
    goto out;
  }
  uintptr_t end = address + (size + (ps - 1)) / ps * ps;
  bool needs_write = op == ZX_VMAR_OP_COMMIT || op == ZX_VMAR_OP_DECOMMIT;
  bool denied = needs_write && (rights & ZX_RIGHT_WRITE) == 0;
  bool unsupported = false;
  for (uintptr_t cur = address; cur < end;) {
    struct mapping* m = mapping_at(cur);
    if (m == NULL) {
      status = ZX_ERR_NOT_FOUND;
      goto out;
    }
    if (needs_write && !m->writable) denied = true;
    if (op == ZX_VMAR_OP_DECOMMIT && !vmo_can_decommit(m->vmo)) unsupported = true;
    cur = m->base + m->len;
  }
  if (denied) {
    status = ZX_ERR_ACCESS_DENIED;
    goto out;
  }
  if (unsupported) {
    status = ZX_ERR_NOT_SUPPORTED;
    goto out;
  }
  for (uintptr_t cur = address; cur < end && status == ZX_OK;) {
    struct mapping* m = mapping_at(cur);
    uintptr_t piece_end = m->base + m->len < end ? m->base + m->len : end;
    uint64_t first = (m->off + (cur - m->base)) / ps;
    uint64_t n = (piece_end - cur) / ps;
    uint64_t lim = vmo_backing_limit(m->vmo);
    uint64_t valid = first < lim ? (lim - first < n ? lim - first : n) : 0;
    if (op == ZX_VMAR_OP_COMMIT && valid > 0) {
      status = vmo_commit_pages(m->backing, first, valid);
    } else if (op == ZX_VMAR_OP_DECOMMIT && valid > 0) {
      status = vmo_decommit_pages(m->backing, first, valid);
    }
    if (status == ZX_OK && (op == ZX_VMAR_OP_COMMIT || op == ZX_VMAR_OP_MAP_RANGE) &&
        (m->prot & PROT_READ) != 0 && valid > 0) {
      if (madvise((void*)cur, (size_t)(valid * ps), MADV_POPULATE_READ) != 0) {
        madvise((void*)cur, (size_t)(valid * ps), MADV_WILLNEED);  // older kernels: a hint
      }
    }
    cur = piece_end;
  }
out:
  zx_unlock();
  return status;
}
