// Virtual memory objects.
//
// Every non-slice VMO owns a mutable top layer (a memfd, see `struct layer`) over an optional
// chain of frozen layers. A SNAPSHOT child of V is made in O(1), copying no page:
//   * if V's top layer holds no page, the child's empty top layer is put directly over V's frozen
//     chain (so repeated snapshots of an unmodified VMO neither copy nor grow chains);
//   * otherwise V's top layer is frozen (it becomes shared and immutable, "owned" by V for
//     committed-bytes accounting), V gets a fresh empty top over it, and so does the child;
//   * except while V is writably mapped: then V's top keeps its memfd (the writers map it) and a
//     new frozen layer whose pages are lent from it goes below (see "Lent pages"). Without write
//     protection (uffd.c) the writably mapped pages are copied into the new top instead.
// A later write to either side copies up only the pages it touches, then re-points those pages
// in every mapping of that VMO (vmo_remap). Pages at or past a layer's `below_limit` read as zero;
// this is how child pages past the parent's end, and pages regrown after a shrink, read zero.
//
// ZERO and DECOMMIT never commit pages: they free the top layer's pages and, where a frozen
// layer would show through, leave zero markers (see `struct layer`). Who is charged for the pages
// that layers share is worked out in charge.c, from each VMO's place in its clone tree.
//
// A SLICE child has no layers: it is a window onto its parent's (non-slice) VMO.
//
// Needs tmpfs memfds with base-page granularity (the default, shmem_enabled=never/within_size
// with small files). Concurrent writes through a writable mapping while a snapshot of the same
// VMO is being taken may land on either side of the snapshot.

#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zx_internal.h"

#define COPY_CHUNK_PAGES 64u

// ---- Layers ------------------------------------------------------------------------------

static struct layer* layer_new(uint64_t bytes) {
  struct layer* l = calloc(1, sizeof(*l));
  if (l == NULL) return NULL;
  l->fd = -1;  // created by layer_fd on the first write: most snapshot tops are never written
  l->bytes = bytes;
  l->refs = 1;
  l->tracked = true;  // no memfd, no page: the empty extent list is exact
  l->lent_fd = -1;
  return l;
}

int layer_fd(struct layer* l) {
  if (l->fd < 0) {
    // Raw syscall: the memfd_create wrapper needs GLIBC_2.27 (see glibc_baseline.h).
    int fd = (int)syscall(SYS_memfd_create, "zx-vmo", MFD_CLOEXEC);
    if (fd < 0) return -1;
    if (ftruncate(fd, (off_t)l->bytes) != 0) {
      int err = errno;
      close(fd);
      errno = err;
      return -1;
    }
    l->fd = fd;
  }
  return l->fd;
}

static void lent_orphan(struct layer* h);

static void layer_unref(struct layer* l) {
  while (l != NULL && --l->refs == 0) {
    struct layer* below = l->below;
    if (l->fd >= 0) {
      lent_orphan(l);
      close(l->fd);
    }
    if (l->owns_lent_fd) close(l->lent_fd);
    if (l->frozen) kept_copies_forget(l);
    free(l->extents);
    free(l->marks);
    free(l->lent);
    free(l->copied);
    free(l->filled);
    free(l->phys);
    free(l);
    l = below;
  }
}

// ---- Extent lists ----------------------------------------------------------------------------
//
// A tracked layer knows its present pages as a sorted list of disjoint, non-touching [start, end)
// page extents, updated by every write the library makes into its memfd; so freezing, mapping
// and merging layers cost O(extents), not O(VMO size). Where memory the library cannot see may
// allocate pages in a mutable top's memfd (a writer's stores, or reads of holes, through a
// shared mapping), the list's gaps are "open": the list is a lower bound, a gap is asked with
// SEEK_DATA when it matters, and what is found there joins the list. (Asking only the gaps keeps
// a fully written top cheap: SEEK_HOLE walks every present page.) A frozen layer's open gaps are
// closed once, as is the list of a layer that stopped being tracked (its list could not grow).
// The one imprecision left is harmless: a read of a hole through a shared mapping may allocate
// a zero page, where the layers below show nothing either (such holes are mapped from the top
// only where nothing supplies them), so the contents agree.

// Makes room for one more extent at index i of the sorted list *ext (*num extents, room for
// *cap): the extents from i on move up by one (slot i keeps a copy of the one that was there, if
// any). Used by extent lists and zero markers alike. False if out of memory (nothing changed).
static bool extents_open_slot(uint64_t** ext, size_t* num, size_t* cap, size_t i) {
  if (*num == *cap) {
    size_t grown_cap = *cap == 0 ? 4 : 2 * *cap;
    uint64_t* grown = realloc(*ext, 2 * grown_cap * sizeof(*grown));
    if (grown == NULL) return false;
    *ext = grown;
    *cap = grown_cap;
  }
  memmove(&(*ext)[2 * (i + 1)], &(*ext)[2 * i], 2 * (*num - i) * sizeof(uint64_t));
  (*num)++;
  return true;
}

// Index of the first of the n sorted [start, end) extents in `ext` whose end is > page (n if none).
static size_t extents_search(const uint64_t* ext, size_t n, uint64_t page) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (ext[2 * mid + 1] <= page) lo = mid + 1; else hi = mid;
  }
  return lo;
}

// Whether `page` is in the n sorted [start, end) extents `ext`; *end is the end of its extent if
// so, else where the next one starts (UINT64_MAX if none).
static bool ranges_contains(const uint64_t* ext, size_t n, uint64_t page, uint64_t* end) {
  size_t i = extents_search(ext, n, page);
  if (i == n) {
    *end = UINT64_MAX;
    return false;
  }
  bool in = ext[2 * i] <= page;
  *end = in ? ext[2 * i + 1] : ext[2 * i];
  return in;
}

// The first page at or after `page` that is not in the extents.
static uint64_t ranges_next_gap(const uint64_t* ext, size_t n, uint64_t page) {
  uint64_t end;
  return ranges_contains(ext, n, page, &end) ? end : page;
}

// Pages in the n extents of a sorted extent list.
static uint64_t ranges_pages(const uint64_t* ext, size_t n) {
  uint64_t pages = 0;
  for (size_t i = 0; i < n; i++) pages += ext[2 * i + 1] - ext[2 * i];
  return pages;
}

// Index of the first extent whose end is > page (num_extents if none).
static size_t extent_search(const struct layer* l, uint64_t page) {
  return extents_search(l->extents, l->num_extents, page);
}

// Adds pages [a, b) to the sorted list *ext (*num extents, room for *cap), merging with the
// extents it overlaps or touches. False if out of memory (nothing changed).
static bool ranges_add(uint64_t** ext, size_t* num, size_t* cap, uint64_t a, uint64_t b) {
  if (a >= b) return true;
  uint64_t* e = *ext;
  size_t i = extents_search(e, *num, a > 0 ? a - 1 : 0);  // first extent with end >= a
  if (i < *num && e[2 * i + 1] < a) i++;
  size_t j = i;  // first extent that starts after b
  while (j < *num && e[2 * j] <= b) j++;
  if (i == j) {  // nothing to merge with
    if (!extents_open_slot(ext, num, cap, i)) return false;
    (*ext)[2 * i] = a;
    (*ext)[2 * i + 1] = b;
    return true;
  }
  uint64_t start = e[2 * i] < a ? e[2 * i] : a;
  uint64_t end = e[2 * (j - 1) + 1] > b ? e[2 * (j - 1) + 1] : b;
  e[2 * i] = start;
  e[2 * i + 1] = end;
  memmove(&e[2 * (i + 1)], &e[2 * j], 2 * (*num - j) * sizeof(*e));
  *num -= j - i - 1;
  return true;
}

// Removes pages [a, b) from the sorted list, splitting an extent that straddles the range.
// False if out of memory (a split needs a slot; nothing changed).
static bool ranges_remove(uint64_t** ext, size_t* num, size_t* cap, uint64_t a, uint64_t b) {
  if (a >= b) return true;
  size_t i = extents_search(*ext, *num, a);
  if (i == *num || (*ext)[2 * i] >= b) return true;
  if ((*ext)[2 * i] < a && (*ext)[2 * i + 1] > b) {  // split extent i in two
    if (!extents_open_slot(ext, num, cap, i)) return false;
    (*ext)[2 * i + 1] = a;
    (*ext)[2 * (i + 1)] = b;
    return true;
  }
  uint64_t* e = *ext;
  if (e[2 * i] < a) {  // keep the head of extent i
    e[2 * i + 1] = a;
    i++;
  }
  size_t j = i;
  while (j < *num && e[2 * j + 1] <= b) j++;  // wholly inside: dropped
  if (j < *num && e[2 * j] < b) e[2 * j] = b;  // keep the tail
  memmove(&e[2 * i], &e[2 * j], 2 * (*num - j) * sizeof(*e));
  *num -= j - i;
  return true;
}

static bool extents_add(struct layer* l, uint64_t a, uint64_t b) {
  l->extents_version++;
  return ranges_add(&l->extents, &l->num_extents, &l->cap_extents, a, b);
}

static bool extents_remove(struct layer* l, uint64_t a, uint64_t b) {
  l->extents_version++;
  return ranges_remove(&l->extents, &l->num_extents, &l->cap_extents, a, b);
}

void layer_open_gaps(struct layer* l) {
  if (l->tracked) l->open_gaps = true;
}

void layer_untrack(struct layer* l) {
  l->extents_version++;
  l->tracked = false;
  l->open_gaps = false;
  free(l->extents);
  l->extents = NULL;
  l->num_extents = 0;
  l->cap_extents = 0;
}

// Records that pages [first, end) of `l` are now present (after a write the library made).
static void layer_mark(struct layer* l, uint64_t first, uint64_t end) {
  if (l->tracked && !extents_add(l, first, end)) layer_untrack(l);
}

// Records that pages [first, end) of `l` are no longer present.
static void layer_unmark(struct layer* l, uint64_t first, uint64_t end) {
  if (l->tracked && !extents_remove(l, first, end)) layer_untrack(l);
}

// Sets the size of the layer's memfd (now, or when it is created); pages past it are dropped.
static int layer_truncate(struct layer* l, uint64_t bytes) {
  if (l->fd >= 0 && lent_reclaim(l, (bytes + zx_page() - 1) / zx_page(), UINT64_MAX) != ZX_OK) {
    return -1;
  }
  l->bytes = bytes;
  if (l->fd < 0) return 0;
  if (ftruncate(l->fd, (off_t)bytes) != 0) return -1;
  layer_unmark(l, (bytes + zx_page() - 1) / zx_page(), UINT64_MAX);
  return 0;
}

static uint64_t seek_page(const struct layer* l, uint64_t page, int whence) {
  if (l->fd < 0) return whence == SEEK_DATA ? UINT64_MAX : page;  // no memfd: no page
  off_t at = lseek(l->fd, (off_t)(page * zx_page()), whence);
  if (at < 0) return whence == SEEK_DATA ? UINT64_MAX : page;
  return ((uint64_t)at + zx_page() - 1) / zx_page();
}


// ---- Lent pages ----------------------------------------------------------------------------
//
// A snapshot of a VMO with a live writable mapping must not move the writer's pages: re-pointing
// a page in the writer's address space costs an mmap at its first store, several times what the
// kernel's own copy-on-write costs. So the VMO's top layer T keeps its memfd M (the writers go on
// mapping it), and the frozen layer F made by the snapshot starts with no memfd of its own: each
// of its pages is *lent*, its bytes still in M at the same page number. T, the "holder", owns
// none of them. Before anything changes a lent page in M (the writer's first store, which faults
// while M is write-protected; a write, zero, decommit or shrink through the library), the page
// is given back: its bytes are copied into F's own memfd, the mappings of other VMOs that show
// it are re-pointed there, and from then on the page in M is T's. The writer's mapping is never
// re-pointed: its store lands in M once the protection is lifted. When the snapshot goes away
// first, its lent pages simply become T's again: nothing is copied.
//
// Invariants: a page of M belongs to exactly one layer (T, or one borrower); the layers between
// T and a borrower hold neither data nor a marker at its lent pages; borrowers sit below their
// holder at offset 0, in the same VMO's chain. When the holder is freed while borrowers live,
// they keep M open (lent_orphan); nothing changes M then.

// Whether `page` is lent by x; *end is the end of its lent extent if so, else where the next one
// starts (UINT64_MAX if none).
static bool lent_contains(const struct layer* x, uint64_t page, uint64_t* end) {
  return ranges_contains(x->lent, x->num_lent, page, end);
}

