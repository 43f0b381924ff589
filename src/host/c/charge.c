// Clone trees, and who is charged for the pages that snapshots share (ZX_INFO_VMO
// committed_bytes).
//
// zircon moves a snapshotted VMO's pages into a hidden node whose two children are the VMO
// itself and the snapshot; the hidden node carries the VMO's attribution id. A page of a hidden
// node is charged to the VMO on the side of that id while that side can still see it, else to the
// other side; within a side the same rule applies at the next hidden node down. So the leaves in
// depth-first order, attributed child first, form a charge order, and a page that several VMOs
// see is charged to the first of them. When one VMO of a side forks a page (writes it), zircon
// copies the page into every hidden node on the way down to the writer, so the VMOs beside that
// path no longer share the page with those below the path: each such group gets its own copy,
// charged to the group's first VMO. When the VMO whose id a hidden node carries is closed, zircon
// re-attributes that node (and every ancestor that carried the same id) to the child it did not
// come through.
//
// The host keeps pages in shared memfd layers instead, and never copies a page for a group: a
// frozen page stays shared by everyone who sees it. The charge is computed as zircon's would be:
// for each frozen page that VMO X sees, the VMOs that see it (viewers) and the VMOs that could
// see it but hide it under their own copy, a marker or a later frozen layer (writers) are found.
// Walking up from X's leaf, the first hidden node whose other child holds a writer bounds X's
// group (the subtree on X's side); X is charged iff no viewer in that group comes before X in the
// charge order. No writer anywhere: the group is everyone. A page nobody sees costs nothing.
//
// zircon's copies outlive the VMO whose write made them, so a closed (or shrunk) writer leaves
// "kept copies" (struct kept_copy) of the pages it hid, held by the node where zircon would now
// hold them: its sibling, which takes its parent's place (or its own leaf, for a shrink). A kept
// copy splits the VMOs beside its node off like a writer and bounds the group below it.
//
// Cost of one query: the runs (maximal stretches from one layer) of every VMO of X's tree, and for
// each stretch of pages with the same viewers and writers a walk up X's leaf; no per-page work.

#define _GNU_SOURCE 1
#include <stdlib.h>
#include <string.h>

#include "zx_internal.h"

static void kept_remove_at(size_t i) { zx_g.kept[i] = zx_g.kept[--zx_g.num_kept]; }

// ---- Clone trees -------------------------------------------------------------------------

zx_status_t cnode_new_leaf(struct vmo* v) {
  v->node = calloc(1, sizeof(*v->node));
  if (v->node == NULL) return ZX_ERR_NO_MEMORY;
  v->node->vmo = v;
  return ZX_OK;
}

struct cnode* cnode_alloc_hidden(void) { return calloc(1, sizeof(struct cnode)); }

static void cnode_replace(struct cnode* old, struct cnode* with) {
  struct cnode* p = old->parent;
  with->parent = p;
  if (p != NULL) p->child[p->child[0] == old ? 0 : 1] = with;
}

void cnode_add_snapshot(struct vmo* parent, struct vmo* child, struct cnode* hidden) {
  cnode_replace(parent->node, hidden);
  hidden->child[0] = parent->node;
  hidden->child[1] = child->node;
  parent->node->parent = hidden;
  child->node->parent = hidden;
}

