// Internal declarations of the zircon host emulation (libzircon.so).
//
// All mutable state lives in one structure, `zx_g`: the handle table, its lock (one global mutex)
// and a condition variable (CLOCK_MONOTONIC) on which zx_object_wait_one sleeps. Every exported
// zx_* function takes the lock for its whole duration, except that a waiter releases it while it
// sleeps in pthread_cond_timedwait.
//
// Objects: `struct vmo` (vmo.c), `struct vmar` (vmar.c: the root VMAR and the sub-regions made
// by zx_vmar_allocate) and `struct event` (event.c), all starting with `struct object`. An
// object's `refs` counts its handles plus, for VMOs, its mappings and its slice children. It is
// destroyed when `refs` drops to zero.
//
// Pages: see the comment on `struct layer` below and the top of vmo.c.

#ifndef ZIRCON4J_HOST_ZX_INTERNAL_H_
#define ZIRCON4J_HOST_ZX_INTERNAL_H_

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/types.h>

#include "fault.h"

// Exactly the zx_* entry points, the zircon4j_fault_* test controls (fault.c) and the test-only
// zircon4j_host_cow_mode (uffd.c) are exported: the zircon4j_ prefix cannot clash with a zircon
// name. Everything else is hidden by -fvisibility=hidden; src/host/check-exports checks the
// exported names.
#define ZX_EXPORT __attribute__((visibility("default")))
#define ZX_HIDDEN __attribute__((visibility("hidden")))

// Largest VMO size accepted (bytes): 2^46 = 64 TiB. Keeps every page index and byte offset far
// below 2^63 (off_t), so no page arithmetic can overflow.
#define ZX_HOST_MAX_VMO_SIZE ((uint64_t)1 << 46)

// The root VMAR spans [ZX_HOST_ROOT_VMAR_BASE, ZX_HOST_ROOT_VMAR_BASE + ZX_HOST_ROOT_VMAR_SIZE).
// ZX_VM_SPECIFIC offsets are relative to this base (16 MiB, as zircon's x86-64 user aspace base).
#define ZX_HOST_ROOT_VMAR_BASE ((uint64_t)0x1000000)
#define ZX_HOST_ROOT_VMAR_SIZE (((uint64_t)1 << 47) - ZX_HOST_ROOT_VMAR_BASE - ((uint64_t)1 << 20))

// The address space of a process made by zx_process_create: its root VMAR is a range of this
// size reserved in the host's address space (see vmar_create_aspace).
#define ZX_HOST_ASPACE_SIZE ((uint64_t)1 << 36)

// Rights of the root VMAR handle: ZX_DEFAULT_VMAR_RIGHTS (BASIC minus WAIT, plus OP_CHILDREN)
// plus READ, WRITE and EXECUTE, as a Fuchsia process receives it.
#define ZX_HOST_ROOT_VMAR_RIGHTS                                                               \
  (ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER | ZX_RIGHT_INSPECT | ZX_RIGHT_OP_CHILDREN |        \
   ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE)

struct object {
  zx_obj_type_t type;    // ZX_OBJ_TYPE_VMO, _VMAR, _EVENT, _EVENTPAIR, _PROCESS, _THREAD, _JOB
  zx_koid_t koid;        // from ZX_KOID_FIRST up, never reused
  size_t refs;           // handles + waiters + (VMOs) mappings and slice children
  uint32_t handles;      // open handles (ZX_INFO_HANDLE_COUNT); 0 triggers on-zero-handles
  zx_signals_t signals;  // asserted signals
};

// An event (ZX_OBJ_TYPE_EVENT) or one end of an event pair (ZX_OBJ_TYPE_EVENTPAIR).
struct event {
  struct object obj;
  struct event* peer;   // the other end while it has handles; no reference
  zx_koid_t peer_koid;  // the other end's koid, for ever (ZX_INFO_HANDLE_BASIC.related_koid)
};

