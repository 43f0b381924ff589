// The C baseline of `mvn -B -Pbench verify`: the same zircon calls as the JMH benchmarks in
// src/jmh/java, made directly through the same libzircon.so, timed with CLOCK_MONOTONIC.
//
//   baseline [-w WARMUP_ITERS] [-i ITERS] [-t ITER_MS] [-b BENCH]
//
// For each benchmark: WARMUP_ITERS iterations, then ITERS measured iterations of about ITER_MS
// each (like JMH's iterations). An iteration runs the operation in batches (sized in warmup so a
// batch lasts about 1 ms, at least one operation) until ITER_MS have passed, and yields one sample:
// nanoseconds per operation. Prints one JSON object per line:
//   {"bench":"create_close_4k","unit":"ns/op","samples":[...],"mean":..,"err":..}
// where err is the half-width of the 99.9% confidence interval of the mean (Student's t, as JMH
// reports). RunBench.java pools the samples of several runs. Also prints the footprint record:
//   {"bench":"footprint", "data_committed_delta": .., ...}

#define _GNU_SOURCE 1
#include <fcntl.h>
#include <inttypes.h>
#include <linux/userfaultfd.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/types.h>

#define MIB ((uint64_t)1 << 20)
#define SIZE_64M (64 * MIB)
#define SIZE_256M (256 * MIB)
#define SIZE_1G (1024 * MIB)
#define MAX_ITERS 200

static const uint32_t kSnapshot = ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE;
static const zx_vm_option_t kMapLazy = ZX_VM_REQUIRE_NON_RESIZABLE | ZX_VM_PERM_READ;
static zx_handle_t g_root;
static volatile uint64_t g_sink;

static void check(zx_status_t status, const char* what) {
  if (status != ZX_OK) {
    fprintf(stderr, "baseline: %s failed: %d\n", what, status);
    exit(1);
  }
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// ---- The operations ------------------------------------------------------------------------

struct ctx {
  zx_handle_t vmo;
  zx_vm_option_t map_options;
  const uint64_t* words;  // read: the mapped snapshot
  size_t nwords;
  void* buffer;  // copy: the destination
  size_t buffer_size;
  uint64_t* writer;  // snapshot_writable_mapped: the VMO's live PERM_WRITE mapping
  uint64_t next_page;  // the page the next cycle writes (cycles through the VMO)
  uint64_t pages;
};

// What ImmutableMapping.create + close do: get size, snapshot child, map it, close the child's
// handle, and (on close) unmap.
static void op_create_close(struct ctx* c) {
  uint64_t size;
  check(zx_vmo_get_size(c->vmo, &size), "zx_vmo_get_size");
  zx_handle_t child;
  check(zx_vmo_create_child(c->vmo, kSnapshot, 0, size, &child), "zx_vmo_create_child");
  zx_vaddr_t addr;
  zx_status_t status = zx_vmar_map(g_root, c->map_options, 0, child, 0, size, &addr);
  zx_handle_close(child);
  check(status, "zx_vmar_map");
  check(zx_vmar_unmap(g_root, addr, size), "zx_vmar_unmap");
}

__attribute__((noinline)) static uint64_t sum_words(const uint64_t* words, size_t n) {
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i++) sum += words[i];
  return sum;
}

static void op_read(struct ctx* c) { g_sink = sum_words(c->words, c->nwords); }

static void op_copy(struct ctx* c) {
  check(zx_vmo_read(c->vmo, c->buffer, 0, c->buffer_size), "zx_vmo_read");
}

// A writer's cycle: write one page (the next one, round robin), then what create + close do.
static void op_write_then_snapshot(struct ctx* c) {
  uint64_t page = zx_system_get_page_size();
  uint64_t word = c->next_page;
  c->next_page = (c->next_page + 1) % c->pages;
  check(zx_vmo_write(c->vmo, &word, c->next_page * page, sizeof(word)), "zx_vmo_write");
  op_create_close(c);
}

