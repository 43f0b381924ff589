// libFuzzer harness for the zircon host emulation (src/host/c): decodes the input into a sequence
// of syscalls with arbitrary arguments and checks what the API lets it check.
//
// Build (see src/host/fuzz/replay-corpus):
//   clang-14 -fsanitize=fuzzer,address,undefined -g -O1 -D_GNU_SOURCE -DZIRCON4J_VALIDATE \
//     -I native-headers \
//     -I src/host/c src/host/fuzz/syscall_fuzzer.c src/host/c/*.c -lpthread
//
// What it feeds the emulation: live, closed (stale), forged (random 32-bit, bit-flipped) and
// ZX_HANDLE_INVALID handles, handles of the wrong type (the root VMAR where a VMO is expected and
// the reverse), huge sizes, unaligned and overflowing offsets, arbitrary option bits, SPECIFIC and
// SPECIFIC_OVERWRITE maps, overlapping and partial unmaps, short get_info buffers, NULL pointers.
//
// What it checks:
//   * names (ZX_PROP_NAME) read back as set, truncated to 31 bytes; user signals set with
//     zx_object_signal show in zx_object_wait_one / zx_object_wait_many, whose statuses and
//     `pending` signals are predicted;
//   * every status is one the syscall documents; for vmo_read/vmo_write/get_size and for bad or
//     wrong-type handles the exact status is predicted;
//   * vmo_write then vmo_read at the same place returns the bytes written; a mapping shows the
//     same bytes as vmo_read of its VMO; a new child shows its parent's bytes;
//   * writes (vmo_write, writes through mappings, op_range, set_size) never change a VMO outside
//     the writer's own family (the VMO, its slices, and AT_LEAST_ON_WRITE children, which may see
//     parent writes);
//   * ZX_VMO_ZERO_CHILDREN, num_children and num_mappings match a model of what the harness made
//     (children die when their last handle and mapping are gone; theirs move to the grandparent);
//   * a process made with zx_process_create shows a model VMO mapped into its address space as
//     zx_vmo_read does (zx_process_read_memory), lists it in ZX_INFO_PROCESS_MAPS, and takes the
//     mapping with it when closed;
//   * zx_vmar_map never returns an address overlapping another live mapping (unless
//     SPECIFIC_OVERWRITE), and NOT_FOUND from zx_vmar_unmap means no mapping was in the range;
//   * after the input, with every handle closed and every mapping unmapped, the emulation holds no
//     VMO, no mapping, no live handle and no root VMAR (a leak check LeakSanitizer cannot do, since
//     leaked objects stay reachable from the emulation's global lists).
//
// Memory safety of the harness itself: it only touches mapped memory it has recorded, with the
// permission it asked for, below the VMO's size at map time, and never through a mapping of a
// resizable VMO (a shrink makes those pages fault). VMO sizes that could succeed are capped at
// kMaxVmo; sizes that must fail (above the emulation's limit, or overflowing) are passed as is.

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "zx_internal.h"

#define kMaxVmo ((uint64_t)4 << 20)      // largest VMO size the harness lets succeed
#define kMaxIo ((uint64_t)256 << 10)     // largest read/write buffer
#define kMaxHandles 48
#define kMaxObjects 48
#define kMaxMaps 64
#define kMaxOps 256
#define kSample 16                        // bytes compared per VMO by the isolation check
// SPECIFIC maps aim here (absolute; high application memory, also under ASan), so that they
// overlap each other often.
#define kSpecificArea ((uint64_t)0x500000000000)

#define FAIL(...)                                                              \
  do {                                                                         \
    fprintf(stderr, "syscall_fuzzer: invariant broken at line %d: ", __LINE__); \
    fprintf(stderr, __VA_ARGS__);                                              \
    fprintf(stderr, "\n");                                                     \
    abort();                                                                   \
  } while (0)

#define S(x) (1ull << (unsigned)(-(x)))  // a status as a bit (all codes used are >= -63)

// ---- Input decoding ------------------------------------------------------------------------

struct input {
  const uint8_t* p;
  size_t n;
};

static uint8_t u8(struct input* in) {
  if (in->n == 0) return 0;
  in->n--;
  return *in->p++;
}

static uint32_t u32(struct input* in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v = (v << 8) | u8(in);
  return v;
}

static uint64_t u64(struct input* in) { return ((uint64_t)u32(in) << 32) | u32(in); }

// ---- Model ---------------------------------------------------------------------------------

struct obj {
  bool used;
  bool alive;
  bool vmar;
  zx_koid_t koid;
  int parent;    // model index, -1 if none
  int backing;   // slices: the non-slice object whose pages they show; else -1
  int group;     // the non-slice object whose pages this one shows (itself if not a slice)
  bool loose;    // AT_LEAST_ON_WRITE child: may see its parent's later writes
  bool slice;
  bool resizable;
  uint64_t size;  // current page-rounded size
  int handles;
  zx_signals_t user;             // user signals set by zx_object_signal
  bool name_known;               // whether `name` is what ZX_PROP_NAME must read
  char name[ZX_MAX_NAME_LEN];
};

struct hnd {
  zx_handle_t value;
  bool live;
  int obj;
  zx_rights_t rights;
};

struct map {
  uintptr_t base;
  size_t len;
  int obj;
  uint64_t off;         // VMO offset of `base`
  bool read;
  bool write;
  uintptr_t valid_end;  // touchable below this address (base if not touchable)
};

static struct obj objs[kMaxObjects];
static struct hnd hnds[kMaxHandles];
// Partial unmaps split records: each op adds at most one, hence the extra room.
static struct map maps[kMaxMaps + kMaxOps + 8];
static int num_objs, num_hnds, num_maps;
static uint64_t ps;

static int new_obj(void) {
  if (num_objs == kMaxObjects) return -1;
  int i = num_objs++;
  memset(&objs[i], 0, sizeof(objs[i]));
  objs[i].used = true;
  objs[i].alive = true;
  objs[i].parent = -1;
  objs[i].backing = -1;
  objs[i].group = i;
  return i;
}

static zx_rights_t rights_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  zx_status_t st = zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL);
  if (st != ZX_OK) FAIL("HANDLE_BASIC on a live handle 0x%x: %d", h, st);
  return info.rights;
}

static zx_koid_t koid_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  zx_status_t st = zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL);
  if (st != ZX_OK) FAIL("HANDLE_BASIC on a live handle 0x%x: %d", h, st);
  return info.koid;
}

static void maybe_die(int o);

// Records a new live handle to model object `o` (or closes it when the table is full).
static void add_handle(zx_handle_t h, int o) {
  if (num_hnds == kMaxHandles) {
    // No room to track it: close it at once.
    if (zx_handle_close(h) != ZX_OK) FAIL("close of a fresh handle failed");
    maybe_die(o);
    return;
  }
  struct hnd* e = &hnds[num_hnds++];
  e->value = h;
  e->live = true;
  e->obj = o;
  e->rights = rights_of(h);
  objs[o].handles++;
}

static bool is_live_value(zx_handle_t v) {
  for (int i = 0; i < num_hnds; i++) {
    if (hnds[i].live && hnds[i].value == v) return true;
  }
  return false;
}

static int slice_refs(int o) {
  int n = 0;
  for (int j = 0; j < num_objs; j++) {
    if (objs[j].alive && objs[j].backing == o) n++;
  }
  return n;
}

static int map_refs(int o) {
  int n = 0;
  for (int m = 0; m < num_maps; m++) {
    if (maps[m].obj == o) n++;
  }
  return n;
}