// A layer is one memfd holding some pages of a VMO. A page is present in a layer iff it is
// allocated in the memfd (page granularity on tmpfs), or it is a zero marker: a page that
// reads as zero, costs nothing and hides the layers below (what ZERO and DECOMMIT leave where a
// frozen layer would otherwise show through). A data page wins over a marker at the same page (a
// writable mapping can fill a marked hole). A page that is not present reads from `below` at
// page `page + below_off` if `page < below_limit`, else zero. A VMO's top layer is mutable; a
// frozen layer never changes again and is shared (refcounted).
struct layer {
  int fd;                // the memfd, or -1 until the first write needs one (see layer_fd)
  uint64_t bytes;        // the memfd's size (applied when it is created)
  size_t refs;
  bool frozen;
  struct layer* below;   // holds a reference, or NULL
  uint64_t below_off;    // pages
  uint64_t below_limit;  // pages, in this layer's coordinates
  struct vmo* owner;     // the VMO that froze it (its committed bytes include it), or NULL
  // The present pages as sorted, disjoint [start, end) page extents, kept up to date by every
  // write the library makes (see "Extent lists" in vmo.c). Exact while `tracked`; an untracked
  // layer is asked with SEEK_DATA/SEEK_HOLE (and scanned into a list once frozen).
  bool tracked;
  // Tracked, but stores (or reads of holes) through shared mappings may have added pages in the
  // list's gaps: the list is a lower bound, and a gap is asked of the memfd (what is found there
  // is added). A writably mapped top's list is kept so.
  bool open_gaps;
  uint64_t* extents;     // 2 * num_extents entries (room for 2 * cap_extents)
  size_t num_extents;
  size_t cap_extents;
  // Zero markers as sorted, disjoint [start, end) page extents (2 * num_marks entries).
  uint64_t* marks;
  size_t num_marks;
  size_t cap_marks;
  // Lent pages (frozen layers only; see "Lent pages" in vmo.c): present pages of this layer
  // whose bytes still live, at the same page numbers, in memfd `lent_fd`, the memfd of a layer
  // above it in the same VMO's chain (its "holder": the VMO's top, which kept its memfd when it
  // was snapshotted while writably mapped). Sorted, disjoint [start, end) extents, a subset of
  // `extents`.
  int lent_fd;
  bool owns_lent_fd;     // the holder is gone: this layer keeps `lent_fd` open (see lent_orphan)
  uint64_t* lent;
  size_t num_lent;
  size_t cap_lent;
  // Lent pages whose bytes this layer's own memfd holds too (a subset of `lent`): mappings of
  // VMOs other than the holder's show them from there, so a store into `lent_fd` cannot reach
  // them. Accounting still treats them as lent. See "Readers of lent pages" in vmo.c.
  uint64_t* copied;
  size_t num_copied;
  size_t cap_copied;
  // Filled pages (frozen layers only; see "Filled pages" in vmo.c): pages this layer does not
  // have, whose place in its memfd holds what shows through from below (a copy, or a hole where
  // that reads zero), so a read-only mapping shows a stretch of several layers as one run of this
  // memfd. Everything but such mappings ignores them. Sorted, disjoint extents.
  uint64_t* filled;
  size_t num_filled;
  size_t cap_filled;
  uint64_t* phys;        // filled layers: extents and filled merged (a cache, see walk_layers)
  size_t num_phys;
  size_t cap_phys;
  uint64_t extents_version;  // changes with `extents`; `phys` is valid while phys_version equals it
  uint64_t phys_version;
  unsigned repoints;     // reader mappings re-pointed page by page since the last consolidation
  bool viewers_stale;    // a re-point failed: some reader may still show `lent_fd` at a copy
};

// A node of a clone tree, which decides who is charged for a page several VMOs share (see
// vmo_committed_bytes in vmo.c). It has zircon's shape: each snapshot replaces its parent's leaf
// with a hidden node whose children are the parent's leaf (child[0]) and the new child's
// (child[1]). The leaves in depth-first order, child[0] first, are the charge order.
struct cnode {
  struct cnode* parent;     // NULL at the root
  struct cnode* child[2];   // hidden nodes only
  struct vmo* vmo;          // leaves only
  size_t lo, hi;            // scratch: the charge-order ranks [lo, hi) of this subtree's leaves
};