// The same cycle by a writer that stores through its PERM_WRITE mapping.
static void op_store_then_snapshot(struct ctx* c) {
  uint64_t page = zx_system_get_page_size();
  c->next_page = (c->next_page + 1) % c->pages;
  c->writer[c->next_page * page / 8] = c->next_page;
  op_create_close(c);
}

// The Linux floor for write-protecting a mapping: mprotect read-only, then read-write again.
static void op_mprotect_ro_rw(struct ctx* c) {
  if (mprotect(c->writer, c->buffer_size, PROT_READ) != 0 ||
      mprotect(c->writer, c->buffer_size, PROT_READ | PROT_WRITE) != 0) {
    perror("baseline: mprotect");
    exit(1);
  }
}

static void op_get_size(struct ctx* c) {
  uint64_t size;
  check(zx_vmo_get_size(c->vmo, &size), "zx_vmo_get_size");
  g_sink = size;
}

// ---- Timing --------------------------------------------------------------------------------

static int g_warmup = 4;
static int g_iters = 6;
static uint64_t g_iter_ns = 1000000000u;
static const char* g_only;

// Two-sided 99.9% Student t quantiles (t_{0.9995, df}) for df = 1..30; above that, ~normal.
static double t999(int df) {
  static const double table[] = {636.619, 31.599, 12.924, 8.610, 6.869, 5.959, 5.408, 5.041,
                                 4.781,   4.587,  4.437,  4.318, 4.221, 4.140, 4.073, 4.015,
                                 3.965,   3.922,  3.883,  3.850, 3.819, 3.792, 3.768, 3.745,
                                 3.725,   3.707,  3.690,  3.674, 3.659, 3.646};
  if (df < 1) return NAN;
  if (df <= 30) return table[df - 1];
  if (df <= 60) return 3.646 - (3.646 - 3.460) * (df - 30) / 30.0;
  return 3.291;
}

// Prints one benchmark's record: its samples, their mean and the 99.9% half-width.
static void print_samples(const char* name, const double* samples, int n) {
  double sum = 0;
  for (int i = 0; i < n; i++) sum += samples[i];
  double mean = sum / n;
  double var = 0;
  for (int i = 0; i < n; i++) var += (samples[i] - mean) * (samples[i] - mean);
  double err = n > 1 ? t999(n - 1) * sqrt(var / (n - 1)) / sqrt(n) : NAN;
  printf("{\"bench\":\"%s\",\"unit\":\"ns/op\",\"samples\":[", name);
  for (int i = 0; i < n; i++) printf("%s%.3f", i ? "," : "", samples[i]);
  if (isnan(err)) {
    printf("],\"mean\":%.3f,\"err\":null}\n", mean);
  } else {
    printf("],\"mean\":%.3f,\"err\":%.3f}\n", mean, err);
  }
  fflush(stdout);
}

static double run_iteration(void (*op)(struct ctx*), struct ctx* c, uint64_t batch) {
  uint64_t ops = 0;
  uint64_t start = now_ns();
  uint64_t end;
  do {
    for (uint64_t i = 0; i < batch; i++) {
      op(c);
      __asm__ volatile("" ::: "memory");
    }
    ops += batch;
    end = now_ns();
  } while (end - start < g_iter_ns);
  return (double)(end - start) / (double)ops;
}

static void bench(const char* name, void (*op)(struct ctx*), struct ctx* c) {
  if (g_only != NULL && strcmp(g_only, name) != 0) return;
  // Size a batch at about 1 ms from a first timed call.
  uint64_t t0 = now_ns();
  op(c);
  uint64_t one = now_ns() - t0;
  uint64_t batch = one >= 1000000u ? 1 : 1000000u / (one > 0 ? one : 1);
  for (int i = 0; i < g_warmup; i++) {
    double ns = run_iteration(op, c, batch);
    uint64_t b = (uint64_t)(1e6 / (ns > 0 ? ns : 1));
    batch = b > 0 ? b : 1;
  }
  double samples[MAX_ITERS];
  for (int i = 0; i < g_iters; i++) samples[i] = run_iteration(op, c, batch);
  print_samples(name, samples, g_iters);
}

