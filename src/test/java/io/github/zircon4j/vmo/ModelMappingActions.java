package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.VmoModelStatefulTest.*;
import static io.github.zircon4j.vmo.sequences.Gen.w;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.model.Zx;
import io.github.zircon4j.vmo.model.ZxModel.Piece;
import io.github.zircon4j.vmo.sequences.Gen;
import io.github.zircon4j.zircon.Zircon;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The actions of {@link VmoModelStatefulTest} on mappings: map a VMO, read and write through a
 * mapping where the model says that cannot fault, and unmap ranges of live mappings.
 */
final class ModelMappingActions {
  private ModelMappingActions() {}

  record MapVmo(int options, long vmarOffset, int token, long vmoOffset, long length)
      implements Action {
    static MapVmo generate(Gen gen, World world) {
      int perms =
          gen.frequency(
              w(6, () -> Zx.VM_PERM_READ),
              w(4, () -> Zx.VM_PERM_READ | Zx.VM_PERM_WRITE),
              w(1, () -> Zx.VM_PERM_WRITE),
              w(1, () -> 0));
      int extra =
          gen.frequency(
              w(6, () -> 0),
              w(3, () -> Zx.VM_MAP_RANGE),
              w(3, () -> Zx.VM_REQUIRE_NON_RESIZABLE),
              w(2, () -> Zx.VM_MAP_RANGE | Zx.VM_REQUIRE_NON_RESIZABLE),
              w(1, () -> 16 << Zx.VM_ALIGN_BASE), // ZX_VM_ALIGN_64KB
              w(1, () -> 1 << 7), // ZX_VM_CAN_MAP_READ: not an option of zx_vmar_map
              w(1, () -> 1 << 16), // unknown
              w(1, () -> 1 << Zx.VM_ALIGN_BASE)); // alignment 2^1: out of 10..32
      int token = world.anyHandle(gen, true);
      long size = world.sizeHint(token);
      long[] range;
      if (gen.between(1, 5) <= 4) {
        long offset = gen.between(0L, Math.max(0, size / PAGE - 1)) * PAGE;
        range = new long[] {offset, gen.between(1L, Math.max(1, size - offset))};
      } else {
        long offset =
            gen.frequency(
                w(10, () -> gen.between(0L, size / PAGE + 1) * PAGE),
                w(1, () -> gen.oneOf(PAGE / 2, -PAGE)));
        long length =
            gen.frequency(
                w(8, () -> gen.between(1L, Math.max(1, size))),
                w(2, () -> gen.oneOf(size, size + PAGE, 0L, -1L, -PAGE)));
        range = new long[] {offset, length};
      }
      long vmarOffset = gen.frequency(w(20, () -> 0L), w(1, () -> PAGE));
      return new MapVmo(perms | extra, vmarOffset, token, range[0], range[1]);
    }

    @Override
    public void run(World world) {
      if (!world.knows(token)) {
        return; // a replay in which this handle was never made
      }
      long[] got = Real.map(options, vmarOffset, world.realHandle(token), vmoOffset, length);
      int expected = world.model.vmarMap(options, vmarOffset, token, vmoOffset, length, got[1]);
      if (got[0] == Zx.OK && expected != Zx.OK) {
        world.untracked.add(new long[] {got[1], length});
      }
      outcome(toString(), (int) got[0]);
      assertThat(name((int) got[0])).as(toString()).isEqualTo(name(expected));
      world.checkSignals(toString());
    }

    @Override
    public List<Action> simpler() {
      return concat(
          eachBits(options, o -> new MapVmo(o, vmarOffset, token, vmoOffset, length)),
          each(vmarOffset, v -> new MapVmo(options, v, token, vmoOffset, length)),
          each(vmoOffset, o -> new MapVmo(options, vmarOffset, token, o, length)),
          each(length, l -> new MapVmo(options, vmarOffset, token, vmoOffset, l)));
    }

    @Override
    public String toString() {
      return "zx_vmar_map(root_vmar, options="
          + hex(options)
          + ", vmar_offset="
          + vmarOffset
          + ", "
          + tokenName(token)
          + ", vmo_offset="
          + u64(vmoOffset)
          + ", len="
          + u64(length)
          + ")";
    }
  }

  // Mapping actions choose a live piece and a range inside it when they run, not when they are
  // generated: addresses differ from run to run (shrinking replays the sequence), so an action
  // only carries choices (which piece, where in it, how long), resolved against the world it is
  // applied to. The assertion messages name the concrete piece and range.

  static List<Piece> usablePieces(World world, boolean write) {
    List<Piece> usable = new ArrayList<>();
    for (Piece piece : world.model.pieces()) {
      if ((write ? piece.write() : piece.read()) && world.model.backedLength(piece) > 0) {
        usable.add(piece);
      }
    }
    return usable;
  }

  static String describe(World world, Piece piece) {
    return "mapping#"
        + world.model.pieces().indexOf(piece)
        + " [vmo koid "
        + piece.vmoKoid()
        + ", vmo_offset "
        + hex(piece.vmoOffset())
        + ", length "
        + hex(piece.length())
        + "]";
  }

  /**
   * Runs {@code access} on a backed range inside a readable (or writable) piece chosen by {@code
   * pick}, from {@code at} percent of its backed length, at most {@code maxLength} bytes.
   */
  static void throughMapping(
      World world, boolean write, int pick, int at, int maxLength, String call, Access access) {
    List<Piece> usable = usablePieces(world, write);
    if (usable.isEmpty()) {
      return; // a replay in which no such mapping exists
    }
    Piece piece = usable.get(pick % usable.size());
    long backed = world.model.backedLength(piece);
    long offset = backed * at / 100;
    int length = (int) Math.min(maxLength, backed - offset);
    outcome(call, Zx.OK);
    access.run(
        piece,
        offset,
        length,
        call + " = " + describe(world, piece) + " offset " + offset + ", len " + length);
  }

