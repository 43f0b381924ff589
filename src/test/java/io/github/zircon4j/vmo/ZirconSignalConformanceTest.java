package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.ZxTestSupport.assertOk;
import static io.github.zircon4j.vmo.ZxTestSupport.assertStatus;
import static io.github.zircon4j.vmo.ZxTestSupport.hasZeroChildren;
import static io.github.zircon4j.vmo.ZxTestSupport.hex;
import static io.github.zircon4j.vmo.ZxTestSupport.pageSize;
import static io.github.zircon4j.vmo.ZxTestSupport.poll;
import static io.github.zircon4j.vmo.ZxTestSupport.waitOne;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.ZxTestSupport.Resources;
import io.github.zircon4j.vmo.ZxTestSupport.WaitResult;
import io.github.zircon4j.zircon.Zircon;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ZX_VMO_ZERO_CHILDREN and zx_object_wait_one. */
class ZirconSignalConformanceTest {
  /** Upper bound for a blocked wait to come back once its condition holds (a hang guard). */
  private static final long HANG_GUARD_SECONDS = 30;

  private static ExecutorService waiters;

  @BeforeAll
  static void loadZircon() {
    ZirconLibrary.ensureLoaded();
    waiters =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "zx-waiter");
              t.setDaemon(true);
              return t;
            });
  }

  @AfterAll
  static void stopWaiters() {
    waiters.shutdownNow();
  }

  private static int zeroChildren() {
    return Zircon.ZX_VMO_ZERO_CHILDREN();
  }

  private static int snapshotNoWrite() {
    return Zircon.ZX_VMO_CHILD_SNAPSHOT() | Zircon.ZX_VMO_CHILD_NO_WRITE();
  }

  @Test
  void zeroChildrenIsTheSignalBitSignaled() {
    assertThat(zeroChildren()).isEqualTo(Zircon.__ZX_OBJECT_SIGNALED()).isEqualTo(0x8);
  }

  @Test
  void aNewVmoAssertsOnlyZeroChildren() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      WaitResult r = poll(vmo, zeroChildren());
      assertOk(r.status(), "poll ZERO_CHILDREN");
      assertThat(r.observed()).as("observed %s", hex(r.observed())).isEqualTo(zeroChildren());
    }
  }

  @Test
  void aNewChildAssertsZeroChildren() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int child = res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, pageSize());
      WaitResult r = poll(child, zeroChildren());
      assertOk(r.status(), "poll ZERO_CHILDREN on the child");
      assertThat(r.observed() & zeroChildren()).isEqualTo(zeroChildren());
    }
  }

  @Test
  void theParentDeassertsZeroChildrenWhileAChildLives() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int child = res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, pageSize());
      assertThat(hasZeroChildren(vmo)).as("with a live child").isFalse();
      res.closeOk(child);
      assertThat(hasZeroChildren(vmo)).as("after the child's only handle closed").isTrue();
    }
  }

  @Test
  void zeroChildrenStaysDeassertedUntilTheLastOfSeveralChildrenCloses() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int a = res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, pageSize());
      int b = res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE(), 0, pageSize());
      int aDup = res.duplicate(a, Zircon.ZX_RIGHT_SAME_RIGHTS());
      res.closeOk(a);
      assertThat(hasZeroChildren(vmo)).as("a still has a handle").isFalse();
      res.closeOk(b);
      assertThat(hasZeroChildren(vmo)).as("a still has a handle").isFalse();
      res.closeOk(aDup);
      assertThat(hasZeroChildren(vmo)).isTrue();
    }
  }

  @Test
  void aChildKeptAliveOnlyByAMappingKeepsZeroChildrenDeasserted() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(page);
      int child = res.child(vmo, snapshotNoWrite(), 0, page);
      long addr = res.map(Zircon.ZX_VM_PERM_READ(), child, 0, page);
      res.closeOk(child);
      assertThat(hasZeroChildren(vmo)).as("child mapped, handle closed").isFalse();
      res.unmapOk(addr, page);
      assertThat(hasZeroChildren(vmo)).as("after the last mapping of the child is gone").isTrue();
    }
  }

  @Test
  void aPollingWaitReturnsOkAndTheObservedSignalsWhenAsserted() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      WaitResult r = waitOne(vmo, zeroChildren(), Zircon.ZX_TIME_INFINITE_PAST());
      assertOk(r.status(), "poll");
      assertThat(r.observed() & zeroChildren()).isEqualTo(zeroChildren());
    }
  }

  @Test
  void aPollingWaitReturnsTimedOutAndTheObservedSignalsWhenNotAsserted() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, pageSize());
      WaitResult r = waitOne(vmo, zeroChildren(), Zircon.ZX_TIME_INFINITE_PAST());
      assertStatus(r.status(), Zircon.ZX_ERR_TIMED_OUT(), "poll");
      assertThat(r.observed())
          .as("observed %s is written and lacks ZERO_CHILDREN", hex(r.observed()))
          .isNotEqualTo(0xDEADBEEF);
      assertThat(r.observed() & zeroChildren()).isZero();
    }
  }

  @Test
  void waitingForAnUnassertedSignalUntilANearDeadlineTimesOut() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, pageSize());
      long deadline = Zircon.zx_clock_get_monotonic() + TimeUnit.MILLISECONDS.toNanos(20);
      WaitResult r = waitOne(vmo, zeroChildren(), deadline);
      assertStatus(r.status(), Zircon.ZX_ERR_TIMED_OUT(), "wait until now+20ms");
      assertThat(r.observed() & zeroChildren()).isZero();
    }
  }

  @Test
  void theMonotonicClockDoesNotGoBackwards() {
    long a = Zircon.zx_clock_get_monotonic();
    long b = Zircon.zx_clock_get_monotonic();
    assertThat(a).isPositive();
    assertThat(b).isGreaterThanOrEqualTo(a);
  }

  /**
   * Waits until {@code waiter} is blocked inside zx_object_wait_one: its stack is in the call, and
   * (where /proc shows it: Linux) its native thread, found by the name it gave itself, sleeps. A
   * test that changed the state first would see the wait return at once and pass without a wait
   * ever being woken.
   */
  private static void awaitBlockedInWait(Thread waiter, String nativeName) throws Exception {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
    while (System.nanoTime() < giveUp) {
      boolean inCall =
          java.util.Arrays.stream(waiter.getStackTrace())
              .anyMatch(f -> f.getMethodName().equals("zx_object_wait_one"));
      if (inCall && sleepsOrUnknown(nativeName)) {
        return;
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("the waiter never blocked in zx_object_wait_one");
  }

  /**
   * Whether the thread named {@code nativeName} sleeps ('S' in its stat), or true without /proc.
   */
  private static boolean sleepsOrUnknown(String nativeName) throws java.io.IOException {
    java.nio.file.Path tasks = java.nio.file.Path.of("/proc/self/task");
    if (!java.nio.file.Files.isDirectory(tasks)) {
      return true;
    }
    try (var dirs = java.nio.file.Files.newDirectoryStream(tasks)) {
      for (java.nio.file.Path task : dirs) {
        try {
          if (java.nio.file.Files.readString(task.resolve("comm")).strip().equals(nativeName)) {
            String stat = java.nio.file.Files.readString(task.resolve("stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("S");
          }
        } catch (java.nio.file.NoSuchFileException gone) {
          // a thread that ended meanwhile
        }
      }
    }
    return false;
  }

  /** Runs {@code wait} on a waiter thread that names itself {@code nativeName} (15 chars max). */
  private static Future<WaitResult> startWaiter(
      String nativeName,
      java.util.concurrent.atomic.AtomicReference<Thread> thread,
      java.util.concurrent.Callable<WaitResult> wait) {
    return waiters.submit(
        () -> {
          String old = Thread.currentThread().getName();
          Thread.currentThread().setName(nativeName); // also the native thread's name
          thread.set(Thread.currentThread());
          try {
            return wait.call();
          } finally {
            Thread.currentThread().setName(old);
          }
        });
  }

  @Test
  void aBlockedInfiniteWaitReturnsOkWhenTheLastChildCloses() throws Exception {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int child = res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, pageSize());
      var thread = new java.util.concurrent.atomic.AtomicReference<Thread>();
      Future<WaitResult> waiter =
          startWaiter(
              "zx-wait-child",
              thread,
              () -> waitOne(vmo, zeroChildren(), Zircon.ZX_TIME_INFINITE()));
      try {
        while (thread.get() == null) {
          Thread.onSpinWait();
        }
        awaitBlockedInWait(thread.get(), "zx-wait-child");
        res.closeOk(child);
        WaitResult r = waiter.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        assertOk(r.status(), "blocked wait");
        assertThat(r.observed() & zeroChildren()).isEqualTo(zeroChildren());
      } finally {
        // If the wait never returned, closing the VMO (by res) cancels it.
        waiter.cancel(false);
      }
    }
  }

  @Test
  void aBlockedWaitWithAFarDeadlineReturnsOkWhenTheLastMappingOfAChildGoes() throws Exception {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(page);
      int child = res.child(vmo, snapshotNoWrite(), 0, page);
      long addr = res.map(Zircon.ZX_VM_PERM_READ(), child, 0, page);
      res.closeOk(child);
      long deadline = Zircon.zx_clock_get_monotonic() + TimeUnit.SECONDS.toNanos(120);
      var thread = new java.util.concurrent.atomic.AtomicReference<Thread>();
      Future<WaitResult> waiter =
          startWaiter("zx-wait-unmap", thread, () -> waitOne(vmo, zeroChildren(), deadline));
      try {
        while (thread.get() == null) {
          Thread.onSpinWait();
        }
        awaitBlockedInWait(thread.get(), "zx-wait-unmap");
        res.unmapOk(addr, page);
        WaitResult r = waiter.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        assertOk(r.status(), "blocked wait");
        assertThat(r.observed() & zeroChildren()).isEqualTo(zeroChildren());
      } finally {
        waiter.cancel(false);
      }
    }
  }

  @Test
  void closingTheWaitedHandleCancelsABlockedWait() throws Exception {
    // Whether the close lands before or after the waiter blocks is a race this test cannot
    // control without sleeping; a close that wins the race shows up as BAD_HANDLE and the
    // attempt is repeated (bounded).
    int canceled = 0;
    for (int attempt = 0; attempt < 50 && canceled == 0; attempt++) {
      try (var res = new Resources()) {
        int vmo = res.vmo(pageSize());
        int waited = res.duplicate(vmo, Zircon.ZX_RIGHT_SAME_RIGHTS());
        res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, pageSize());
        long deadline = Zircon.zx_clock_get_monotonic() + TimeUnit.SECONDS.toNanos(60);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<WaitResult> waiter =
            CompletableFuture.supplyAsync(
                () -> {
                  started.countDown();
                  return waitOne(waited, zeroChildren(), deadline);
                },
                waiters);
        assertThat(started.await(HANG_GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        res.closeOk(waited);
        WaitResult r;
        try {
          r = waiter.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          throw new AssertionError("closing the handle did not end the wait", e);
        }
        if (r.status() == Zircon.ZX_ERR_BAD_HANDLE()) {
          continue;
        }
        assertStatus(r.status(), Zircon.ZX_ERR_CANCELED(), "wait on a handle closed meanwhile");
        assertThat(r.observed() & Zircon.ZX_SIGNAL_HANDLE_CLOSED())
            .as("observed %s", hex(r.observed()))
            .isEqualTo(Zircon.ZX_SIGNAL_HANDLE_CLOSED());
        canceled++;
      }
    }
    assertThat(canceled).as("attempts in which the wait blocked before the close").isPositive();
  }

  @Test
  void waitingWithoutTheWaitRightIsAccessDenied() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int noWait = res.duplicate(vmo, Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_WAIT());
      assertStatus(
          poll(noWait, zeroChildren()).status(), Zircon.ZX_ERR_ACCESS_DENIED(), "wait w/o WAIT");
    }
  }

  @Test
  void waitingOnABadHandleIsBadHandle() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      res.closeOk(vmo);
      assertStatus(poll(vmo, zeroChildren()).status(), Zircon.ZX_ERR_BAD_HANDLE(), "closed");
    }
  }

  @Test
  void aNullObservedPointerIsAllowed() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      assertOk(
          Zircon.zx_object_wait_one(
              vmo, zeroChildren(), Zircon.ZX_TIME_INFINITE_PAST(), MemorySegment.NULL),
          "asserted, observed NULL");
      res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, pageSize());
      assertStatus(
          Zircon.zx_object_wait_one(
              vmo, zeroChildren(), Zircon.ZX_TIME_INFINITE_PAST(), MemorySegment.NULL),
          Zircon.ZX_ERR_TIMED_OUT(),
          "not asserted, observed NULL");
    }
  }
}
