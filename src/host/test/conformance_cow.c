// Conformance suite, part 3: snapshots of VMOs that are being written through PERM_WRITE
// mappings (lazy copy-on-write, or the eager copy where the library chose it: see
// zircon4j_host_cow_mode): what the snapshot shows, what is committed, and writers racing
// snapshots, faulting together, writing through the kernel and across fork.

#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "harness.h"

static const uint32_t kSnapshot = ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE;
static const zx_vm_option_t kReadWrite = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;

static uint64_t word_at(zx_handle_t vmo, uint64_t index) {
  uint64_t w = 0xdeadbeef;
  CHECK_EQ(zx_vmo_read(vmo, &w, index * 8, 8), ZX_OK);
  return w;
}

static zx_handle_t snapshot(zx_handle_t vmo, uint64_t size) {
  zx_handle_t child = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(vmo, kSnapshot, 0, size, &child), ZX_OK);
  return child;
}

// A VMO of `pages` pages whose word 0 of page i holds i + 1, written through `*writer`, a live
// PERM_WRITE mapping of all of it.
static zx_handle_t written_vmo(uint64_t pages, uint64_t** writer) {
  zx_handle_t vmo = make_vmo(pages * ps(), 0);
  *writer = map_words(kReadWrite, vmo, pages * ps());
  for (uint64_t i = 0; i < pages; i++) (*writer)[i * ps() / 8] = i + 1;
  return vmo;
}

// Whether snapshots of writably mapped VMOs are lazy here, as the library says.
static bool lazy_copy_on_write(void) { return cow_write_protect(); }

// ---- What a snapshot shows and commits -----------------------------------------------------