// First writes to pages, one store per page: prepare() (untimed) makes `pages` pages at `base`
// ready for a first write; the stores are timed; finish() (untimed) undoes prepare. One sample
// per round: nanoseconds per page. Rounds repeat until ITER_MS have passed (at least one).
struct first_write {
  void (*prepare)(struct first_write* f);
  void (*finish)(struct first_write* f);
  zx_handle_t vmo;
  zx_handle_t child;
  int fd;
  volatile uint64_t* base;
  uint64_t pages;
  zx_vaddr_t reader;  // snapshot_mapped: the snapshot's mapping
};

static double first_write_iteration(struct first_write* f) {
  uint64_t words_per_page = zx_system_get_page_size() / 8;
  uint64_t spent = 0, pages = 0;
  uint64_t deadline = now_ns() + g_iter_ns;
  do {
    f->prepare(f);
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < f->pages; i++) f->base[i * words_per_page] = i;
    spent += now_ns() - t0;
    pages += f->pages;
    f->finish(f);
  } while (now_ns() < deadline);
  return (double)spent / (double)pages;
}

static void bench_first_write(const char* name, struct first_write* f) {
  if (g_only != NULL && strcmp(g_only, name) != 0) return;
  for (int i = 0; i < g_warmup; i++) first_write_iteration(f);
  double samples[MAX_ITERS];
  for (int i = 0; i < g_iters; i++) samples[i] = first_write_iteration(f);
  print_samples(name, samples, g_iters);
}

// After a snapshot of a VMO whose live writable mapping `base` is populated, every page's first
// store copies it on write.
static void snapshot_prepare(struct first_write* f) {
  check(zx_vmo_create_child(f->vmo, kSnapshot, 0, f->pages * zx_system_get_page_size(),
                            &f->child),
        "zx_vmo_create_child");
}

static void snapshot_finish(struct first_write* f) { zx_handle_close(f->child); }

// The same with the snapshot mapped (read-only, as ImmutableMapping maps it) while the writer
// stores: each first store also moves the reader's page to the snapshot's copy.
static void snapshot_mapped_prepare(struct first_write* f) {
  snapshot_prepare(f);
  zx_vaddr_t addr;
  check(zx_vmar_map(g_root, kMapLazy, 0, f->child, 0, f->pages * zx_system_get_page_size(), &addr),
        "zx_vmar_map");
  f->reader = addr;
}

static void snapshot_mapped_finish(struct first_write* f) {
  check(zx_vmar_unmap(g_root, f->reader, f->pages * zx_system_get_page_size()), "zx_vmar_unmap");
  snapshot_finish(f);
}

// A fresh MAP_PRIVATE mapping of a populated memfd, every page read once: every page's first
// store copies it (Linux's own copy-on-write).
static void private_prepare(struct first_write* f) {
  size_t len = (size_t)(f->pages * zx_system_get_page_size());
  void* p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, f->fd, 0);
  if (p == MAP_FAILED) {
    perror("baseline: mmap");
    exit(1);
  }
  f->base = p;
  // Read every page first (a read maps the shared page): the timed store then only copies.
  uint64_t sum = 0;
  for (uint64_t i = 0; i < f->pages; i++) sum += f->base[i * (zx_system_get_page_size() / 8)];
  g_sink = sum;
}

static void private_finish(struct first_write* f) {
  munmap((void*)f->base, (size_t)(f->pages * zx_system_get_page_size()));
}

// The floor of any copy-on-write that a user-space fault handler resolves: the first store to a
// write-protected page of a populated shared memfd mapping, resolved by a handler thread that
// only lifts the protection (no copy, no mmap). userfaultfd, write-protect mode, as uffd.c.
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif

static int g_wp_uffd = -1;