// The next layer after `after` (or after h itself, given NULL) below holder h that has pages lent
// from h's memfd, or NULL.
static struct layer* next_borrower(const struct layer* h, const struct layer* after) {
  if (h->fd < 0) return NULL;
  const struct layer* link = after == NULL ? h : after;  // the layer whose `below` comes next
  while (link->below != NULL && link->below_off == 0) {
    struct layer* x = link->below;
    if (x->lent_fd == h->fd && !x->owns_lent_fd && x->num_lent > 0) return x;
    link = x;
  }
  return NULL;
}

// The borrower of page `page` of h's memfd, or NULL; *end: the end of that lent extent.
static struct layer* lent_borrower_end(const struct layer* h, uint64_t page, uint64_t* end) {
  for (struct layer* x = next_borrower(h, NULL); x != NULL; x = next_borrower(h, x)) {
    if (lent_contains(x, page, end)) return x;
  }
  return NULL;
}

struct layer* lent_borrower(const struct layer* h, uint64_t page) {
  uint64_t end;
  return lent_borrower_end(h, page, &end);
}

// The first page at or after `page` that h's memfd holds for a borrower (UINT64_MAX if none).
static uint64_t lent_next_start(const struct layer* h, uint64_t page) {
  uint64_t next = UINT64_MAX;
  for (struct layer* x = next_borrower(h, NULL); x != NULL; x = next_borrower(h, x)) {
    uint64_t end;
    uint64_t at = lent_contains(x, page, &end) ? page : end;
    if (at < next) next = at;
  }
  return next;
}

// How many of the n pages from `lp` of `l` live in the same memfd (l's own, or its lent_fd).
static uint64_t lent_span(const struct layer* l, uint64_t lp, uint64_t n) {
  if (l->num_lent == 0) return n;
  uint64_t end;
  lent_contains(l, lp, &end);
  return end - lp < n ? end - lp : n;
}

int layer_phys_fd(struct layer* l, uint64_t lp) {
  uint64_t end;
  if (l->num_lent > 0 && lent_contains(l, lp, &end)) return l->lent_fd;
  return l->fd;
}

// The first page at or after `page` that is l's, asking its memfd: one the memfd holds and has
// not lent out, or one l has lent. UINT64_MAX if none.
static uint64_t seek_next_data(const struct layer* l, uint64_t page) {
  uint64_t own_lent = UINT64_MAX;  // l's first lent page at or after `page`
  uint64_t end;
  if (l->num_lent > 0) own_lent = lent_contains(l, page, &end) ? page : end;
  for (;;) {
    uint64_t data = seek_page(l, page, SEEK_DATA);
    if (data == UINT64_MAX || data >= own_lent) return own_lent;
    if (lent_borrower_end(l, data, &end) == NULL) return data;
    page = end;
  }
}

// The first page at or after `page` that is not l's (see seek_next_data).
static uint64_t seek_next_hole(const struct layer* l, uint64_t page) {
  for (;;) {
    uint64_t end;
    if (l->num_lent > 0 && lent_contains(l, page, &end)) {
      page = end;
      continue;
    }
    if (lent_borrower_end(l, page, &end) != NULL) return page;
    uint64_t hole = seek_page(l, page, SEEK_HOLE);
    if (hole <= page) return page;
    uint64_t lent_out = lent_next_start(l, page);
    if (lent_out < hole) return lent_out;
    page = hole;
  }
}

// Scans an untracked frozen layer's memfd into its extent list, once (and a frozen layer whose
// list had open gaps: nothing adds pages to it any more). Returns whether the list is usable
// (false: out of memory, or a mutable untracked layer; callers then seek).
static bool layer_extents_ready(struct layer* l) {
  if (l->tracked && !(l->open_gaps && l->frozen)) return true;
  if (!l->frozen) return false;
  // A list with open gaps is extended (found pages join it as they are found: it stays a lower
  // bound all the way); an untracked layer's starts empty.
  l->open_gaps = false;
  for (uint64_t page = 0;;) {
    uint64_t data = seek_next_data(l, page);
    if (data == UINT64_MAX) break;
    uint64_t hole = seek_next_hole(l, data);
    if (hole <= data) hole = data + 1;
    if (!extents_add(l, data, hole)) {
      layer_untrack(l);
      return false;
    }
    page = hole;
  }
  l->tracked = true;
  return true;
}

// Adds to l's list the run of l's own pages that starts at `page` (found in a gap of the list).
static void layer_learn(struct layer* l, uint64_t page) {
  uint64_t hole = seek_next_hole(l, page);
  if (hole <= page) hole = page + 1;
  if (!extents_add(l, page, hole)) layer_untrack(l);
}

// The first page at or after `page` present in `l`, or UINT64_MAX. A list with open gaps is a
// lower bound: a gap before the next listed page is asked of the memfd.
static uint64_t layer_next_data(struct layer* l, uint64_t page) {
  if (layer_extents_ready(l)) {
    size_t i = extent_search(l, page);
    uint64_t listed = i == l->num_extents ? UINT64_MAX
                      : l->extents[2 * i] > page ? l->extents[2 * i]
                                                 : page;
    if (!l->open_gaps || listed == page) return listed;
    uint64_t found = seek_next_data(l, page);
    if (found >= listed) return listed;
    layer_learn(l, found);
    return found;
  }
  return seek_next_data(l, page);
}

// The first page at or after `page` not present in `l`.
static uint64_t layer_next_hole(struct layer* l, uint64_t page) {
  while (layer_extents_ready(l)) {
    size_t i = extent_search(l, page);
    uint64_t hole = i == l->num_extents || l->extents[2 * i] > page ? page
                                                                      : l->extents[2 * i + 1];
    if (!l->open_gaps || seek_next_data(l, hole) != hole) return hole;
    layer_learn(l, hole);  // a store through a mapping put pages there
    page = hole;
  }
  return seek_next_hole(l, page);
}

// ---- Zero markers -------------------------------------------------------------------------

// Index of the first marker extent whose end is > page (num_marks if none).
static size_t marks_search(const struct layer* l, uint64_t page) {
  return extents_search(l->marks, l->num_marks, page);
}

// Whether `page` is marked in `l`; if so *end is the end of its marker extent, else the start of
// the next one (UINT64_MAX if none).
static bool marked_at(const struct layer* l, uint64_t page, uint64_t* end) {
  size_t i = marks_search(l, page);
  if (i == l->num_marks) {
    *end = UINT64_MAX;
    return false;
  }
  bool in = l->marks[2 * i] <= page;
  *end = in ? l->marks[2 * i + 1] : l->marks[2 * i];
  return in;
}

bool layer_holds_any(struct layer* l, uint64_t first, uint64_t end) {
  uint64_t mark_end;
  return marked_at(l, first, &mark_end) || mark_end < end || layer_next_data(l, first) < end;
}

// Removes pages [start, end) from l's markers. May need one more extent (a split): false if out
// of memory (nothing changed).
static bool marks_remove(struct layer* l, uint64_t start, uint64_t end) {
  return ranges_remove(&l->marks, &l->num_marks, &l->cap_marks, start, end);
}

// Adds pages [start, end) to l's markers, merging with touching extents. False if out of memory.
static bool marks_add(struct layer* l, uint64_t start, uint64_t end) {
  return ranges_add(&l->marks, &l->num_marks, &l->cap_marks, start, end);
}

// Whether `l` holds neither data pages nor markers.
static bool layer_empty(struct layer* l) {
  return l->num_marks == 0 && layer_next_data(l, 0) == UINT64_MAX;
}

// Calls fn(ctx, at, n, layer, layer_page) for consecutive runs covering pages
// [page, page + npages) of `l`, in order; `at` counts from the given start `at`. `layer` is the
// layer that supplies the run (NULL: the run reads as zero).
// The walk of layer_walk; `physical`: a frozen layer's filled pages (see "Filled pages") count as
// its own, as a read-only mapping shows them.
static bool layer_phys_ready(struct layer* l);

static zx_status_t walk_layers(struct layer* l, uint64_t page, uint64_t npages, uint64_t at,
                               run_fn fn, void* ctx, bool physical) {
  while (npages > 0) {
    if (l == NULL) return fn(ctx, at, npages, NULL, 0);
    uint64_t data = layer_next_data(l, page);
    uint64_t n;
    zx_status_t status;
    uint64_t fill_end = UINT64_MAX;
    if (physical && l->num_filled > 0 && layer_phys_ready(l) &&
        ranges_contains(l->phys, l->num_phys, page, &fill_end)) {
      // A stretch of own and filled pages: one run of l's memfd, except that lent pages keep
      // runs of their own (the memfd that shows them depends on who maps them).
      n = lent_span(l, page, fill_end - page < npages ? fill_end - page : npages);
      status = fn(ctx, at, n, l, page);
    } else if (data == page) {
      uint64_t hole = layer_next_hole(l, page);
      n = hole > page ? hole - page : 1;
      if (n > npages) n = npages;
      n = lent_span(l, page, n);  // one run, one memfd
      status = fn(ctx, at, n, l, page);
    } else {
      if (fill_end < data) data = fill_end;  // a filled stretch starts there
      uint64_t mark_end;
      if (marked_at(l, page, &mark_end)) {  // reads as zero; hides the layers below
        uint64_t stop = mark_end < data ? mark_end : data;
        n = stop - page < npages ? stop - page : npages;
        status = fn(ctx, at, n, NULL, 0);
        if (status != ZX_OK) return status;
        page += n;
        at += n;
        npages -= n;
        continue;
      }
      if (mark_end < data) data = mark_end;  // the walk below stops where the next marker starts
      n = (data == UINT64_MAX || data - page > npages) ? npages : data - page;
      uint64_t below = 0;
      if (l->below != NULL && page < l->below_limit) {
        below = l->below_limit - page;
        if (below > n) below = n;
        status = walk_layers(l->below, page + l->below_off, below, at, fn, ctx, physical);
        if (status != ZX_OK) return status;
      }
      status = below < n ? fn(ctx, at + below, n - below, NULL, 0) : ZX_OK;
    }
    if (status != ZX_OK) return status;
    page += n;
    at += n;
    npages -= n;
  }
  return ZX_OK;
}

zx_status_t layer_fd_status(void) {
  return errno == EMFILE || errno == ENFILE ? ZX_ERR_NO_RESOURCES : ZX_ERR_NO_MEMORY;
}

zx_status_t layer_walk(struct layer* l, uint64_t page, uint64_t npages, uint64_t at, run_fn fn,
                       void* ctx) {
  return walk_layers(l, page, npages, at, fn, ctx, false);
}

zx_status_t layer_walk_mapped(struct layer* l, uint64_t page, uint64_t npages, uint64_t at,
                              run_fn fn, void* ctx) {
  return walk_layers(l, page, npages, at, fn, ctx, true);
}

static zx_status_t io_status(void) { return errno == ENOSPC || errno == ENOMEM ? ZX_ERR_NO_MEMORY : ZX_ERR_IO; }

