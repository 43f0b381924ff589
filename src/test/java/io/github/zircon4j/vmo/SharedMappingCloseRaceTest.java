package io.github.zircon4j.vmo;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Readers racing {@code close()} of a shared mapping get {@link IllegalStateException}, never a
 * crash and never a wrong byte: the FFM runtime's handshake makes the close wait until no reader is
 * mid-access, and every access after it fails before touching the unmapped address.
 */
class SharedMappingCloseRaceTest {
  private static final int ROUNDS = 200;
  private static final int READERS = 4;

  @Test
  void readersRacingCloseSeeOnlyTheSnapshotOrIllegalState() throws Exception {
    long size = 16 * Syscalls.PAGE_SIZE;
    byte[] pattern = new byte[(int) size];
    for (int i = 0; i < pattern.length; i++) {
      pattern[i] = (byte) 0x5A;
    }
    long expectedWord = 0x5A5A5A5A5A5A5A5AL;
    ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    AtomicLong closedSeen = new AtomicLong();
    try (Vmo vmo = Vmo.create(size)) {
      vmo.write(pattern, 0);
      for (int round = 0; round < ROUNDS; round++) {
        ImmutableMapping mapping = ImmutableMapping.create(vmo, Paging.shared(round % 2 == 0));
        MemorySegment segment = mapping.segment();
        ByteBuffer buffer = mapping.asByteBuffer();
        CountDownLatch started = new CountDownLatch(READERS);
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
          boolean viaBuffer = r % 2 == 1;
          readers.add(
              Thread.ofPlatform()
                  .start(
                      () -> {
                        started.countDown();
                        ByteBuffer own = buffer.duplicate();
                        try {
                          for (long offset = 0; ; offset = (offset + 8) % size) {
                            long word =
                                viaBuffer
                                    ? own.getLong((int) offset)
                                    : segment.get(JAVA_LONG_UNALIGNED, offset);
                            if (word != expectedWord) {
                              unexpected.add(new AssertionError("read " + Long.toHexString(word)));
                              return;
                            }
                          }
                        } catch (IllegalStateException closed) {
                          closedSeen.incrementAndGet();
                        } catch (Throwable t) {
                          unexpected.add(t);
                        }
                      }));
        }
        started.await();
        mapping.close();
        for (Thread reader : readers) {
          reader.join();
        }
      }
      assertThat(unexpected).isEmpty();
      assertThat(closedSeen.get()).isEqualTo((long) ROUNDS * READERS);
    }
  }
}
