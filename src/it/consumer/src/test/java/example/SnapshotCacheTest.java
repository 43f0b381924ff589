package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.zircon4j.vmo.ImmutableMapping;
import io.github.zircon4j.vmo.Vmo;
import io.github.zircon4j.vmo.ZxException;
import io.github.zircon4j.vmo.ZxStatus;
import io.github.zircon4j.vmo.testing.InjectedFault;
import io.github.zircon4j.vmo.testing.ZirconFaults;
import io.github.zircon4j.vmo.testing.ZirconLeakCheck;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ZirconLeakCheck.class)
class SnapshotCacheTest {
  /** The component under test: serves the latest snapshot of a VMO. */
  static final class SnapshotCache implements AutoCloseable {
    private ImmutableMapping latest;

    void refresh(Vmo vmo) {
      ImmutableMapping next = ImmutableMapping.create(vmo); // may throw: keep the old one
      if (latest != null) {
        latest.close();
      }
      latest = next;
    }

    byte firstByte() {
      return latest.segment().get(ValueLayout.JAVA_BYTE, 0);
    }

    @Override
    public void close() {
      if (latest != null) {
        latest.close();
      }
    }
  }

  @Test
  void aFailedRefreshKeepsServingTheOldSnapshot() {
    try (Vmo vmo = Vmo.create(4096);
        SnapshotCache cache = new SnapshotCache()) {
      vmo.write(new byte[] {1}, 0);
      cache.refresh(vmo);
      vmo.write(new byte[] {2}, 0);
      try (InjectedFault fault = ZirconFaults.failNext("zx_vmar_map", ZxStatus.ERR_NO_MEMORY)) {
        ZxException e = assertThrows(ZxException.class, () -> cache.refresh(vmo));
        assertEquals(ZxStatus.ERR_NO_MEMORY, e.status());
        assertEquals(0, fault.remaining()); // the map was called, and failed
      }
      assertEquals(1, cache.firstByte());
      cache.refresh(vmo);
      assertEquals(2, cache.firstByte());
    }
  }
}