// Takes `leaf` out of its tree (re-attributing as zircon does) and frees it and its parent; kept
// copies at either move to the sibling that takes the parent's place (zircon merges the hidden
// node's pages into it), or are dropped with a root leaf.
static void cnode_splice_out(struct cnode* leaf) {
  struct cnode* hidden = leaf->parent;
  if (hidden != NULL) {
    struct cnode* sibling = hidden->child[hidden->child[0] == leaf ? 1 : 0];
    if (hidden->child[0] == leaf) {
      // v carried the attribution of `hidden` and of every ancestor reached through child[0]
      // links: each of those is re-attributed to its other child.
      for (struct cnode* cur = hidden; cur->parent != NULL && cur->parent->child[0] == cur;
           cur = cur->parent) {
        struct cnode* p = cur->parent;
        p->child[0] = p->child[1];
        p->child[1] = cur;
      }
    }
    cnode_replace(hidden, sibling);
    for (size_t i = 0; i < zx_g.num_kept; i++) {
      if (zx_g.kept[i].node == hidden || zx_g.kept[i].node == leaf) zx_g.kept[i].node = sibling;
    }
    free(hidden);
  } else {
    for (size_t i = 0; i < zx_g.num_kept;) {
      if (zx_g.kept[i].node == leaf) kept_remove_at(i); else i++;
    }
  }
  free(leaf);
}

struct vmo* family_first(const struct vmo* v) {
  struct cnode* n = v->node;
  while (n->parent != NULL) n = n->parent;
  while (n->vmo == NULL) n = n->child[0];
  return n->vmo;
}

struct vmo* family_next(const struct vmo* v) {
  struct cnode* n = v->node;
  while (n->parent != NULL && n->parent->child[1] == n) n = n->parent;
  if (n->parent == NULL) return NULL;
  n = n->parent->child[1];
  while (n->vmo == NULL) n = n->child[0];
  return n->vmo;
}

// Numbers the leaves under `root` in charge order (depth-first, child[0] first), setting every
// node's [lo, hi), and stores them in *leaves (malloc'd). Returns their count, or 0 if out of
// memory. Iterative: chains of snapshots make deep trees.
static size_t cnode_rank(struct cnode* root, struct vmo*** leaves) {
  size_t n = 0, cap = 8;
  struct vmo** out = malloc(cap * sizeof(*out));
  if (out == NULL) return 0;
  struct cnode* node = root;
  for (;;) {
    while (node->vmo == NULL) {
      node->lo = n;
      node = node->child[0];
    }
    if (n == cap) {
      struct vmo** grown = realloc(out, 2 * cap * sizeof(*out));
      if (grown == NULL) {
        free(out);
        return 0;
      }
      out = grown;
      cap *= 2;
    }
    out[n] = node->vmo;
    node->lo = n;
    node->hi = ++n;
    while (node != root && node == node->parent->child[1]) {
      node = node->parent;
      node->hi = n;
    }
    if (node == root) break;
    node = node->parent->child[1];
  }
  *leaves = out;
  return n;
}

// ---- Runs --------------------------------------------------------------------------------

// A stretch of a VMO's pages supplied by one frozen layer: layer pages [start, end).
struct run {
  struct layer* layer;
  uint64_t start;
  uint64_t end;
};

struct run_list {
  struct run* runs;
  size_t num;
  size_t cap;
  struct layer* top;
};

static zx_status_t collect_run(void* arg, uint64_t at, uint64_t n, struct layer* l,
                               uint64_t lp) {
  (void)at;
  struct run_list* r = arg;
  if (l == NULL || l == r->top) return ZX_OK;
  if (r->num == r->cap) {
    size_t cap = r->cap == 0 ? 8 : 2 * r->cap;
    struct run* grown = realloc(r->runs, cap * sizeof(*grown));
    if (grown == NULL) return ZX_ERR_NO_MEMORY;
    r->runs = grown;
    r->cap = cap;
  }
  r->runs[r->num++] = (struct run){l, lp, lp + n};
  return ZX_OK;
}

// The frozen-layer runs of non-slice `v`, in page order.
static zx_status_t vmo_runs(struct vmo* v, struct run_list* out) {
  *out = (struct run_list){.top = v->top};
  zx_status_t status = layer_walk(v->top, 0, v->size / zx_page(), 0, collect_run, out);
  if (status != ZX_OK) free(out->runs);
  return status;
}

