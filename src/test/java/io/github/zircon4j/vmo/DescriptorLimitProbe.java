package io.github.zircon4j.vmo;

import java.util.ArrayList;
import java.util.List;

/**
 * Run in a fresh JVM with a small descriptor limit by {@link DescriptorLimitTest}: writes to new
 * VMOs, keeping each, until a write fails, and prints the failure ("failed STATUS MESSAGE") or
 * "never failed".
 */
final class DescriptorLimitProbe {
  private DescriptorLimitProbe() {}

  public static void main(String[] args) {
    try (Vmo warm = Vmo.create(4096)) {
      warm.write(new byte[] {1}, 0); // the probe's own classes, loaded while it can read them
    }
    List<Vmo> kept = new ArrayList<>();
    try {
      for (int i = 0; i < 100_000; i++) {
        Vmo vmo = Vmo.create(4096);
        kept.add(vmo);
        vmo.write(new byte[] {1}, 0);
      }
      System.out.println("never failed");
    } catch (ZxException e) {
      System.out.println("failed " + e.status() + " " + e.getMessage());
    } finally {
      kept.forEach(Vmo::close);
    }
  }
}
