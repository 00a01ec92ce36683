// zlib (zlib1g-dev): gzip-compressed dataset files (Sources/Compute/Training/Data).
#include <zlib.h>
