package io.github.zircon4j.vmo;

import java.util.Objects;

/**
 * How {@link ImmutableMapping} and {@link Mapping} map a VMO: who may use the mapping, when its
 * pages are mapped, and (for a {@code Mapping}) whether it may be written. Passed as varargs, as
 * NIO's {@code OpenOption}s are; no option means a mapping confined to the creating thread whose
 * pages are mapped on first touch.
 *
 * <p>A caller's {@link java.lang.foreign.Arena} given to a {@code map} method decides by itself
 * which threads may use the segment and when it is unmapped, as in {@code FileChannel.map(mode,
 * offset, size, arena)}; {@link #SHARED} is then refused. An option that does not apply is refused
 * with {@link IllegalArgumentException} before any syscall.
 */
public enum MapOption {
  /**
   * Any thread may use the mapping and any thread may close it; a reader racing {@code close()}
   * gets {@link IllegalStateException}, never a crash. Without it the mapping is confined to the
   * thread that created it ({@link WrongThreadException} elsewhere). A shared {@code close()} is a
   * handshake with every JVM thread, much dearer than a confined one: do not create and close
   * shared mappings in a hot loop. Rust's {@code Mapping} is {@code Send + Sync}: this option gives
   * its Java counterpart the same reach.
   */
  SHARED,

  /**
   * Map every page now ({@code ZX_VM_MAP_RANGE}), so that first touches do not fault: Rust's {@code
   * immediately_page = true}. {@link Mapping#allocate} always does. Later, {@code prefetch()} does
   * the same for a mapping made without it.
   */
  PAGE_IMMEDIATELY,

  /**
   * For {@link Mapping} only: map the VMO read-only ({@code ZX_VM_PERM_READ} without {@code
   * PERM_WRITE}), a live view that shows every later write to the VMO (unlike an {@link
   * ImmutableMapping}, which shows a snapshot). The handle then needs only {@link ZxRights#READ}
   * and {@link ZxRights#MAP}, and the segment is read-only.
   */
  READ_ONLY;

  /** The options as a set of flags, checked: non-null, and each allowed by the caller. */
  record Chosen(boolean shared, boolean pageImmediately, boolean readOnly) {
    static Chosen of(String factory, boolean arenaGiven, boolean writable, MapOption... options) {
      Objects.requireNonNull(options, "options");
      boolean shared = false;
      boolean page = false;
      boolean readOnly = false;
      for (int i = 0; i < options.length; i++) {
        MapOption option = options[i];
        if (option == null) {
          throw new NullPointerException("options[" + i + "]");
        }
        switch (option) {
          case SHARED -> {
            if (arenaGiven) {
              throw new IllegalArgumentException(
                  factory
                      + ": MapOption.SHARED does not apply when an arena is given; the arena"
                      + " decides which threads may use the segment (pass Arena.ofShared())");
            }
            shared = true;
          }
          case PAGE_IMMEDIATELY -> page = true;
          case READ_ONLY -> {
            if (!writable) {
              throw new IllegalArgumentException(
                  factory
                      + ": MapOption.READ_ONLY does not apply, an ImmutableMapping is always"
                      + " read-only; for a read-only view that shows later writes, use"
                      + " Mapping.create(vmo, MapOption.READ_ONLY)");
            }
            readOnly = true;
          }
        }
      }
      return new Chosen(shared, page, readOnly);
    }
  }
}