static void* wp_floor_handler(void* arg) {
  (void)arg;
  struct uffd_msg msg;
  for (;;) {
    if (read(g_wp_uffd, &msg, sizeof(msg)) != (ssize_t)sizeof(msg)) continue;
    if (msg.event != UFFD_EVENT_PAGEFAULT) continue;
    uint64_t page = zx_system_get_page_size();
    struct uffdio_writeprotect wp = {{msg.arg.pagefault.address & ~(page - 1), page}, 0};
    ioctl(g_wp_uffd, UFFDIO_WRITEPROTECT, &wp);  // lifts it and wakes the writer
  }
  return NULL;
}

static void wp_floor_prepare(struct first_write* f) {
  size_t len = (size_t)(f->pages * zx_system_get_page_size());
  struct uffdio_writeprotect wp = {{(uintptr_t)f->base, len}, UFFDIO_WRITEPROTECT_MODE_WP};
  if (ioctl(g_wp_uffd, UFFDIO_WRITEPROTECT, &wp) != 0) {
    perror("baseline: UFFDIO_WRITEPROTECT");
    exit(1);
  }
}

static void wp_floor_finish(struct first_write* f) { (void)f; }

// Sets up `f` (a populated memfd mapping of f->pages pages, registered for write protection)
// and the handler thread. False, with a line on stderr, where userfaultfd cannot do it.
static bool wp_floor_setup(struct first_write* f) {
  size_t len = (size_t)(f->pages * zx_system_get_page_size());
  g_wp_uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
  struct uffdio_api api = {.api = UFFD_API,
                           .features = UFFD_FEATURE_WP_HUGETLBFS_SHMEM |
                                       UFFD_FEATURE_WP_UNPOPULATED};
  int fd = memfd_create("baseline-wp", MFD_CLOEXEC);
  void* p = fd < 0 || ftruncate(fd, (off_t)len) != 0
                ? MAP_FAILED
                : mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (g_wp_uffd < 0 || ioctl(g_wp_uffd, UFFDIO_API, &api) != 0 || p == MAP_FAILED) {
    perror("baseline: userfaultfd write protection of a memfd mapping");
    return false;
  }
  memset(p, 7, len);
  struct uffdio_register reg = {{(uintptr_t)p, len}, UFFDIO_REGISTER_MODE_WP, 0};
  pthread_t handler;
  if (ioctl(g_wp_uffd, UFFDIO_REGISTER, &reg) != 0 ||
      pthread_create(&handler, NULL, wp_floor_handler, NULL) != 0) {
    perror("baseline: UFFDIO_REGISTER / handler thread");
    return false;
  }
  pthread_detach(handler);
  f->base = p;
  f->fd = fd;
  return true;
}

static zx_handle_t vmo_create(uint64_t size);
static zx_handle_t vmo_filled(uint64_t size);

// ---- Costs that must not grow with unrelated objects -------------------------------------

static bool wants(const char* name) { return g_only == NULL || strcmp(g_only, name) == 0; }

// `n` one-page VMOs kept alive meanwhile (the unrelated objects), closed by live_close.
static zx_handle_t* live_vmos(size_t n) {
  zx_handle_t* live = malloc(n * sizeof(*live));
  if (live == NULL) abort();
  for (size_t i = 0; i < n; i++) check(zx_vmo_create(4096, 0, &live[i]), "zx_vmo_create");
  return live;
}

static void live_close(zx_handle_t* live, size_t n) {
  for (size_t i = 0; i < n; i++) zx_handle_close(live[i]);
  free(live);
}

// One snapshot of a written one-page VMO, then its close.
static void op_snapshot_close(struct ctx* c) {
  zx_handle_t child;
  check(zx_vmo_create_child(c->vmo, kSnapshot, 0, 4096, &child), "zx_vmo_create_child");
  check(zx_handle_close(child), "zx_handle_close");
}

