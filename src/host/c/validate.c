// The invariant validator: walks every structure of the emulation and aborts naming the first
// rule it finds broken. Built in when ZIRCON4J_VALIDATE is defined (the sanitizer and
// thread-sanitizer builds of the C suite, and the fuzzer); zx_unlock then runs it before every
// release of the lock, so after every exported call and every resolved write fault. Like zircon's
// DebugValidatePageSplitsHierarchyLocked, it turns a silent corruption into a failure at the call
// that made it. The bundled library does not contain it.
//
// The rules (each abort message starts with the rule's name):
//   vmo.*      a non-slice has a mutable top layer referenced only by it and a clone-tree leaf of
//              its own; a slice has no layer and shows a non-slice; child lists and counts agree
//              with `parent`; the mapping list of a VMO holds exactly the mappings that show it.
//   layer.*    extent, marker, lent, copied and filled lists are sorted, disjoint, non-touching
//              and inside the layer; lent pages are pages of the layer, copied ones are lent;
//              only frozen layers lend, are lent to or are filled; a layer below is frozen;
//              reference counts are positive.
//   lent.*     a borrower's holder (the layer above with its memfd) owns none of the lent pages,
//              the layers between hold neither data nor markers there, and all sit at offset 0.
//   mapping.*  page-aligned, non-empty, shows a non-slice (the slice's backing for a slice), and
//              each VMO's num_mappings counts its mappings.
//   cnode.*    the clone tree's links agree both ways; hidden nodes have two children.
//   kept.*     kept copies name a live node and a non-empty range.

#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>

#include "zx_internal.h"

#ifdef ZIRCON4J_VALIDATE

static void broken(const char* rule, const char* detail, unsigned long long a,
                   unsigned long long b) {
  fprintf(stderr, "zircon4j host: invariant %s broken: %s (%llu, %llu)\n", rule, detail, a, b);
  abort();
}

#define RULE(cond, rule, detail, a, b)                                            \
  do {                                                                            \
    if (!(cond)) broken(rule, detail, (unsigned long long)(a), (unsigned long long)(b)); \
  } while (0)

// A sorted, disjoint, non-touching list of n [start, end) extents.
static void check_ranges(const char* rule, const uint64_t* ext, size_t n) {
  for (size_t i = 0; i < n; i++) {
    RULE(ext[2 * i] < ext[2 * i + 1], rule, "empty extent", ext[2 * i], ext[2 * i + 1]);
    if (i > 0) {
      RULE(ext[2 * i - 1] < ext[2 * i], rule, "extents out of order or touching",
           ext[2 * i - 1], ext[2 * i]);
    }
  }
}

// Whether [a, b) lies inside one extent of the list.
static bool ranges_cover(const uint64_t* ext, size_t n, uint64_t a, uint64_t b) {
  for (size_t i = 0; i < n; i++) {
    if (ext[2 * i] <= a && b <= ext[2 * i + 1]) return true;
  }
  return false;
}

// Whether [a, b) meets any extent of the list.
static bool ranges_meet(const uint64_t* ext, size_t n, uint64_t a, uint64_t b) {
  for (size_t i = 0; i < n; i++) {
    if (ext[2 * i] < b && a < ext[2 * i + 1]) return true;
  }
  return false;
}

static void check_layer(const struct layer* l) {
  RULE(l->refs > 0, "layer.refs", "a reachable layer has no reference", l->refs, 0);
  check_ranges("layer.extents_sorted", l->extents, l->num_extents);
  check_ranges("layer.marks_sorted", l->marks, l->num_marks);
  check_ranges("layer.lent_sorted", l->lent, l->num_lent);
  check_ranges("layer.copied_sorted", l->copied, l->num_copied);
  check_ranges("layer.filled_sorted", l->filled, l->num_filled);
  if (l->below != NULL) RULE(l->below->frozen, "layer.below_frozen", "a layer below is mutable", 0, 0);
  if (l->num_lent > 0) {
    RULE(l->frozen && l->lent_fd >= 0, "layer.lent_only_frozen",
         "a mutable layer, or one without a lending memfd, has lent pages", l->num_lent, 0);
  }
  RULE(l->num_filled == 0 || l->frozen, "layer.filled_only_frozen", "a mutable layer is filled",
       l->num_filled, 0);
  for (size_t i = 0; i < l->num_lent; i++) {
    if (l->tracked) {
      RULE(ranges_cover(l->extents, l->num_extents, l->lent[2 * i], l->lent[2 * i + 1]),
           "layer.lent_are_pages", "a lent page is not a page of the layer", l->lent[2 * i],
           l->lent[2 * i + 1]);
    }
  }
  for (size_t i = 0; i < l->num_copied; i++) {
    RULE(ranges_cover(l->lent, l->num_lent, l->copied[2 * i], l->copied[2 * i + 1]),
         "layer.copied_are_lent", "a copied page is not lent", l->copied[2 * i],
         l->copied[2 * i + 1]);
  }
}