static int children_of(int o) {
  int n = 0;
  for (int j = 0; j < num_objs; j++) {
    if (objs[j].alive && !objs[j].vmar && objs[j].parent == o) n++;
  }
  return n;
}

// Destroys `o` in the model if nothing holds it any more; cascades to its slice backing.
static void maybe_die(int o) {
  if (o < 0 || !objs[o].alive) return;
  if (objs[o].handles > 0 || map_refs(o) > 0 || slice_refs(o) > 0) return;
  objs[o].alive = false;
  if (objs[o].vmar) return;
  for (int j = 0; j < num_objs; j++) {
    if (objs[j].alive && objs[j].parent == o) objs[j].parent = objs[o].parent;
  }
  maybe_die(objs[o].backing);
}

static void drop_handle(int hi) {
  hnds[hi].live = false;
  objs[hnds[hi].obj].handles--;
  maybe_die(hnds[hi].obj);
}

// Removes [lo, hi) from the mapping records, as zx_vmar_unmap does; returns whether any
// record intersected. Objects that lose their last mapping may die.
static bool remove_range(uintptr_t lo, uintptr_t hi) {
  bool found = false;
  int dead[kMaxMaps];
  int num_dead = 0;
  for (int m = 0; m < num_maps; m++) {
    struct map* r = &maps[m];
    uintptr_t end = r->base + r->len;
    uintptr_t s = lo > r->base ? lo : r->base;
    uintptr_t e = hi < end ? hi : end;
    if (s >= e) continue;
    found = true;
    if (s > r->base && e < end) {
      struct map right = *r;
      right.base = e;
      right.len = end - e;
      right.off = r->off + (e - r->base);
      if (right.valid_end < right.base) right.valid_end = right.base;
      r->len = s - r->base;
      if (r->valid_end > s) r->valid_end = s;
      maps[num_maps++] = right;
    } else if (s > r->base) {
      r->len = s - r->base;
      if (r->valid_end > s) r->valid_end = s;
    } else if (e < end) {
      r->off += e - r->base;
      r->len = end - e;
      r->base = e;
      if (r->valid_end < e) r->valid_end = e;
    } else {
      r->len = 0;  // removed below
    }
  }
  int w = 0;
  for (int m = 0; m < num_maps; m++) {
    if (maps[m].len == 0) {
      dead[num_dead++] = maps[m].obj;
    } else {
      maps[w++] = maps[m];
    }
  }
  num_maps = w;
  for (int i = 0; i < num_dead; i++) maybe_die(dead[i]);
  return found;
}

// ---- Handle selection ----------------------------------------------------------------------

enum kind { kLive, kStale, kInvalid, kForged };

struct pick {
  zx_handle_t value;
  enum kind kind;
  int hi;  // index in hnds for kLive
};

static struct pick pick_handle(struct input* in) {
  uint8_t sel = u8(in);
  struct pick p = {ZX_HANDLE_INVALID, kInvalid, -1};
  if (sel < 200 && num_hnds > 0) {
    int i = sel % num_hnds;
    p.value = hnds[i].value;
    p.kind = hnds[i].live ? kLive : kStale;
    p.hi = hnds[i].live ? i : -1;
    if (p.kind == kStale && is_live_value(p.value)) p.kind = kLive;  // a reused value: live
  } else if (sel < 215) {
    p.kind = kInvalid;
  } else {
    zx_handle_t v = sel < 235 ? u32(in) : (num_hnds > 0 ? hnds[sel % num_hnds].value : 0) ^
                                              (1u << (u8(in) % 32));
    if (v == ZX_HANDLE_INVALID || is_live_value(v)) {
      p.kind = kInvalid;
      p.value = ZX_HANDLE_INVALID;
    } else {
      p.kind = kForged;
      p.value = v;
    }
  }
  if (p.kind == kLive) {
    // Find the live entry for this value (the selected slot may be a stale copy of it).
    for (int i = 0; i < num_hnds; i++) {
      if (hnds[i].live && hnds[i].value == p.value) p.hi = i;
    }
  }
  return p;
}

static bool is_vmo(struct pick p) { return p.kind == kLive && !objs[hnds[p.hi].obj].vmar; }

// The status every handle-taking syscall returns before anything else: BAD_HANDLE for a handle
// that is not live, WRONG_TYPE for a live one of the other type. 0 (ZX_OK) if no prediction.
static zx_status_t expect_handle(struct pick p, bool want_vmar) {
  if (p.kind != kLive) return ZX_ERR_BAD_HANDLE;
  if (objs[hnds[p.hi].obj].vmar != want_vmar) return ZX_ERR_WRONG_TYPE;
  return ZX_OK;
}

static void check_status(const char* call, zx_status_t st, uint64_t allowed, zx_status_t first) {
  if (first != ZX_OK) {
    if (st != first) FAIL("%s: got %d, expected %d (bad or wrong-type handle)", call, st, first);
    return;
  }
  if (st > 0 || st < -63 || (allowed & S(st)) == 0) FAIL("%s: undocumented status %d", call, st);
}

// ---- Sizes ---------------------------------------------------------------------------------

// A size argument: small most of the time; huge values are passed only where they must fail.
static uint64_t pick_size(struct input* in) {
  uint8_t sel = u8(in);
  switch (sel % 8) {
    case 0: return 0;
    case 1: return u8(in);
    case 2: return ps * (u8(in) % 8) + (u8(in) % 2 ? u8(in) : 0);
    case 3: return ps * (u8(in) % 4);
    case 4: return ZX_HOST_MAX_VMO_SIZE + (u8(in) % 2);
    case 5: return UINT64_MAX - u8(in);
    case 6: return u64(in);
    default: return (uint64_t)u32(in) % (kMaxVmo + 1);
  }
}

static uint64_t cap_size(uint64_t size) {
  if (size > ZX_HOST_MAX_VMO_SIZE) return size;  // fails: OUT_OF_RANGE
  return size % (kMaxVmo + 1);
}

static uint64_t pick_offset(struct input* in) {
  uint8_t sel = u8(in);
  switch (sel % 6) {
    case 0: return 0;
    case 1: return ps * (u8(in) % 8);
    case 2: return ps * (u8(in) % 8) + 1 + u8(in);
    case 3: return UINT64_MAX - u8(in) * ps;
    case 4: return u64(in);
    default: return u8(in);
  }
}

static uint64_t round_up(uint64_t v) { return (v + ps - 1) / ps * ps; }

// ---- Content checks ------------------------------------------------------------------------

// A handle to object `o` with all `need` rights, or 0.
static zx_handle_t handle_for(int o, zx_rights_t need) {
  for (int i = 0; i < num_hnds; i++) {
    if (hnds[i].live && hnds[i].obj == o && (hnds[i].rights & need) == need) return hnds[i].value;
  }
  return ZX_HANDLE_INVALID;
}

struct sample {
  int hi;
  uint64_t off;
  zx_status_t st;
  uint8_t bytes[kSample];
};

static struct sample samples[2 * kMaxHandles];
static int num_samples;

// Reads kSample bytes at `off` (and at 0) of every readable VMO outside the family of `writer`.
static void take_samples(int writer, uint64_t off) {
  num_samples = 0;
  int wg = writer >= 0 ? objs[writer].group : -1;
  for (int i = 0; i < num_hnds; i++) {
    if (!hnds[i].live || objs[hnds[i].obj].vmar || (hnds[i].rights & ZX_RIGHT_READ) == 0) continue;
    int g = objs[hnds[i].obj].group;
    if (g == wg || objs[g].loose || objs[hnds[i].obj].loose) continue;
    for (int k = 0; k < 2; k++) {
      struct sample* s = &samples[num_samples++];
      s->hi = i;
      s->off = k == 0 ? 0 : (off > kMaxVmo ? 0 : off);
      s->st = zx_vmo_read(hnds[i].value, s->bytes, s->off, kSample);
    }
  }
}