// A copy zircon would still hold at clone-tree node `node` of pages [start, end) of frozen layer
// `layer`: left when a VMO that had forked those pages (its own copy, a marker, or a newer
// version) is closed or shrunk, because zircon's copies along its path outlive it. See charge.c.
struct kept_copy {
  struct layer* layer;
  struct cnode* node;
  uint64_t start, end;  // layer pages
};

struct vmo {
  struct object obj;
  uint64_t size;              // bytes, a page multiple
  bool resizable;
  bool cow;                   // a SNAPSHOT / SNAPSHOT_AT_LEAST_ON_WRITE child
  bool slice;                 // a SLICE child: no layers, a window onto `backing`
  struct layer* top;          // non-slices only
  struct cnode* node;         // non-slices only: its leaf in its clone tree
  struct vmo* backing;        // slices only: the non-slice VMO whose pages it shows (holds a ref)
  uint64_t backing_off;       // slices only: byte offset into `backing`
  uint64_t root_off;          // bytes: offsets of this VMO and its ancestors added up; with the
                              // size it never overflows (create_child and set_size check it)
  struct vmo* parent;         // for parent_koid and ZERO_CHILDREN; no reference
  size_t num_children;        // live children
  struct vmo* children;       // the live children (their `parent` is this VMO), doubly linked
  struct vmo* sibling_prev;
  struct vmo* sibling_next;
  size_t num_mappings;        // live mappings of this VMO
  char name[ZX_MAX_NAME_LEN]; // ZX_PROP_NAME, NUL-terminated (at most ZX_MAX_NAME_LEN - 1 chars)
  uint64_t content_size;      // ZX_PROP_VMO_CONTENT_SIZE, bytes (need not be within `size`)
  uint32_t cache_policy;      // ZX_CACHE_POLICY_* (recorded only: host mappings are cached)
  struct vmo* all_prev;       // list of all live VMOs
  struct vmo* all_next;
  struct mapping* maps;       // non-slices: the mappings that show its pages (mapping.backing)
};

// A VMAR: the root (covering the host's whole user address space, never reserved) or a region
// made by zx_vmar_allocate, whose range is reserved (anonymous PROT_NONE) until it is destroyed.
struct vmar {
  struct object obj;
  uintptr_t base;
  size_t size;
  zx_vm_option_t flags;  // ZX_VM_CAN_MAP_* it allows
  bool destroyed;        // zx_vmar_destroy ran: every VMAR operation gives BAD_STATE
  bool aspace;           // another process's root VMAR (see vmar_create_aspace)
  struct vmar* parent;   // NULL for the root; holds a reference until destroyed
  struct vmar* children; // live sub-regions; each holds a reference (on the child) until destroyed
  struct vmar* next_sibling;
};

// One mapping made by zx_vmar_map (or a piece of one left by a partial unmap).
struct mapping {
  uintptr_t base;
  size_t len;                 // bytes, a page multiple
  struct vmo* vmo;            // the VMO mapped (holds a reference)
  struct vmar* vmar;          // the region it was mapped into (holds a reference)
  struct vmo* backing;        // non-slice VMO whose pages are shown (vmo, or a slice's backing)
  uint64_t off;               // byte offset of `base` in `backing`
  int prot;                   // PROT_* of the mapping
  int max_prot;               // PROT_* zx_vmar_protect may grant (VMO and VMAR handle rights)
  bool writable;              // ZX_VM_PERM_WRITE: stores land in backing's top layer
  bool wp_armed;              // some pages may be write-protected (lazy copy-on-write, uffd.c)
  struct mapping* next;
  struct mapping* backing_prev;  // backing->maps, doubly linked: O(1) removal
  struct mapping* backing_next;
};

struct handle_entry {
  struct object* obj;  // NULL when free
  zx_rights_t rights;
  uint32_t gen;
  uint32_t next_free;
};

