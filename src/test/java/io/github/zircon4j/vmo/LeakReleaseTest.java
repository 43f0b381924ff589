package io.github.zircon4j.vmo;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Resources that are dropped without close() are released once unreachable (whatever {@code
 * zircon4j.leakDetection} says; the reports are checked in {@link LeakReportTest}): mappings are
 * unmapped ({@code /proc/self/maps}), VMOs' handles closed (the host emulation's memfds in {@code
 * /proc/self/fd}), and a segment or buffer still held keeps its mapping. The figures (before, peak,
 * after the collection) are printed.
 *
 * <p>The leak reports these drops provoke are captured instead of printed: after each test, every
 * record the library logged must be a leak report of a factory this class leaks through. Each
 * factory is reported once per JVM, so whether a report comes here depends on the tests before; its
 * text is checked in {@link LeakReportTest}, in fresh JVMs.
 */
class LeakReleaseTest {
  static final int DROPPED = 20_000;

  /** Lines the JVM itself may add meanwhile (code heap, compiler threads' stacks). */
  static final long MAPS_TOLERANCE = 16;

  static final long FDS_TOLERANCE = 4;

  /** VMOs dropped between two collections (the descriptor limit here is 20,000). */
  static final int VMO_ROUND = 5_000;

  static {
    ZirconLibrary.ensureLoaded();
  }

  private static final long PAGE = ZxTestSupport.pageSize();

  /** The factories this class leaks through, as the reports name them. */
  static final List<String> FACTORIES = List.of("Vmo.create", "ImmutableMapping.create");

  private static final Logger LIBRARY_LOGGER = Logger.getLogger(LeakTracker.LOGGER_NAME);
  private static final List<LogRecord> LOGGED = new CopyOnWriteArrayList<>();
  private static final Handler CAPTURE =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          LOGGED.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeAll
  static void linuxOnlyAndReportsCaptured() {
    assumeTrue(ProcessResources.available(), "needs Linux /proc/self (maps, fd)");
    LIBRARY_LOGGER.addHandler(CAPTURE);
    LIBRARY_LOGGER.setUseParentHandlers(false);
  }

  @AfterAll
  static void reportsPrintedAgain() {
    LIBRARY_LOGGER.removeHandler(CAPTURE);
    LIBRARY_LOGGER.setUseParentHandlers(true);
  }

  @AfterEach
  void everythingLoggedIsALeakReportOfAFactoryUsedHere() {
    assertThat(LOGGED)
        .allSatisfy(
            record -> {
              assertThat(record.getLevel()).isEqualTo(Level.WARNING);
              assertThat(record.getMessage()).startsWith("LEAK: ");
              assertThat(FACTORIES).anyMatch(f -> record.getMessage().contains(" made by " + f));
            });
    LOGGED.clear();
  }

  @Test
  void droppedMappingsConfinedAndSharedAreUnmappedOnceUnreachable() throws Exception {
    try (Vmo vmo = Vmo.create(2 * PAGE)) {
      vmo.write(ZxTestSupport.pattern((int) (2 * PAGE), 9), 0);
      warmUp(vmo);
      long released = ProcessResources.releaseEarlierLeaks();
      long mapsBefore = ProcessResources.mapsLines();
      long peak = mapsBefore;
      for (int i = 0; i < DROPPED; i++) {
        dropMapping(vmo, i % 2 == 0);
        if (i % 1_000 == 999) {
          peak = Math.max(peak, ProcessResources.mapsLines());
        }
      }
      long releasedNow = ProcessResources.collectUntilReleased(released + DROPPED);
      long mapsAfter = ProcessResources.mapsLines();
      System.out.printf(
          "LeakReleaseTest: %,d dropped mappings (half confined, half shared): /proc/self/maps"
              + " lines before %,d, peak %,d, after GC %,d; released by the leak tracker %,d%n",
          DROPPED, mapsBefore, peak, mapsAfter, releasedNow - released);

      assertThat(releasedNow - released)
          .as("mappings the tracker unmapped")
          .isGreaterThanOrEqualTo(DROPPED);
      assertThat(mapsAfter)
          .as("/proc/self/maps lines")
          .isLessThanOrEqualTo(mapsBefore + MAPS_TOLERANCE);
      assertThat(ZxTestSupport.vmoInfo(vmo.handle()).numMappings()).as("num_mappings").isZero();
      assertThat(ZxTestSupport.hasZeroChildren(vmo.handle())).as("ZX_VMO_ZERO_CHILDREN").isTrue();
    }
  }