static void check_samples(const char* what) {
  for (int k = 0; k < num_samples; k++) {
    struct sample* s = &samples[k];
    if (!hnds[s->hi].live) continue;
    uint8_t now[kSample];
    zx_status_t st = zx_vmo_read(hnds[s->hi].value, now, s->off, kSample);
    if (st != s->st || (st == ZX_OK && memcmp(now, s->bytes, kSample) != 0)) {
      FAIL("%s changed unrelated VMO (koid %llu) at offset %llu (status %d -> %d)", what,
           (unsigned long long)objs[hnds[s->hi].obj].koid, (unsigned long long)s->off, s->st,
           st);
    }
  }
}

// Checks ZERO_CHILDREN, num_children and num_mappings of every live VMO handle against the model.
static void check_model(void) {
  for (int i = 0; i < num_hnds; i++) {
    if (!hnds[i].live || objs[hnds[i].obj].vmar) continue;
    int o = hnds[i].obj;
    int kids = children_of(o);
    if ((hnds[i].rights & ZX_RIGHT_WAIT) != 0) {
      zx_signals_t seen = 0;
      zx_status_t st =
          zx_object_wait_one(hnds[i].value, ZX_VMO_ZERO_CHILDREN, ZX_TIME_INFINITE_PAST, &seen);
      zx_status_t want = kids == 0 ? ZX_OK : ZX_ERR_TIMED_OUT;
      if (st != want) FAIL("ZERO_CHILDREN poll: got %d, model has %d children", st, kids);
      if (((seen & ZX_VMO_ZERO_CHILDREN) != 0) != (kids == 0)) FAIL("observed disagrees");
    }
    zx_info_vmo_t info;
    zx_status_t st = zx_object_get_info(hnds[i].value, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL);
    if (st != ZX_OK) FAIL("ZX_INFO_VMO on a live VMO: %d", st);
    if (info.num_children != (size_t)kids) {
      FAIL("num_children %zu, model %d", info.num_children, kids);
    }
    if (info.num_mappings != (size_t)map_refs(o)) {
      FAIL("num_mappings %zu, model %d", info.num_mappings, map_refs(o));
    }
    if (info.koid != objs[o].koid) FAIL("koid changed");
    if (info.size_bytes != objs[o].size) {
      FAIL("size %llu, model %llu", (unsigned long long)info.size_bytes,
           (unsigned long long)objs[o].size);
    }
    if (info.handle_rights != hnds[i].rights) FAIL("handle_rights changed");
    // zircon never charges a VMO for more pages than it has, shared ones included.
    if (info.committed_bytes > info.size_bytes) {
      FAIL("committed %llu > size %llu", (unsigned long long)info.committed_bytes,
           (unsigned long long)info.size_bytes);
    }
  }
}

// ---- Operations ----------------------------------------------------------------------------

static void op_vmo_create(struct input* in) {
  uint64_t size = cap_size(pick_size(in));
  uint8_t o = u8(in);
  uint32_t options = o < 200 ? (o % 2 ? ZX_VMO_RESIZABLE : 0) : (o < 230 ? u32(in) : o % 8);
  zx_handle_t h = ZX_HANDLE_INVALID;
  zx_status_t st = zx_vmo_create(size, options, u8(in) == 255 ? NULL : &h);
  check_status("vmo_create", st,
               S(ZX_ERR_INVALID_ARGS) | S(ZX_ERR_OUT_OF_RANGE) | S(ZX_ERR_NO_MEMORY) |
                   S(ZX_ERR_NOT_SUPPORTED) | S(ZX_OK),
               ZX_OK);
  if (size > ZX_HOST_MAX_VMO_SIZE && st == ZX_OK) FAIL("vmo_create of a huge size succeeded");
  if (st != ZX_OK) return;
  int ob = new_obj();
  if (ob < 0) {
    zx_handle_close(h);
    return;
  }
  objs[ob].koid = koid_of(h);
  objs[ob].size = round_up(size);
  objs[ob].resizable = (options & ZX_VMO_RESIZABLE) != 0;
  objs[ob].name_known = true;  // empty
  add_handle(h, ob);
}

static void op_create_child(struct input* in) {
  struct pick p = pick_handle(in);
  uint8_t o = u8(in);
  static const uint32_t kTypes[] = {ZX_VMO_CHILD_SNAPSHOT, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
                                    ZX_VMO_CHILD_SLICE};
  uint32_t options = o < 220 ? kTypes[o % 3] | ((o / 3) % 2 ? ZX_VMO_CHILD_NO_WRITE : 0) |
                                   ((o / 6) % 4 == 0 ? ZX_VMO_CHILD_RESIZABLE : 0)
                             : u32(in);
  uint64_t offset = pick_offset(in);
  uint64_t size = pick_size(in);
  // Sizes that might succeed are capped; overflowing or over-limit ones must fail.
  if (size <= ZX_HOST_MAX_VMO_SIZE && offset <= UINT64_MAX - size) size %= kMaxVmo + 1;
  zx_handle_t h = ZX_HANDLE_INVALID;
  zx_status_t st = zx_vmo_create_child(p.value, options, offset, size, u8(in) == 255 ? NULL : &h);
  check_status("vmo_create_child", st,
               S(ZX_OK) | S(ZX_ERR_WRONG_TYPE) | S(ZX_ERR_ACCESS_DENIED) | S(ZX_ERR_INVALID_ARGS) |
                   S(ZX_ERR_OUT_OF_RANGE) | S(ZX_ERR_NO_MEMORY) | S(ZX_ERR_BAD_STATE) |
                   S(ZX_ERR_NOT_SUPPORTED),
               expect_handle(p, false));
  if (st != ZX_OK) return;
  if (offset % ps != 0) FAIL("create_child accepted an unaligned offset");
  int parent = hnds[p.hi].obj;
  int ob = new_obj();
  if (ob < 0) {
    zx_handle_close(h);
    return;
  }
  uint32_t type = options & (ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE |
                             ZX_VMO_CHILD_SLICE);
  objs[ob].koid = koid_of(h);
  objs[ob].parent = parent;
  objs[ob].size = round_up(size);
  objs[ob].resizable = (options & ZX_VMO_CHILD_RESIZABLE) != 0;
  objs[ob].slice = type == ZX_VMO_CHILD_SLICE;
  objs[ob].loose = type == ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE;
  if (objs[ob].slice) {
    int b = objs[parent].slice ? objs[parent].backing : parent;
    objs[ob].backing = b;
    objs[ob].group = objs[parent].group;
    if (objs[parent].resizable) FAIL("slice of a resizable VMO succeeded");
  }
  add_handle(h, ob);
  struct hnd* ch = &hnds[num_hnds - 1];
  if (ch->obj != ob) return;  // not tracked (table full)
  if ((options & ZX_VMO_CHILD_NO_WRITE) != 0 && (ch->rights & ZX_RIGHT_WRITE) != 0) {
    FAIL("NO_WRITE child has WRITE");
  }
  // A new child shows its parent's bytes at `offset` (zeros past the parent's end).
  if ((ch->rights & ZX_RIGHT_READ) != 0 && objs[ob].size > 0) {
    uint8_t a[64], b[64];
    uint64_t n = objs[ob].size < sizeof(a) ? objs[ob].size : sizeof(a);
    if (zx_vmo_read(ch->value, a, 0, n) != ZX_OK) FAIL("read of a new child failed");
    memset(b, 0, sizeof(b));
    uint64_t psize = objs[parent].size;
    if (offset < psize) {
      uint64_t m = psize - offset < n ? psize - offset : n;
      if (zx_vmo_read(p.value, b, offset, m) != ZX_OK) FAIL("read of the parent failed");
    }
    if (memcmp(a, b, n) != 0) FAIL("new child does not show its parent's bytes");
  }
}

