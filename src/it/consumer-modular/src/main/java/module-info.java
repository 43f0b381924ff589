/** A consumer on the module path: native access is granted to the library's module only. */
module example.modular {
  requires io.github.zircon4j.mappedvmo;
}
