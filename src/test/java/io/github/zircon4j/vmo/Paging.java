package io.github.zircon4j.vmo;

/** The mapping options of tests parameterized over both paging modes, as Rust's tests are. */
final class Paging {
  private Paging() {}

  /** {@link MapOption#PAGE_IMMEDIATELY} if {@code immediately}, else no option. */
  static MapOption[] of(boolean immediately) {
    return immediately ? new MapOption[] {MapOption.PAGE_IMMEDIATELY} : new MapOption[0];
  }

  /** {@link MapOption#SHARED}, with {@link MapOption#PAGE_IMMEDIATELY} if {@code immediately}. */
  static MapOption[] shared(boolean immediately) {
    return immediately
        ? new MapOption[] {MapOption.SHARED, MapOption.PAGE_IMMEDIATELY}
        : new MapOption[] {MapOption.SHARED};
  }
}