static void op_vmo_rw(struct input* in, bool write) {
  struct pick p = pick_handle(in);
  uint64_t offset = pick_offset(in);
  uint64_t len = pick_size(in);
  uint8_t flags = u8(in);
  uint8_t fill = u8(in);
  uint64_t size = 0;
  if (is_vmo(p)) size = objs[hnds[p.hi].obj].size;
  bool must_fail = !is_vmo(p) || offset > size || len > size - offset;
  if (!must_fail) len %= kMaxIo + 1;  // lengths that may succeed get a real buffer
  bool null_buf = flags == 255;
  // The buffer is exactly `len` bytes unless the call must fail before using it.
  size_t alloc = (size_t)(len <= kMaxIo ? len : 1);
  uint8_t* buf = null_buf ? NULL : malloc(alloc ? alloc : 1);
  if (buf != NULL) memset(buf, fill, alloc);
  zx_status_t want = expect_handle(p, false);
  if (want == ZX_OK) {
    zx_rights_t r = hnds[p.hi].rights;
    if ((r & (write ? ZX_RIGHT_WRITE : ZX_RIGHT_READ)) == 0) {
      want = ZX_ERR_ACCESS_DENIED;
    } else if (len > 0 && null_buf) {
      want = ZX_ERR_INVALID_ARGS;
    } else if (offset > size || len > size - offset) {
      want = ZX_ERR_OUT_OF_RANGE;
    }
  }
  if (write && want == ZX_OK) take_samples(hnds[p.hi].obj, offset);
  zx_status_t st = write ? zx_vmo_write(p.value, buf, offset, len)
                         : zx_vmo_read(p.value, buf, offset, len);
  // NO_MEMORY is a documented outcome of a write the host cannot back; accept it.
  if (st != want && !(write && want == ZX_OK && st == ZX_ERR_NO_MEMORY)) {
    FAIL("vmo_%s(off %llu, len %llu): got %d, expected %d", write ? "write" : "read",
         (unsigned long long)offset, (unsigned long long)len, st, want);
  }
  if (write && st == ZX_OK) {
    check_samples("vmo_write");
    if (len > 0 && (hnds[p.hi].rights & ZX_RIGHT_READ) != 0) {
      uint8_t* back = malloc((size_t)len);
      if (zx_vmo_read(p.value, back, offset, len) != ZX_OK) FAIL("read after write failed");
      if (memcmp(back, buf, (size_t)len) != 0) FAIL("read after write returned other bytes");
      free(back);
    }
  }
  free(buf);
}

static void op_get_size(struct input* in) {
  struct pick p = pick_handle(in);
  bool null_out = u8(in) == 255;
  uint64_t size = 0;
  zx_status_t st = zx_vmo_get_size(p.value, null_out ? NULL : &size);
  zx_status_t want = expect_handle(p, false);
  if (want == ZX_OK && null_out) want = ZX_ERR_INVALID_ARGS;
  if (st != want) FAIL("vmo_get_size: got %d, expected %d", st, want);
  if (st == ZX_OK && size != objs[hnds[p.hi].obj].size) FAIL("get_size disagrees with model");
}

static void op_set_size(struct input* in) {
  struct pick p = pick_handle(in);
  uint64_t size = cap_size(pick_size(in));
  int o = is_vmo(p) ? hnds[p.hi].obj : -1;
  if (o >= 0) take_samples(o, size);
  zx_status_t st = zx_vmo_set_size(p.value, size);
  check_status("vmo_set_size", st,
               S(ZX_OK) | S(ZX_ERR_ACCESS_DENIED) | S(ZX_ERR_UNAVAILABLE) |
                   S(ZX_ERR_OUT_OF_RANGE) | S(ZX_ERR_NO_MEMORY) | S(ZX_ERR_BAD_STATE),
               expect_handle(p, false));
  if (o >= 0 && !objs[o].resizable && st != ZX_ERR_UNAVAILABLE && st != ZX_ERR_ACCESS_DENIED) {
    FAIL("set_size of a non-resizable VMO: %d", st);
  }
  if (st == ZX_OK) {
    if (size > ZX_HOST_MAX_VMO_SIZE) FAIL("set_size to a huge size succeeded");
    objs[o].size = round_up(size);
    check_samples("vmo_set_size");
  }
}

static void op_vmo_op_range(struct input* in) {
  struct pick p = pick_handle(in);
  uint8_t o = u8(in);
  uint32_t op = o < 240 ? o % 16 : u32(in);
  uint64_t offset = pick_offset(in);
  uint64_t size = pick_size(in);
  int ob = is_vmo(p) ? hnds[p.hi].obj : -1;
  zx_handle_t reader = ob >= 0 ? handle_for(ob, ZX_RIGHT_READ) : ZX_HANDLE_INVALID;
  uint8_t before[kSample];
  zx_status_t before_st = ZX_ERR_BAD_HANDLE;
  if (reader != ZX_HANDLE_INVALID) before_st = zx_vmo_read(reader, before, offset, kSample);
  if (ob >= 0) take_samples(ob, offset);
  zx_status_t st = zx_vmo_op_range(p.value, op, offset, size, NULL, 0);
  check_status("vmo_op_range", st,
               S(ZX_OK) | S(ZX_ERR_ACCESS_DENIED) | S(ZX_ERR_OUT_OF_RANGE) |
                   S(ZX_ERR_INVALID_ARGS) | S(ZX_ERR_NO_MEMORY) | S(ZX_ERR_NOT_SUPPORTED) |
                   S(ZX_ERR_BAD_STATE),
               expect_handle(p, false));
  if (ob < 0) return;
  check_samples("vmo_op_range");
  if (st != ZX_OK || reader == ZX_HANDLE_INVALID) return;
  if (op == ZX_VMO_OP_ZERO || op == ZX_VMO_OP_DECOMMIT) {
    // The range reads as zero afterwards (DECOMMIT takes whole pages only, and a range running
    // past the end is trimmed to it).
    uint64_t n = size < kMaxIo ? size : kMaxIo;
    uint64_t vmo_size = 0;
    if (zx_vmo_get_size(reader, &vmo_size) != ZX_OK) FAIL("get_size after op %u failed", op);
    if (n > vmo_size - offset) n = vmo_size - offset;  // op OK: offset <= size
    uint8_t* back = malloc((size_t)n + 1);
    if (zx_vmo_read(reader, back, offset, n) != ZX_OK) FAIL("read after op %u failed", op);
    for (uint64_t i = 0; i < n; i++) {
      if (back[i] != 0) FAIL("op %u left byte %llu non-zero", op, (unsigned long long)(offset + i));
    }
    free(back);
  } else if (before_st == ZX_OK) {
    // Every other op leaves the contents alone (COMMIT copies or zero-fills, showing the same).
    uint8_t after[kSample];
    if (zx_vmo_read(reader, after, offset, kSample) != ZX_OK ||
        memcmp(before, after, kSample) != 0) {
      FAIL("op %u changed the VMO's bytes at %llu", op, (unsigned long long)offset);
    }
  }
}

