package io.github.zircon4j.vmo;

import io.github.zircon4j.vmo.testing.InjectedFault;
import io.github.zircon4j.vmo.testing.ZirconFaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Run by {@link JarWithoutJUnitTest} in a JVM whose class path has the library's classes and no
 * JUnit: initialises every class of the library but the JUnit extension, then uses it.
 */
final class WithoutJUnitProbe {
  private WithoutJUnitProbe() {}

  public static void main(String[] args) throws Exception {
    try {
      Class.forName("org.junit.jupiter.api.Test");
      System.out.println("junit present");
    } catch (ClassNotFoundException expected) {
      System.out.println("junit absent");
    }
    Path classes = Path.of(args[0]);
    List<String> names;
    try (Stream<Path> files = Files.walk(classes)) {
      names =
          files
              .map(classes::relativize)
              .map(Path::toString)
              .filter(name -> name.endsWith(".class") && !name.equals("module-info.class"))
              .map(name -> name.substring(0, name.length() - 6).replace('/', '.'))
              .sorted()
              .toList();
    }
    int loaded = 0;
    for (String name : names) {
      try {
        Class.forName(name, true, WithoutJUnitProbe.class.getClassLoader());
        loaded++;
      } catch (LinkageError e) {
        System.out.println("cannot load " + name + ": " + e);
      }
    }
    System.out.println(
        loaded == names.size() - 1
            ? "loaded all others"
            : "loaded " + loaded + " of " + names.size());
    try (Vmo vmo = Vmo.create(1);
        InjectedFault fault =
            ZirconFaults.failNext("zx_vmo_create_child", ZxStatus.ERR_NO_MEMORY)) {
      try (ImmutableMapping mapping = ImmutableMapping.create(vmo)) {
        System.out.println("the fault was not injected " + mapping);
      } catch (ZxException e) {
        System.out.println(e.getMessage().replaceAll("0x[0-9a-f]+", "H"));
      }
    }
  }
}
