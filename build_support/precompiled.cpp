// The translation unit that carries the precompiled headers (build_support/CMakeLists.txt).