// An address near the harness's mappings or the SPECIFIC area, or anything.
static uintptr_t pick_addr(struct input* in) {
  uint8_t sel = u8(in);
  int64_t delta = (int64_t)(int8_t)u8(in) % 4 * (int64_t)ps;
  if (sel < 150 && num_maps > 0) {
    struct map* r = &maps[sel % num_maps];
    return r->base + (uintptr_t)delta + (sel % 3 == 0 ? r->len / 2 / ps * ps : 0);
  }
  if (sel < 220) return (uintptr_t)(kSpecificArea + (u8(in) % 32) * ps + (uint64_t)delta);
  if (sel < 230) return (uintptr_t)(kSpecificArea + 1);
  return (uintptr_t)u64(in);
}

static size_t pick_len(struct input* in) {
  uint8_t sel = u8(in);
  if (sel < 180) return (size_t)(ps * (1 + sel % 8));
  if (sel < 200) return (size_t)(ps * (sel % 4) + 1 + u8(in));
  if (sel < 210) return 0;
  if (sel < 230) return SIZE_MAX - u8(in);
  return (size_t)u64(in);
}

static void op_map(struct input* in) {
  struct pick vmar = pick_handle(in);
  struct pick vmo = pick_handle(in);
  uint8_t o = u8(in);
  static const zx_vm_option_t kPerms[] = {
      ZX_VM_PERM_READ, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, ZX_VM_PERM_WRITE,
      ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE};
  zx_vm_option_t options;
  if (o < 200) {
    uint8_t extra = u8(in);
    options = kPerms[o % 6];
    if (extra & 1) options |= ZX_VM_MAP_RANGE;
    if (extra & 2) options |= ZX_VM_REQUIRE_NON_RESIZABLE;
    if (extra & 4) options |= ZX_VM_ALLOW_FAULTS;
    if (extra & 8) options |= ZX_VM_SPECIFIC;
    if ((extra & 0x30) == 0x30) options |= ZX_VM_SPECIFIC_OVERWRITE;
    if (extra & 0x40) options |= (zx_vm_option_t)(8 + u8(in) % 28) << ZX_VM_ALIGN_BASE;
  } else {
    options = u32(in);
  }
  bool specific = (options & (ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE)) != 0;
  size_t vmar_offset = 0;
  uint8_t vo = u8(in);
  if (specific || vo > 240) {
    vmar_offset = vo < 200 ? (size_t)(kSpecificArea - ZX_HOST_ROOT_VMAR_BASE + (vo % 32) * ps)
                           : (size_t)u64(in);
  }
  uint64_t vmo_offset = pick_offset(in);
  size_t len = pick_len(in);
  uint64_t vsize = is_vmo(vmo) ? objs[hnds[vmo.hi].obj].size : 0;
  // Lengths that could succeed are capped (with ALLOW_FAULTS a map may run past the VMO's end).
  bool can_fit = (options & ZX_VM_ALLOW_FAULTS) != 0 ||
                 (vmo_offset <= vsize && round_up(len) <= vsize - vmo_offset && len > 0);
  if (len <= SIZE_MAX - ps && can_fit) len %= 2 * kMaxVmo + 1;
  bool null_out = u8(in) == 255;
  zx_vaddr_t addr = 0;
  zx_status_t first = expect_handle(vmar, true);
  if (first == ZX_OK) first = expect_handle(vmo, false);
  zx_status_t st = zx_vmar_map(vmar.value, options, vmar_offset, vmo.value, vmo_offset, len,
                               null_out ? NULL : &addr);
  check_status("vmar_map", st,
               S(ZX_OK) | S(ZX_ERR_ACCESS_DENIED) | S(ZX_ERR_INVALID_ARGS) |
                   S(ZX_ERR_OUT_OF_RANGE) | S(ZX_ERR_NOT_SUPPORTED) | S(ZX_ERR_BUFFER_TOO_SMALL) |
                   S(ZX_ERR_ALREADY_EXISTS) | S(ZX_ERR_NO_MEMORY) | S(ZX_ERR_BAD_STATE),
               first);
  if (st != ZX_OK) return;
  size_t rlen = (size_t)round_up(len);
  int ob = hnds[vmo.hi].obj;
  if (addr == 0 || addr % ps != 0) FAIL("vmar_map returned address 0x%lx", (unsigned long)addr);
  if (len == 0 || vmo_offset % ps != 0) FAIL("vmar_map accepted len 0 or an unaligned offset");
  if ((options & ZX_VM_REQUIRE_NON_RESIZABLE) != 0 && objs[ob].resizable) {
    FAIL("REQUIRE_NON_RESIZABLE map of a resizable VMO succeeded");
  }
  if (specific && addr != ZX_HOST_ROOT_VMAR_BASE + vmar_offset) FAIL("SPECIFIC ignored");
  if ((options & ZX_VM_SPECIFIC_OVERWRITE) != 0) {
    remove_range(addr, addr + rlen);
  } else {
    for (int m = 0; m < num_maps; m++) {
      if (maps[m].base < addr + rlen && addr < maps[m].base + maps[m].len) {
        FAIL("new mapping overlaps a live one");
      }
    }
  }
  if (num_maps >= kMaxMaps - 1) {  // keep room for one split; drop this mapping at once
    if (zx_vmar_unmap(vmar.value, addr, rlen) != ZX_OK) FAIL("unmap of a fresh mapping failed");
    check_model();
    return;
  }
  struct map* r = &maps[num_maps++];
  r->base = addr;
  r->len = rlen;
  r->obj = ob;
  r->off = vmo_offset;
  r->read = (options & ZX_VM_PERM_READ) != 0 ||
            ((options & ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED) != 0 &&
             (options & ZX_VM_PERM_EXECUTE) != 0);
  r->write = (options & ZX_VM_PERM_WRITE) != 0;
  r->valid_end = addr;
  if (!objs[ob].resizable && vmo_offset < objs[ob].size) {
    uint64_t valid = objs[ob].size - vmo_offset;
    r->valid_end = addr + (valid < rlen ? valid : rlen);
  }
}

static void op_unmap(struct input* in) {
  struct pick vmar = pick_handle(in);
  uintptr_t addr = pick_addr(in);
  size_t len = pick_len(in);
  zx_status_t st = zx_vmar_unmap(vmar.value, addr, len);
  check_status("vmar_unmap", st,
               S(ZX_OK) | S(ZX_ERR_INVALID_ARGS) | S(ZX_ERR_NOT_FOUND) | S(ZX_ERR_BAD_STATE) |
                   S(ZX_ERR_NO_MEMORY),
               expect_handle(vmar, true));
  if (st == ZX_OK || st == ZX_ERR_NOT_FOUND) {
    if (addr % ps != 0 || len == 0) FAIL("vmar_unmap accepted a bad range: %d", st);
    bool found = remove_range(addr, addr + (uintptr_t)round_up(len));
    if (found != (st == ZX_OK)) FAIL("vmar_unmap: status %d but found=%d", st, found);
  }
}

