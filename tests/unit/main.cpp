// The CAF test runner: exactly one translation unit includes the implementation.
#include <caf/test/unit_test_impl.hpp>
