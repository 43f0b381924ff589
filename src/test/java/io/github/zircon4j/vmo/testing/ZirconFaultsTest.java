package io.github.zircon4j.vmo.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.zircon4j.vmo.ImmutableMapping;
import io.github.zircon4j.vmo.Mapping;
import io.github.zircon4j.vmo.Vmo;
import io.github.zircon4j.vmo.ZxException;
import io.github.zircon4j.vmo.ZxStatus;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ZirconFaultsTest {
  @Test
  void failNextFailsOnlyTheNextCallWithTheStatus() {
    try (InjectedFault fault = ZirconFaults.failNext("zx_vmo_create", ZxStatus.ERR_NO_MEMORY)) {
      assertThat(fault.remaining()).isEqualTo(1);
      assertThatThrownBy(() -> Vmo.create(4096))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.step()).isEqualTo(ZxException.Step.CREATE_VMO);
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_NO_MEMORY);
              })
          .hasMessage("failed to create VMO: ZX_ERR_NO_MEMORY (-4) [size 4096, options NONE]");
      assertThat(fault.remaining()).isZero();
      try (Vmo vmo = Vmo.create(4096)) {
        assertThat(vmo.size()).isEqualTo(4096);
      }
    }
  }

  @Test
  void countVariantFailsThatManyCallsThenLetsThemThrough() {
    try (Vmo vmo = Vmo.create(4096);
        InjectedFault fault = ZirconFaults.failNext("zx_vmo_get_size", ZxStatus.ERR_TIMED_OUT, 2)) {
      assertThatThrownBy(vmo::size).isInstanceOf(ZxException.class);
      assertThatThrownBy(vmo::size).isInstanceOf(ZxException.class);
      assertThat(vmo.size()).isEqualTo(4096);
      assertThat(fault.remaining()).isZero();
    }
  }

  @Test
  void closingRemovesAFaultThatWasNotUsedAndSaysSo() {
    InjectedFault fault = ZirconFaults.failNext("zx_vmo_create", ZxStatus.ERR_NO_MEMORY, 3);
    fault.close();
    fault.close(); // idempotent
    assertThat(fault.remaining()).isEqualTo(3);
    try (Vmo vmo = Vmo.create(4096)) {
      assertThat(vmo.isClosed()).isFalse();
    }
  }

  @Test
  void skipLetsTheFirstCallsThrough() {
    try (Vmo vmo = Vmo.create(4096);
        InjectedFault fault =
            ZirconFaults.syscall("zx_vmo_get_size").skip(1).failWith(ZxStatus.ERR_IO)) {
      assertThat(vmo.size()).isEqualTo(4096);
      assertThatThrownBy(vmo::size)
          .isInstanceOfSatisfying(
              ZxException.class, e -> assertThat(e.status()).isEqualTo(ZxStatus.ERR_IO));
      assertThat(fault.remaining()).isZero();
    }
  }

  @Test
  void withHandleFailsOnlyCallsOnThatHandle() {
    try (Vmo mine = Vmo.create(4096);
        Vmo other = Vmo.create(8192);
        InjectedFault fault =
            ZirconFaults.syscall("zx_vmar_map")
                .withHandle(mine.handle())
                .failWith(ZxStatus.ERR_NO_MEMORY)) {
      try (Mapping mapping = Mapping.create(other, 0, 8192)) {
        assertThat(mapping.size()).isEqualTo(8192);
      }
      assertThatThrownBy(() -> Mapping.create(mine, 0, 4096))
          .isInstanceOfSatisfying(
              ZxException.class, e -> assertThat(e.status()).isEqualTo(ZxStatus.ERR_NO_MEMORY));
      assertThat(fault.remaining()).isZero();
    }
  }

  @Test
  void withOptionFailsOnlyCallsPassingThatOption() {
    int snapshotNoWrite = 0x01 | 0x20; // ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE
    try (Vmo vmo = Vmo.create(4096);
        InjectedFault other =
            ZirconFaults.syscall("zx_vmo_create_child").withOption(0x08).failWith(-1);
        InjectedFault snapshot =
            ZirconFaults.syscall("zx_vmo_create_child")
                .withOption(snapshotNoWrite)
                .failWith(ZxStatus.ERR_NO_MEMORY)) {
      assertThatThrownBy(() -> ImmutableMapping.create(vmo))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.step()).isEqualTo(ZxException.Step.CREATE_CHILD_VMO);
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_NO_MEMORY);
              });
      assertThat(other.remaining()).isEqualTo(1);
      assertThat(snapshot.remaining()).isZero();
    }
  }

  @Test
  void aFaultIsInvisibleToOtherThreads() throws Exception {
    try (InjectedFault fault = ZirconFaults.failNext("zx_vmo_create", ZxStatus.ERR_NO_MEMORY)) {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread other =
          new Thread(
              () -> {
                try (Vmo vmo = Vmo.create(4096)) {
                  vmo.size();
                } catch (Throwable t) {
                  failure.set(t);
                }
              });
      other.start();
      other.join();
      assertThat(failure.get()).isNull();
      assertThat(fault.remaining()).isEqualTo(1);
      assertThatThrownBy(() -> Vmo.create(4096)).isInstanceOf(ZxException.class);
    }
  }

  @Test
  void closingOnAnotherThreadIsRefusedNamingBothThreads() throws Exception {
    try (InjectedFault fault = ZirconFaults.failNext("zx_vmo_create", ZxStatus.ERR_NO_MEMORY)) {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread other = new Thread(() -> failure.set(catchThrowable(fault::close)), "closer");
      other.start();
      other.join();
      assertThat(failure.get())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("on the thread that armed it (" + Thread.currentThread().getName())
          .hasMessageEndingWith("not on closer");
      assertThat(fault.remaining()).isEqualTo(1);
    }
  }

  private static Throwable catchThrowable(Runnable action) {
    try {
      action.run();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }

  @Test
  void anUnknownSyscallNameIsRefusedListingTheKnownOnes() {
    assertThatThrownBy(() -> ZirconFaults.failNext("zx_vmo_creat", ZxStatus.ERR_NO_MEMORY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "no syscall named \"zx_vmo_creat\" can be failed; the names are those of zircon's"
                + " functions that return a zx_status_t: zx_handle_close, ")
        .hasMessageContaining(", zx_vmo_create, ");
    assertThatThrownBy(() -> ZirconFaults.failNext("zx_system_get_page_size", -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aStatusThatIsNotAnErrorIsRefused() {
    assertThatThrownBy(() -> ZirconFaults.failNext("zx_vmo_create", ZxStatus.OK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("status must be a negative ZX_ERR_* code (see ZxStatus), but is ZX_OK (0)");
    assertThatThrownBy(() -> ZirconFaults.failNext("zx_vmo_create", -1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("calls to fail must be at least 1, but is 0");
  }

  @Test
  void aVirtualThreadCannotArmAFault() throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread.ofVirtual()
        .start(
            () ->
                failure.set(
                    catchThrowable(() -> ZirconFaults.failNext("zx_vmo_create", -1).close())))
        .join();
    assertThat(failure.get())
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("arm the fault on a platform thread");
  }

  @Test
  void seventeenFaultsOnOneThreadAreRefused() {
    InjectedFault[] faults = new InjectedFault[16];
    try {
      for (int i = 0; i < faults.length; i++) {
        faults[i] = ZirconFaults.failNext("zx_event_create", ZxStatus.ERR_NO_MEMORY);
      }
      assertThatThrownBy(() -> ZirconFaults.failNext("zx_vmo_create", ZxStatus.ERR_NO_MEMORY))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already has 16 injected faults armed");
    } finally {
      for (InjectedFault fault : faults) {
        if (fault != null) {
          fault.close();
        }
      }
    }
  }

  @Test
  void recordSyscallsListsWhatAnOperationCalls() {
    try (Vmo vmo = Vmo.create(4096)) {
      assertThat(ZirconFaults.recordSyscalls(() -> ImmutableMapping.create(vmo).close()))
          .containsExactly(
              "zx_vmo_get_size",
              "zx_vmo_create_child",
              "zx_vmar_map",
              "zx_handle_close",
              "zx_vmar_unmap");
    }
  }

  @Test
  void theEmulationIsSupported() {
    assertThat(ZirconFaults.isSupported()).isTrue();
    assertThat(ZirconFaults.syscalls()).contains("zx_vmar_map", "zx_handle_replace");
  }
}