struct zx_state {
  pthread_mutex_t lock;
  pthread_cond_t cond;  // CLOCK_MONOTONIC; broadcast on every signal change and handle close
  struct handle_entry* handles;
  uint32_t num_handles;  // slots in use or freed (table length)
  uint32_t cap_handles;
  uint32_t free_head;    // FIFO of freed slots (UINT32_MAX when empty)
  uint32_t free_tail;
  uint32_t free_count;
  zx_koid_t next_koid;
  uint64_t page_size;
  struct vmo* vmos;          // all live VMOs
  struct mapping* mappings;  // all live mappings
  struct vmar* root;         // the root VMAR, created lazily
  zx_handle_t root_handle;
  uint32_t handles_by_type[ZX_OBJ_TYPE_UPPER_BOUND];  // open handles per object type
  struct kept_copy* kept;    // charge.c
  size_t num_kept;
  size_t cap_kept;
};

ZX_HIDDEN extern struct zx_state zx_g;

// validate.c: with ZIRCON4J_VALIDATE defined, checks every invariant of the emulation and
// aborts naming the broken rule; otherwise does nothing. zx_unlock calls it (lock held).
ZX_HIDDEN void zx_validate_locked(void);

// handles.c
ZX_HIDDEN void zx_lock(void);
ZX_HIDDEN void zx_unlock(void);
ZX_HIDDEN uint64_t zx_page(void);
ZX_HIDDEN zx_koid_t zx_new_koid(void);
ZX_HIDDEN zx_status_t handle_alloc(struct object* obj, zx_rights_t rights, zx_handle_t* out);
ZX_HIDDEN struct handle_entry* handle_lookup(zx_handle_t handle);
ZX_HIDDEN zx_status_t handle_close_locked(zx_handle_t handle);
ZX_HIDDEN void object_unref(struct object* obj);
ZX_HIDDEN void object_signal(struct object* obj, zx_signals_t clear, zx_signals_t set);

// vmo.c
ZX_HIDDEN void vmo_destroy(struct vmo* vmo);
ZX_HIDDEN zx_status_t vmo_get_info(struct vmo* vmo, zx_rights_t rights, zx_info_vmo_t* info);
// ZX_PROP_NAME of `vmo`: copies out all ZX_MAX_NAME_LEN bytes; sets it from `len` bytes of
// `name`, up to the first NUL and at most ZX_MAX_NAME_LEN - 1 of them.
ZX_HIDDEN void vmo_get_name(const struct vmo* vmo, char out[ZX_MAX_NAME_LEN]);
ZX_HIDDEN void vmo_set_name(struct vmo* vmo, const char* name, size_t len);
// ZX_PROP_VMO_CONTENT_SIZE: setting it below the VMO's size zeroes the bytes from there on.
ZX_HIDDEN uint64_t vmo_get_content_size(const struct vmo* vmo);
ZX_HIDDEN zx_status_t vmo_set_content_size(struct vmo* vmo, uint64_t content_size);
ZX_HIDDEN uint64_t vmo_backing_limit(const struct vmo* vmo);
// zx_vmo_read / zx_vmo_write past their checks: bytes [off, off + len) of non-slice `b` to or from
// caller memory (a fault there gives user_fault_status).
ZX_HIDDEN zx_status_t vmo_read_bytes(struct vmo* b, void* buf, uint64_t off, uint64_t len);
ZX_HIDDEN zx_status_t vmo_write_bytes(struct vmo* b, const void* buf, uint64_t off, uint64_t len);
ZX_HIDDEN zx_status_t vmo_copy_up(struct vmo* b, uint64_t page, uint64_t npages);
ZX_HIDDEN zx_status_t vmo_commit_pages(struct vmo* b, uint64_t page, uint64_t npages);
ZX_HIDDEN zx_status_t vmo_decommit_pages(struct vmo* b, uint64_t page, uint64_t npages);
ZX_HIDDEN bool vmo_can_decommit(const struct vmo* vmo);
// Zeroes bytes [off, off + len) of non-slice `b` as ZX_VMO_OP_ZERO does (nothing committed for
// whole pages) and re-points mappings.
ZX_HIDDEN zx_status_t vmo_zero_range(struct vmo* b, uint64_t off, uint64_t len);
// The layer's memfd, created on first use; -1 if that fails (the write then fails with it).
ZX_HIDDEN int layer_fd(struct layer* l);
// The status of a layer_fd that failed, from errno: ZX_ERR_NO_RESOURCES when the process or the
// system is out of file descriptors (each VMO that holds data holds one), else ZX_ERR_NO_MEMORY.
ZX_HIDDEN zx_status_t layer_fd_status(void);
// Called when a mutable layer is mapped where stores (or reads of holes) through the mapping may
// allocate pages the library does not see: its list becomes a lower bound (see open_gaps).
ZX_HIDDEN void layer_open_gaps(struct layer* l);
// Stops tracking a layer's pages (its list could not be kept): it is asked with SEEK_DATA.
ZX_HIDDEN void layer_untrack(struct layer* l);

