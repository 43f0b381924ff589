package io.github.zircon4j.vmo;

/**
 * A set of handle rights ({@code zx_rights_t}, the {@code ZX_RIGHT_*} bits of {@code
 * <zircon/rights.h>}): what a handle may be used for. Immutable and value-based: compare with
 * {@link #equals}, never with {@code ==}.
 *
 * <p>A set is its own type, so it cannot be passed where {@link VmoOption}s or mapping options are
 * expected: {@code Vmo.create(4096, ZxRights.READ)} and {@code vmo.duplicate(VmoOption.RESIZABLE)}
 * do not compile. Combine rights with {@link #and}:
 *
 * <pre>{@code
 * try (Vmo readOnly = vmo.duplicate(ZxRights.BASIC.and(ZxRights.READ).and(ZxRights.MAP))) {
 *   // hand readOnly on: it can be snapshotted and mapped, not written
 * }
 * }</pre>
 *
 * <p>For interop with raw handles, {@link #bits()} gives the {@code zx_rights_t} value and {@link
 * #fromBits(int)} takes one. A test checks every constant against the generated binding; using them
 * never loads the native library.
 *
 * <p>What this library's operations need: {@link ImmutableMapping} {@link #DUPLICATE}, {@link
 * #READ} and {@link #MAP}; a writable {@link Mapping} {@link #READ}, {@link #WRITE} and {@link
 * #MAP} (a read-only one only {@link #READ} and {@link #MAP}); {@link Vmo#read} {@link #READ};
 * {@link Vmo#write}, {@link Vmo#commit}, {@link Vmo#decommit} and {@link Vmo#zero} {@link #WRITE};
 * {@link Vmo#snapshot} and {@link Vmo#slice} {@link #DUPLICATE} and {@link #READ}; {@link
 * Vmo#name()} and {@link Vmo#contentSize()} {@link #GET_PROPERTY}; {@link Vmo#setName} and {@link
 * Vmo#setContentSize} {@link #SET_PROPERTY}.
 */
public final class ZxRights {
  /** No rights ({@code ZX_RIGHT_NONE}). */
  public static final ZxRights NONE = new ZxRights(0);

  /** May be duplicated ({@code ZX_RIGHT_DUPLICATE}); also needed to snapshot or slice a VMO. */
  public static final ZxRights DUPLICATE = new ZxRights(1 << 0);

  /** May be sent over a channel ({@code ZX_RIGHT_TRANSFER}). */
  public static final ZxRights TRANSFER = new ZxRights(1 << 1);

  /** May be read from, or mapped readable ({@code ZX_RIGHT_READ}). */
  public static final ZxRights READ = new ZxRights(1 << 2);

  /** May be written to, or mapped writable ({@code ZX_RIGHT_WRITE}). */
  public static final ZxRights WRITE = new ZxRights(1 << 3);

  /** May be mapped executable ({@code ZX_RIGHT_EXECUTE}). */
  public static final ZxRights EXECUTE = new ZxRights(1 << 4);

  /** May be mapped into a VMAR ({@code ZX_RIGHT_MAP}). */
  public static final ZxRights MAP = new ZxRights(1 << 5);

  /** Its properties, such as the name, may be read ({@code ZX_RIGHT_GET_PROPERTY}). */
  public static final ZxRights GET_PROPERTY = new ZxRights(1 << 6);

  /** Its properties, such as the name, may be set ({@code ZX_RIGHT_SET_PROPERTY}). */
  public static final ZxRights SET_PROPERTY = new ZxRights(1 << 7);

  /** Its children may be enumerated ({@code ZX_RIGHT_ENUMERATE}). */
  public static final ZxRights ENUMERATE = new ZxRights(1 << 8);

  /** The object may be destroyed ({@code ZX_RIGHT_DESTROY}). */
  public static final ZxRights DESTROY = new ZxRights(1 << 9);

  /** Its policy may be set ({@code ZX_RIGHT_SET_POLICY}). */
  public static final ZxRights SET_POLICY = new ZxRights(1 << 10);