static zx_status_t full_pread(int fd, void* buf, size_t len, uint64_t off) {
  char* p = buf;
  while (len > 0) {
    ssize_t n = pread(fd, p, len, (off_t)off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EFAULT ? user_fault_status(p, len) : io_status();
    if (n == 0) {  // past the end of the file: zeros
      memset(p, 0, len);
      return ZX_OK;
    }
    p += n;
    off += (uint64_t)n;
    len -= (size_t)n;
  }
  return ZX_OK;
}

static zx_status_t full_pwrite(int fd, const void* buf, size_t len, uint64_t off) {
  const char* p = buf;
  while (len > 0) {
    ssize_t n = pwrite(fd, p, len, (off_t)off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EFAULT ? user_fault_status(p, len) : io_status();
    p += n;
    off += (uint64_t)n;
    len -= (size_t)n;
  }
  return ZX_OK;
}

// Copies pages [first, end) of memfd `from` to the same pages of layer `to`'s own memfd. Given
// `src`, memory that shows page `first` of `from` (a mapping of it), one page is copied from there.
static zx_status_t copy_lent_pages(int from, const void* src, struct layer* to, uint64_t first,
                                   uint64_t end) {
  uint64_t ps = zx_page();
  int fd = layer_fd(to);
  if (fd < 0) return layer_fd_status();
  if (src != NULL && end - first == 1) return full_pwrite(fd, src, (size_t)ps, first * ps);
  uint64_t chunk = end - first < COPY_CHUNK_PAGES ? end - first : COPY_CHUNK_PAGES;
  char* buf = malloc((size_t)(chunk * ps));
  if (buf == NULL) return ZX_ERR_NO_MEMORY;
  zx_status_t status = ZX_OK;
  for (uint64_t page = first; page < end && status == ZX_OK; page += chunk) {
    uint64_t k = end - page < chunk ? end - page : chunk;
    status = full_pread(from, buf, (size_t)(k * ps), page * ps);
    if (status == ZX_OK) status = full_pwrite(fd, buf, (size_t)(k * ps), page * ps);
  }
  free(buf);
  return status;
}

// ---- Readers of lent pages -----------------------------------------------------------------
//
// A mapping of a VMO other than the holder's (a reader of the snapshot) first shows a lent page
// where its bytes are, in the holder's memfd M: mapping a snapshot copies nothing. Before the
// page is given back (and the writer's store lands in M), every reader must show a copy instead.
// Re-pointing one page of a reader's mapping is an mmap that splits it in up to three VMAs, so a
// writer storing to many pages in any order would make a reader's mapping grow without bound
// and, at vm.max_map_count, make the re-pointing fail. So each borrower re-points its readers
// page by page only LENT_REPOINT_LIMIT times; then it consolidates: it copies every lent page it
// still has into its own memfd (they stay lent for accounting: `copied`) and re-maps its readers
// wholly from there, so each reader's mapping is again as many VMAs as it has layer runs. From
// then on a first store re-points nothing and copies nothing.
//
// Invariant: a mapping of a VMO other than the holder's shows M at a lent page only if that page
// is not `copied` (or `viewers_stale` is set after a failed re-point: the next give-back then
// re-maps every reader first). A page is never given back while a reader may show it in M: if
// re-pointing fails the give-back fails with it, and the store waits (its fault is not resolved)
// or the call that needed it fails; a snapshot never changes.

#define LENT_REPOINT_LIMIT 32u

uint64_t layer_view_span(const struct layer* l, uint64_t lp, uint64_t n, int viewer_fd, int* fd) {
  uint64_t end;
  if (l->num_lent == 0 || !lent_contains(l, lp, &end)) {
    *fd = l->fd;
    return l->num_lent == 0 || end - lp >= n ? n : end - lp;
  }
  uint64_t k = end - lp < n ? end - lp : n;
  if (!l->owns_lent_fd && l->lent_fd == viewer_fd) {  // the holder's VMO: the live pages of M
    *fd = l->lent_fd;
    return k;
  }
  bool copied = ranges_contains(l->copied, l->num_copied, lp, &end);
  *fd = copied ? l->fd : l->lent_fd;
  return end - lp < k ? end - lp : k;
}

// Re-points, in every mapping of each VMO of x's family other than the holder's (whose top's
// memfd is x->lent_fd), the pages of x's [first, end) that VMO can see. *any: some mapping
// covered them.
static zx_status_t lent_remap_viewers(const struct layer* x, uint64_t first, uint64_t end,
                                      bool* any) {
  *any = false;
  if (x->owner == NULL) return ZX_OK;  // no holder any more: nothing stores into lent_fd
  zx_status_t result = ZX_OK;
  for (struct vmo* w = family_first(x->owner); w != NULL; w = family_next(w)) {
    uint64_t ws, we;
    if (w->maps == NULL || w->top->fd == x->lent_fd || !window_onto(w, x, &ws, &we)) continue;
    uint64_t lo = first > ws ? first : ws;
    uint64_t hi = end < we ? end : we;
    if (lo >= hi) continue;
    *any = true;
    zx_status_t status = vmo_remap(w, lo - ws, hi - lo);
    if (status != ZX_OK) result = status;
  }
  return result;
}

// Copies pages [first, end) that x lends and has no copy of into x's own memfd, and records them
// as copied. `src`, if given, shows page `first` (used for a one-page copy).
static zx_status_t lent_copy(struct layer* x, uint64_t first, uint64_t end, const void* src) {
  for (uint64_t page = first; page < end;) {
    uint64_t stop;
    if (ranges_contains(x->copied, x->num_copied, page, &stop)) {
      page = stop;
      continue;
    }
    if (stop > end) stop = end;
    zx_status_t status = copy_lent_pages(x->lent_fd, page == first ? src : NULL, x, page, stop);
    if (status == ZX_OK && !ranges_add(&x->copied, &x->num_copied, &x->cap_copied, page, stop)) {
      status = ZX_ERR_NO_MEMORY;
    }
    if (status != ZX_OK) return status;
    page = stop;
  }
  return ZX_OK;
}

// Copies every page x lends into its own memfd and re-maps every reader of x wholly: afterwards
// no reader shows x's lent pages in the holder's memfd.
static zx_status_t lent_consolidate(struct layer* x) {
  for (size_t i = 0; i < x->num_lent; i++) {
    zx_status_t status = lent_copy(x, x->lent[2 * i], x->lent[2 * i + 1], NULL);
    if (status != ZX_OK) return status;
  }
  bool any;
  zx_status_t status = lent_remap_viewers(x, 0, UINT64_MAX, &any);
  x->viewers_stale = status != ZX_OK;
  if (status == ZX_OK) x->repoints = 0;
  return status;
}

// Makes sure no reader of x shows pages [a, b) of x in the holder's memfd: copies them, then
// re-points the readers (or consolidates x, see above).
static zx_status_t lent_release_readers(struct layer* x, uint64_t a, uint64_t b,
                                        const void* src) {
  if (x->viewers_stale) return lent_consolidate(x);
  bool fresh = !ranges_contains(x->copied, x->num_copied, a, &(uint64_t){0}) ||
               ranges_next_gap(x->copied, x->num_copied, a) < b;
  if (!fresh) return ZX_OK;  // copied before: readers show the copies already
  if (x->repoints >= LENT_REPOINT_LIMIT) return lent_consolidate(x);
  zx_status_t status = lent_copy(x, a, b, src);
  if (status != ZX_OK) return status;
  bool any;
  status = lent_remap_viewers(x, a, b, &any);
  if (status != ZX_OK) return lent_consolidate(x);  // fewer VMAs; fails only if that fails too
  if (any) x->repoints++;
  return ZX_OK;
}

zx_status_t lent_reclaim_from(struct layer* h, uint64_t first, uint64_t end, const void* src) {
  for (struct layer* x = next_borrower(h, NULL); x != NULL;) {
    struct layer* next = next_borrower(h, x);
    for (;;) {
      size_t i = extents_search(x->lent, x->num_lent, first);
      if (i == x->num_lent || x->lent[2 * i] >= end) break;
      uint64_t a = x->lent[2 * i] > first ? x->lent[2 * i] : first;
      uint64_t b = x->lent[2 * i + 1] < end ? x->lent[2 * i + 1] : end;
      // x's copy first, and no reader left showing h's memfd there: until the pages leave x's
      // lent list, they are x's, whatever h's mappings do.
      zx_status_t status = lent_release_readers(x, a, b, a == first ? src : NULL);
      if (status == ZX_OK && (!ranges_remove(&x->lent, &x->num_lent, &x->cap_lent, a, b) ||
                              !ranges_remove(&x->copied, &x->num_copied, &x->cap_copied, a, b))) {
        status = ZX_ERR_NO_MEMORY;
      }
      if (status != ZX_OK) return status;
      layer_mark(h, a, b);  // h's own pages now, in place
    }
    x = next;
  }
  return ZX_OK;
}

// ---- Filled pages --------------------------------------------------------------------------
//
// A mapping is one mmap per run of pages from one memfd. After a history of snapshots and writes
// a VMO's pages can alternate between layers (write every other page, snapshot: the snapshot
// shows two layers in alternation), and its mappings would need an mmap, and a VMA, per page:
// slow, and past vm.max_map_count impossible. So when a read-only mapping would need more than
// MAP_RUN_LIMIT runs, the frozen layer right below the VMO's top is *filled* over the mapped
// range: into the holes of its memfd goes a copy of what shows through from below (zeros stay
// holes), once. From then on mappings show that stretch as one run of its memfd, and mapping it
// again costs one mmap. Filled pages are not the layer's pages: reads, charges
// (committed_bytes), merges and folds ignore them, and they never change, since neither a frozen
// layer nor what shows through it ever changes. Only mappings nothing can write into use them
// (not writable mappings, nor read-only ones that a writable mapping of the VMO covers, where
// holes must show the top's memfd).

// Copies n pages at page `from_page` of memfd `from` to page `to_page` of memfd `to`, in the
// kernel (copy_file_range: no buffer, no page faults in this process), else through `buf`.
static zx_status_t copy_memfd_pages(int from, uint64_t from_page, int to, uint64_t to_page,
                                    uint64_t n) {
  uint64_t ps = zx_page();
  loff_t in = (loff_t)(from_page * ps), out = (loff_t)(to_page * ps);
  size_t left = (size_t)(n * ps);
  while (left > 0) {
    // Raw syscall: the wrapper needs GLIBC_2.27 (see glibc_baseline.h).
    long got = syscall(SYS_copy_file_range, from, &in, to, &out, left, 0u);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // unsupported here, or past the source's end: the rest by hand
    left -= (size_t)got;
  }
  if (left == 0) return ZX_OK;
  char buf[4096];
  while (left > 0) {
    size_t k = left < sizeof(buf) ? left : sizeof(buf);
    zx_status_t status = full_pread(from, buf, k, (uint64_t)in);
    if (status == ZX_OK) status = full_pwrite(to, buf, k, (uint64_t)out);
    if (status != ZX_OK) return status;
    in += (loff_t)k;
    out += (loff_t)k;
    left -= k;
  }
  return ZX_OK;
}

static zx_status_t fill_run(void* arg, uint64_t at, uint64_t n, struct layer* l, uint64_t lp) {
  struct layer* f = arg;
  if (l == NULL) return ZX_OK;  // reads as zero: the hole does too
  while (n > 0) {
    uint64_t k = lent_span(l, lp, n);
    zx_status_t status = copy_memfd_pages(layer_phys_fd(l, lp), lp, f->fd, at, k);
    if (status != ZX_OK) return status;
    at += k;
    lp += k;
    n -= k;
  }
  return ZX_OK;
}

// The physical extents of a filled layer: its pages and its filled pages, merged (what a
// mapping walk asks). Kept until its extents change. False if out of memory.
static bool layer_phys_ready(struct layer* l) {
  if (l->phys_version == l->extents_version && l->phys != NULL) return true;
  size_t cap = l->num_extents + l->num_filled;
  uint64_t* merged = malloc((cap > 0 ? cap : 1) * 2 * sizeof(*merged));
  if (merged == NULL) return false;
  size_t n = 0;
  for (size_t i = 0, j = 0; i < l->num_extents || j < l->num_filled;) {
    // The next extent in page order from either list, appended or merged into the last one.
    bool from_extents = j == l->num_filled ||
                        (i < l->num_extents && l->extents[2 * i] < l->filled[2 * j]);
    const uint64_t* e = from_extents ? &l->extents[2 * i++] : &l->filled[2 * j++];
    if (n > 0 && merged[2 * n - 1] >= e[0]) {
      if (e[1] > merged[2 * n - 1]) merged[2 * n - 1] = e[1];
    } else {
      merged[2 * n] = e[0];
      merged[2 * n + 1] = e[1];
      n++;
    }
  }
  free(l->phys);
  l->phys = merged;
  l->num_phys = n;
  l->cap_phys = cap;
  l->phys_version = l->extents_version;
  return true;
}

bool layer_fill(struct layer* l, uint64_t first, uint64_t end) {
  uint64_t ps = zx_page();
  if (end > l->bytes / ps) end = l->bytes / ps;
  // Only an exactly tracked frozen layer whose memfd holds nothing at its holes: not one whose
  // memfd lends pages to layers below (they sit in its holes), nor one that shows lent pages
  // from another memfd (they would break the run anyway).
  if (first >= end || !l->frozen || !layer_extents_ready(l) || next_borrower(l, NULL) != NULL ||
      ranges_pages(l->lent, l->num_lent) != ranges_pages(l->copied, l->num_copied) ||
      layer_fd(l) < 0) {
    return false;
  }
  zx_status_t status = ZX_OK;
  for (uint64_t page = first; page < end && status == ZX_OK;) {
    uint64_t data = layer_next_data(l, page);
    if (data == page) {
      page = layer_next_hole(l, page);
      continue;
    }
    uint64_t stop;
    if (ranges_contains(l->filled, l->num_filled, page, &stop)) {
      page = stop;
      continue;
    }
    if (stop > data) stop = data;
    if (stop > end) stop = end;
    status = layer_walk(l, page, stop - page, page, fill_run, l);
    if (status == ZX_OK && !ranges_add(&l->filled, &l->num_filled, &l->cap_filled, page, stop)) {
      status = ZX_ERR_NO_MEMORY;
    }
    page = stop;
  }
  l->phys_version = l->extents_version - 1;  // the merged list is made anew when next asked
  return status == ZX_OK;
}

zx_status_t lent_reclaim(struct layer* h, uint64_t first, uint64_t end) {
  return lent_reclaim_from(h, first, end, NULL);
}

// Holder h is being freed. The borrowers freed with it forget their lent pages; those that
// outlive it (referenced from elsewhere, e.g. by a snapshot child) keep h's memfd open as their
// own `lent_fd` (nothing writes it any more), after h's own pages in it are freed. If the memfd
// cannot be kept (no descriptor left), their pages are copied into their own memfds instead.
static void lent_orphan(struct layer* h) {
  bool outlives = false;
  bool any = false;
  for (const struct layer* link = h; link->below != NULL && link->below_off == 0;
       link = link->below) {
    struct layer* x = link->below;
    if (x->refs > 1) outlives = true;  // held from elsewhere: it and the layers below it live on
    if (x->lent_fd != h->fd || x->owns_lent_fd || x->num_lent == 0) continue;
    if (outlives) {
      any = true;
    } else {
      x->num_lent = 0;
      x->num_copied = 0;
      x->lent_fd = -1;
    }
  }
  if (!any) return;
  uint64_t ps = zx_page();
  for (uint64_t page = 0;;) {
    uint64_t data = seek_next_data(h, page);
    if (data == UINT64_MAX) break;
    uint64_t hole = seek_next_hole(h, data);
    if (hole <= data) hole = data + 1;
    fallocate(h->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(data * ps),
              (off_t)((hole - data) * ps));  // best effort: only memory is at stake
    page = hole;
  }
  for (struct layer* x = next_borrower(h, NULL); x != NULL; x = next_borrower(h, x)) {
    // Raw syscall: fcntl is fcntl64@GLIBC_2.28 in newer headers (see glibc_baseline.h).
    int fd = (int)syscall(SYS_fcntl, h->fd, F_DUPFD_CLOEXEC, 0);
    if (fd >= 0) {
      x->lent_fd = fd;
      x->owns_lent_fd = true;
      continue;
    }
    for (size_t i = 0; i < x->num_lent; i++) {
      copy_lent_pages(h->fd, NULL, x, x->lent[2 * i], x->lent[2 * i + 1]);  // best effort
    }
    x->num_lent = 0;
    x->num_copied = 0;
    x->lent_fd = -1;
  }
}

// Frees pages [first, end) of l's memfd; lent pages there are given back first. -1 if the memfd
// cannot punch holes or a lent page cannot be given back (then nothing was freed).
static int layer_punch(struct layer* l, uint64_t first, uint64_t end) {
  uint64_t ps = zx_page();
  if (lent_reclaim(l, first, end) != ZX_OK) return -1;
  if (fallocate(l->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(first * ps),
                (off_t)((end - first) * ps)) != 0) {
    return -1;
  }
  layer_unmark(l, first, end);
  return 0;
}

// Writes `len` bytes at byte `off` of layer `l` (creating its memfd) and records the pages.
static zx_status_t layer_pwrite(struct layer* l, const void* buf, size_t len, uint64_t off) {
  if (len == 0) return ZX_OK;
  uint64_t ps = zx_page();
  zx_status_t status = lent_reclaim(l, off / ps, (off + len + ps - 1) / ps);
  if (status != ZX_OK) return status;
  int fd = layer_fd(l);
  if (fd < 0) return layer_fd_status();
  status = full_pwrite(fd, buf, len, off);
  if (status == ZX_OK) {
    layer_mark(l, off / ps, (off + len + ps - 1) / ps);
  } else {
    layer_untrack(l);  // a part may have been written: ask the memfd from now on
  }
  return status;
}

// Writes zero bytes to [off, off + len) of layer `l`.
static zx_status_t layer_write_zeros(struct layer* l, uint64_t off, uint64_t len) {
  size_t chunk = (size_t)(COPY_CHUNK_PAGES * zx_page());
  char* zeros = calloc(1, chunk);
  if (zeros == NULL) return ZX_ERR_NO_MEMORY;
  zx_status_t status = ZX_OK;
  while (len > 0 && status == ZX_OK) {
    size_t n = len < chunk ? (size_t)len : chunk;
    status = layer_pwrite(l, zeros, n, off);
    off += n;
    len -= n;
  }
  free(zeros);
  return status;
}

// ---- Page-level operations on a non-slice VMO ---------------------------------------------

struct copy_ctx {
  struct layer* top;
  char* buf;
};

static zx_status_t copy_run(void* arg, uint64_t at, uint64_t n, struct layer* l, uint64_t lp) {
  struct copy_ctx* c = arg;
  if (l == NULL || l == c->top) return ZX_OK;
  // Lent from the top: the bytes are in the top's memfd already; giving them back is the copy.
  if (at == lp && c->top->fd >= 0 && layer_phys_fd(l, lp) == c->top->fd) {
    return lent_reclaim(c->top, at, at + n);
  }
  uint64_t ps = zx_page();
  while (n > 0) {
    uint64_t k = n < COPY_CHUNK_PAGES ? n : COPY_CHUNK_PAGES;
    zx_status_t status = full_pread(layer_phys_fd(l, lp), c->buf, (size_t)(k * ps), lp * ps);
    if (status == ZX_OK) status = layer_pwrite(c->top, c->buf, (size_t)(k * ps), at * ps);
    if (status != ZX_OK) return status;
    at += k;
    lp += k;
    n -= k;
  }
  return ZX_OK;
}

// Copies into b's top layer every page of [page, page + npages) that another layer supplies.
// Does not re-point mappings.
zx_status_t vmo_copy_up(struct vmo* b, uint64_t page, uint64_t npages) {
  struct layer* top = b->top;
  if (npages == 0 || top->below == NULL) return ZX_OK;
  if (layer_next_hole(top, page) >= page + npages) return ZX_OK;  // all present already
  // Sized for the copy: a fault copies one page, and a big buffer would cost an mmap each time.
  uint64_t chunk = npages < COPY_CHUNK_PAGES ? npages : COPY_CHUNK_PAGES;
  struct copy_ctx c = {top, malloc((size_t)(chunk * zx_page()))};
  if (c.buf == NULL) return ZX_ERR_NO_MEMORY;
  zx_status_t status = layer_walk(top, page, npages, page, copy_run, &c);
  free(c.buf);
  return status;
}

static zx_status_t zero_fill_run(void* arg, uint64_t at, uint64_t n, struct layer* l,
                                 uint64_t lp) {
  (void)lp;
  struct layer* top = arg;
  if (l == top) return ZX_OK;
  return layer_write_zeros(top, at * zx_page(), n * zx_page());
}

static zx_status_t mark_run(void* arg, uint64_t at, uint64_t n, struct layer* l, uint64_t lp) {
  (void)lp;
  struct layer* top = arg;
  if (l == NULL || l == top) return ZX_OK;
  return marks_add(top, at, at + n) ? ZX_OK : ZX_ERR_NO_MEMORY;
}

// Makes every page of the range present in b's top layer (copies, or zero pages).
zx_status_t vmo_commit_pages(struct vmo* b, uint64_t page, uint64_t npages) {
  zx_status_t status = vmo_copy_up(b, page, npages);
  if (status != ZX_OK || npages == 0) return status;
  status = layer_walk(b->top, page, npages, page, zero_fill_run, b->top);
  if (status != ZX_OK) return status;
  marks_remove(b->top, page, page + npages);  // shrinks or keeps the list: data wins anyway
  return vmo_remap(b, page, npages);
}

// Makes the whole pages of the range read as zero without committing anything: frees b's top
// pages there and, where a frozen layer below would show through, leaves zero markers.
static zx_status_t zero_pages(struct vmo* b, uint64_t page, uint64_t npages) {
  uint64_t ps = zx_page();
  if (npages == 0) return ZX_OK;
  struct layer* top = b->top;
  if (top->fd >= 0 && layer_punch(top, page, page + npages) != 0) {
    return layer_write_zeros(top, page * ps, npages * ps);  // no hole punching: zero in place
  }
  if (top->below == NULL) return ZX_OK;
  return layer_walk(top, page, npages, page, mark_run, top);
}

zx_status_t vmo_decommit_pages(struct vmo* b, uint64_t page, uint64_t npages) {
  zx_status_t status = zero_pages(b, page, npages);
  if (status != ZX_OK) return status;
  return vmo_remap(b, page, npages);
}

static bool top_has_all(struct vmo* b, uint64_t page, uint64_t npages) {
  return npages == 0 || layer_next_hole(b->top, page) >= page + npages;
}

static zx_status_t find_supplier(void* arg, uint64_t at, uint64_t n, struct layer* l,
                                 uint64_t lp) {
  (void)at;
  (void)n;
  (void)lp;
  *(struct layer**)arg = l;
  return ZX_OK;
}

struct layer* layer_supplier(struct layer* top, uint64_t page) {
  struct layer* supplier = NULL;
  if (layer_walk(top, page, 1, page, find_supplier, &supplier) != ZX_OK) return NULL;
  return supplier;
}

// Zeroes bytes [off, off + len) of page `page` (one page) of non-slice b. A page that already
// reads as zero because nothing supplies it (never committed, or marked) is left alone; a page
// from a frozen layer is copied up first.
static zx_status_t zero_part_of_page(struct vmo* b, uint64_t page, uint64_t off, uint64_t len) {
  struct layer* supplier = NULL;
  zx_status_t status = layer_walk(b->top, page, 1, page, find_supplier, &supplier);
  if (status != ZX_OK || supplier == NULL) return status;
  if (supplier != b->top) status = vmo_copy_up(b, page, 1);
  if (status == ZX_OK) status = layer_write_zeros(b->top, off, len);
  return status;
}

// Zeroes bytes [off, off + len) of non-slice b and re-points mappings. Whole pages are zeroed
// as zero_pages does (nothing committed); partial pages as zero_part_of_page.
static zx_status_t zero_bytes(struct vmo* b, uint64_t off, uint64_t len) {
  uint64_t ps = zx_page();
  if (len == 0) return ZX_OK;
  uint64_t first = off / ps;
  uint64_t end = (off + len + ps - 1) / ps;
  uint64_t full_first = (off + ps - 1) / ps;
  uint64_t full_end = (off + len) / ps;
  zx_status_t status = ZX_OK;
  if (full_first >= full_end) {  // no whole page: one or two partial pages
    uint64_t split = (first + 1) * ps < off + len ? (first + 1) * ps : off + len;
    status = zero_part_of_page(b, first, off, split - off);
    if (status == ZX_OK && split < off + len) {
      status = zero_part_of_page(b, first + 1, split, off + len - split);
    }
  } else {
    if (off % ps != 0) status = zero_part_of_page(b, first, off, full_first * ps - off);
    if (status == ZX_OK && (off + len) % ps != 0) {
      status = zero_part_of_page(b, full_end, full_end * ps, off + len - full_end * ps);
    }
    if (status == ZX_OK) status = zero_pages(b, full_first, full_end - full_first);
  }
  if (status != ZX_OK) return status;
  return vmo_remap(b, first, end - first);
}

struct read_ctx {
  char* dst;
  uint64_t off;
  uint64_t len;
};

// Zeroes caller memory [dst, dst + len) as a copy into it would: a read of /dev/zero, so that a
// buffer the caller may not write fails (user_fault_status) instead of faulting in the library.
// Called with the lock held (it guards the descriptor, opened once).
static zx_status_t zero_user(char* dst, size_t len) {
  static int zero_fd = -1;
  if (zero_fd < 0) zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
  if (zero_fd < 0) {  // no /dev/zero: the caller's buffer is trusted
    memset(dst, 0, len);
    return ZX_OK;
  }
  while (len > 0) {
    ssize_t n = read(zero_fd, dst, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EFAULT ? user_fault_status(dst, len) : io_status();
    dst += n;
    len -= (size_t)n;
  }
  return ZX_OK;
}

static zx_status_t read_run(void* arg, uint64_t at, uint64_t n, struct layer* l, uint64_t lp) {
  struct read_ctx* r = arg;
  uint64_t ps = zx_page();
  uint64_t start = at * ps > r->off ? at * ps : r->off;
  uint64_t end = (at + n) * ps < r->off + r->len ? (at + n) * ps : r->off + r->len;
  if (start >= end) return ZX_OK;
  char* dst = r->dst + (start - r->off);
  if (l == NULL) return zero_user(dst, (size_t)(end - start));
  return full_pread(layer_phys_fd(l, lp), dst, (size_t)(end - start), lp * ps + (start - at * ps));
}

zx_status_t vmo_read_bytes(struct vmo* b, void* buf, uint64_t off, uint64_t len) {
  uint64_t ps = zx_page();
  if (len == 0) return ZX_OK;
  struct read_ctx r = {buf, off, len};
  uint64_t first = off / ps;
  return layer_walk(b->top, first, (off + len + ps - 1) / ps - first, first, read_run, &r);
}

zx_status_t vmo_write_bytes(struct vmo* b, const void* buf, uint64_t off, uint64_t len) {
  uint64_t ps = zx_page();
  if (len == 0) return ZX_OK;
  uint64_t first = off / ps;
  uint64_t end = (off + len + ps - 1) / ps;
  bool present = top_has_all(b, first, end - first);
  zx_status_t status = ZX_OK;
  if (!present) {
    if (off % ps != 0) status = vmo_copy_up(b, first, 1);
    if (status == ZX_OK && (off + len) % ps != 0) status = vmo_copy_up(b, end - 1, 1);
  }
  if (status == ZX_OK) status = layer_pwrite(b->top, buf, (size_t)len, off);
  if (status != ZX_OK || present) return status;
  return vmo_remap(b, first, end - first);
}

uint64_t layer_bytes(const struct layer* l) {
  struct stat st;
  uint64_t ps = zx_page();
  // A filled layer's memfd holds pages that are not its own: count its list (exact: filling
  // needs it so, and a frozen layer lends nothing then).
  if (l->num_filled > 0 && l->tracked) return ranges_pages(l->extents, l->num_extents) * ps;
  uint64_t bytes = 0;
  // Raw syscall: the fstat symbol needs GLIBC_2.33 (see glibc_baseline.h). On x86-64 and aarch64
  // the kernel's struct stat is the C library's, for glibc and musl alike.
  if (l->fd >= 0 && syscall(SYS_fstat, l->fd, &st) == 0) bytes = (uint64_t)st.st_blocks * 512u;
  for (struct layer* x = next_borrower(l, NULL); x != NULL; x = next_borrower(l, x)) {
    uint64_t lent = ranges_pages(x->lent, x->num_lent) * ps;
    bytes = bytes > lent ? bytes - lent : 0;
  }
  // Copied lent pages are in l's memfd and in its lent list: count them once.
  uint64_t lent = ranges_pages(l->lent, l->num_lent) - ranges_pages(l->copied, l->num_copied);
  return bytes + lent * ps;
}

// ---- Collapsing chains -------------------------------------------------------------------

// Re-points, in every mapping of b, the pages (below `lim`) present in layer `l`, a layer of b's
// chain at offset 0.
static void remap_present(struct vmo* b, struct layer* l, uint64_t lim) {
  for (uint64_t page = 0; page < lim;) {
    uint64_t data = layer_next_data(l, page);
    if (data == UINT64_MAX || data >= lim) break;
    uint64_t hole = layer_next_hole(l, data);
    if (hole <= data) hole = data + 1;
    if (hole > lim) hole = lim;
    vmo_remap(b, data, hole - data);
    page = hole;
  }
}

static zx_status_t remap_zero_run(void* arg, uint64_t at, uint64_t n, struct layer* l,
                                  uint64_t lp) {
  (void)lp;
  if (l == NULL) vmo_remap(arg, at, n);
  return ZX_OK;
}

// Re-points, in every mapping of b, the pages no layer of b supplies.
static void remap_unsupplied(struct vmo* b) {
  uint64_t ps = zx_page();
  layer_walk(b->top, 0, b->size / ps, 0, remap_zero_run, b);
}

// Copies n pages from page `fp` of `from` to page `tp` of `to`.
static zx_status_t copy_pages_at(struct layer* from, uint64_t fp, struct layer* to, uint64_t tp,
                                 uint64_t n, char* buf) {
  uint64_t ps = zx_page();
  while (n > 0) {
    uint64_t k = lent_span(from, fp, n < COPY_CHUNK_PAGES ? n : COPY_CHUNK_PAGES);
    zx_status_t status = full_pread(layer_phys_fd(from, fp), buf, (size_t)(k * ps), fp * ps);
    if (status == ZX_OK) status = layer_pwrite(to, buf, (size_t)(k * ps), tp * ps);
    if (status != ZX_OK) return status;
    fp += k;
    tp += k;
    n -= k;
  }
  return ZX_OK;
}

// How fill_holes_from fills one hole [start, end) of `to` (to's pages) from `from` at +off.
struct hole_fill {
  struct layer* from;
  struct layer* to;
  uint64_t off;
  bool marks;  // fill with markers instead of copied data
  bool keep;   // `to` is frozen: the copies zircon keeps of the pages move along (kept_copy)
  char* buf;
};

static zx_status_t fill_hole(struct hole_fill* h, uint64_t start, uint64_t end) {
  if (h->marks) return marks_add(h->to, start, end) ? ZX_OK : ZX_ERR_NO_MEMORY;
  // Copies zircon keeps of these pages stay with them in their new layer (a frozen one: folding).
  if (h->keep) kept_copies_move(h->from, h->to, h->off, start, end);
  return copy_pages_at(h->from, start + h->off, h->to, start, end - start, h->buf);
}

// Calls fill_hole for the stretches of [start, end) where h->to holds neither data nor markers.
static zx_status_t fill_holes_in(struct hole_fill* h, uint64_t start, uint64_t end) {
  uint64_t cur = start;
  while (cur < end) {
    uint64_t data = layer_next_data(h->to, cur);
    if (data == cur) {
      uint64_t hole = layer_next_hole(h->to, cur);
      cur = hole > cur ? hole : cur + 1;
      continue;
    }
    uint64_t mark_end;
    if (marked_at(h->to, cur, &mark_end)) {
      cur = mark_end;
      continue;
    }
    uint64_t stop = data < mark_end ? data : mark_end;
    if (stop > end) stop = end;
    zx_status_t status = fill_hole(h, cur, stop);
    if (status != ZX_OK) return status;
    cur = stop;
  }
  return ZX_OK;
}

// Copies into `to`'s holes below page `lim` what `from` holds at page + off: its data pages as
// data and its markers as markers. What `to` shows is unchanged where `from` showed through.
// On failure part of it may have been copied (the same bytes and markers, still correct).
static zx_status_t fill_holes_from(struct layer* to, struct layer* from, uint64_t off,
                                   uint64_t lim, bool keep, char* buf) {
  struct hole_fill h = {from, to, off, false, keep, buf};
  zx_status_t status = ZX_OK;
  for (uint64_t page = off; status == ZX_OK && page < off + lim;) {
    uint64_t data = layer_next_data(from, page);
    if (data == UINT64_MAX || data >= off + lim) break;
    uint64_t hole = layer_next_hole(from, data);
    if (hole <= data) hole = data + 1;
    if (hole > off + lim) hole = off + lim;
    status = fill_holes_in(&h, data - off, hole - off);
    page = hole;
  }
  h.marks = true;
  for (size_t i = 0; status == ZX_OK && i < from->num_marks; i++) {
    uint64_t ms = from->marks[2 * i], me = from->marks[2 * i + 1];
    if (me <= off || ms >= off + lim) continue;
    if (ms < off) ms = off;
    if (me > off + lim) me = off + lim;
    status = fill_holes_in(&h, ms - off, me - off);
  }
  return status;
}

// vmo_collapse, T's pages into F (T is the smaller): F's pages at or past T's limit are dropped,
// T's markers applied (F's pages there freed), T's pages copied over; then F becomes b's top.
// False (b as it was, F perhaps with extra pages that T shadows) if a copy fails.
static bool collapse_into_frozen(struct vmo* b, char* buf) {
  uint64_t ps = zx_page();
  struct layer* t = b->top;
  struct layer* f = t->below;
  uint64_t lim = t->below_limit;
  zx_status_t status = ZX_OK;
  if (layer_truncate(f, lim * ps) != 0 || layer_truncate(f, b->size) != 0 ||
      !marks_remove(f, lim, UINT64_MAX)) {
    status = ZX_ERR_NO_MEMORY;
  }
  layer_extents_ready(f);  // F's list (if it can be had) now follows F's changes
  f->frozen = false;
  for (size_t i = 0; status == ZX_OK && i < t->num_marks; i++) {
    uint64_t ms = t->marks[2 * i], me = t->marks[2 * i + 1];
    if (f->fd >= 0 && ms < lim) layer_punch(f, ms, me < lim ? me : lim);
    if (!marks_add(f, ms, me)) status = ZX_ERR_NO_MEMORY;
  }
  for (uint64_t page = 0; status == ZX_OK;) {
    uint64_t data = layer_next_data(t, page);
    if (data == UINT64_MAX) break;
    uint64_t hole = layer_next_hole(t, data);
    if (hole <= data) hole = data + 1;
    status = copy_pages_at(t, data, f, data, hole - data, buf);
    page = hole;
  }
  if (status != ZX_OK) {
    f->frozen = true;  // t stays on top; f's extra pages are shadowed or zero-limited
    return false;
  }
  if (f->below_limit > lim) f->below_limit = lim;
  f->owner = NULL;
  t->below = NULL;  // b->top takes over t's reference to f
  b->top = f;
  // What changed for b's mappings: T's pages now come from F, and pages nothing supplies are
  // F's holes now (a writable mapping maps them from the top). Markers read as zero before and
  // after.
  remap_present(b, t, UINT64_MAX);
  if (vmo_writably_mapped(b)) remap_unsupplied(b);
  layer_unref(t);
  return true;
}

// vmo_collapse, F's pages into T: F's lent pages become T's where they are (in T's memfd), then
// F's own pages and markers that T does not shadow, below T's limit, are copied; T then skips F.
// False (b as it was, T perhaps with extra copies of F's pages) if a copy fails.
static bool collapse_into_top(struct vmo* b, char* buf) {
  struct layer* t = b->top;
  struct layer* f = t->below;
  uint64_t lim = t->below_limit;
  bool lent = f->num_lent > 0;
  if (lent) {
    for (size_t i = 0; i < f->num_lent; i++) {
      layer_mark(t, f->lent[2 * i], f->lent[2 * i + 1]);
      // F keeps only its own copies (best effort: T shadows the rest either way).
      extents_remove(f, f->lent[2 * i], f->lent[2 * i + 1]);
    }
    f->num_lent = 0;
    f->num_copied = 0;
    f->lent_fd = -1;
  }
  if (fill_holes_from(t, f, 0, lim, false, buf) != ZX_OK) return false;
  struct layer* below = f->below;
  if (below != NULL) below->refs++;
  t->below = below;
  t->below_off = f->below_off;
  if (t->below_limit > f->below_limit) t->below_limit = f->below_limit;
  if (below == NULL) t->below_limit = 0;
  // The pages copied from F now come from T (lent ones were mapped from T's memfd already), and
  // the writers may store into every page T supplies without a fault.
  remap_present(b, f, lim);
  layer_unref(f);
  if (lent) vmo_unprotect_own(b);
  return true;
}

// When the frozen layer F right below b's top T is referenced by T alone (b's snapshot children
// are gone), b froze it and T holds pages, merges T and F into one mutable top layer, so chains
// do not grow with repeated snapshot/write cycles and the old pages are freed. The smaller
// layer's pages are copied into the bigger one (markers go along: T's hide F's pages, F's hide
// what is below F): collapse_into_frozen or collapse_into_top. Then the pages whose layer changed
// are re-pointed in b's mappings (O(pages of the smaller layer), not O(VMO size)). Best effort:
// on failure b is left as it was (a failed copy leaves extra, still-correct pages or markers in
// the destination).
static void vmo_collapse(struct vmo* b) {
  while (b->top != NULL && b->top->below != NULL) {
    struct layer* t = b->top;
    struct layer* f = t->below;
    // An empty top is left alone: the next snapshot reuses F as is (its extents stay cached).
    // (Unless F sits on more frozen layers: then the chain is folded, or it would only grow.)
    if (f->refs != 1 || f->owner != b || t->below_off != 0 ||
        (layer_empty(t) && f->below == NULL && f->num_lent == 0)) {
      return;
    }
    // Writers store into T through their mappings while it is merged. Without write protection
    // nothing could hold those stores back during a copy out of T (they would be lost), so the
    // layers stay apart while b is writably mapped (the frozen ones are still folded).
    bool writers = vmo_writably_mapped(b);
    if (writers && !wp_enabled()) return;
    char* buf = malloc((size_t)(COPY_CHUNK_PAGES * zx_page()));
    if (buf == NULL) return;
    kept_copies_forget(f);  // b alone sees F: its pages become b's own, there is no one to split
    // T's memfd must live on while any layer below has pages lent from it, so then T is kept;
    // a filled F stays frozen (its filled pages would become data of a mutable top).
    bool into_f = next_borrower(t, NULL) == NULL && f->num_filled == 0 &&
                  layer_bytes(t) <= layer_bytes(f);
    if (into_f && writers) {
      // T's pages move into F: the writers' stores must wait (they fault, and are resolved into
      // F once the lock is free). Merging into T instead needs no protection: the writers map
      // F's pages write-protected already, and T's holes they map are holes of F too.
      for (struct mapping* m = b->maps; m != NULL && into_f; m = m->backing_next) {
        if (m->writable && !mapping_protect(m)) into_f = false;
      }
    }
    bool merged = into_f ? collapse_into_frozen(b, buf) : collapse_into_top(b, buf);
    free(buf);
    if (!merged) return;
  }
}

// Folds frozen layer X = U->below into frozen layer U: copies into U's holes below its limit the
// pages and markers X supplies there, then U skips X. What U shows is unchanged, so existing
// mappings stay correct. On a failed copy U keeps X (what was already copied is the same bytes).
// Returns whether X was folded.
static bool layer_fold_below(struct layer* u, char* buf) {
  struct layer* x = u->below;
  uint64_t off = u->below_off;
  uint64_t lim = u->below_limit;
  if (x->num_lent > 0) {
    // X's lent pages stay where they are, now as U's: U holds them (its memfd is X's lent_fd)
    // or lends them from the same memfd. U lacks every one of them (see "Lent pages").
    bool holder = x->lent_fd == u->fd;
    if (off != 0 || (!holder && x->lent_fd != u->lent_fd) || !layer_extents_ready(u)) return false;
    for (size_t i = 0; i < x->num_lent; i++) {
      uint64_t a = x->lent[2 * i], e = x->lent[2 * i + 1] < lim ? x->lent[2 * i + 1] : lim;
      if (a >= e) continue;
      // On failure U may show some of them already, read from the same memfd: still correct.
      if (!extents_add(u, a, e) ||
          (!holder && !ranges_add(&u->lent, &u->num_lent, &u->cap_lent, a, e))) {
        return false;
      }
      if (!holder) u->lent_fd = x->lent_fd;
      kept_copies_move(x, u, 0, a, e);
    }
    x->num_lent = 0;
    x->num_copied = 0;  // readers showing x's copies keep them (same bytes); U copies anew
    x->lent_fd = -1;
  }
  // U's extent list (if it has one) follows the pages copied in, as every write's does.
  zx_status_t status = fill_holes_from(u, x, off, lim, true, buf);
  if (status != ZX_OK) return false;
  struct layer* below = x->below;
  if (below != NULL) below->refs++;
  uint64_t x_lim = x->below_limit > off ? x->below_limit - off : 0;
  u->below = below;
  u->below_off = off + x->below_off;
  u->below_limit = below == NULL ? 0 : (lim < x_lim ? lim : x_lim);
  layer_unref(x);
  return true;
}

// Keeps b's chain of frozen layers short while snapshot children overlap (each snapshot of a
// written VMO freezes a layer; while any child lives, the top cannot collapse): a frozen layer
// that only the frozen layer above it still references, and that is no bigger than it, is
// folded into it. Size-balanced, so the chain stays logarithmic in the number of snapshots and
// every page is copied a logarithmic number of times. Best effort.
static void vmo_fold_frozen(struct vmo* b) {
  if (b->top == NULL) return;
  char* buf = NULL;
  struct layer* u = b->top->below;
  while (u != NULL && u->below != NULL) {
    struct layer* x = u->below;
    if (u->frozen && x->frozen && x->refs == 1 && x->owner == u->owner &&
        layer_bytes(x) <= layer_bytes(u)) {
      if (buf == NULL) buf = malloc((size_t)(COPY_CHUNK_PAGES * zx_page()));
      if (buf == NULL || !layer_fold_below(u, buf)) break;
    } else {
      u = x;
    }
  }
  free(buf);
}

// ---- Objects -----------------------------------------------------------------------------

static void vmo_update_zero_children(struct vmo* v) {
  if (v->num_children == 0) {
    object_signal(&v->obj, 0, ZX_VMO_ZERO_CHILDREN);
  } else {
    object_signal(&v->obj, ZX_VMO_ZERO_CHILDREN, 0);
  }
}

static struct vmo* vmo_new(uint64_t size, bool with_top) {
  struct vmo* v = calloc(1, sizeof(*v));
  if (v == NULL) return NULL;
  if (with_top) {
    v->top = layer_new(size);
    if (v->top == NULL || cnode_new_leaf(v) != ZX_OK) {
      free(v->top);
      free(v);
      return NULL;
    }
  }
  v->obj.type = ZX_OBJ_TYPE_VMO;
  v->obj.koid = zx_new_koid();
  v->obj.signals = ZX_VMO_ZERO_CHILDREN;
  v->size = size;
  v->all_next = zx_g.vmos;
  if (zx_g.vmos != NULL) zx_g.vmos->all_prev = v;
  zx_g.vmos = v;
  return v;
}

// Makes `child` a child of `parent` (parent_koid, ZERO_CHILDREN); O(1).
static void vmo_link_child(struct vmo* parent, struct vmo* child) {
  child->parent = parent;
  child->sibling_prev = NULL;
  child->sibling_next = parent->children;
  if (parent->children != NULL) parent->children->sibling_prev = child;
  parent->children = child;
}

static void vmo_unlink_child(struct vmo* child) {
  if (child->sibling_prev != NULL) child->sibling_prev->sibling_next = child->sibling_next;
  else child->parent->children = child->sibling_next;
  if (child->sibling_next != NULL) child->sibling_next->sibling_prev = child->sibling_prev;
  child->parent = NULL;
  child->sibling_prev = child->sibling_next = NULL;
}

// Called when the last handle, mapping and slice child of `v` are gone. Its children are handed
// to its parent (or become parentless), as zircon's hidden-node collapse makes them appear:
// O(children of v).
void vmo_destroy(struct vmo* v) {
  cnode_remove(v);
  if (v->all_prev != NULL) v->all_prev->all_next = v->all_next; else zx_g.vmos = v->all_next;
  if (v->all_next != NULL) v->all_next->all_prev = v->all_prev;
  struct vmo* grandparent = v->parent;
  if (grandparent != NULL) vmo_unlink_child(v);
  while (v->children != NULL) {
    struct vmo* c = v->children;
    vmo_unlink_child(c);
    if (grandparent != NULL) vmo_link_child(grandparent, c);
  }
  v->parent = grandparent;  // for the count below
  if (v->parent != NULL) {
    v->parent->num_children = v->parent->num_children - 1 + v->num_children;
    vmo_update_zero_children(v->parent);
  }
  if (v->top != NULL) {
    // VMOs that froze layers v was using may be able to collapse once v lets go of them.
    struct vmo* owners[16];
    size_t num_owners = 0;
    for (struct layer* l = v->top->below; l != NULL; l = l->below) {
      if (l->owner == v) {
        l->owner = NULL;
      } else if (l->owner != NULL && num_owners < 16) {
        owners[num_owners++] = l->owner;
      }
    }
    layer_unref(v->top);
    for (size_t i = 0; i < num_owners; i++) {
      vmo_fold_frozen(owners[i]);
      vmo_collapse(owners[i]);
    }
  }
  struct vmo* backing = v->backing;
  free(v);
  if (backing != NULL) object_unref(&backing->obj);
}

// The page (in backing coordinates) at which `v`'s window on its backing VMO ends.
uint64_t vmo_backing_limit(const struct vmo* v) {
  return ((v->slice ? v->backing_off : 0) + v->size) / zx_page();
}

static struct vmo* vmo_backing(struct vmo* v) { return v->slice ? v->backing : v; }
static uint64_t vmo_backing_offset(const struct vmo* v) { return v->slice ? v->backing_off : 0; }

zx_status_t vmo_get_info(struct vmo* v, zx_rights_t rights, zx_info_vmo_t* info) {
  memset(info, 0, sizeof(*info));
  info->koid = v->obj.koid;
  info->size_bytes = v->size;
  info->parent_koid = v->parent != NULL ? v->parent->obj.koid : ZX_KOID_INVALID;
  info->num_children = v->num_children;
  info->num_mappings = v->num_mappings;
  // zircon reports 1 below two mappings and otherwise counts distinct address spaces; the host
  // has exactly one address space, so it is always 1.
  info->share_count = 1;
  info->flags = ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE;
  if (v->resizable) info->flags |= ZX_INFO_VMO_RESIZABLE;
  if (v->cow) info->flags |= ZX_INFO_VMO_IS_COW_CLONE;
  info->committed_bytes = vmo_committed_bytes(v);
  info->handle_rights = rights;
  info->cache_policy = v->cache_policy;
  memcpy(info->name, v->name, sizeof(info->name));
  // The emulation's own bookkeeping for the VMO: its structure, its top layer and that layer's
  // extent and marker lists. The emulation never evicts or reclaims pages, so committed_change_events
  // stays 0.
  // Like zircon's page-list nodes, it is 0 until the VMO holds a page (or a zero marker) of its
  // own: a fresh VMO, a slice and an unwritten snapshot child report 0.
  info->metadata_bytes = 0;
  if (v->top != NULL && (v->top->num_extents > 0 || v->top->num_marks > 0 ||
                         layer_bytes(v->top) > 0)) {
    info->metadata_bytes = sizeof(*v) + sizeof(*v->top) +
                           2 * (v->top->num_extents + v->top->num_marks) * sizeof(uint64_t);
  }
  return ZX_OK;
}

// ---- Properties --------------------------------------------------------------------------

void vmo_get_name(const struct vmo* v, char out[ZX_MAX_NAME_LEN]) {
  memcpy(out, v->name, ZX_MAX_NAME_LEN);
}

void vmo_set_name(struct vmo* v, const char* name, size_t len) {
  if (len > ZX_MAX_NAME_LEN - 1) len = ZX_MAX_NAME_LEN - 1;
  len = strnlen(name, len);
  memset(v->name, 0, sizeof(v->name));
  memcpy(v->name, name, len);
}

uint64_t vmo_get_content_size(const struct vmo* v) { return v->content_size; }

zx_status_t vmo_set_content_size(struct vmo* v, uint64_t content_size) {
  v->content_size = content_size;
  if (content_size >= v->size) return ZX_OK;
  return zero_bytes(vmo_backing(v), vmo_backing_offset(v) + content_size, v->size - content_size);
}

// Looks up a VMO handle: BAD_HANDLE, WRONG_TYPE.
static zx_status_t vmo_lookup(zx_handle_t handle, struct vmo** out, zx_rights_t* rights) {
  struct handle_entry* e = handle_lookup(handle);
  if (e == NULL) return ZX_ERR_BAD_HANDLE;
  if (e->obj->type != ZX_OBJ_TYPE_VMO) return ZX_ERR_WRONG_TYPE;
  *out = (struct vmo*)e->obj;
  *rights = e->rights;
  return ZX_OK;
}

static uint64_t round_up_page(uint64_t size) {
  uint64_t ps = zx_page();
  return (size + ps - 1) / ps * ps;  // callers bound size by ZX_HOST_MAX_VMO_SIZE first
}

// ---- zx_vmo_create -----------------------------------------------------------------------

// Checks: INVALID_ARGS (unknown options), OUT_OF_RANGE (size > 2^46), INVALID_ARGS (out NULL),
// NOT_SUPPORTED (ZX_VMO_DISCARDABLE: not emulated), NO_MEMORY.
ZX_EXPORT zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out) {
  ZX_FAULT_POINT(ZX_HANDLE_INVALID, ZX_HANDLE_INVALID, options);
  if ((options & ~(ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE)) != 0) return ZX_ERR_INVALID_ARGS;
  if (size > ZX_HOST_MAX_VMO_SIZE) return ZX_ERR_OUT_OF_RANGE;
  if (out == NULL) return ZX_ERR_INVALID_ARGS;
  if ((options & ZX_VMO_DISCARDABLE) != 0) return ZX_ERR_NOT_SUPPORTED;
  zx_lock();
  zx_status_t status = ZX_ERR_NO_MEMORY;
  struct vmo* v = vmo_new(round_up_page(size), true);
  if (v != NULL) {
    v->content_size = size;
    v->resizable = (options & ZX_VMO_RESIZABLE) != 0;
    zx_rights_t rights = ZX_DEFAULT_VMO_RIGHTS | (v->resizable ? ZX_RIGHT_RESIZE : 0);
    status = handle_alloc(&v->obj, rights, out);
    if (status != ZX_OK) vmo_destroy(v);
  }
  zx_unlock();
  return status;
}

// ---- zx_vmo_read / zx_vmo_write / sizes --------------------------------------------------

// The checks zx_vmo_read and zx_vmo_write share, in this order: BAD_HANDLE, WRONG_TYPE,
// ACCESS_DENIED (`right`), INVALID_ARGS (NULL buffer with a non-zero length), OUT_OF_RANGE
// (offset + len past the page-rounded size, or overflowing), BAD_STATE (a cache policy other than
// CACHED). A length of 0 at offset == size is fine. Called with the lock held.
static zx_status_t vmo_io_check(zx_handle_t handle, zx_rights_t right, const void* buffer,
                                uint64_t offset, size_t len, struct vmo** out) {
  zx_rights_t rights;
  zx_status_t status = vmo_lookup(handle, out, &rights);
  if (status != ZX_OK) return status;
  if ((rights & right) == 0) return ZX_ERR_ACCESS_DENIED;
  if (len > 0 && buffer == NULL) return ZX_ERR_INVALID_ARGS;
  if (offset > (*out)->size || len > (*out)->size - offset) return ZX_ERR_OUT_OF_RANGE;
  // vmo_read.md / vmo_write.md: an uncached VMO is not directly readable or writable.
  if ((*out)->cache_policy != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
  return ZX_OK;
}

// Checks: see vmo_io_check, with READ.
ZX_EXPORT zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset,
                                  size_t len) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, ZX_FAULT_NO_OPTION);
  struct vmo* v;
  zx_lock();
  zx_status_t status = vmo_io_check(handle, ZX_RIGHT_READ, buffer, offset, len, &v);
  if (status == ZX_OK) status = vmar_prepare_user_write(buffer, len);
  if (status == ZX_OK) {
    status = vmo_read_bytes(vmo_backing(v), buffer, offset + vmo_backing_offset(v), len);
  }
  zx_unlock();
  return status;
}