typedef zx_status_t (*run_fn)(void* ctx, uint64_t at, uint64_t npages, struct layer* layer,
                              uint64_t layer_page);
ZX_HIDDEN zx_status_t layer_walk(struct layer* layer, uint64_t page, uint64_t npages, uint64_t at,
                                 run_fn fn, void* ctx);
// The same, as a read-only mapping that no writable mapping covers shows the pages: a frozen
// layer's filled pages come from its own memfd.
ZX_HIDDEN zx_status_t layer_walk_mapped(struct layer* layer, uint64_t page, uint64_t npages,
                                        uint64_t at, run_fn fn, void* ctx);
// Fills frozen layer `l` over its pages [first, end) (see "Filled pages" in vmo.c), so that a
// read-only mapping of them is one run. Best effort: false if it was not done.
ZX_HIDDEN bool layer_fill(struct layer* l, uint64_t first, uint64_t end);
// Whether `l` has data pages or zero markers in its pages [first, end).
ZX_HIDDEN bool layer_holds_any(struct layer* l, uint64_t first, uint64_t end);

// The bytes of the layer's own pages: its memfd's allocated blocks, less the pages it holds for
// layers below (lent pages), plus the pages it has lent out.
ZX_HIDDEN uint64_t layer_bytes(const struct layer* l);
// The memfd that holds page `lp` of `l` (its own, or `lent_fd` for a lent page).
ZX_HIDDEN int layer_phys_fd(struct layer* l, uint64_t lp);
// How a mapping of a VMO whose top layer's memfd is `viewer_fd` shows pages from `lp` of `l`:
// *fd is the memfd that holds them for it (a reader of a lent page that has a copy shows the
// copy, see "Readers of lent pages" in vmo.c); returns how many of the n pages it holds.
ZX_HIDDEN uint64_t layer_view_span(const struct layer* l, uint64_t lp, uint64_t n, int viewer_fd,
                                   int* fd);
// The layer below holder `h` that lent page `page` of h's memfd (NULL: none, the page is h's).
ZX_HIDDEN struct layer* lent_borrower(const struct layer* h, uint64_t page);
// Gives pages [first, end) of h's memfd back to h: each lent page there is copied into its
// borrower's own memfd first, and the mappings of other VMOs that showed it are re-pointed.
ZX_HIDDEN zx_status_t lent_reclaim(struct layer* h, uint64_t first, uint64_t end);
// The same, with `src`: readable memory that shows page `first` of h's memfd (a mapping of it),
// which the copy of that page is taken from.
ZX_HIDDEN zx_status_t lent_reclaim_from(struct layer* h, uint64_t first, uint64_t end,
                                        const void* src);
// The layer that supplies page `page` of the chain from `top` (NULL: it reads as zero).
ZX_HIDDEN struct layer* layer_supplier(struct layer* top, uint64_t page);

