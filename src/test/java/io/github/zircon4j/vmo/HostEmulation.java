package io.github.zircon4j.vmo;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Test-only queries of the Linux host emulation (libzircon.so built from src/host/c), which are not
 * zircon calls: absent on Fuchsia, where every method here answers empty.
 */
final class HostEmulation {
  private HostEmulation() {}

  /** The emulation's copy-on-write mode for snapshots of writably mapped VMOs. */
  enum CowMode {
    /** userfaultfd write protection: a snapshot copies nothing, a first store copies one page. */
    WRITE_PROTECT,
    /** A snapshot copies the writably mapped pages at once (no full userfaultfd granted). */
    EAGER_COPY
  }

  /**
   * The mode the loaded emulation chose ({@code zircon4j_host_cow_mode}, which chooses it now if no
   * writable mapping did), or empty when the loaded zircon library does not define the query.
   */
  static Optional<CowMode> cowMode() {
    ZirconLibrary.ensureLoaded();
    DynamicLinker linker = DynamicLinker.bind();
    MemorySegment library = linker.openIfLoaded(ZirconLibrary.SONAME);
    MemorySegment query =
        library == null ? MemorySegment.NULL : linker.symbol(library, "zircon4j_host_cow_mode");
    if (query.equals(MemorySegment.NULL)) {
      return Optional.empty();
    }
    MethodHandle call =
        Linker.nativeLinker()
            .downcallHandle(
                query,
                FunctionDescriptor.of(
                    ValueLayout.ADDRESS.withTargetLayout(
                        MemoryLayout.sequenceLayout(64, ValueLayout.JAVA_BYTE))));
    String mode;
    try {
      // Safety: the query takes the emulation's lock briefly and returns a pointer to one of two
      // static NUL-terminated strings (shorter than 64 bytes) that live as long as the library,
      // which is never unloaded.
      mode = ((MemorySegment) call.invokeExact()).getString(0);
    } catch (Throwable t) {
      throw new AssertionError("zircon4j_host_cow_mode failed", t);
    }
    return Optional.of(
        switch (mode) {
          case "write-protect" -> CowMode.WRITE_PROTECT;
          case "eager-copy" -> CowMode.EAGER_COPY;
          default -> throw new AssertionError("unknown copy-on-write mode '" + mode + "'");
        });
  }
}