// Creating and closing one VMO: what closing costs (creating is O(1) either way).
static void op_vmo_create_close(struct ctx* c) {
  (void)c;
  zx_handle_t vmo;
  check(zx_vmo_create(4096, 0, &vmo), "zx_vmo_create");
  check(zx_handle_close(vmo), "zx_handle_close");
}

static void bench_with_live(const char* name, void (*op)(struct ctx*), size_t live_count) {
  if (!wants(name)) return;
  zx_handle_t* live = live_vmos(live_count);
  struct ctx c = {0};
  c.vmo = vmo_create(4096);
  uint64_t word = 1;
  check(zx_vmo_write(c.vmo, &word, 0, sizeof(word)), "zx_vmo_write");
  bench(name, op, &c);
  zx_handle_close(c.vmo);
  live_close(live, live_count);
}

// ---- Mapping after a fragmenting write history --------------------------------------------

// The alternating scenario: a written 256 MiB VMO, snapshot, every other page rewritten,
// snapshot again: the second snapshot shows pages of two layers in alternation.
static zx_handle_t fragmented_snapshot(zx_handle_t vmo, zx_handle_t* first) {
  uint64_t page = zx_system_get_page_size();
  check(zx_vmo_create_child(vmo, kSnapshot, 0, SIZE_256M, first), "zx_vmo_create_child");
  uint64_t* buf = malloc(page);
  if (buf == NULL) abort();
  for (uint64_t p = 0; p < SIZE_256M / page; p += 2) {
    memset(buf, (int)(p & 0xff), page);
    check(zx_vmo_write(vmo, buf, p * page, page), "zx_vmo_write");
  }
  free(buf);
  zx_handle_t second;
  check(zx_vmo_create_child(vmo, kSnapshot, 0, SIZE_256M, &second), "zx_vmo_create_child");
  return second;
}

static void op_map_unmap(struct ctx* c) {
  zx_vaddr_t addr;
  check(zx_vmar_map(g_root, kMapLazy, 0, c->vmo, 0, SIZE_256M, &addr), "zx_vmar_map");
  check(zx_vmar_unmap(g_root, addr, SIZE_256M), "zx_vmar_unmap");
}

// The first map of the fragmented snapshot: each round builds the history afresh (untimed).
static void bench_map_fragmented(void) {
  if (!wants("map_fragmented_256m")) return;
  double samples[MAX_ITERS];
  for (int i = -g_warmup; i < g_iters; i++) {
    zx_handle_t vmo = vmo_filled(SIZE_256M);
    zx_handle_t first;
    struct ctx c = {0};
    c.vmo = fragmented_snapshot(vmo, &first);
    uint64_t t0 = now_ns();
    op_map_unmap(&c);
    double ns = (double)(now_ns() - t0);
    if (i >= 0) samples[i] = ns;
    zx_handle_close(c.vmo);
    zx_handle_close(first);
    zx_handle_close(vmo);
  }
  print_samples("map_fragmented_256m", samples, g_iters);
}

// The floor of any consolidation: a memcpy of the 128 MiB that differ (into memory touched once
// before, as a memfd page that was copied into is).
static void op_copy_128m(struct ctx* c) { memcpy(c->buffer, c->writer, SIZE_256M / 2); }

static void bench_copy_floor(void) {
  if (!wants("copy_floor_128m")) return;
  struct ctx c = {0};
  c.buffer = malloc(SIZE_256M / 2);
  c.writer = malloc(SIZE_256M / 2);
  if (c.buffer == NULL || c.writer == NULL) abort();
  memset(c.buffer, 1, SIZE_256M / 2);
  memset(c.writer, 2, SIZE_256M / 2);
  bench("copy_floor_128m", op_copy_128m, &c);
  free(c.buffer);
  free(c.writer);
}

