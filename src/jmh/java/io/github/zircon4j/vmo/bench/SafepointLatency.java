package io.github.zircon4j.vmo.bench;

import io.github.zircon4j.vmo.ImmutableMapping;
import io.github.zircon4j.vmo.MapOption;
import io.github.zircon4j.vmo.Vmo;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps one thread doing a long zircon call on a 512 MiB VMO while the main thread asks for a
 * safepoint (a full GC) every 20 ms; run by the benchmark runner (src/bench/java, {@code RunBench})
 * in its own JVM with {@code -Xlog:safepoint}, which reads the time each safepoint took to reach
 * ("Reaching safepoint") from the log. A call made with {@code Linker.Option.critical} holds every
 * safepoint off until it returns; an ordinary downcall does not.
 *
 * <p>Arguments: the operation, {@code read} ({@code Vmo.read} of all 512 MiB into a {@code byte[]})
 * or {@code map_range} ({@code ImmutableMapping.create(vmo, SHARED, PAGE_IMMEDIATELY)}, {@code
 * ZX_VM_MAP_RANGE}, then close), and the number of safepoints to ask for. Prints one JSON object:
 * the operation, how many times it completed and how many safepoints were asked for while it ran.
 */
public final class SafepointLatency {
  static final long SIZE_512M = 512 * BenchVmos.MIB;

  private SafepointLatency() {}

  public static void main(String[] args) throws Exception {
    String op = args[0];
    int safepoints = Integer.parseInt(args[1]);
    try (Vmo vmo = BenchVmos.filled(SIZE_512M)) {
      Runnable once =
          switch (op) {
            case "read" -> {
              byte[] into = new byte[(int) SIZE_512M];
              yield () -> vmo.read(into, 0);
            }
            case "map_range" ->
                () -> {
                  try (ImmutableMapping mapping =
                      ImmutableMapping.create(vmo, MapOption.SHARED, MapOption.PAGE_IMMEDIATELY)) {
                    if (mapping.size() != SIZE_512M) {
                      throw new IllegalStateException("mapping size " + mapping.size());
                    }
                  }
                };
            default -> throw new IllegalArgumentException("unknown operation " + op);
          };
      once.run(); // warm: the first call pays the page faults of a fresh array or mapping
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong done = new AtomicLong();
      Thread worker =
          new Thread(
              () -> {
                while (!stop.get()) {
                  once.run();
                  done.incrementAndGet();
                }
              },
              "zircon-call");
      worker.start();
      while (done.get() == 0) {
        Thread.onSpinWait();
      }
      for (int i = 0; i < safepoints; i++) {
        Thread.sleep(20);
        System.gc(); // a full collection: a safepoint operation
      }
      stop.set(true);
      worker.join();
      System.out.printf(
          "{\"bench\":\"safepoint_%s\",\"calls\":%d,\"safepoints_asked\":%d}%n",
          op, done.get(), safepoints);
    }
  }
}