  /** Its policy may be read ({@code ZX_RIGHT_GET_POLICY}). */
  public static final ZxRights GET_POLICY = new ZxRights(1 << 11);

  /** Its user signals may be set ({@code ZX_RIGHT_SIGNAL}). */
  public static final ZxRights SIGNAL = new ZxRights(1 << 12);

  /** Its peer's user signals may be set ({@code ZX_RIGHT_SIGNAL_PEER}). */
  public static final ZxRights SIGNAL_PEER = new ZxRights(1 << 13);

  /** It may be waited on ({@code ZX_RIGHT_WAIT}). */
  public static final ZxRights WAIT = new ZxRights(1 << 14);

  /** Information about it may be read ({@code ZX_RIGHT_INSPECT}). */
  public static final ZxRights INSPECT = new ZxRights(1 << 15);

  /** A job may be managed through it ({@code ZX_RIGHT_MANAGE_JOB}). */
  public static final ZxRights MANAGE_JOB = new ZxRights(1 << 16);

  /** A process may be managed through it ({@code ZX_RIGHT_MANAGE_PROCESS}). */
  public static final ZxRights MANAGE_PROCESS = new ZxRights(1 << 17);

  /** A thread may be managed through it ({@code ZX_RIGHT_MANAGE_THREAD}). */
  public static final ZxRights MANAGE_THREAD = new ZxRights(1 << 18);

  /** A profile may be applied through it ({@code ZX_RIGHT_APPLY_PROFILE}). */
  public static final ZxRights APPLY_PROFILE = new ZxRights(1 << 19);

  /** A socket may be managed through it ({@code ZX_RIGHT_MANAGE_SOCKET}). */
  public static final ZxRights MANAGE_SOCKET = new ZxRights(1 << 20);

  /** Operations may be applied to its children ({@code ZX_RIGHT_OP_CHILDREN}). */
  public static final ZxRights OP_CHILDREN = new ZxRights(1 << 21);

  /** The VMO may be resized ({@code ZX_RIGHT_RESIZE}). */
  public static final ZxRights RESIZE = new ZxRights(1 << 22);

  /** A VMO may be attached through it ({@code ZX_RIGHT_ATTACH_VMO}). */
  public static final ZxRights ATTACH_VMO = new ZxRights(1 << 23);

  /** The VMO may be managed ({@code ZX_RIGHT_MANAGE_VMO}). */
  public static final ZxRights MANAGE_VMO = new ZxRights(1 << 24);

  /** {@code TRANSFER | DUPLICATE | WAIT | INSPECT} ({@code ZX_RIGHTS_BASIC}). */
  public static final ZxRights BASIC = TRANSFER.and(DUPLICATE).and(WAIT).and(INSPECT);

  /** {@code READ | WRITE} ({@code ZX_RIGHTS_IO}). */
  public static final ZxRights IO = READ.and(WRITE);

  /** {@code GET_PROPERTY | SET_PROPERTY} ({@code ZX_RIGHTS_PROPERTY}). */
  public static final ZxRights PROPERTY = GET_PROPERTY.and(SET_PROPERTY);

  /** {@code GET_POLICY | SET_POLICY} ({@code ZX_RIGHTS_POLICY}). */
  public static final ZxRights POLICY = GET_POLICY.and(SET_POLICY);

  /**
   * The rights of a handle from {@link Vmo#create}: {@code BASIC | IO | PROPERTY | MAP | SIGNAL}
   * ({@code ZX_DEFAULT_VMO_RIGHTS}). A resizable VMO's handle also has {@link #RESIZE}.
   */
  public static final ZxRights DEFAULT_VMO = BASIC.and(IO).and(PROPERTY).and(MAP).and(SIGNAL);

  /**
   * {@code ZX_RIGHT_SAME_RIGHTS}: not a right but a request to keep a handle's rights; only {@link
   * #fromBits(int)} refuses it, and {@link Vmo#duplicate()} is how to ask for it.
   */
  static final int SAME_RIGHTS_BITS = 1 << 31;