static void op_vmar_op_range(struct input* in) {
  struct pick vmar = pick_handle(in);
  uint8_t o = u8(in);
  uint32_t op = o < 240 ? o % 16 : u32(in);
  uintptr_t addr = pick_addr(in);
  size_t len = pick_len(in);
  zx_status_t st = zx_vmar_op_range(vmar.value, op, addr, len, NULL, 0);
  check_status("vmar_op_range", st,
               S(ZX_OK) | S(ZX_ERR_INVALID_ARGS) | S(ZX_ERR_OUT_OF_RANGE) | S(ZX_ERR_NOT_FOUND) |
                   S(ZX_ERR_ACCESS_DENIED) | S(ZX_ERR_NOT_SUPPORTED) | S(ZX_ERR_BAD_STATE) |
                   S(ZX_ERR_NO_MEMORY),
               expect_handle(vmar, true));
  if (st != ZX_OK || op != ZX_VMAR_OP_DECOMMIT) return;
  // Decommitted pages read as zero through every touchable readable mapping in the range.
  uintptr_t end = addr + (uintptr_t)round_up(len);
  for (int m = 0; m < num_maps; m++) {
    struct map* r = &maps[m];
    if (!r->read) continue;
    uintptr_t lo = addr > r->base ? addr : r->base;
    uintptr_t hi = end < r->valid_end ? end : r->valid_end;
    for (uintptr_t a = lo; a < hi; a += 64) {
      if (*(volatile uint8_t*)a != 0) FAIL("decommitted page not zero at +%lu", a - r->base);
    }
  }
}

static void op_close(struct input* in) {
  struct pick p = pick_handle(in);
  zx_status_t st = zx_handle_close(p.value);
  zx_status_t want = p.kind == kLive ? ZX_OK : p.kind == kInvalid ? ZX_OK : ZX_ERR_BAD_HANDLE;
  if (st != want) FAIL("handle_close: got %d, expected %d", st, want);
  if (p.kind == kLive) drop_handle(p.hi);
}

static zx_rights_t pick_rights(struct input* in, struct pick p) {
  uint8_t sel = u8(in);
  if (sel < 100) return ZX_RIGHT_SAME_RIGHTS;
  if (sel < 200 && p.kind == kLive) return hnds[p.hi].rights & u32(in);
  return u32(in);
}

static void op_dup_replace(struct input* in, bool replace) {
  struct pick p = pick_handle(in);
  zx_rights_t rights = pick_rights(in, p);
  bool null_out = u8(in) == 255;
  zx_handle_t h = ZX_HANDLE_INVALID;
  zx_status_t st = replace ? zx_handle_replace(p.value, rights, null_out ? NULL : &h)
                           : zx_handle_duplicate(p.value, rights, null_out ? NULL : &h);
  zx_status_t want = p.kind == kLive ? ZX_OK : ZX_ERR_BAD_HANDLE;
  if (want == ZX_OK) {
    zx_rights_t have = hnds[p.hi].rights;
    bool subset = rights == ZX_RIGHT_SAME_RIGHTS || (rights & ~have) == 0;
    if (!replace && (have & ZX_RIGHT_DUPLICATE) == 0) {
      want = ZX_ERR_ACCESS_DENIED;
    } else if (!subset || null_out) {
      want = ZX_ERR_INVALID_ARGS;
    }
  }
  if (st != want && !(want == ZX_OK && (st == ZX_ERR_NO_MEMORY || st == ZX_ERR_NO_RESOURCES))) {
    FAIL("handle_%s: got %d, expected %d", replace ? "replace" : "duplicate", st, want);
  }
  if (p.kind != kLive) return;
  int o = hnds[p.hi].obj;
  zx_rights_t old = hnds[p.hi].rights;
  if (st == ZX_OK) {
    objs[o].handles++;  // keeps the object alive across the replace
    add_handle(h, o);
    objs[o].handles--;
    zx_rights_t expected = rights == ZX_RIGHT_SAME_RIGHTS ? old : rights;
    if (hnds[num_hnds - 1].value == h && hnds[num_hnds - 1].rights != expected) {
      FAIL("new handle has rights 0x%x, expected 0x%x", hnds[num_hnds - 1].rights, expected);
    }
  }
  if (replace) {
    // The source handle is gone whatever the outcome.
    if (zx_object_get_info(p.value, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL) !=
        ZX_ERR_BAD_HANDLE) {
      FAIL("handle_replace left the source handle valid");
    }
    drop_handle(p.hi);
  }
}

static void op_wait(struct input* in) {
  struct pick p = pick_handle(in);
  zx_signals_t signals = u8(in) < 128 ? ZX_VMO_ZERO_CHILDREN : u32(in);
  uint8_t d = u8(in);
  zx_time_t deadline = d < 100   ? ZX_TIME_INFINITE_PAST
                       : d < 150 ? 0
                       : d < 200 ? -(zx_time_t)u32(in)
                                 : zx_clock_get_monotonic() - 1 - (zx_time_t)u8(in);
  bool with_observed = u8(in) < 200;
  zx_signals_t seen = 0;
  zx_status_t st = zx_object_wait_one(p.value, signals, deadline, with_observed ? &seen : NULL);
  zx_status_t want = p.kind == kLive ? ZX_OK : ZX_ERR_BAD_HANDLE;
  if (want == ZX_OK) {
    if ((hnds[p.hi].rights & ZX_RIGHT_WAIT) == 0) {
      want = ZX_ERR_ACCESS_DENIED;
    } else if (objs[hnds[p.hi].obj].vmar) {
      want = ZX_ERR_NOT_SUPPORTED;
    } else {
      zx_signals_t asserted = children_of(hnds[p.hi].obj) == 0 ? ZX_VMO_ZERO_CHILDREN : 0;
      asserted |= objs[hnds[p.hi].obj].user;
      want = (signals & asserted) != 0 ? ZX_OK : ZX_ERR_TIMED_OUT;
      if (with_observed && (st == ZX_OK || st == ZX_ERR_TIMED_OUT) && seen != asserted) {
        FAIL("wait_one observed 0x%x, model 0x%x", seen, asserted);
      }
    }
  }
  if (st != want) FAIL("wait_one: got %d, expected %d", st, want);
}

static void op_get_info(struct input* in) {
  struct pick p = pick_handle(in);
  uint8_t t = u8(in);
  uint32_t topic = t < 80 ? ZX_INFO_VMO : t < 160 ? ZX_INFO_HANDLE_BASIC
                 : t < 200 ? ZX_INFO_HANDLE_VALID : u32(in);
  uint8_t b = u8(in);
  size_t want_size = topic == ZX_INFO_VMO ? sizeof(zx_info_vmo_t) : sizeof(zx_info_handle_basic_t);
  size_t size = b < 64 ? want_size : b < 128 ? want_size - 1 - b % 8 : b < 160 ? 0 : b % 200;
  bool null_buf = b >= 250;
  uint8_t* buf = malloc(size ? size : 1);
  uint8_t flags = u8(in);
  size_t actual = 99, avail = 99;
  zx_status_t st = zx_object_get_info(p.value, topic, null_buf ? NULL : buf, size,
                                      flags & 1 ? &actual : NULL, flags & 2 ? &avail : NULL);
  check_status("get_info", st,
               S(ZX_OK) | S(ZX_ERR_WRONG_TYPE) | S(ZX_ERR_ACCESS_DENIED) |
                   S(ZX_ERR_INVALID_ARGS) | S(ZX_ERR_NO_MEMORY) | S(ZX_ERR_BUFFER_TOO_SMALL) |
                   S(ZX_ERR_NOT_SUPPORTED),
               p.kind == kLive ? ZX_OK : ZX_ERR_BAD_HANDLE);
  if (p.kind == kLive) {
    bool vmar = objs[hnds[p.hi].obj].vmar;
    if (topic == ZX_INFO_VMO && vmar && st != ZX_ERR_WRONG_TYPE) FAIL("INFO_VMO on a VMAR: %d", st);
    if ((topic == ZX_INFO_VMO && !vmar) || topic == ZX_INFO_HANDLE_BASIC) {
      if (size < want_size && st != ZX_ERR_BUFFER_TOO_SMALL) FAIL("short buffer: %d", st);
      if (st == ZX_ERR_BUFFER_TOO_SMALL && (flags & 2) && avail != 1) FAIL("avail %zu", avail);
      if (st == ZX_OK && (flags & 1) && actual != 1) FAIL("actual %zu", actual);
    }
    if (topic == ZX_INFO_HANDLE_VALID && st != ZX_OK) FAIL("HANDLE_VALID on a live handle: %d", st);
  }
  free(buf);
}