// Mapping the fragmented snapshot again (after a first map), and a never-rewritten one.
static void bench_remap(const char* name, bool fragmented) {
  if (!wants(name)) return;
  zx_handle_t vmo = vmo_filled(SIZE_256M);
  zx_handle_t first = ZX_HANDLE_INVALID;
  struct ctx c = {0};
  if (fragmented) {
    c.vmo = fragmented_snapshot(vmo, &first);
  } else {
    check(zx_vmo_create_child(vmo, kSnapshot, 0, SIZE_256M, &c.vmo), "zx_vmo_create_child");
  }
  op_map_unmap(&c);
  bench(name, op_map_unmap, &c);
  zx_handle_close(c.vmo);
  if (first != ZX_HANDLE_INVALID) zx_handle_close(first);
  zx_handle_close(vmo);
}

// ---- Setup ---------------------------------------------------------------------------------

static zx_handle_t vmo_create(uint64_t size) {
  zx_handle_t vmo;
  check(zx_vmo_create(size, 0, &vmo), "zx_vmo_create");
  return vmo;
}

// Every 8-byte word i holds i * 31 + 7 (as SnapshotFootprint/BenchVmos.filled writes it).
static zx_handle_t vmo_filled(uint64_t size) {
  zx_handle_t vmo = vmo_create(size);
  uint64_t* chunk = malloc(MIB);
  if (chunk == NULL) abort();
  for (uint64_t off = 0; off < size; off += MIB) {
    uint64_t n = size - off < MIB ? size - off : MIB;
    for (uint64_t i = 0; i < n / 8; i++) chunk[i] = (off / 8 + i) * 31 + 7;
    check(zx_vmo_write(vmo, chunk, off, n), "zx_vmo_write");
  }
  free(chunk);
  return vmo;
}

static uint64_t committed(zx_handle_t vmo);

// Maps all of `vmo` PERM_WRITE and stores into every page, as a writer that filled it would.
static uint64_t* map_writer(zx_handle_t vmo, uint64_t size) {
  zx_vaddr_t addr;
  check(zx_vmar_map(g_root, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, size, &addr),
        "zx_vmar_map");
  uint64_t* words = (uint64_t*)addr;
  for (uint64_t i = 0; i < size / 8; i += zx_system_get_page_size() / 8) words[i] = i * 31 + 7;
  return words;
}

// Committed pages (parent + snapshot) from taking a snapshot of a written 64 MiB VMO with a live
// writable mapping, and from 8 page stores through that mapping afterwards.
static void cow_committed(void) {
  if (g_only != NULL && strcmp(g_only, "cow_committed") != 0) return;
  uint64_t page = zx_system_get_page_size();
  zx_handle_t vmo = vmo_filled(SIZE_64M);
  uint64_t* writer = map_writer(vmo, SIZE_64M);
  uint64_t before = committed(vmo);
  zx_handle_t child;
  check(zx_vmo_create_child(vmo, kSnapshot, 0, SIZE_64M, &child), "zx_vmo_create_child");
  uint64_t at_snapshot = committed(vmo) + committed(child);
  for (uint64_t i = 0; i < 8; i++) writer[(i * 997 % (SIZE_64M / page)) * page / 8] = i;
  uint64_t after_writes = committed(vmo) + committed(child);
  printf("{\"bench\":\"cow_committed\",\"snapshot_pages\":%" PRId64
         ",\"after_8_writes_pages\":%" PRId64 "}\n",
         (int64_t)(at_snapshot - before) / (int64_t)page,
         (int64_t)(after_writes - at_snapshot) / (int64_t)page);
  fflush(stdout);
  zx_handle_close(child);
  check(zx_vmar_unmap(g_root, (zx_vaddr_t)writer, SIZE_64M), "zx_vmar_unmap");
  zx_handle_close(vmo);
}

static uint64_t committed(zx_handle_t vmo) {
  zx_info_vmo_t info;
  check(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL),
        "zx_object_get_info");
  return info.committed_bytes;
}