// charge.c
// The VMOs of v's clone tree (its family: every VMO that may share a frozen layer with it), in
// charge order: family_first(v), then family_next of each until NULL. O(depth) per step.
ZX_HIDDEN struct vmo* family_first(const struct vmo* v);
ZX_HIDDEN struct vmo* family_next(const struct vmo* v);
ZX_HIDDEN zx_status_t cnode_new_leaf(struct vmo* v);
ZX_HIDDEN struct cnode* cnode_alloc_hidden(void);
// Makes `child` (a fresh leaf) a snapshot of `parent` in its clone tree, using `hidden`.
ZX_HIDDEN void cnode_add_snapshot(struct vmo* parent, struct vmo* child, struct cnode* hidden);
// Takes v's leaf out of its clone tree, re-attributing as zircon does.
ZX_HIDDEN void cnode_remove(struct vmo* v);
// Records, as kept copies at v's leaf, the frozen pages v hides in its pages [from, to) (before a
// shrink to `from` pages takes effect).
ZX_HIDDEN void cnode_note_shrink(struct vmo* v, uint64_t from, uint64_t to);
// Kept copies of layer pages follow them: those of `from` pages [start + off, end + off) are
// also recorded for `to` pages [start, end) (folding); kept copies of a layer can be forgotten.
ZX_HIDDEN void kept_copies_move(struct layer* from, struct layer* to, uint64_t off,
                                uint64_t start, uint64_t end);
ZX_HIDDEN void kept_copies_forget(const struct layer* l);
// The pages of layer `target` that `v` could see if nothing above hid them: [*start, *end) in
// target's pages (v page q is target page q + *start). False if target is not in v's chain.
ZX_HIDDEN bool window_onto(const struct vmo* v, const struct layer* target, uint64_t* start,
                           uint64_t* end);
// ZX_INFO_VMO committed_bytes: v's own pages plus the shared frozen pages charged to it.
ZX_HIDDEN uint64_t vmo_committed_bytes(struct vmo* v);

// event.c
ZX_HIDDEN void event_destroy(struct event* event);
// Called when the last handle of an event pair end is closed: its peer sees PEER_CLOSED.
ZX_HIDDEN void event_on_zero_handles(struct event* event);
// zx_object_signal_peer past the rights check: NOT_SUPPORTED (no peer), INVALID_ARGS (mask),
// PEER_CLOSED.
ZX_HIDDEN zx_status_t event_signal_peer(struct object* obj, zx_signals_t clear, zx_signals_t set);
ZX_HIDDEN zx_koid_t event_related_koid(const struct object* obj);

// process.c: jobs, processes, threads (struct task).
ZX_HIDDEN void task_destroy(struct object* obj);
// ZX_INFO_HANDLE_BASIC.related_koid of a task: a process's job, a thread's process.
ZX_HIDDEN zx_koid_t task_related_koid(const struct object* obj);
ZX_HIDDEN void task_get_name(const struct object* obj, char out[ZX_MAX_NAME_LEN]);
// The ZX_INFO_PROCESS_* topics (NOT_SUPPORTED for any other): WRONG_TYPE, ACCESS_DENIED, then
// BUFFER_TOO_SMALL or INVALID_ARGS (NULL buffer). *records: the records the topic has (avail);
// *written: those copied (actual) for the list topics, which are never BUFFER_TOO_SMALL.
ZX_HIDDEN zx_status_t task_get_info(struct handle_entry* e, uint32_t topic, void* buffer,
                                    size_t buffer_size, size_t* records, size_t* written);

// vmar.c
ZX_HIDDEN void vmar_destroy(struct vmar* vmar);
ZX_HIDDEN zx_info_vmar_t vmar_get_info(const struct vmar* vmar);
ZX_HIDDEN zx_status_t mapping_map_pages(struct mapping* m, uint64_t rel_page, uint64_t npages,
                                        bool populate);