// The lent-page rules for the chain under top layer `t` of a VMO: every borrower of t's memfd.
static void check_lent_chain(const struct layer* t) {
  if (t->fd < 0) return;
  bool offset_zero = true;
  for (const struct layer* x = t->below; x != NULL; x = x->below) {
    if (x->lent_fd == t->fd && !x->owns_lent_fd && x->num_lent > 0) {
      RULE(offset_zero, "lent.offset_zero", "a borrower sits at an offset below its holder", 0,
           0);
      for (size_t i = 0; i < x->num_lent; i++) {
        uint64_t a = x->lent[2 * i], b = x->lent[2 * i + 1];
        RULE(!ranges_meet(t->extents, t->num_extents, a, b), "lent.holder_owns_none",
             "the holder lists a lent page as its own", a, b);
        for (const struct layer* y = t->below; y != x; y = y->below) {
          RULE(!(y->tracked && ranges_meet(y->extents, y->num_extents, a, b)) &&
                   !ranges_meet(y->marks, y->num_marks, a, b),
               "lent.between_empty", "a layer between holder and borrower covers a lent page",
               a, b);
        }
      }
    }
    // Layers further down reach the holder's pages only through offset 0 links.
    const struct layer* above = t;
    while (above->below != x) above = above->below;
    if (above->below_off != 0) offset_zero = false;
  }
}

static void check_cnode_path(const struct vmo* v) {
  const struct cnode* n = v->node;
  RULE(n != NULL && n->vmo == v, "cnode.leaf", "a VMO's leaf does not name it", v->obj.koid, 0);
  for (; n->parent != NULL; n = n->parent) {
    const struct cnode* p = n->parent;
    RULE(p->vmo == NULL && p->child[0] != NULL && p->child[1] != NULL, "cnode.hidden_two_children",
         "a hidden node lacks a child or names a VMO", v->obj.koid, 0);
    RULE(p->child[0] == n || p->child[1] == n, "cnode.parent_links",
         "a node is not a child of its parent", v->obj.koid, 0);
  }
}

static void check_vmo(const struct vmo* v) {
  if (v->slice) {
    RULE(v->top == NULL && v->backing != NULL && !v->backing->slice, "vmo.slice_window",
         "a slice has layers or shows a slice", v->obj.koid, 0);
  } else {
    RULE(v->top != NULL && !v->top->frozen && v->top->refs == 1, "vmo.top_mutable",
         "a VMO's top layer is frozen or shared", v->obj.koid, v->top != NULL ? v->top->refs : 0);
    RULE(v->top->owns_lent_fd == false && v->top->num_lent == 0, "vmo.top_lends_nothing_in",
         "a top layer has borrowed pages", v->obj.koid, 0);
    check_cnode_path(v);
    for (const struct layer* l = v->top; l != NULL; l = l->below) check_layer(l);
    check_lent_chain(v->top);
  }
  size_t children = 0;
  for (const struct vmo* c = v->children; c != NULL; c = c->sibling_next) {
    RULE(c->parent == v, "vmo.children_list", "a listed child names another parent", v->obj.koid,
         c->obj.koid);
    RULE(c->sibling_next == NULL || c->sibling_next->sibling_prev == c, "vmo.children_links",
         "sibling links disagree", v->obj.koid, c->obj.koid);
    children++;
  }
  RULE(children == v->num_children, "vmo.num_children", "num_children differs from the list",
       v->num_children, children);
  if (v->parent != NULL) {
    bool listed = false;
    for (const struct vmo* c = v->parent->children; c != NULL && !listed; c = c->sibling_next) {
      listed = c == v;
    }
    RULE(listed, "vmo.children_list", "a child is missing from its parent's list", v->obj.koid,
         v->parent->obj.koid);
  }
  for (const struct mapping* m = v->maps; m != NULL; m = m->backing_next) {
    RULE(m->backing == v, "vmo.maps_list", "a listed mapping shows another VMO", v->obj.koid, 0);
    RULE(m->backing_next == NULL || m->backing_next->backing_prev == m, "vmo.maps_links",
         "mapping links disagree", v->obj.koid, 0);
  }
}