// Checks: see vmo_io_check, with WRITE.
ZX_EXPORT zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset,
                                   size_t buffer_size) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, ZX_FAULT_NO_OPTION);
  struct vmo* v;
  zx_lock();
  zx_status_t status = vmo_io_check(handle, ZX_RIGHT_WRITE, buffer, offset, buffer_size, &v);
  if (status == ZX_OK) {
    status = vmo_write_bytes(vmo_backing(v), buffer, offset + vmo_backing_offset(v), buffer_size);
  }
  zx_unlock();
  return status;
}

// Checks: BAD_HANDLE, WRONG_TYPE, INVALID_ARGS (size NULL). No right needed.
ZX_EXPORT zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, ZX_FAULT_NO_OPTION);
  struct vmo* v;
  zx_rights_t rights;
  zx_lock();
  zx_status_t status = vmo_lookup(handle, &v, &rights);
  if (status == ZX_OK && size == NULL) status = ZX_ERR_INVALID_ARGS;
  if (status == ZX_OK) status = vmar_prepare_user_write(size, sizeof(*size));
  if (status == ZX_OK) *size = v->size;
  zx_unlock();
  return status;
}

// Checks: BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED (no WRITE), UNAVAILABLE (not resizable),
// ACCESS_DENIED (no RESIZE; only reachable on a resizable VMO through a reduced handle),
// OUT_OF_RANGE (size > 2^46), INVALID_ARGS (the VMO's accumulated offset plus the rounded size
// overflows: a child far out in its ancestors), NO_MEMORY.
ZX_EXPORT zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, ZX_FAULT_NO_OPTION);
  struct vmo* v;
  zx_rights_t rights;
  zx_lock();
  zx_status_t status = vmo_lookup(handle, &v, &rights);
  if (status != ZX_OK) goto out;
  if ((rights & ZX_RIGHT_WRITE) == 0) {
    status = ZX_ERR_ACCESS_DENIED;
  } else if (!v->resizable) {
    status = ZX_ERR_UNAVAILABLE;
  } else if ((rights & ZX_RIGHT_RESIZE) == 0) {
    status = ZX_ERR_ACCESS_DENIED;
  } else if (size > ZX_HOST_MAX_VMO_SIZE) {
    status = ZX_ERR_OUT_OF_RANGE;
  } else if (round_up_page(size) > UINT64_MAX - v->root_off) {
    status = ZX_ERR_INVALID_ARGS;
  } else {
    uint64_t ps = zx_page();
    uint64_t new_size = round_up_page(size);
    uint64_t old_size = v->size;
    if (new_size < old_size) cnode_note_shrink(v, new_size / ps, old_size / ps);
    if (layer_truncate(v->top, new_size) != 0) {
      status = ZX_ERR_NO_MEMORY;
      goto out;
    }
    if (new_size < old_size && v->top->below_limit > new_size / ps) {
      v->top->below_limit = new_size / ps;
    }
    marks_remove(v->top, new_size / ps, UINT64_MAX);  // only shrinks the list: cannot fail
    v->size = new_size;
    v->content_size = size;
    if (size < new_size) status = zero_bytes(v, size, new_size - size);
    uint64_t lo = (old_size < new_size ? old_size : new_size) / ps;
    uint64_t hi = (old_size < new_size ? new_size : old_size) / ps;
    if (status == ZX_OK) status = vmo_remap(v, lo, hi - lo);
  }