ZX_HIDDEN zx_status_t vmo_remap(struct vmo* b, uint64_t page, uint64_t npages);
// Before a read-only mapping (that no writable mapping covers) of b's pages [page, end) is made:
// if it would need many runs, fills the frozen layer below b's top there (layer_fill).
ZX_HIDDEN void fill_if_fragmented(struct vmo* b, uint64_t page, uint64_t end);
// Whether non-slice `b` has a live ZX_VM_PERM_WRITE mapping (directly or through a slice).
ZX_HIDDEN bool vmo_writably_mapped(const struct vmo* b);
// Registers and write-protects writable mapping `m` (its pages inside the VMO): each page's next
// store faults to the handler. False if write protection is off or fails (nothing changed then).
ZX_HIDDEN bool mapping_protect(struct mapping* m);
// A write fault at page `addr` of a write-protected mapping: copies the page up into the VMO's
// top layer and re-points it in every mapping. ZX_OK also when no mapping holds it any more.
// *woken: the faulting thread was woken already (a write protection was lifted over `addr`).
ZX_HIDDEN zx_status_t vmar_resolve_write(uintptr_t addr, bool* woken);
// Lifts the write protection of b's writable mappings where b's top layer (or nothing) supplies
// the pages: their stores land in the top directly.
ZX_HIDDEN void vmo_unprotect_own(struct vmo* b);
// Called with the lock held before the library writes into caller memory [ptr, ptr + len):
// resolves the write-protected pages there first, because the handler thread needs the lock to
// resolve a fault (a holder touching a protected page would wait for it forever).
ZX_HIDDEN zx_status_t vmar_prepare_user_write(void* ptr, size_t len);
// The status of a failed copy (EFAULT) to or from caller memory [ptr, ptr + len), as zircon's
// fault handler would give it: NOT_FOUND where no mapping is (a page of it is unmapped, or in a
// VMAR of ours that maps nothing there, or past a mapped VMO's end), else ACCESS_DENIED (mapped,
// but without the access the copy needed).
ZX_HIDDEN zx_status_t user_fault_status(const void* ptr, size_t len);
// A new address space for another process (its root VMAR, one reference held by the caller),
// and its end: everything mapped in it is removed and its range given back to the host.
ZX_HIDDEN zx_status_t vmar_create_aspace(struct vmar** out);
ZX_HIDDEN void vmar_destroy_aspace(struct vmar* aspace);
// ZX_INFO_PROCESS_MAPS of the address space whose root VMAR is `aspace` (NULL: none): writes
// the first `cap` records (the address space named `name`, its root VMAR, then everything below
// in depth-first pre-order) and returns how many there are.
ZX_HIDDEN size_t vmar_list_maps(const struct vmar* aspace, const char* name, zx_info_maps_t* out,
                                size_t cap);
// The VMOs of the mappings in that address space (one per mapping): writes the first `cap`,
// returns how many there are.
ZX_HIDDEN size_t vmar_list_mapped_vmos(const struct vmar* aspace, struct vmo** out, size_t cap);
// The mapping covering `addr` in `scope` or any VMAR below it (NULL: none).
ZX_HIDDEN struct mapping* vmar_mapping_at(const struct vmar* scope, uintptr_t addr);
// Whether `addr` lies in a region below `scope` (reserved by the host, whether mapped or not).
ZX_HIDDEN bool vmar_region_at(const struct vmar* scope, uintptr_t addr);
// Copies up and re-points every write-protected page of every writable mapping (before fork).
ZX_HIDDEN void vmar_resolve_all_protected(void);

// uffd.c: write protection of writable mappings (lazy copy-on-write). All with the lock held.
// Whether it is in force (the mode is chosen on the first call and logged once to stderr).
ZX_HIDDEN bool wp_enabled(void);
// Registers [addr, addr + len) (our shmem mappings) for write protection.
ZX_HIDDEN zx_status_t wp_register(uintptr_t addr, size_t len);
// Write-protects registered [addr, addr + len): the next store to each page faults to the handler.
ZX_HIDDEN zx_status_t wp_protect(uintptr_t addr, size_t len);
// Lifts the write protection of [addr, addr + len) and wakes the threads faulting there.
ZX_HIDDEN zx_status_t wp_unprotect(uintptr_t addr, size_t len);

#endif  // ZIRCON4J_HOST_ZX_INTERNAL_H_