  /** The single-bit rights, in bit order, for {@link #toString()}. */
  private static final String[] BIT_NAMES = {
    "DUPLICATE",
    "TRANSFER",
    "READ",
    "WRITE",
    "EXECUTE",
    "MAP",
    "GET_PROPERTY",
    "SET_PROPERTY",
    "ENUMERATE",
    "DESTROY",
    "SET_POLICY",
    "GET_POLICY",
    "SIGNAL",
    "SIGNAL_PEER",
    "WAIT",
    "INSPECT",
    "MANAGE_JOB",
    "MANAGE_PROCESS",
    "MANAGE_THREAD",
    "APPLY_PROFILE",
    "MANAGE_SOCKET",
    "OP_CHILDREN",
    "RESIZE",
    "ATTACH_VMO",
    "MANAGE_VMO",
  };

  private final int bits;

  private ZxRights(int bits) {
    this.bits = bits;
  }

  /**
   * The rights in a raw {@code zx_rights_t}, for interop with raw handles and other zircon
   * bindings. Bits zircon does not define are kept (and shown in hexadecimal by {@link
   * #toString()}), since a newer kernel may define them.
   *
   * @param bits a {@code zx_rights_t} bit set
   * @return the set of those rights
   * @throws IllegalArgumentException if {@code bits} has {@code ZX_RIGHT_SAME_RIGHTS} (bit 31),
   *     which is not a right: use {@link Vmo#duplicate()} to keep a handle's rights
   */
  public static ZxRights fromBits(int bits) {
    if ((bits & SAME_RIGHTS_BITS) != 0) {
      throw new IllegalArgumentException(
          "bits 0x"
              + Integer.toHexString(bits)
              + " include ZX_RIGHT_SAME_RIGHTS (0x80000000), which is not a right; call"
              + " Vmo.duplicate() without arguments to keep a handle's rights");
    }
    return new ZxRights(bits);
  }

  /**
   * The raw {@code zx_rights_t} value, for interop with raw handles.
   *
   * @return the bit set
   */
  public int bits() {
    return bits;
  }

  /**
   * This set and {@code other} together (a bitwise OR).
   *
   * @param other more rights
   * @return the union
   * @throws NullPointerException if {@code other} is null
   */
  public ZxRights and(ZxRights other) {
    return new ZxRights(bits | other.bits);
  }

  /**
   * This set without the rights of {@code other}.
   *
   * @param other the rights to remove
   * @return the difference
   * @throws NullPointerException if {@code other} is null
   */
  public ZxRights without(ZxRights other) {
    return new ZxRights(bits & ~other.bits);
  }

  /**
   * Whether every right of {@code other} is in this set.
   *
   * @param other the rights to look for
   * @return {@code true} if {@code other} is a subset of this set
   * @throws NullPointerException if {@code other} is null
   */
  public boolean containsAll(ZxRights other) {
    return (bits & other.bits) == other.bits;
  }

  /**
   * Names the rights, lowest bit first: {@code "READ|MAP"}. The empty set is {@code "NONE"}; bits
   * zircon does not define are added as one hexadecimal number ({@code "READ|0x4000000"}).
   *
   * @return the names of the rights, joined by {@code |}
   */
  @Override
  public String toString() {
    if (bits == 0) {
      return "NONE";
    }
    StringBuilder names = new StringBuilder();
    int unknown = 0;
    for (int bit = 0; bit < Integer.SIZE; bit++) {
      int right = 1 << bit;
      if ((bits & right) == 0) {
        continue;
      }
      if (bit < BIT_NAMES.length) {
        names.append(names.isEmpty() ? "" : "|").append(BIT_NAMES[bit]);
      } else {
        unknown |= right;
      }
    }
    if (unknown != 0) {
      names.append(names.isEmpty() ? "" : "|").append("0x").append(Integer.toHexString(unknown));
    }
    return names.toString();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ZxRights rights && rights.bits == bits;
  }

  @Override
  public int hashCode() {
    return Integer.hashCode(bits);
  }
}
