package example;

import io.github.zircon4j.vmo.ImmutableMapping;
import io.github.zircon4j.vmo.Vmo;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** Creates a VMO, writes to it and reads it back through an ImmutableMapping. */
public final class ReadBack {
  private ReadBack() {}

  public static void main(String[] args) {
    byte[] content = "content".getBytes(StandardCharsets.US_ASCII);
    try (Vmo vmo = Vmo.create(content.length)) {
      vmo.write(content, 0);
      try (ImmutableMapping mapping = ImmutableMapping.create(vmo)) {
        byte[] read = mapping.segment().asSlice(0, content.length).toArray(ValueLayout.JAVA_BYTE);
        System.out.println("read back: " + new String(read, StandardCharsets.US_ASCII));
      }
    }
  }
}