bool window_onto(const struct vmo* v, const struct layer* target, uint64_t* start,
                 uint64_t* end) {
  const struct layer* l = v->top;
  uint64_t off = 0;                    // v page q is page q + off of l
  uint64_t lim = v->size / zx_page();  // v pages [0, lim) still reach l
  while (l != target) {
    if (l->below == NULL) return false;
    lim = l->below_limit > off ? (lim < l->below_limit - off ? lim : l->below_limit - off) : 0;
    off += l->below_off;
    l = l->below;
  }
  if (lim == 0) return false;
  *start = off;
  *end = off + lim;
  return true;
}

// ---- Kept copies -------------------------------------------------------------------------

static void kept_add(struct layer* l, struct cnode* node, uint64_t start, uint64_t end) {
  if (start >= end) return;
  if (zx_g.num_kept == zx_g.cap_kept) {
    size_t cap = zx_g.cap_kept == 0 ? 16 : 2 * zx_g.cap_kept;
    struct kept_copy* grown = realloc(zx_g.kept, cap * sizeof(*grown));
    if (grown == NULL) return;  // best effort: the charge may then merge two of zircon's copies
    zx_g.kept = grown;
    zx_g.cap_kept = cap;
  }
  zx_g.kept[zx_g.num_kept++] = (struct kept_copy){l, node, start, end};
}

void kept_copies_forget(const struct layer* l) {
  for (size_t i = 0; i < zx_g.num_kept;) {
    if (zx_g.kept[i].layer == l) kept_remove_at(i); else i++;
  }
}

void kept_copies_move(struct layer* from, struct layer* to, uint64_t off, uint64_t start,
                      uint64_t end) {
  size_t n = zx_g.num_kept;  // the ones added below need no second look
  for (size_t i = 0; i < n; i++) {
    struct kept_copy k = zx_g.kept[i];
    if (k.layer != from || k.end <= start + off || k.start >= end + off) continue;
    uint64_t s = k.start > start + off ? k.start - off : start;
    uint64_t e = k.end < end + off ? k.end - off : end;
    kept_add(to, k.node, s, e);
  }
}

// Records as kept copies at `at` the pages of every frozen layer in v's chain that v could see
// from its pages [from, to) but hides.
static void keep_hidden_pages(struct vmo* v, uint64_t from, uint64_t to, struct cnode* at) {
  struct run_list mine;
  if (vmo_runs(v, &mine) != ZX_OK) return;
  for (struct layer* l = v->top->below; l != NULL; l = l->below) {
    uint64_t ws, we;
    if (!window_onto(v, l, &ws, &we)) break;
    uint64_t lo = ws + from, hi = ws + to < we ? ws + to : we;  // v page q is l page ws + q
    uint64_t cur = lo;
    for (size_t i = 0; i < mine.num && cur < hi; i++) {
      const struct run* r = &mine.runs[i];
      if (r->layer != l || r->end <= cur || r->start >= hi) continue;
      if (r->start > cur) kept_add(l, at, cur, r->start);
      cur = r->end;
    }
    if (cur < hi) kept_add(l, at, cur, hi);
  }
  free(mine.runs);
}

void cnode_note_shrink(struct vmo* v, uint64_t from, uint64_t to) {
  if (v->node != NULL && v->node->parent != NULL) keep_hidden_pages(v, from, to, v->node);
}

void cnode_remove(struct vmo* v) {
  struct cnode* leaf = v->node;
  if (leaf == NULL) return;
  // zircon's copies along the path to the pages v forked outlive v: keep them at v's sibling.
  if (leaf->parent != NULL && v->top != NULL) {
    struct cnode* hidden = leaf->parent;
    keep_hidden_pages(v, 0, v->size / zx_page(), hidden->child[hidden->child[0] == leaf ? 1 : 0]);
  }
  v->node = NULL;
  cnode_splice_out(leaf);
}

// ---- Charging ----------------------------------------------------------------------------