out:
  zx_unlock();
  return status;
}

// ---- zx_vmo_create_child -----------------------------------------------------------------

// After b's top layer was frozen in place while b is writably mapped, which happens only without
// write protection (with it, such snapshots lend their pages instead, see vmo_freeze_lending):
// b's writable mappings must no longer store into it, so the pages they map are copied into the
// new top at once and every mapping of b is re-pointed.
static zx_status_t snapshot_writers(struct vmo* b) {
  uint64_t ps = zx_page();
  zx_status_t status = ZX_OK;
  for (struct mapping* m = b->maps; m != NULL && status == ZX_OK; m = m->backing_next) {
    if (!m->writable) continue;
    uint64_t first = m->off / ps;
    uint64_t end = first + m->len / ps;
    uint64_t lim = vmo_backing_limit(m->vmo);
    if (end > lim) end = lim;
    if (first < end) status = vmo_copy_up(b, first, end - first);
  }
  if (status != ZX_OK) return status;
  return vmo_remap(b, 0, b->size / ps);
}

// Snapshot of b while b is writably mapped (write protection available): a new frozen layer F
// takes over what b's top T shows, its pages lent from T's memfd (see "Lent pages"), and goes
// right below T, which keeps its memfd and now holds none of its pages itself. The writers keep
// their mappings, write-protected; a mapping that cannot be protected has its pages given back to
// T at once (copied into F). Nothing is re-pointed.
static zx_status_t vmo_freeze_lending(struct vmo* b, struct layer** out) {
  struct layer* t = b->top;
  struct layer* f = layer_new(b->size);
  if (f == NULL) return ZX_ERR_NO_MEMORY;
  // The writers are held first: from here on nothing stores into T's memfd, so its pages can be
  // listed (a memfd asked with SEEK_DATA while stores fault pages in may show holes that are
  // not there). A mapping that cannot be protected keeps storing: its pages are T's (below).
  uint64_t ps = zx_page();
  bool* unprotected = NULL;
  size_t num_writers = 0;
  for (struct mapping* m = b->maps; m != NULL; m = m->backing_next) {
    if (m->writable) num_writers++;
  }
  unprotected = calloc(num_writers > 0 ? num_writers : 1, sizeof(*unprotected));
  if (unprotected == NULL) {
    layer_unref(f);
    return ZX_ERR_NO_MEMORY;
  }
  size_t k = 0;
  for (struct mapping* m = b->maps; m != NULL; m = m->backing_next) {
    if (m->writable) unprotected[k++] = !mapping_protect(m);
  }
  for (uint64_t page = 0;;) {
    uint64_t data = layer_next_data(t, page);
    if (data == UINT64_MAX) break;
    uint64_t hole = layer_next_hole(t, data);
    if (hole <= data) hole = data + 1;
    if (!extents_add(f, data, hole) ||
        !ranges_add(&f->lent, &f->num_lent, &f->cap_lent, data, hole)) {
      free(unprotected);
      layer_unref(f);
      return ZX_ERR_NO_MEMORY;  // the writers fault once each, and store on
    }
    page = hole;
  }
  f->lent_fd = f->num_lent > 0 ? t->fd : -1;
  f->frozen = true;
  f->owner = b;
  f->marks = t->marks;
  f->num_marks = t->num_marks;
  f->cap_marks = t->cap_marks;
  t->marks = NULL;
  t->num_marks = t->cap_marks = 0;
  f->below = t->below;  // takes over t's reference
  f->below_off = t->below_off;
  f->below_limit = t->below_limit;
  t->below = f;
  t->below_off = 0;
  t->below_limit = b->size / ps;
  if (t->tracked) t->num_extents = 0;
  t->extents_version++;  // exact: t holds none of its memfd's pages
  zx_status_t status = ZX_OK;
  k = 0;
  for (struct mapping* m = b->maps; m != NULL && status == ZX_OK; m = m->backing_next) {
    if (!m->writable || !unprotected[k++]) continue;
    uint64_t first = m->off / ps;
    uint64_t end = first + m->len / ps;
    uint64_t lim = vmo_backing_limit(m->vmo);
    status = lent_reclaim(t, first, end < lim ? end : lim);
  }
  free(unprotected);
  *out = f;
  return status;
}