  interface Access {
    void run(Piece piece, long offset, int length, String call);
  }

  static List<Action> positive(List<Action> candidates, Predicate<Action> keep) {
    return candidates.stream().filter(keep).toList();
  }

  record ReadMapping(int pick, int at, int maxLength) implements Action {
    @Override
    public void run(World world) {
      throughMapping(
          world,
          false,
          pick,
          at,
          maxLength,
          toString(),
          (piece, offset, length, call) -> {
            byte[] expected = world.model.mappingRead(piece, offset, length);
            // Safety: the model knows [base + offset, + length) is mapped readable and backed by
            // the VMO's current size, and only this thread maps or unmaps in this test.
            byte[] got =
                MemorySegment.ofAddress(piece.base() + offset)
                    .reinterpret(length)
                    .toArray(JAVA_BYTE);
            assertBytes(got, expected, call);
          });
    }

    @Override
    public List<Action> simpler() {
      return concat(
          eachInt(pick, p -> new ReadMapping(p, at, maxLength)),
          eachInt(at, a -> new ReadMapping(pick, a, maxLength)),
          positive(
              eachInt(maxLength, l -> new ReadMapping(pick, at, l)),
              a -> ((ReadMapping) a).maxLength() > 0));
    }

    @Override
    public String toString() {
      return "read_mapping(pick=" + pick + ", at=" + at + "%, len<=" + maxLength + ")";
    }
  }

  record WriteMapping(int pick, int at, int maxLength, int seed) implements Action {
    @Override
    public void run(World world) {
      throughMapping(
          world,
          true,
          pick,
          at,
          maxLength,
          toString(),
          (piece, offset, length, call) -> {
            byte[] data = pattern(length, seed);
            world.model.mappingWrite(piece, offset, data);
            // Safety: as in read_mapping, and the piece was mapped with ZX_VM_PERM_WRITE.
            MemorySegment.ofAddress(piece.base() + offset)
                .reinterpret(length)
                .copyFrom(MemorySegment.ofArray(data));
          });
    }

    @Override
    public List<Action> simpler() {
      return concat(
          eachInt(pick, p -> new WriteMapping(p, at, maxLength, seed)),
          eachInt(at, a -> new WriteMapping(pick, a, maxLength, seed)),
          positive(
              eachInt(maxLength, l -> new WriteMapping(pick, at, l, seed)),
              a -> ((WriteMapping) a).maxLength() > 0),
          eachInt(seed, s -> new WriteMapping(pick, at, maxLength, s)));
    }

    @Override
    public String toString() {
      return "write_mapping(pick="
          + pick
          + ", at="
          + at
          + "%, len<="
          + maxLength
          + ", seed="
          + seed
          + ")";
    }
  }

  /** Unmaps part or all of one live piece, or passes invalid arguments. */
  record Unmap(int pick, int at, int span, int kind) implements Action {
    static Unmap generate(Gen gen) {
      int kind =
          gen.frequency(
              w(3, () -> 0), // whole pages from the chosen first page
              w(2, () -> 1), // a length that is not a page multiple (rounded up)
              w(2, () -> 2), // the whole piece
              w(1, () -> 3), // an unaligned address: INVALID_ARGS
              w(1, () -> 4), // length 0: INVALID_ARGS
              w(1, () -> 5)); // a length whose rounding overflows: INVALID_ARGS
      return new Unmap(gen.between(0, 99), gen.between(0, 99), gen.between(1, 100), kind);
    }

    @Override
    public void run(World world) {
      List<Piece> pieces = world.model.pieces();
      if (pieces.isEmpty()) {
        return;
      }
      Piece piece = pieces.get(pick % pieces.size());
      long pages = piece.length() / PAGE;
      long first = kind == 2 ? 0 : pages * at / 100;
      long rest = pages - first;
      long count = Math.max(1, rest * span / 100);
      long address = piece.base() + first * PAGE + (kind == 3 ? 1 : 0);
      long length =
          switch (kind) {
            case 1 -> Math.max(1, count * PAGE - span);
            case 2 -> piece.length();
            case 4 -> 0;
            case 5 -> -1L;
            default -> count * PAGE;
          };
      String concrete =
          this
              + " = zx_vmar_unmap(root_vmar, "
              + describe(world, piece)
              + " + "
              + hex(address - piece.base())
              + ", len="
              + u64(length)
              + ")";
      int expected = world.model.vmarUnmap(address, length);
      int got = Zircon.zx_vmar_unmap(ROOT, address, length);
      outcome(toString(), got);
      assertThat(name(got)).as(concrete).isEqualTo(name(expected));
      world.checkSignals(concrete);
    }

    @Override
    public List<Action> simpler() {
      return concat(
          eachInt(pick, p -> new Unmap(p, at, span, kind)),
          eachInt(at, a -> new Unmap(pick, a, span, kind)),
          positive(eachInt(span, s -> new Unmap(pick, at, s, kind)), a -> ((Unmap) a).span() > 0),
          eachInt(kind, k -> new Unmap(pick, at, span, k)));
    }

    @Override
    public String toString() {
      return "zx_vmar_unmap(pick="
          + pick
          + ", at="
          + at
          + "%, span="
          + span
          + "%, kind="
          + kind
          + ")";
    }
  }
}