  @Test
  void droppedWrittenVmosHaveTheirHandlesClosedOnceUnreachable() throws Exception {
    long released = ProcessResources.releaseEarlierLeaks();
    long fdsBefore = ProcessResources.openFds();
    long peak = fdsBefore;
    byte[] data = {1, 2, 3};
    // Running out of descriptors does not make the JVM collect garbage (nor does running out of
    // handles): a program that drops VMOs faster than its heap fills can still exhaust them. So
    // the VMOs are dropped in rounds that stay below the descriptor limit, as a program whose heap
    // is in use would see collections between them.
    for (int i = 0; i < DROPPED; i++) {
      dropWrittenVmo(data);
      if (i % 1_000 == 999) {
        peak = Math.max(peak, ProcessResources.openFds());
      }
      if (i % VMO_ROUND == VMO_ROUND - 1) {
        ProcessResources.collectUntilReleased(released + i + 1);
      }
    }
    long releasedNow = ProcessResources.collectUntilReleased(released + DROPPED);
    long fdsAfter = ProcessResources.openFds();
    System.out.printf(
        "LeakReleaseTest: %,d dropped written VMOs (a collection every %,d): open fds before %,d, peak %,d, after GC %,d;"
            + " released by the leak tracker %,d%n",
        DROPPED, VMO_ROUND, fdsBefore, peak, fdsAfter, releasedNow - released);

    assertThat(releasedNow - released)
        .as("VMO handles the tracker closed")
        .isGreaterThanOrEqualTo(DROPPED);
    assertThat(fdsAfter).as("open file descriptors").isLessThanOrEqualTo(fdsBefore + FDS_TOLERANCE);
  }

  @Test
  void aHeldSegmentOrBufferKeepsItsMappingAfterTheMappingObjectIsDropped() throws Exception {
    byte[] content = ZxTestSupport.pattern((int) (3 * PAGE), 4);
    MemorySegment segment;
    ByteBuffer buffer;
    MemorySegment slice;
    try (Vmo vmo = Vmo.create(content.length)) {
      vmo.write(content, 0);
      segment = ImmutableMapping.create(vmo).segment();
      buffer = ImmutableMapping.create(vmo, MapOption.SHARED).asByteBuffer();
      slice = ImmutableMapping.create(vmo).segment().asSlice(PAGE, PAGE);
    }
    // A mapping dropped at the same time as the three wrappers: once it is released, a
    // collection has run in which the wrappers were unreachable too.
    long released = LeakTracker.releasedLeaks();
    dropOne();
    assertThat(ProcessResources.collectUntilReleased(released + 1))
        .as("leaks released: the dropped mapping's release proves a collection ran")
        .isGreaterThanOrEqualTo(released + 1);

    for (MemorySegment view :
        new MemorySegment[] {segment, MemorySegment.ofBuffer(buffer), slice}) {
      long address = view.address();
      ZxTestSupport.assertReadableBeforeTouching(address, view.byteSize());
    }
    assertThat(segment.toArray(JAVA_BYTE)).isEqualTo(content);
    byte[] fromBuffer = new byte[content.length];
    buffer.get(0, fromBuffer);
    assertThat(fromBuffer).isEqualTo(content);
    assertThat(slice.toArray(JAVA_BYTE))
        .isEqualTo(java.util.Arrays.copyOfRange(content, (int) PAGE, (int) (2 * PAGE)));
  }

  // Each dropped resource is made in a method of its own, so no local variable of the test's
  // frame can keep the last one reachable.

  private static void dropWrittenVmo(byte[] data) {
    Vmo.create(PAGE).write(data, 0); // the emulation's first write gives the VMO a memfd
  }

  private static void dropMapping(Vmo vmo, boolean confined) {
    ImmutableMapping dropped =
        confined ? ImmutableMapping.create(vmo) : ImmutableMapping.create(vmo, MapOption.SHARED);
    dropped.segment().get(JAVA_BYTE, 0);
  }

  private static void dropOne() {
    try (Vmo vmo = Vmo.create(PAGE)) {
      ImmutableMapping.create(vmo);
    }
  }

  private static void warmUp(Vmo vmo) {
    for (int i = 0; i < 2_000; i++) {
      ImmutableMapping.create(vmo).close();
      ImmutableMapping.create(vmo, MapOption.SHARED).close();
    }
  }
}