// Gives `child` (fresh top layer) the contents of pages [sp, ...) of non-slice `b`, frozen now;
// pages at or past `limit` (b coordinates) read as zero.
static zx_status_t vmo_snapshot(struct vmo* b, uint64_t sp, uint64_t limit, struct vmo* child) {
  struct layer* top = b->top;
  struct layer* below;
  uint64_t below_off;
  uint64_t below_limit;  // b coordinates
  if (layer_empty(top)) {
    below = top->below;
    below_off = top->below_off;
    below_limit = top->below_limit < limit ? top->below_limit : limit;
  } else if (vmo_writably_mapped(b) && wp_enabled()) {
    zx_status_t status = vmo_freeze_lending(b, &below);
    if (status != ZX_OK) return status;
    below_off = 0;
    below_limit = limit;
  } else {
    struct layer* fresh = layer_new(b->size);
    if (fresh == NULL) return ZX_ERR_NO_MEMORY;
    zx_status_t status;
    top->frozen = true;
    top->owner = b;
    fresh->below = top;  // takes over b's reference
    fresh->below_off = 0;
    fresh->below_limit = b->size / zx_page();
    b->top = fresh;
    below = top;
    below_off = 0;
    below_limit = limit;
    if (vmo_writably_mapped(b)) {
      status = snapshot_writers(b);
      if (status != ZX_OK) return status;
    }
  }
  if (below != NULL && sp < below_limit) {
    below->refs++;
    child->top->below = below;
    child->top->below_off = below_off + sp;
    child->top->below_limit = below_limit - sp;
    // The child copies nothing past its own size: pages it gains by growing read as zero.
    if (child->top->below_limit > child->size / zx_page()) {
      child->top->below_limit = child->size / zx_page();
    }
  }
  return ZX_OK;
}