SCENARIO(stores_through_a_writable_mapping_after_a_snapshot_stay_out_of_it) {
  const uint64_t pages = 64;
  uint64_t* w;
  zx_handle_t vmo = written_vmo(pages, &w);
  uint64_t* reader = map_words(ZX_VM_PERM_READ, vmo, pages * ps());
  uint64_t before = vmo_info(vmo).committed_bytes;
  zx_handle_t child = snapshot(vmo, pages * ps());
  uint64_t* child_view = map_words(ZX_VM_PERM_READ, child, pages * ps());
  uint64_t at_snapshot = vmo_info(vmo).committed_bytes + vmo_info(child).committed_bytes;
  bool lazy = lazy_copy_on_write();
  printf("writable-mapped snapshot: %s copy-on-write (%llu pages committed by the snapshot)\n",
         zircon4j_host_cow_mode(), (unsigned long long)((at_snapshot - before) / ps()));
  // Lazy commits nothing at the snapshot; the eager copy commits the mapped pages.
  CHECK_EQ(at_snapshot - before, lazy ? 0 : pages * ps());
  for (uint64_t i = 0; i < 8; i++) w[(i * 7) * ps() / 8] = 1000 + i;  // 8 pages, 7 apart
  uint64_t after = vmo_info(vmo).committed_bytes + vmo_info(child).committed_bytes;
  if (lazy) CHECK_EQ(after - at_snapshot, 8 * ps());  // exactly the pages stored to
  for (uint64_t i = 0; i < pages; i++) {
    bool stored = i % 7 == 0 && i / 7 < 8;
    uint64_t now = stored ? 1000 + i / 7 : i + 1;
    CHECK_EQ(child_view[i * ps() / 8], i + 1);  // the snapshot keeps what was there
    CHECK_EQ(word_at(child, i * ps() / 8), i + 1);
    CHECK_EQ(reader[i * ps() / 8], now);  // the VMO's other mappings show the stores
    CHECK_EQ(word_at(vmo, i * ps() / 8), now);
  }
  unmap_words(child_view, pages * ps());
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  // With the snapshot gone the layers merge; the writer keeps working on the same pages.
  w[3 * ps() / 8] = 77;
  CHECK_EQ(word_at(vmo, 3 * ps() / 8), 77);
  CHECK_EQ(reader[3 * ps() / 8], 77);
  CHECK_EQ(vmo_info(vmo).committed_bytes, pages * ps());
  unmap_words(reader, pages * ps());
  unmap_words(w, pages * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

SCENARIO(never_written_pages_of_a_writably_mapped_snapshot_read_zero_on_both_sides) {
  const uint64_t pages = 16;
  zx_handle_t vmo = make_vmo(pages * ps(), 0);
  uint64_t* w = map_words(kReadWrite, vmo, pages * ps());
  w[0] = 5;  // page 0 written, the rest holes
  zx_handle_t child = snapshot(vmo, pages * ps());
  w[2 * ps() / 8] = 9;  // a hole stored to after the snapshot
  w[0] = 6;
  CHECK_EQ(word_at(child, 0), 5);
  CHECK_EQ(word_at(child, 2 * ps() / 8), 0);
  CHECK_EQ(word_at(vmo, 0), 6);
  CHECK_EQ(word_at(vmo, 2 * ps() / 8), 9);
  CHECK_EQ(w[5 * ps() / 8], 0);
  CHECK_EQ(word_at(child, 5 * ps() / 8), 0);
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  unmap_words(w, pages * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

SCENARIO(snapshots_of_snapshots_under_a_writer_each_keep_their_moment) {
  const uint64_t pages = 8;
  uint64_t* w;
  zx_handle_t vmo = written_vmo(pages, &w);
  zx_handle_t snaps[4];
  for (uint64_t s = 0; s < 4; s++) {
    snaps[s] = snapshot(vmo, pages * ps());
    for (uint64_t i = 0; i < pages; i++) w[i * ps() / 8] = (s + 1) * 100 + i;
  }
  for (uint64_t s = 0; s < 4; s++) {
    for (uint64_t i = 0; i < pages; i++) {
      CHECK_EQ(word_at(snaps[s], i * ps() / 8), s == 0 ? i + 1 : s * 100 + i);
    }
  }
  CHECK_EQ(zx_handle_close(snaps[1]), ZX_OK);
  CHECK_EQ(zx_handle_close(snaps[0]), ZX_OK);
  w[0] = 1;
  CHECK_EQ(word_at(snaps[2], 0), 200);
  CHECK_EQ(word_at(snaps[3], 0), 300);
  CHECK_EQ(word_at(vmo, 0), 1);
  CHECK_EQ(zx_handle_close(snaps[3]), ZX_OK);
  CHECK_EQ(zx_handle_close(snaps[2]), ZX_OK);
  unmap_words(w, pages * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

// ---- Kernel-mode and library writes into protected pages -----------------------------------

SCENARIO(library_writes_into_a_protected_page_land_in_the_vmo_not_the_snapshot) {
  const uint64_t pages = 4;
  uint64_t* w;
  zx_handle_t vmo = written_vmo(pages, &w);
  zx_handle_t source = make_vmo(ps(), 0);
  uint64_t fill = 0x5151;
  CHECK_EQ(zx_vmo_write(source, &fill, 0, 8), ZX_OK);
  zx_handle_t child = snapshot(vmo, pages * ps());
  // zx_vmo_read's copy-out and out parameters written by the library, inside protected pages:
  // they hold the library's lock while they write (no deadlock with the fault handler).
  CHECK_EQ(zx_vmo_read(source, &w[ps() / 8], 0, 8), ZX_OK);
  uint64_t* size_out = &w[2 * ps() / 8];
  CHECK_EQ(zx_vmo_get_size(vmo, size_out), ZX_OK);
  zx_handle_t* handle_out = (zx_handle_t*)&w[3 * ps() / 8];
  CHECK_EQ(zx_handle_duplicate(source, ZX_RIGHT_SAME_RIGHTS, handle_out), ZX_OK);
  CHECK_EQ(zx_handle_close(*handle_out), ZX_OK);
  CHECK_EQ(word_at(vmo, ps() / 8), 0x5151);
  CHECK_EQ(word_at(vmo, 2 * ps() / 8), pages * ps());
  CHECK_EQ(word_at(child, ps() / 8), 2);
  CHECK_EQ(word_at(child, 2 * ps() / 8), 3);
  CHECK_EQ(word_at(child, 3 * ps() / 8), 4);
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  CHECK_EQ(zx_handle_close(source), ZX_OK);
  unmap_words(w, pages * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

// Whatever mode the library chose: zircon resolves kernel stores like user ones.
SCENARIO(read_syscall_into_a_writable_mapping_after_a_snapshot_lands_in_the_vmo) {
  uint64_t* w;
  zx_handle_t vmo = written_vmo(2, &w);
  zx_handle_t child = snapshot(vmo, 2 * ps());
  int fds[2];
  CHECK_EQ(pipe(fds), 0);
  uint64_t value = 0x7777;
  CHECK_EQ(write(fds[1], &value, 8), 8);
  ssize_t got = read(fds[0], &w[ps() / 8], 8);  // the kernel stores into the (protected) page
  CHECK_EQ(got, 8);
  CHECK_EQ(word_at(vmo, ps() / 8), 0x7777);
  CHECK_EQ(word_at(child, ps() / 8), 2);
  close(fds[0]);
  close(fds[1]);
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  unmap_words(w, 2 * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

// ---- Fork ----------------------------------------------------------------------------------

SCENARIO(a_forked_child_storing_through_the_mapping_leaves_the_snapshot_alone) {
  const uint64_t pages = 4;
  uint64_t* w;
  zx_handle_t vmo = written_vmo(pages, &w);
  zx_handle_t child = snapshot(vmo, pages * ps());
  pid_t pid = fork();
  if (pid == 0) {
    // The child: stores through the inherited mapping; its own snapshot and ours are intact.
    w[0] = 4242;
    uint64_t seen = 0;
    int code = zx_vmo_read(child, &seen, 0, 8) == ZX_OK && seen == 1 ? 0 : 1;
    zx_handle_t again;
    if (code == 0 && zx_vmo_create_child(vmo, kSnapshot, 0, pages * ps(), &again) != ZX_OK) code = 2;
    w[ps() / 8] = 4343;
    if (code == 0 && (zx_vmo_read(again, &seen, 0, 8) != ZX_OK || seen != 4242)) code = 3;
    if (code == 0 && (zx_vmo_read(again, &seen, ps(), 8) != ZX_OK || seen != 2)) code = 4;
    _exit(code);
  }
  CHECK(pid > 0);
  int status = -1;
  CHECK_EQ(waitpid(pid, &status, 0), pid);
  CHECK(WIFEXITED(status));
  CHECK_EQ(WEXITSTATUS(status), 0);
  CHECK_EQ(word_at(child, 0), 1);  // the parent's snapshot never saw the child's stores
  CHECK_EQ(word_at(child, ps() / 8), 2);
  w[2 * ps() / 8] = 99;  // the parent keeps writing lazily after the fork
  CHECK_EQ(word_at(vmo, 2 * ps() / 8), 99);
  CHECK_EQ(word_at(child, 2 * ps() / 8), 3);
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  unmap_words(w, pages * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

// ---- Threads -------------------------------------------------------------------------------

#define RACE_THREADS 4
#define RACE_PAGES 8  // per thread
#define RACE_SNAPSHOTS 40

struct race {
  uint64_t* w;
  atomic_bool stop;
  atomic_uint_fast64_t rounds[RACE_THREADS];
};

// Thread t stores round r into word 0 of each of its pages in order, for r = 1, 2, ...: a
// snapshot taken at any moment shows, for each thread, r on a prefix of its pages and r - 1 on
// the rest.
struct racer {
  struct race* race;
  int t;
};

static void* race_writer(void* arg) {
  struct racer* me = arg;
  uint64_t* base = me->race->w + (uint64_t)me->t * RACE_PAGES * ps() / 8;
  for (uint64_t r = 1; !atomic_load(&me->race->stop); r++) {
    for (uint64_t i = 0; i < RACE_PAGES; i++) {
      __atomic_store_n(&base[i * ps() / 8], r, __ATOMIC_RELEASE);
    }
    atomic_store(&me->race->rounds[me->t], r);
  }
  return NULL;
}

// With the eager fallback a store racing a snapshot may land in the snapshot only (it is copied
// while writers still store into the page); there only "a snapshot never changes" is checked.
SCENARIO(writers_racing_snapshots_through_a_mapping_see_consistent_cuts) {
  const uint64_t pages = RACE_THREADS * RACE_PAGES;
  bool lazy = lazy_copy_on_write();
  zx_handle_t vmo = make_vmo(pages * ps(), 0);
  struct race race = {.w = map_words(kReadWrite, vmo, pages * ps())};
  struct racer racers[RACE_THREADS];
  pthread_t threads[RACE_THREADS];
  for (int t = 0; t < RACE_THREADS; t++) {
    racers[t] = (struct racer){&race, t};
    CHECK_EQ(pthread_create(&threads[t], NULL, race_writer, &racers[t]), 0);
  }
  int bad_cuts = 0, changed = 0;
  zx_handle_t snaps[RACE_SNAPSHOTS];
  uint64_t first[RACE_SNAPSHOTS][RACE_THREADS * RACE_PAGES];
  for (int s = 0; s < RACE_SNAPSHOTS; s++) {
    snaps[s] = snapshot(vmo, pages * ps());
    for (uint64_t p = 0; p < pages; p++) first[s][p] = word_at(snaps[s], p * ps() / 8);
    for (int t = 0; t < RACE_THREADS; t++) {
      const uint64_t* v = &first[s][t * RACE_PAGES];
      for (int i = 1; i < RACE_PAGES; i++) {
        if (v[i] > v[i - 1]) bad_cuts++;  // a later page ahead of an earlier one
      }
      if (v[0] > v[RACE_PAGES - 1] + 1) bad_cuts++;  // more than the one round in flight
    }
    if (s % 8 == 7) {  // drop some, so layers merge under the writers too
      for (int k = s - 7; k < s - 3; k++) {
        for (uint64_t p = 0; p < pages; p++) {
          if (word_at(snaps[k], p * ps() / 8) != first[k][p]) changed++;
        }
        CHECK_EQ(zx_handle_close(snaps[k]), ZX_OK);
        snaps[k] = ZX_HANDLE_INVALID;
      }
    }
  }
  atomic_store(&race.stop, true);
  for (int t = 0; t < RACE_THREADS; t++) CHECK_EQ(pthread_join(threads[t], NULL), 0);
  if (lazy) CHECK_EQ(bad_cuts, 0);
  for (int s = 0; s < RACE_SNAPSHOTS; s++) {
    if (snaps[s] == ZX_HANDLE_INVALID) continue;
    for (uint64_t p = 0; p < pages; p++) {
      if (word_at(snaps[s], p * ps() / 8) != first[s][p]) changed++;
    }
    CHECK_EQ(zx_handle_close(snaps[s]), ZX_OK);
  }
  CHECK_EQ(changed, 0);  // a snapshot never changes after it is taken
  for (int t = 0; t < RACE_THREADS && lazy; t++) {
    uint64_t last = atomic_load(&race.rounds[t]);
    for (int i = 0; i < RACE_PAGES; i++) {
      CHECK_EQ(word_at(vmo, ((uint64_t)t * RACE_PAGES + i) * ps() / 8), last);
    }
  }
  unmap_words(race.w, pages * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

#define SAME_PAGE_THREADS 8
#define SAME_PAGE_PAGES 16

struct same_page {
  uint64_t* w;
  int t;
  pthread_barrier_t* start;
};

// Every thread stores its own word of every page: all first stores to each page race.
static void* same_page_writer(void* arg) {
  struct same_page* me = arg;
  pthread_barrier_wait(me->start);
  for (uint64_t i = 0; i < SAME_PAGE_PAGES; i++) me->w[i * ps() / 8 + (uint64_t)me->t] = 100 + me->t;
  return NULL;
}

SCENARIO(many_threads_faulting_the_same_pages_at_once_lose_no_store) {
  uint64_t* w;
  zx_handle_t vmo = written_vmo(SAME_PAGE_PAGES, &w);
  zx_handle_t child = snapshot(vmo, SAME_PAGE_PAGES * ps());
  pthread_barrier_t start;
  CHECK_EQ(pthread_barrier_init(&start, NULL, SAME_PAGE_THREADS), 0);
  struct same_page args[SAME_PAGE_THREADS];
  pthread_t threads[SAME_PAGE_THREADS];
  for (int t = 0; t < SAME_PAGE_THREADS; t++) {
    args[t] = (struct same_page){w, t + 1, &start};  // word 0 keeps i + 1
    CHECK_EQ(pthread_create(&threads[t], NULL, same_page_writer, &args[t]), 0);
  }
  // No call into the library while the writers fault: the handler works on its own.
  for (int t = 0; t < SAME_PAGE_THREADS; t++) CHECK_EQ(pthread_join(threads[t], NULL), 0);
  pthread_barrier_destroy(&start);
  int lost = 0, leaked = 0;
  for (uint64_t i = 0; i < SAME_PAGE_PAGES; i++) {
    for (uint64_t t = 1; t <= SAME_PAGE_THREADS; t++) {
      if (word_at(vmo, i * ps() / 8 + t) != 100 + t) lost++;
      if (word_at(child, i * ps() / 8 + t) != 0) leaked++;
    }
    CHECK_EQ(word_at(child, i * ps() / 8), i + 1);
  }
  CHECK_EQ(lost, 0);
  CHECK_EQ(leaked, 0);
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  unmap_words(w, SAME_PAGE_PAGES * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

struct closer {
  uint64_t* w;
  uint64_t pages;
  atomic_bool stop;
  atomic_uint_fast64_t stores;
};

static void* store_until_stopped(void* arg) {
  struct closer* c = arg;
  for (uint64_t r = 1; !atomic_load(&c->stop); r++) {
    c->w[(r % c->pages) * ps() / 8] = r;
    atomic_fetch_add(&c->stores, 1);
  }
  return NULL;
}

SCENARIO(unmapping_other_mappings_and_closing_handles_while_stores_fault) {
  const uint64_t pages = 32;
  uint64_t* w;
  zx_handle_t vmo = written_vmo(pages, &w);
  struct closer c = {.w = w, .pages = pages};
  pthread_t writer;
  CHECK_EQ(pthread_create(&writer, NULL, store_until_stopped, &c), 0);
  int wrong = 0;
  for (int round = 0; round < 30; round++) {
    uint64_t* other = map_words(kReadWrite, vmo, pages * ps());
    zx_handle_t child = snapshot(vmo, pages * ps());
    uint64_t* child_view = map_words(ZX_VM_PERM_READ, child, pages * ps());
    uint64_t seen = child_view[5 * ps() / 8];
    other[5 * ps() / 8] = 0xabc;  // a store through the second writable mapping
    unmap_words(other, pages * ps());  // unmapped while the first writer is faulting
    if (child_view[5 * ps() / 8] != seen || word_at(child, 5 * ps() / 8) != seen) wrong++;
    CHECK_EQ(zx_handle_close(child), ZX_OK);  // the mapping keeps the snapshot alive
    if (child_view[5 * ps() / 8] != seen) wrong++;
    unmap_words(child_view, pages * ps());
  }
  // The VMO's handle goes away while the writer still stores: its mapping keeps the VMO.
  zx_handle_t child = snapshot(vmo, pages * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
  uint64_t stores = atomic_load(&c.stores);
  while (atomic_load(&c.stores) < stores + 2 * pages) {
  }
  atomic_store(&c.stop, true);
  CHECK_EQ(pthread_join(writer, NULL), 0);
  CHECK_EQ(wrong, 0);
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  unmap_words(w, pages * ps());
}

// ---- Protecting and unmapping protected mappings ------------------------------------------

static uint64_t committed_pages(zx_handle_t a, zx_handle_t b) {
  return (vmo_info(a).committed_bytes + vmo_info(b).committed_bytes) / ps();
}

SCENARIO(protecting_a_write_protected_mapping_keeps_the_snapshot_out_of_reach) {
  const uint64_t pages = 8;
  bool lazy = lazy_copy_on_write();
  uint64_t* w;
  zx_handle_t vmo = written_vmo(pages, &w);
  zx_vaddr_t base = (zx_vaddr_t)w;
  zx_handle_t child = snapshot(vmo, pages * ps());
  uint64_t at_snapshot = committed_pages(vmo, child);
  // Pages 4-7 read-only, then 2-5 read-write again: each piece is re-mapped from the layers.
  CHECK_EQ(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, base + 4 * ps(), 4 * ps()),
           ZX_OK);
  char perms[5];
  perms_of(base + 5 * ps(), perms);
  CHECK_EQ(strncmp(perms, "r--", 3), 0);
  CHECK_EQ(zx_vmar_protect(zx_vmar_root_self(), kReadWrite, base + 2 * ps(), 4 * ps()), ZX_OK);
  if (lazy) CHECK_EQ(committed_pages(vmo, child), at_snapshot);  // protect copies nothing
  for (uint64_t i = 0; i < 6; i++) w[i * ps() / 8] = 500 + i;
  if (lazy) CHECK_EQ(committed_pages(vmo, child), at_snapshot + 6);  // the pages stored to
  perms_of(base + 6 * ps(), perms);
  CHECK_EQ(strncmp(perms, "r--", 3), 0);
  CHECK_EQ(zx_vmar_protect(zx_vmar_root_self(), kReadWrite, base, pages * ps()), ZX_OK);
  w[7 * ps() / 8] = 507;
  for (uint64_t i = 0; i < pages; i++) {
    CHECK_EQ(word_at(child, i * ps() / 8), i + 1);
    CHECK_EQ(word_at(vmo, i * ps() / 8), i < 6 || i == 7 ? 500 + i : i + 1);
  }
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  unmap_words(w, pages * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

struct protect_race {
  uint64_t* w;
  uint64_t pages;
  atomic_bool stop;
  atomic_uint_fast64_t last;  // the last round stored to every page
};

static void* store_rounds(void* arg) {
  struct protect_race* p = arg;
  for (uint64_t r = 1; !atomic_load(&p->stop); r++) {
    for (uint64_t i = 0; i < p->pages; i++) p->w[i * ps() / 8] = r;
    atomic_store(&p->last, r);
  }
  return NULL;
}

SCENARIO(protecting_a_mapping_while_its_writer_faults_loses_no_store) {
  const uint64_t pages = 4;
  bool lazy = lazy_copy_on_write();
  uint64_t* w;
  zx_handle_t vmo = written_vmo(pages, &w);
  struct protect_race p = {.w = w, .pages = pages};
  pthread_t writer;
  CHECK_EQ(pthread_create(&writer, NULL, store_rounds, &p), 0);
  int changed = 0;
  for (int round = 0; round < 30; round++) {
    // The writer makes progress in every round, so its stores fault on freshly protected pages.
    uint64_t before = atomic_load(&p.last);
    while (atomic_load(&p.last) < before + 2) {
    }
    zx_handle_t child = snapshot(vmo, pages * ps());
    uint64_t seen[4];
    for (uint64_t i = 0; i < pages; i++) seen[i] = word_at(child, i * ps() / 8);
    // Re-maps the writer's pages while its stores fault on them.
    CHECK_EQ(zx_vmar_protect(zx_vmar_root_self(), kReadWrite, (zx_vaddr_t)w, pages * ps()), ZX_OK);
    for (uint64_t i = 0; i < pages; i++) changed += word_at(child, i * ps() / 8) != seen[i];
    CHECK_EQ(zx_handle_close(child), ZX_OK);
  }
  atomic_store(&p.stop, true);
  CHECK_EQ(pthread_join(writer, NULL), 0);
  CHECK_EQ(changed, 0);
  // Under write protection no store is lost (the eager copy cannot hold writers back).
  uint64_t last = atomic_load(&p.last);
  CHECK(last >= 60);
  for (uint64_t i = 0; lazy && i < pages; i++) CHECK_EQ(word_at(vmo, i * ps() / 8), last);
  unmap_words(w, pages * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

SCENARIO(unmapping_in_and_destroying_a_sub_vmar_with_protected_mappings) {
  const uint64_t pages = 8;
  zx_handle_t region = ZX_HANDLE_INVALID;
  zx_vaddr_t region_base = 0;
  CHECK_EQ(zx_vmar_allocate(zx_vmar_root_self(),
                            ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                            2 * pages * ps(), &region, &region_base),
           ZX_OK);
  zx_handle_t vmo = make_vmo(pages * ps(), 0);
  zx_vaddr_t a = 0;
  CHECK_EQ(zx_vmar_map(region, kReadWrite, 0, vmo, 0, pages * ps(), &a), ZX_OK);
  uint64_t* w = (uint64_t*)a;
  for (uint64_t i = 0; i < pages; i++) w[i * ps() / 8] = i + 1;
  zx_handle_t child = snapshot(vmo, pages * ps());
  // Unmapping the upper half gives it back to the region's reservation; the lower half stays
  // copy-on-write.
  CHECK_EQ(zx_vmar_unmap(region, a + 4 * ps(), 4 * ps()), ZX_OK);
  char perms[5];
  perms_of(a + 5 * ps(), perms);
  CHECK_EQ(strncmp(perms, "---", 3), 0);
  w[ps() / 8] = 111;
  CHECK_EQ(word_at(child, ps() / 8), 2);
  CHECK_EQ(word_at(vmo, ps() / 8), 111);
  // A new writable mapping in the same place.
  zx_vaddr_t b = 0;
  CHECK_EQ(zx_vmar_map(region, kReadWrite | ZX_VM_SPECIFIC, a + 4 * ps() - region_base, vmo,
                       4 * ps(), 4 * ps(), &b),
           ZX_OK);
  CHECK_EQ(b, a + 4 * ps());
  uint64_t* upper = (uint64_t*)b;
  upper[0] = 555;  // VMO page 4
  CHECK_EQ(word_at(child, 4 * ps() / 8), 5);
  CHECK_EQ(word_at(vmo, 4 * ps() / 8), 555);
  // A second snapshot protects both mappings; the library's out-parameters land in them.
  zx_handle_t child2 = snapshot(vmo, pages * ps());
  zx_info_handle_count_t* count_out = (zx_info_handle_count_t*)&w[2 * ps() / 8];
  CHECK_EQ(zx_object_get_info(vmo, ZX_INFO_HANDLE_COUNT, count_out, sizeof(*count_out), NULL,
                              NULL),
           ZX_OK);
  CHECK_EQ(count_out->handle_count, 1);
  zx_info_vmar_t* vmar_out = (zx_info_vmar_t*)&w[3 * ps() / 8];
  CHECK_EQ(zx_object_get_info(region, ZX_INFO_VMAR, vmar_out, sizeof(*vmar_out), NULL, NULL),
           ZX_OK);
  CHECK_EQ(vmar_out->base, region_base);
  zx_handle_t* sub_out = (zx_handle_t*)&w[0];
  zx_vaddr_t* sub_addr_out = (zx_vaddr_t*)&upper[ps() / 8];  // VMO page 5
  CHECK_EQ(zx_vmar_allocate(region, ZX_VM_CAN_MAP_READ, 0, ps(), sub_out, sub_addr_out), ZX_OK);
  CHECK(*sub_addr_out >= region_base && *sub_addr_out < region_base + 2 * pages * ps());
  CHECK_EQ(zx_vmar_destroy(*sub_out), ZX_OK);
  CHECK_EQ(zx_handle_close(*sub_out), ZX_OK);
  CHECK_EQ(word_at(vmo, 3 * ps() / 8), region_base);
  CHECK_EQ(word_at(vmo, 5 * ps() / 8), *sub_addr_out);
  CHECK_EQ(word_at(child2, 0), 1);
  CHECK_EQ(word_at(child2, 2 * ps() / 8), 3);
  CHECK_EQ(word_at(child2, 3 * ps() / 8), 4);
  CHECK_EQ(word_at(child2, 5 * ps() / 8), 6);
  // Destroying the region removes both protected mappings; the snapshots keep their moments.
  CHECK_EQ(zx_vmar_destroy(region), ZX_OK);
  CHECK_EQ(vmo_info(vmo).num_mappings, 0);
  for (uint64_t i = 0; i < pages; i++) CHECK_EQ(word_at(child, i * ps() / 8), i + 1);
  CHECK_EQ(word_at(child2, ps() / 8), 111);
  CHECK_EQ(word_at(child2, 4 * ps() / 8), 555);
  CHECK_EQ(zx_handle_close(child2), ZX_OK);
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  // With the snapshots and writers gone the layers merge; a new mapping shows the stores.
  CHECK_EQ(vmo_info(vmo).committed_bytes, pages * ps());
  uint64_t* again = map_words(kReadWrite, vmo, pages * ps());
  CHECK_EQ(again[ps() / 8], 111);
  CHECK_EQ(again[4 * ps() / 8], 555);
  unmap_words(again, pages * ps());
  CHECK_EQ(zx_handle_close(region), ZX_OK);
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

void run_cow_tests(void) {
  RUN(stores_through_a_writable_mapping_after_a_snapshot_stay_out_of_it);
  RUN(never_written_pages_of_a_writably_mapped_snapshot_read_zero_on_both_sides);
  RUN(snapshots_of_snapshots_under_a_writer_each_keep_their_moment);
  RUN(library_writes_into_a_protected_page_land_in_the_vmo_not_the_snapshot);
  RUN(read_syscall_into_a_writable_mapping_after_a_snapshot_lands_in_the_vmo);
  RUN(a_forked_child_storing_through_the_mapping_leaves_the_snapshot_alone);
  RUN(writers_racing_snapshots_through_a_mapping_see_consistent_cuts);
  RUN(many_threads_faulting_the_same_pages_at_once_lose_no_store);
  RUN(unmapping_other_mappings_and_closing_handles_while_stores_fault);
  RUN(protecting_a_write_protected_mapping_keeps_the_snapshot_out_of_reach);
  RUN(protecting_a_mapping_while_its_writer_faults_loses_no_store);
  RUN(unmapping_in_and_destroying_a_sub_vmar_with_protected_mappings);
}