// Committed bytes (parent + child) and tmpfs (Shmem) growth from a lazy snapshot + map.
static void footprint_one(const char* name, zx_handle_t vmo, bool* first) {
  uint64_t size;
  check(zx_vmo_get_size(vmo, &size), "zx_vmo_get_size");
  uint64_t before = committed(vmo);
  zx_handle_t child;
  check(zx_vmo_create_child(vmo, kSnapshot, 0, size, &child), "zx_vmo_create_child");
  zx_vaddr_t addr;
  check(zx_vmar_map(g_root, kMapLazy, 0, child, 0, size, &addr), "zx_vmar_map");
  uint64_t parent_after = committed(vmo);
  uint64_t child_committed = committed(child);
  zx_handle_close(child);
  check(zx_vmar_unmap(g_root, addr, size), "zx_vmar_unmap");
  printf("%s\"%s_committed_before\":%" PRIu64 ",\"%s_committed_delta\":%" PRId64, *first ? "" : ",",
         name, before, name, (int64_t)(parent_after - before + child_committed));
  *first = false;
}

static void footprint(void) {
  if (g_only != NULL && strcmp(g_only, "footprint") != 0) return;
  zx_handle_t data = vmo_filled(SIZE_256M);
  zx_handle_t fresh = vmo_create(SIZE_256M);
  bool first = true;
  printf("{\"bench\":\"footprint\",");
  footprint_one("data_first", data, &first);
  footprint_one("data", data, &first);
  footprint_one("fresh", fresh, &first);
  printf("}\n");
  fflush(stdout);
  zx_handle_close(data);
  zx_handle_close(fresh);
}