// What one other VMO of the tree does with layer L's pages.
struct other {
  size_t rank;
  uint64_t win_start, win_end;  // could see [win_start, win_end) of L
  const struct run* runs;       // does see these (runs on L only are consulted)
  size_t num_runs;
};

static bool sees(const struct other* o, const struct layer* l, uint64_t page) {
  for (size_t i = 0; i < o->num_runs; i++) {
    if (o->runs[i].layer == l && o->runs[i].start <= page && page < o->runs[i].end) return true;
  }
  return false;
}

// The nodes holding kept copies of one page, and how many.
struct holders {
  const struct cnode** nodes;
  size_t num;
};

// Whether X (leaf `x`) is charged for a page with these viewers and writers (ranks) and kept
// copies. A node holding a kept copy bounds the group of the VMOs below it, and splits those
// beside it off like a writer would.
static bool charged(const struct cnode* x, const size_t* writers, size_t num_writers,
                    const size_t* viewers, size_t num_viewers, struct holders kept) {
  size_t group_lo = 0;
  for (const struct cnode* n = x;; n = n->parent) {
    bool split = false;
    for (size_t i = 0; i < kept.num && !split; i++) split = kept.nodes[i] == n;
    if (!split && n->parent != NULL) {
      const struct cnode* sib = n->parent->child[n->parent->child[0] == n ? 1 : 0];
      for (size_t i = 0; i < num_writers && !split; i++) {
        split = sib->lo <= writers[i] && writers[i] < sib->hi;
      }
      for (size_t i = 0; i < kept.num && !split; i++) {
        split = sib->lo <= kept.nodes[i]->lo && kept.nodes[i]->hi <= sib->hi;
      }
    }
    if (split) {
      group_lo = n->lo;
      break;
    }
    if (n->parent == NULL) break;
  }
  for (size_t i = 0; i < num_viewers; i++) {
    if (group_lo <= viewers[i] && viewers[i] < x->lo) return false;
  }
  return true;
}

static int cmp_u64(const void* a, const void* b) {
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x < y ? -1 : x > y;
}

// Pages of X's run `r` charged to X, given the other VMOs' views of r's layer.
static uint64_t run_charge(const struct cnode* x, const struct run* r, const struct other* others,
                           size_t num_others, uint64_t* cuts, size_t* scratch,
                           const struct cnode** holder_nodes) {
  size_t num_cuts = 0;
  cuts[num_cuts++] = r->start;
  cuts[num_cuts++] = r->end;
  for (size_t i = 0; i < zx_g.num_kept; i++) {
    const struct kept_copy* k = &zx_g.kept[i];
    if (k->layer != r->layer) continue;
    if (k->start > r->start && k->start < r->end) cuts[num_cuts++] = k->start;
    if (k->end > r->start && k->end < r->end) cuts[num_cuts++] = k->end;
  }
  for (size_t i = 0; i < num_others; i++) {
    const struct other* o = &others[i];
    if (o->win_start > r->start && o->win_start < r->end) cuts[num_cuts++] = o->win_start;
    if (o->win_end > r->start && o->win_end < r->end) cuts[num_cuts++] = o->win_end;
    for (size_t j = 0; j < o->num_runs; j++) {
      const struct run* q = &o->runs[j];
      if (q->layer != r->layer) continue;
      if (q->start > r->start && q->start < r->end) cuts[num_cuts++] = q->start;
      if (q->end > r->start && q->end < r->end) cuts[num_cuts++] = q->end;
    }
  }
  qsort(cuts, num_cuts, sizeof(*cuts), cmp_u64);
  size_t* writers = scratch;
  size_t* viewers = scratch + num_others;
  uint64_t pages = 0;
  for (size_t c = 0; c + 1 < num_cuts; c++) {
    uint64_t s = cuts[c], e = cuts[c + 1];
    if (s == e) continue;
    size_t nw = 0, nv = 0;
    for (size_t i = 0; i < num_others; i++) {
      const struct other* o = &others[i];
      if (s < o->win_start || s >= o->win_end) continue;
      if (sees(o, r->layer, s)) {
        viewers[nv++] = o->rank;
      } else {
        writers[nw++] = o->rank;
      }
    }
    struct holders kept = {holder_nodes, 0};
    for (size_t i = 0; i < zx_g.num_kept; i++) {
      const struct kept_copy* k = &zx_g.kept[i];
      if (k->layer == r->layer && k->start <= s && s < k->end) holder_nodes[kept.num++] = k->node;
    }
    if (charged(x, writers, nw, viewers, nv, kept)) pages += e - s;
  }
  return pages;
}