static void check_mappings(void) {
  uint64_t ps = zx_page();
  for (const struct mapping* m = zx_g.mappings; m != NULL; m = m->next) {
    RULE(m->len > 0 && m->base % ps == 0 && m->len % ps == 0 && m->off % ps == 0,
         "mapping.page_aligned", "a mapping is empty or unaligned", m->base, m->len);
    RULE(!m->backing->slice && (m->vmo->slice ? m->backing == m->vmo->backing
                                              : m->backing == m->vmo),
         "mapping.backing", "a mapping shows the wrong VMO", m->base, 0);
    bool listed = false;
    for (const struct mapping* e = m->backing->maps; e != NULL && !listed; e = e->backing_next) {
      listed = e == m;
    }
    RULE(listed, "mapping.in_backing_list", "a mapping is missing from its VMO's list", m->base,
         0);
  }
  for (const struct vmo* v = zx_g.vmos; v != NULL; v = v->all_next) {
    size_t n = 0;
    for (const struct mapping* m = zx_g.mappings; m != NULL; m = m->next) n += m->vmo == v;
    RULE(n == v->num_mappings, "mapping.count", "num_mappings differs from the mappings",
         v->num_mappings, n);
  }
}

static void check_kept(void) {
  for (size_t i = 0; i < zx_g.num_kept; i++) {
    const struct kept_copy* k = &zx_g.kept[i];
    RULE(k->start < k->end && k->node != NULL && k->layer != NULL, "kept.range",
         "a kept copy is empty or names nothing", k->start, k->end);
  }
}

// How much a full walk has to look at, estimated in one pass over the VMOs and their layers
// (list lengths, not the pairwise checks those lists get): the walk's cost grows with the
// product of these, so large states are validated on a fraction of the calls.
static size_t walk_size(void) {
  size_t n = zx_g.num_kept;
  for (const struct vmo* v = zx_g.vmos; v != NULL; v = v->all_next) {
    n += 1 + v->num_mappings;
    for (const struct layer* l = v->top; l != NULL; l = l->below) {
      n += l->num_extents + l->num_marks + l->num_lent + l->num_copied + l->num_filled;
    }
  }
  return n;
}

void zx_validate_locked(void) {
  // Large states (the scale scenarios) are validated in part: the whole walk is quadratic in
  // the number of mappings and extents, and the point is to catch corruption early, not to
  // make a scenario of a million page faults take hours. Up to 512 items every call is
  // validated; above that every (size / 512)^2-th call, so the cost per call stays about that of
  // a 512-item walk. Deterministic: the same calls are validated in every run.
  // With thousands of VMOs even the size estimate costs too much per call: every 1024th.
  static unsigned long calls;
  calls++;
  size_t vmos = 0;
  for (const struct vmo* v = zx_g.vmos; v != NULL && vmos < 4096; v = v->all_next) vmos++;
  if (vmos >= 4096) {
    if (calls % 1024 != 0) return;
  } else {
    size_t size = walk_size();
    unsigned long skip = size <= 512 ? 1 : (unsigned long)(size / 512) * (size / 512) + 1;
    if (calls % skip != 0) return;
  }
  for (const struct vmo* v = zx_g.vmos; v != NULL; v = v->all_next) check_vmo(v);
  check_mappings();
  check_kept();
}

#else

void zx_validate_locked(void) {}

#endif
