package io.github.zircon4j.vmo;

import io.github.zircon4j.vmo.testing.ZirconFaults;

/** Run in a fresh JVM by {@link FaultControlTest} with a zircon library lacking the controls. */
final class FaultsUnsupportedProbe {
  private FaultsUnsupportedProbe() {}

  public static void main(String[] args) {
    try (Vmo vmo = Vmo.create(1)) {
      System.out.println("vmo " + (vmo.size() > 0 ? "ok" : "empty"));
    }
    System.out.println("supported " + ZirconFaults.isSupported());
    try {
      ZirconFaults.failNext("zx_vmar_map", ZxStatus.ERR_NO_MEMORY).close();
      System.out.println("armed");
    } catch (UnsupportedOperationException e) {
      System.out.println(e);
    }
  }
}