// Reads or writes through a recorded mapping, where the harness knows the memory is there.
static void op_touch(struct input* in, bool write) {
  if (num_maps == 0) return;
  struct map* r = &maps[u8(in) % num_maps];
  if (r->valid_end <= r->base || (write ? !r->write : !r->read)) return;
  size_t span = r->valid_end - r->base;
  size_t at = (size_t)u32(in) % span;
  size_t n = 1 + (size_t)u32(in) % (span - at < 4096 ? span - at : 4096);
  volatile uint8_t* p = (volatile uint8_t*)(r->base + at);
  int o = r->obj;
  uint64_t voff = r->off + at;
  zx_handle_t h = handle_for(o, ZX_RIGHT_READ);
  uint8_t* bytes = malloc(n);
  if (write) {
    uint8_t fill = u8(in);
    take_samples(o, voff);
    for (size_t i = 0; i < n; i++) p[i] = bytes[i] = (uint8_t)(fill + i);
    check_samples("a write through a mapping");
  } else {
    for (size_t i = 0; i < n; i++) bytes[i] = p[i];
  }
  if (h != ZX_HANDLE_INVALID) {
    uint8_t* via = malloc(n);
    zx_status_t st = zx_vmo_read(h, via, voff, n);
    if (st != ZX_OK) FAIL("vmo_read of mapped bytes: %d", st);
    if (memcmp(via, bytes, n) != 0) {
      FAIL("mapping at +%zu and vmo_read at %llu disagree (%s)", at, (unsigned long long)voff,
           write ? "after a write through the mapping" : "read");
    }
    free(via);
  }
  free(bytes);
}

// ZX_PROP_NAME set and get, and ZX_PROP_VMO_CONTENT_SIZE get, with their statuses predicted and
// names compared with the model (children's names are not modelled: only checked once set).
static void op_property(struct input* in) {
  struct pick p = pick_handle(in);
  uint8_t sel = u8(in);
  bool live = p.kind == kLive;
  zx_rights_t rights = live ? hnds[p.hi].rights : 0;
  bool vmar = live && objs[hnds[p.hi].obj].vmar;
  zx_status_t st, want;
  if (sel < 110) {
    char buf[48];
    size_t n = u8(in) % sizeof(buf);
    for (size_t i = 0; i < n; i++) buf[i] = (char)(u8(in) % 4 == 0 ? 0 : 'a' + u8(in) % 26);
    st = zx_object_set_property(p.value, ZX_PROP_NAME, buf, n);
    want = !live ? ZX_ERR_BAD_HANDLE
           : (rights & ZX_RIGHT_SET_PROPERTY) == 0 ? ZX_ERR_ACCESS_DENIED
           : vmar ? ZX_ERR_NOT_SUPPORTED : ZX_OK;
    if (st != want) FAIL("set ZX_PROP_NAME: got %d, expected %d", st, want);
    if (st == ZX_OK) {
      struct obj* o = &objs[hnds[p.hi].obj];
      size_t len = strnlen(buf, n < ZX_MAX_NAME_LEN - 1 ? n : ZX_MAX_NAME_LEN - 1);
      memset(o->name, 0, sizeof(o->name));
      memcpy(o->name, buf, len);
      o->name_known = true;
    }
  } else if (sel < 220) {
    char buf[48];
    size_t size = sel < 200 ? ZX_MAX_NAME_LEN : u8(in) % sizeof(buf);
    st = zx_object_get_property(p.value, ZX_PROP_NAME, buf, size);
    want = !live ? ZX_ERR_BAD_HANDLE
           : (rights & ZX_RIGHT_GET_PROPERTY) == 0 ? ZX_ERR_ACCESS_DENIED
           : size < ZX_MAX_NAME_LEN ? ZX_ERR_BUFFER_TOO_SMALL : ZX_OK;
    if (st != want) FAIL("get ZX_PROP_NAME: got %d, expected %d", st, want);
    if (st == ZX_OK && !vmar && objs[hnds[p.hi].obj].name_known &&
        memcmp(buf, objs[hnds[p.hi].obj].name, ZX_MAX_NAME_LEN) != 0) {
      FAIL("ZX_PROP_NAME reads \"%.31s\", model \"%.31s\"", buf, objs[hnds[p.hi].obj].name);
    }
  } else {
    uint64_t content = 0;
    st = zx_object_get_property(p.value, ZX_PROP_VMO_CONTENT_SIZE, &content, sizeof(content));
    want = !live ? ZX_ERR_BAD_HANDLE
           : (rights & ZX_RIGHT_GET_PROPERTY) == 0 ? ZX_ERR_ACCESS_DENIED
           : vmar ? ZX_ERR_WRONG_TYPE : ZX_OK;
    if (st != want) FAIL("get ZX_PROP_VMO_CONTENT_SIZE: got %d, expected %d", st, want);
  }
}

// zx_object_signal with user signals (or arbitrary bits), predicted and recorded in the model.
static void op_signal(struct input* in) {
  struct pick p = pick_handle(in);
  uint8_t c = u8(in), t = u8(in);
  zx_signals_t clear = c < 200 ? (zx_signals_t)u8(in) << 24 : u32(in);
  zx_signals_t set = t < 200 ? (zx_signals_t)u8(in) << 24 : u32(in);
  zx_status_t st = zx_object_signal(p.value, clear, set);
  bool live = p.kind == kLive;
  zx_status_t want = !live ? ZX_ERR_BAD_HANDLE
                     : (hnds[p.hi].rights & ZX_RIGHT_SIGNAL) == 0 ? ZX_ERR_ACCESS_DENIED
                     : objs[hnds[p.hi].obj].vmar ? ZX_ERR_NOT_SUPPORTED
                     : ((clear | set) & ~ZX_USER_SIGNAL_ALL) != 0 ? ZX_ERR_INVALID_ARGS : ZX_OK;
  if (st != want) FAIL("object_signal: got %d, expected %d", st, want);
  if (st == ZX_OK) {
    struct obj* o = &objs[hnds[p.hi].obj];
    o->user = (o->user & ~clear) | set;
  }
}