// Checks, in order: BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED (DUPLICATE and READ),
// INVALID_ARGS (unknown options; not exactly one of SNAPSHOT, SNAPSHOT_AT_LEAST_ON_WRITE, SLICE;
// RESIZABLE with NO_WRITE; RESIZABLE with SLICE), INVALID_ARGS (offset not page-aligned),
// OUT_OF_RANGE (the size does not round up to a page, or the rounded size exceeds 2^46),
// OUT_OF_RANGE (non-slices: offset + size overflows), INVALID_ARGS (out NULL); then for a SLICE:
// INVALID_ARGS (not inside the parent, including offset + size overflowing), NOT_SUPPORTED
// (resizable parent); for the others: INVALID_ARGS (the offset added to the parent's accumulated
// offset, or that plus the size, overflows), BAD_STATE (the parent's cache policy is not CACHED);
// NO_MEMORY. A slice takes its parent's cache policy.
ZX_EXPORT zx_status_t zx_vmo_create_child(zx_handle_t handle, uint32_t options, uint64_t offset,
                                          uint64_t size, zx_handle_t* out) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, options);
  const uint32_t types =
      ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE | ZX_VMO_CHILD_SLICE;
  const uint32_t known = types | ZX_VMO_CHILD_RESIZABLE | ZX_VMO_CHILD_NO_WRITE;
  struct vmo* v;
  zx_rights_t rights;
  zx_lock();
  zx_status_t status = vmo_lookup(handle, &v, &rights);
  if (status != ZX_OK) goto out;
  uint32_t type = options & types;
  bool slice = type == ZX_VMO_CHILD_SLICE;
  bool resizable = (options & ZX_VMO_CHILD_RESIZABLE) != 0;
  bool no_write = (options & ZX_VMO_CHILD_NO_WRITE) != 0;
  uint64_t ps = zx_page();
  if ((rights & (ZX_RIGHT_DUPLICATE | ZX_RIGHT_READ)) != (ZX_RIGHT_DUPLICATE | ZX_RIGHT_READ)) {
    status = ZX_ERR_ACCESS_DENIED;
  } else if ((options & ~known) != 0 || type == 0 || (type & (type - 1)) != 0 ||
             (resizable && no_write) || (resizable && slice)) {
    status = ZX_ERR_INVALID_ARGS;
  } else if (offset % ps != 0) {
    status = ZX_ERR_INVALID_ARGS;
  } else if (size > ZX_HOST_MAX_VMO_SIZE) {
    status = ZX_ERR_OUT_OF_RANGE;
  } else if (!slice && size > UINT64_MAX - offset) {
    status = ZX_ERR_OUT_OF_RANGE;
  } else if (out == NULL) {
    status = ZX_ERR_INVALID_ARGS;
  } else if (slice && (offset > v->size || round_up_page(size) > v->size - offset)) {
    status = ZX_ERR_INVALID_ARGS;
  } else if (slice && v->resizable) {
    status = ZX_ERR_NOT_SUPPORTED;
  } else if (!slice && (offset > UINT64_MAX - v->root_off ||
                        round_up_page(size) > UINT64_MAX - v->root_off - offset)) {
    status = ZX_ERR_INVALID_ARGS;
  } else if (!slice && v->cache_policy != ZX_CACHE_POLICY_CACHED) {
    status = ZX_ERR_BAD_STATE;  // copy-on-write needs cached pages (VmoClone2 Uncached)
  }
  if (status != ZX_OK) goto out;

  struct vmo* b = vmo_backing(v);
  struct vmo* child = vmo_new(round_up_page(size), !slice);
  if (child == NULL) {
    status = ZX_ERR_NO_MEMORY;
    goto out;
  }
  child->root_off = v->root_off + offset;
  child->content_size = size;
  // As zircon: a child is named after its parent when the parent's handle may read the name.
  if ((rights & ZX_RIGHT_GET_PROPERTY) != 0) memcpy(child->name, v->name, sizeof(child->name));
  zx_rights_t child_rights;
  if (slice) {
    child->slice = true;
    child->backing = b;
    child->backing_off = vmo_backing_offset(v) + offset;
    child->cache_policy = v->cache_policy;  // a window onto the same pages
    b->obj.refs++;
    child_rights = rights | ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;
    if (no_write) child_rights &= ~ZX_RIGHT_WRITE;
  } else {
    child->cow = true;
    child->resizable = resizable;
    uint64_t sp = (vmo_backing_offset(v) + (offset < v->size ? offset : v->size)) / ps;
    if (offset >= v->size) sp = UINT64_MAX;  // nothing of the parent shows
    struct cnode* hidden = cnode_alloc_hidden();
    status = hidden == NULL ? ZX_ERR_NO_MEMORY : ZX_OK;
    if (status == ZX_OK && sp != UINT64_MAX) {
      status = vmo_snapshot(b, sp, vmo_backing_limit(v), child);
    }
    if (status != ZX_OK) {
      free(hidden);
      vmo_destroy(child);
      goto out;
    }
    cnode_add_snapshot(b, child, hidden);
    child_rights = no_write ? (rights | ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY) &
                                  ~ZX_RIGHT_WRITE
                            : (rights | ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY |
                               ZX_RIGHT_WRITE) & ~ZX_RIGHT_EXECUTE;
  }
  child_rights &= ~ZX_RIGHT_RESIZE;
  if (child->resizable) child_rights |= ZX_RIGHT_RESIZE;
  status = handle_alloc(&child->obj, child_rights, out);
  if (status != ZX_OK) {
    vmo_destroy(child);
    goto out;
  }
  vmo_link_child(v, child);
  v->num_children++;
  vmo_update_zero_children(v);