int main(int argc, char** argv) {
  int opt;
  while ((opt = getopt(argc, argv, "w:i:t:b:")) != -1) {
    switch (opt) {
      case 'w': g_warmup = atoi(optarg); break;
      case 'i': g_iters = atoi(optarg); break;
      case 't': g_iter_ns = (uint64_t)atoll(optarg) * 1000000u; break;
      case 'b': g_only = optarg; break;
      default:
        fprintf(stderr, "usage: baseline [-w WARMUP_ITERS] [-i ITERS] [-t ITER_MS] [-b BENCH]\n");
        return 2;
    }
  }
  if (g_iters < 1 || g_iters > MAX_ITERS || g_warmup < 0) {
    fprintf(stderr, "baseline: ITERS must be 1..%d\n", MAX_ITERS);
    return 2;
  }
  g_root = zx_vmar_root_self();
  uint64_t page = zx_system_get_page_size();

  struct ctx c = {0};
  c.map_options = kMapLazy;

  c.vmo = vmo_create(page);
  bench("create_close_4k", op_create_close, &c);
  bench("get_size", op_get_size, &c);
  zx_handle_close(c.vmo);

  c.vmo = vmo_create(SIZE_1G);
  bench("create_close_1g", op_create_close, &c);
  zx_handle_close(c.vmo);

  c.vmo = vmo_filled(SIZE_256M);
  bench("create_close_256m", op_create_close, &c);
  c.map_options = kMapLazy | ZX_VM_MAP_RANGE;
  bench("map_range_256m", op_create_close, &c);
  c.map_options = kMapLazy;

  // One snapshot mapped for the whole run, as MappedData does.
  zx_handle_t child;
  check(zx_vmo_create_child(c.vmo, kSnapshot, 0, SIZE_256M, &child), "zx_vmo_create_child");
  zx_vaddr_t addr;
  check(zx_vmar_map(g_root, kMapLazy, 0, child, 0, SIZE_256M, &addr), "zx_vmar_map");
  zx_handle_close(child);
  c.words = (const uint64_t*)addr;
  c.nwords = SIZE_256M / 8;
  uint64_t expected = 0;
  for (uint64_t i = 0; i < c.nwords; i++) expected += i * 31 + 7;
  if (sum_words(c.words, c.nwords) != expected) {
    fprintf(stderr, "baseline: mapped sum differs from the data written\n");
    return 1;
  }
  bench("read_256m", op_read, &c);
  check(zx_vmar_unmap(g_root, addr, SIZE_256M), "zx_vmar_unmap");

  c.buffer_size = SIZE_256M;
  c.buffer = malloc(c.buffer_size);
  if (c.buffer == NULL) abort();
  memset(c.buffer, 1, c.buffer_size);  // committed up front, as the Java byte[] is
  bench("copy_256m", op_copy, &c);
  free(c.buffer);
  zx_handle_close(c.vmo);

  // A writer's cycles: write one page, snapshot, map, unmap; small and large VMO.
  c.vmo = vmo_filled(page);
  c.pages = 1;
  c.next_page = 0;
  bench("snapshot_after_write_4k", op_write_then_snapshot, &c);
  zx_handle_close(c.vmo);
  c.vmo = vmo_filled(SIZE_256M);
  c.pages = SIZE_256M / page;
  bench("snapshot_after_write_256m", op_write_then_snapshot, &c);
  zx_handle_close(c.vmo);

  // The same with a live writable mapping of a written 64 MiB VMO, and the Linux floor for
  // write-protecting that much mapped memory (the same populated mapping, mprotect RO then RW).
  if (g_only == NULL || strncmp(g_only, "snapshot_writable", 17) == 0 ||
      strcmp(g_only, "wp_floor_64m") == 0 || strncmp(g_only, "cow_first_write", 15) == 0) {
    c.vmo = vmo_filled(SIZE_64M);
    c.writer = map_writer(c.vmo, SIZE_64M);
    c.pages = SIZE_64M / page;
    bench("snapshot_writable_mapped_64m", op_store_then_snapshot, &c);
    c.buffer_size = SIZE_64M;
    bench("wp_floor_64m", op_mprotect_ro_rw, &c);
    struct first_write f = {snapshot_prepare, snapshot_finish, c.vmo, 0, -1,
                            (volatile uint64_t*)c.writer, 4096, 0};
    bench_first_write("cow_first_write_snapshot", &f);
    struct first_write fm = {snapshot_mapped_prepare, snapshot_mapped_finish, c.vmo, 0, -1,
                             (volatile uint64_t*)c.writer, 4096, 0};
    bench_first_write("cow_first_write_snapshot_mapped", &fm);
    check(zx_vmar_unmap(g_root, (zx_vaddr_t)c.writer, SIZE_64M), "zx_vmar_unmap");
    zx_handle_close(c.vmo);
    struct first_write p = {private_prepare, private_finish, 0, 0, -1, NULL, 4096, 0};
    p.fd = memfd_create("baseline", MFD_CLOEXEC);
    if (p.fd < 0 || ftruncate(p.fd, (off_t)(p.pages * page)) != 0) {
      perror("baseline: memfd");
      return 1;
    }
    void* fill = mmap(NULL, p.pages * page, PROT_READ | PROT_WRITE, MAP_SHARED, p.fd, 0);
    if (fill == MAP_FAILED) return 1;
    memset(fill, 7, p.pages * page);
    munmap(fill, p.pages * page);
    bench_first_write("cow_first_write_private", &p);
    close(p.fd);
    struct first_write floor = {wp_floor_prepare, wp_floor_finish, 0, 0, -1, NULL, 4096, 0};
    if ((g_only == NULL || strcmp(g_only, "cow_first_write_wp_floor") == 0) &&
        wp_floor_setup(&floor)) {
      bench_first_write("cow_first_write_wp_floor", &floor);
    }
  }
  cow_committed();

  bench_with_live("snapshot_close_1k_live", op_snapshot_close, 1000);
  bench_with_live("snapshot_close_64k_live", op_snapshot_close, 64000);
  bench_with_live("close_one_1k_live", op_vmo_create_close, 1000);
  bench_with_live("close_one_256k_live", op_vmo_create_close, 256000);
  bench_map_fragmented();
  bench_copy_floor();
  bench_remap("remap_fragmented_256m", true);
  bench_remap("remap_flat_256m", false);

  footprint();
  return 0;
}
