package io.github.zircon4j.vmo;

/**
 * Run in a fresh JVM by {@link LeakReportTest} (its leak reports go to stderr through the default
 * System.Logger backend): closes {@value #CLOSED} mappings and VMOs properly, then drops {@value
 * #DROPPED} mappings from each of two lines of code and {@value #DROPPED} written VMOs, collects
 * garbage until all are released, drops one more mapping and collects until that is released, and
 * prints {@code released N}: {@code 3 * DROPPED + 1} unless a closed resource was released.
 */
public final class LeakReportProbe {
  static final int CLOSED = 1_000;
  static final int DROPPED = 500;

  private LeakReportProbe() {}

  public static void main(String[] args) throws Exception {
    try (Vmo vmo = Vmo.create(4096)) {
      vmo.write(new byte[] {1}, 0);
      for (int i = 0; i < CLOSED; i++) {
        ImmutableMapping.create(vmo).close();
        ImmutableMapping.create(vmo, MapOption.SHARED).close();
        Vmo.create(4096).close();
      }
      for (int i = 0; i < DROPPED; i++) {
        leakFromTheFirstSite(vmo);
        leakFromTheSecondSite(vmo);
        leakAVmo();
      }
    }
    long released = ProcessResources.collectUntilReleased(3 * DROPPED);
    // One more leak, released in a later collection: a closed resource wrongly released would
    // have been counted by then too.
    try (Vmo vmo = Vmo.create(4096)) {
      ImmutableMapping.create(vmo);
    }
    released = ProcessResources.collectUntilReleased(released + 1);
    System.out.println("released " + released);
  }

  private static void leakFromTheFirstSite(Vmo vmo) {
    ImmutableMapping.create(vmo).segment();
  }

  private static void leakFromTheSecondSite(Vmo vmo) {
    ImmutableMapping.create(vmo, MapOption.PAGE_IMMEDIATELY).asByteBuffer();
  }

  private static void leakAVmo() {
    Vmo.create(4096).write(new byte[] {2}, 0);
  }
}