out:
  zx_unlock();
  return status;
}

// ---- zx_vmo_set_cache_policy -------------------------------------------------------------

// Checks, in order: INVALID_ARGS (bits outside ZX_CACHE_POLICY_MASK), BAD_HANDLE, WRONG_TYPE,
// ACCESS_DENIED (no MAP), BAD_STATE (pages committed while the policy is not CACHED; mapped; has
// children; is a child). The policy is recorded and reported by ZX_INFO_VMO; host mappings stay
// cached whatever it says.
ZX_EXPORT zx_status_t zx_vmo_set_cache_policy(zx_handle_t handle, uint32_t cache_policy) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, cache_policy);
  if ((cache_policy & ~ZX_CACHE_POLICY_MASK) != 0) return ZX_ERR_INVALID_ARGS;
  struct vmo* v;
  zx_rights_t rights;
  zx_lock();
  zx_status_t status = vmo_lookup(handle, &v, &rights);
  if (status == ZX_OK && (rights & ZX_RIGHT_MAP) == 0) status = ZX_ERR_ACCESS_DENIED;
  if (status == ZX_OK) {
    bool committed = v->top != NULL && layer_bytes(v->top) > 0;
    if ((committed && v->cache_policy != ZX_CACHE_POLICY_CACHED) || v->num_mappings > 0 ||
        v->num_children > 0 || v->cow || v->slice || v->parent != NULL) {
      status = ZX_ERR_BAD_STATE;
    } else {
      v->cache_policy = cache_policy;
    }
  }
  zx_unlock();
  return status;
}

// ---- zx_vmo_op_range ---------------------------------------------------------------------

bool vmo_can_decommit(const struct vmo* v) {
  if (v->cow) return false;
  const struct vmo* b = v->slice ? v->backing : v;
  if (b->cow) return false;
  for (const struct vmo* w = b->children; w != NULL; w = w->sibling_next) {
    if (!w->slice) return false;
  }
  for (const struct vmo* w = v->children; w != NULL; w = w->sibling_next) {
    if (!w->slice) return false;
  }
  return true;
}

static bool range_outside(const struct vmo* v, uint64_t offset, uint64_t size) {
  return offset > v->size || size > v->size - offset;
}

// Checks: BAD_HANDLE, WRONG_TYPE, then per op:
//   COMMIT: ACCESS_DENIED (WRITE), OUT_OF_RANGE. Commits (copies up / zero-fills) the pages.
//   DECOMMIT: ACCESS_DENIED (WRITE), NOT_SUPPORTED (snapshot child, or a VMO with live
//     snapshot children), INVALID_ARGS (offset or size not page-aligned), OUT_OF_RANGE (offset
//     past the end); a range running past the end is trimmed to it.
//   ZERO: ACCESS_DENIED (WRITE), OUT_OF_RANGE.
//   LOCK, UNLOCK, TRY_LOCK: ACCESS_DENIED (neither READ nor WRITE), NOT_SUPPORTED (no VMO here
//     is discardable).
//   CACHE_SYNC, CACHE_CLEAN, CACHE_CLEAN_INVALIDATE: ACCESS_DENIED (READ); CACHE_INVALIDATE:
//     ACCESS_DENIED (WRITE); then INVALID_ARGS (size 0), OUT_OF_RANGE. No-ops otherwise.
//   DONT_NEED, ALWAYS_NEED: ACCESS_DENIED (neither READ nor WRITE), OUT_OF_RANGE; no-op hints.
//   Anything else: INVALID_ARGS.
// `buffer` and `buffer_size` are not used by any of these ops.
ZX_EXPORT zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op, uint64_t offset,
                                      uint64_t size, void* buffer, size_t buffer_size) {
  ZX_FAULT_POINT(handle, ZX_HANDLE_INVALID, op);
  (void)buffer;
  (void)buffer_size;
  struct vmo* v;
  zx_rights_t rights;
  uint64_t ps = zx_page();
  zx_lock();
  zx_status_t status = vmo_lookup(handle, &v, &rights);
  if (status != ZX_OK) goto out;
  struct vmo* b = vmo_backing(v);
  uint64_t boff = vmo_backing_offset(v);
  switch (op) {
    case ZX_VMO_OP_COMMIT:
      if ((rights & ZX_RIGHT_WRITE) == 0) {
        status = ZX_ERR_ACCESS_DENIED;
      } else if (range_outside(v, offset, size)) {
        status = ZX_ERR_OUT_OF_RANGE;
      } else if (size > 0) {
        uint64_t first = (boff + offset) / ps;
        uint64_t end = (boff + offset + size + ps - 1) / ps;
        status = vmo_commit_pages(b, first, end - first);
      }
      break;
    case ZX_VMO_OP_DECOMMIT:
      if ((rights & ZX_RIGHT_WRITE) == 0) {
        status = ZX_ERR_ACCESS_DENIED;
      } else if (!vmo_can_decommit(v)) {
        status = ZX_ERR_NOT_SUPPORTED;
      } else if (offset % ps != 0 || size % ps != 0) {
        status = ZX_ERR_INVALID_ARGS;
      } else if (offset > v->size) {
        status = ZX_ERR_OUT_OF_RANGE;
      } else {
        // A range that starts inside the VMO and ends past it is trimmed to the VMO's end.
        uint64_t len = size < v->size - offset ? size : v->size - offset;
        status = vmo_decommit_pages(b, (boff + offset) / ps, len / ps);
      }
      break;
    case ZX_VMO_OP_ZERO:
      if ((rights & ZX_RIGHT_WRITE) == 0) {
        status = ZX_ERR_ACCESS_DENIED;
      } else if (range_outside(v, offset, size)) {
        status = ZX_ERR_OUT_OF_RANGE;
      } else {
        status = zero_bytes(b, boff + offset, size);
      }
      break;
    case ZX_VMO_OP_LOCK:
    case ZX_VMO_OP_UNLOCK:
    case ZX_VMO_OP_TRY_LOCK:
      status = (rights & (ZX_RIGHT_READ | ZX_RIGHT_WRITE)) == 0 ? ZX_ERR_ACCESS_DENIED
                                                                 : ZX_ERR_NOT_SUPPORTED;
      break;
    case ZX_VMO_OP_CACHE_SYNC:
    case ZX_VMO_OP_CACHE_CLEAN:
    case ZX_VMO_OP_CACHE_CLEAN_INVALIDATE:
    case ZX_VMO_OP_CACHE_INVALIDATE: {
      zx_rights_t need = op == ZX_VMO_OP_CACHE_INVALIDATE ? ZX_RIGHT_WRITE : ZX_RIGHT_READ;
      if ((rights & need) == 0) {
        status = ZX_ERR_ACCESS_DENIED;
      } else if (size == 0) {
        status = ZX_ERR_INVALID_ARGS;
      } else if (range_outside(v, offset, size)) {
        status = ZX_ERR_OUT_OF_RANGE;
      }
      break;
    }
    case ZX_VMO_OP_DONT_NEED:
    case ZX_VMO_OP_ALWAYS_NEED:
      if ((rights & (ZX_RIGHT_READ | ZX_RIGHT_WRITE)) == 0) {
        status = ZX_ERR_ACCESS_DENIED;
      } else if (range_outside(v, offset, size)) {
        status = ZX_ERR_OUT_OF_RANGE;
      }
      break;
    default:
      status = ZX_ERR_INVALID_ARGS;
      break;
  }
out:
  zx_unlock();
  return status;
}

// ZX_VMAR_OP_ZERO: zx_vmo_op_range(ZX_VMO_OP_ZERO) of bytes [off, off + len) of non-slice `b`.
zx_status_t vmo_zero_range(struct vmo* b, uint64_t off, uint64_t len) {
  return zero_bytes(b, off, len);
}