// zx_object_wait_many polling one to four picked handles: the first failing item's status, else
// OK when any item's object asserts a wanted signal (ZERO_CHILDREN or user signals), else
// TIMED_OUT, with every `pending` matching the model.
// A process made and ended within the op (nothing of it outlives the op, so the model is not
// told): a VMO of the model mapped into its address space is seen by zx_process_read_memory as
// zx_vmo_read sees it; ZX_INFO_PROCESS_MAPS lists the mapping; closing the process takes the
// mapping away (check_model then finds the VMO's mappings as the model has them).
static void op_process(struct input* in) {
  zx_handle_t job = zx_job_default();
  zx_handle_t proc = ZX_HANDLE_INVALID, vmar = ZX_HANDLE_INVALID;
  uint32_t options = u8(in) < 240 ? 0 : u32(in);
  zx_status_t st = zx_process_create(job, "fuzz", 4, options, &proc, &vmar);
  check_status("process_create", st,
               S(ZX_OK) | S(ZX_ERR_INVALID_ARGS) | S(ZX_ERR_NOT_SUPPORTED) | S(ZX_ERR_NO_MEMORY),
               ZX_OK);
  if ((st == ZX_OK) != (options == 0)) FAIL("process_create options %#x gave %d", options, st);
  if (st == ZX_OK) {
    struct pick vmo = pick_handle(in);
    uint64_t off = pick_offset(in);
    size_t len = pick_len(in);
    zx_vm_option_t perms = u8(in) % 2 ? ZX_VM_PERM_READ : ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;
    zx_vaddr_t addr = 0;
    zx_status_t map = zx_vmar_map(vmar, perms | ZX_VM_ALLOW_FAULTS, 0, vmo.value, off, len, &addr);
    check_status("vmar_map (process)", map,
                 S(ZX_OK) | S(ZX_ERR_INVALID_ARGS) | S(ZX_ERR_ACCESS_DENIED) |
                     S(ZX_ERR_OUT_OF_RANGE) | S(ZX_ERR_NOT_SUPPORTED) | S(ZX_ERR_NO_MEMORY) |
                     S(ZX_ERR_BUFFER_TOO_SMALL),
                 expect_handle(vmo, false));
    zx_info_maps_t records[4];
    size_t actual = 0, avail = 0;
    st = zx_object_get_info(proc, ZX_INFO_PROCESS_MAPS, records, sizeof(records), &actual, &avail);
    if (st != ZX_OK || avail != (map == ZX_OK ? 3u : 2u) || actual != avail) {
      FAIL("process maps: status %d, %zu of %zu records (map %d)", st, actual, avail, map);
    }
    uint8_t got[kSample], want[kSample];
    if (map == ZX_OK && off < objs[hnds[vmo.hi].obj].size && !objs[hnds[vmo.hi].obj].resizable &&
        zx_vmo_read(vmo.value, want, off, 1) == ZX_OK) {
      st = zx_process_read_memory(proc, addr, got, 1, &actual);
      if (st != ZX_OK || actual != 1 || got[0] != want[0]) {
        FAIL("process_read_memory: status %d, %zu bytes, %u vs %u", st, actual, got[0], want[0]);
      }
    }
    st = zx_process_read_memory(proc, addr + (uintptr_t)round_up(len) * (map == ZX_OK), got, 1,
                                &actual);
    check_status("process_read_memory", st, S(ZX_OK) | S(ZX_ERR_NO_MEMORY), ZX_OK);
    if (zx_handle_close(proc) != ZX_OK || zx_handle_close(vmar) != ZX_OK) FAIL("process close");
  }
  zx_handle_close(job);  // the runtime's handle: the accessor makes a new one when asked
}

static void op_wait_many(struct input* in) {
  zx_wait_item_t items[4];
  struct pick picks[4];
  size_t n = u8(in) % 5;
  for (size_t i = 0; i < n; i++) {
    picks[i] = pick_handle(in);
    items[i].handle = picks[i].value;
    items[i].waitfor = u8(in) < 128 ? ZX_VMO_ZERO_CHILDREN : u32(in);
    items[i].pending = 0;
  }
  zx_status_t st = zx_object_wait_many(items, n, ZX_TIME_INFINITE_PAST);
  zx_status_t want = ZX_ERR_TIMED_OUT;
  zx_signals_t asserted[4] = {0};
  for (size_t i = 0; i < n && (want == ZX_ERR_TIMED_OUT || want == ZX_OK); i++) {
    if (picks[i].kind != kLive) {
      want = ZX_ERR_BAD_HANDLE;
    } else if ((hnds[picks[i].hi].rights & ZX_RIGHT_WAIT) == 0) {
      want = ZX_ERR_ACCESS_DENIED;
    } else if (objs[hnds[picks[i].hi].obj].vmar) {
      want = ZX_ERR_NOT_SUPPORTED;
    } else {
      int o = hnds[picks[i].hi].obj;
      asserted[i] = (children_of(o) == 0 ? ZX_VMO_ZERO_CHILDREN : 0) | objs[o].user;
      if ((asserted[i] & items[i].waitfor) != 0) want = ZX_OK;
    }
  }
  if (st != want) FAIL("wait_many: got %d, expected %d", st, want);
  if (n > 0 && (st == ZX_OK || st == ZX_ERR_TIMED_OUT)) {
    for (size_t i = 0; i < n; i++) {
      if (items[i].pending != asserted[i]) {
        FAIL("wait_many item %zu pending 0x%x, model 0x%x", i, items[i].pending, asserted[i]);
      }
    }
  }
}

// ---- Entry point ---------------------------------------------------------------------------

static void reset_model(void) {
  num_objs = num_hnds = num_maps = 0;
  int root = new_obj();
  objs[root].vmar = true;
  zx_handle_t h = zx_vmar_root_self();
  if (h == ZX_HANDLE_INVALID) FAIL("no root VMAR");
  objs[root].koid = koid_of(h);
  add_handle(h, root);
}

static void cleanup(void) {
  // Unmap every mapping through a fresh root handle (the input may have closed or replaced it).
  zx_handle_t root = zx_vmar_root_self();
  bool root_known = is_live_value(root);
  while (num_maps > 0) {
    struct map r = maps[num_maps - 1];
    zx_status_t st = zx_vmar_unmap(root, r.base, r.len);
    if (st != ZX_OK) FAIL("cleanup unmap: %d", st);
    if (!remove_range(r.base, r.base + r.len)) FAIL("cleanup: record vanished");
  }
  if (!root_known) zx_handle_close(root);
  for (int i = 0; i < num_hnds; i++) {
    if (!hnds[i].live) continue;
    if (zx_handle_close(hnds[i].value) != ZX_OK) FAIL("cleanup close failed");
    drop_handle(i);
  }
  // Nothing may remain in the emulation.
  if (zx_g.vmos != NULL) FAIL("a VMO outlived every handle and mapping (koid %llu)",
                              (unsigned long long)zx_g.vmos->obj.koid);
  if (zx_g.mappings != NULL) FAIL("a mapping outlived cleanup");
  if (zx_g.root != NULL) FAIL("the root VMAR outlived its handles");
  for (uint32_t i = 0; i < zx_g.num_handles; i++) {
    if (zx_g.handles[i].obj != NULL) FAIL("handle slot %u still live", i);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  struct input in = {data, size};
  ps = zx_system_get_page_size();
  reset_model();
  for (int step = 0; step < kMaxOps && in.n > 0; step++) {
    uint8_t op = u8(&in);
    switch (op % 20) {
      case 0: case 1: op_vmo_create(&in); break;
      case 2: case 3: op_create_child(&in); break;
      case 4: op_vmo_rw(&in, false); break;
      case 5: op_vmo_rw(&in, true); break;
      case 6: op_get_size(&in); break;
      case 7: op_set_size(&in); break;
      case 8: op_vmo_op_range(&in); break;
      case 9: case 10: op_map(&in); break;
      case 11: op_unmap(&in); break;
      case 12: op_vmar_op_range(&in); break;
      case 13: op_close(&in); break;
      case 14: op_dup_replace(&in, u8(&in) % 2 == 0); break;
      case 15: op_wait(&in); break;
      case 16: op_get_info(&in); break;
      case 17: op_touch(&in, false); break;
      case 18: op_touch(&in, true); break;
      default: {
        // Some of the otherwise idle selector values run the property, signal and wait_many ops.
        uint8_t extra = (uint8_t)(op / 20);
        if (extra == 8 || extra == 9) {
          op_property(&in);
        } else if (extra == 10) {
          op_signal(&in);
        } else if (extra == 11) {
          op_wait_many(&in);
        } else if (extra == 7) {
          op_process(&in);
        } else {
          check_model();
        }
        break;
      }
    }
  }
  check_model();
  cleanup();
  return 0;
}