// How many cut points run_charge may need for `r`.
static size_t max_cuts(const struct run* r, const struct other* others, size_t num_others) {
  size_t n = 2 + 2 * zx_g.num_kept;
  for (size_t i = 0; i < num_others; i++) {
    n += 2;
    for (size_t j = 0; j < others[i].num_runs; j++) n += others[i].runs[j].layer == r->layer ? 2 : 0;
  }
  return n;
}

// Pages of frozen layers charged to non-slice `v`. On allocation failure, every frozen page v
// sees (an overestimate).
static uint64_t frozen_pages_charged(struct vmo* v, const struct run_list* mine) {
  uint64_t seen = 0;
  for (size_t i = 0; i < mine->num; i++) seen += mine->runs[i].end - mine->runs[i].start;
  struct cnode* root = v->node;
  while (root->parent != NULL) root = root->parent;
  struct vmo** leaves = NULL;
  size_t num_leaves = cnode_rank(root, &leaves);
  if (num_leaves == 0) return seen;
  struct run_list* lists = calloc(num_leaves, sizeof(*lists));
  struct other* others = calloc(num_leaves, sizeof(*others));
  size_t* scratch = calloc(2 * num_leaves, sizeof(*scratch));
  uint64_t charged_pages = 0;
  bool failed = lists == NULL || others == NULL || scratch == NULL;
  for (size_t i = 0; i < num_leaves && !failed; i++) {
    if (leaves[i] != v) failed = vmo_runs(leaves[i], &lists[i]) != ZX_OK;
  }
  for (size_t k = 0; k < mine->num && !failed; k++) {
    const struct run* r = &mine->runs[k];
    size_t num_others = 0;
    for (size_t i = 0; i < num_leaves; i++) {
      struct other o = {.rank = i, .runs = lists[i].runs, .num_runs = lists[i].num};
      if (leaves[i] == v || !window_onto(leaves[i], r->layer, &o.win_start, &o.win_end)) continue;
      if (o.win_end <= r->start || o.win_start >= r->end) continue;
      others[num_others++] = o;
    }
    uint64_t* cuts = malloc(max_cuts(r, others, num_others) * sizeof(*cuts));
    const struct cnode** holder_nodes = malloc((zx_g.num_kept + 1) * sizeof(*holder_nodes));
    if (cuts == NULL || holder_nodes == NULL) {
      free(cuts);
      free(holder_nodes);
      failed = true;
      break;
    }
    charged_pages += run_charge(v->node, r, others, num_others, cuts, scratch, holder_nodes);
    free(cuts);
    free(holder_nodes);
  }
  for (size_t i = 0; lists != NULL && i < num_leaves; i++) free(lists[i].runs);
  free(lists);
  free(others);
  free(scratch);
  free(leaves);
  return failed ? seen : charged_pages;
}

uint64_t vmo_committed_bytes(struct vmo* v) {
  if (v->top == NULL) return 0;  // a slice: its pages are its backing VMO's
  uint64_t bytes = layer_bytes(v->top);
  struct run_list mine;
  if (vmo_runs(v, &mine) != ZX_OK) return bytes;
  if (mine.num > 0) bytes += frozen_pages_charged(v, &mine) * zx_page();
  free(mine.runs);
  return bytes;
}
